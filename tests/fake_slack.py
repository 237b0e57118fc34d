"""A fake Slack Web API (plus response_url endpoints) served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import hashlib
import itertools
import json
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.blockcheck import check_message, check_view
from tests.fake_slack_faults import (
    POST_METHOD,
    Answer,
    ChannelGap,
    Delay,
    Fault,
    Hold,
    Holds,
    Limits,
    LostAnswer,
    TokenBucket,
    error_body,
    ratelimited,
    take_pending,
)
from tests.fake_slack_workspaces import FakeToken, FakeWorkspace, Installs, PendingInstall

# WebClient sends these as JSON objects (json= methods) or as JSON strings (form methods).
JSON_FIELDS = frozenset({"blocks", "view", "attachments", "metadata", "user_auth_blocks"})
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})
NO_TOKEN_METHODS = frozenset({"oauth.v2.access", "oauth.access", "blocks.validate"})
MAX_CONVERSATION_USERS = 8
HISTORY_LIMIT = 100  # conversations.history's default page size
HISTORY_LIMIT_MAX = 999
CURSOR_PREFIX = "next_ts:"
FILE_BYTES_MAX = 1024**3  # Slack takes files of up to 1 GB
# The scope each method needs (methods not named here need none the fake checks).
METHOD_SCOPES = {
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.delete": "files:write",
}
SCOPES = frozenset(
    {"commands", "chat:write", "im:write", "im:history", "mpim:write", "mpim:history"}
    | {"users:read", "files:write"}
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
Args = dict[str, Any]


@dataclass
class Call:
    """One Web API call as the fake received it (token taken out of args)."""

    method: str
    args: Args
    token: str | None
    failed: bool = False
    status: int = 200
    response: Args | str = field(default_factory=dict)
    lost: Args | str | None = None  # the real answer, when lose_answer() dropped or replaced it


@dataclass
class FakeFile:
    """A file on its way in (getUploadURLExternal → upload → completeUploadExternal)."""

    file_id: str
    filename: str
    length: int
    upload_path: str
    data: bytes | None = None  # the bytes POSTed to the upload URL
    title: str = ""
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None


@dataclass
class FakeUser:
    """What users.info knows about one user."""

    user_id: str
    tz: str
    real_name: str | None
    is_bot: bool
    deleted: bool
    team_id: str
    locale: str = "en-US"

    def to_json(self) -> Args:
        """Slack's users.info `user` object (tz_label/tz_offset for the current instant)."""
        real_name = self.real_name or self.user_id
        return {
            "id": self.user_id,
            "team_id": self.team_id,
            "name": self.user_id.lower(),
            "real_name": real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            **tz_fields(self.tz),
            "profile": {"real_name": real_name, "display_name": real_name},
        }


class FakeSlack(ThreadingHTTPServer):
    """A real HTTP server that answers like Slack's Web API and records every call."""

    daemon_threads = True

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(("127.0.0.1", 0), FakeSlackHandler)
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.block_errors: list[str] = []
        self.history_page_max: int | None = None  # e.g. 15, as for non-Marketplace apps
        self._clock = clock
        self._monotonic = monotonic
        self._last_ts_micros = 0
        self._limits = Limits()
        self._holds = Holds()
        self._lost: dict[str, list[LostAnswer]] = {}
        self._delays: dict[str, list[Delay]] = {}
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._responses: dict[str, list[Args]] = {}
        self._users: dict[str, FakeUser] = {}
        self._messages: dict[tuple[str, str], Args] = {}
        self._views: dict[str, Args] = {}
        self._external_ids: dict[str, str] = {}
        self._homes: dict[str, str] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._serial = itertools.count(1)
        self.scopes: set[str] = set(SCOPES)  # the installation's bot scopes
        self.file_bytes_max = FILE_BYTES_MAX  # a workspace may restrict uploads further
        self._files: dict[str, FakeFile] = {}
        self._uploads: dict[str, str] = {}  # upload URL path → file id
        self.installs = Installs(clock=clock or (lambda: datetime.now(UTC)))
        self._thread: threading.Thread | None = None
        self._routes: dict[str, Callable[[Args], Args]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.scheduleMessage": self._chat_schedule_message,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.history": self._conversations_history,
            "chat.getPermalink": self._chat_get_permalink,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.delete": self._files_delete,
            "oauth.v2.access": self._oauth_v2_access,
        }

    # --- lifecycle ---------------------------------------------------------------------------

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host name."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def start(self) -> Self:
        """Serve in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Release every hold, stop serving and close the socket."""
        self._holds.release_all()
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for `WebClient(base_url=...)`."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "default") -> str:
        """An absolute response_url on this server; posts to it are kept under `name`."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- test set-up -------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "America/New_York",
        real_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str = "T0001",
        unknown_zone: bool = False,
        locale: str = "en-US",
    ) -> None:
        """Make `user_id` known to users.info (`unknown_zone`: Slack sends a zone this host's
        tz database does not have; `locale`: sent when asked with include_locale)."""
        if not unknown_zone:
            ZoneInfo(tz)  # fail here, not inside a request, on a misspelt zone
        user = FakeUser(user_id, tz, real_name, is_bot, deleted, team_id, locale)
        with self._cond:
            self._users[user_id] = user

    def add_workspace(
        self, team_id: str, *, name: str | None = None, enterprise_id: str | None = None
    ) -> None:
        """A workspace (in an Enterprise Grid org when `enterprise_id`) people can belong to."""
        with self._cond:
            self.installs.workspaces[team_id] = FakeWorkspace(
                team_id, name or f"Workspace {team_id}", enterprise_id
            )

    def authorize(
        self,
        *,
        installer: str,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        rotation: bool = False,
        scopes: set[str] | None = None,
    ) -> str:
        """What Slack's authorize page does when `installer` allows the app: a code for the
        redirect URL (an org-wide install: `team_id` None, `enterprise_id` set)."""
        with self._cond:
            code = f"code-{next(self._serial)}"
            self.installs.codes[code] = PendingInstall(
                team_id, enterprise_id, installer, rotation, set(scopes or SCOPES)
            )
            return code

    def tokens_of(self, team_id: str) -> list[FakeToken]:
        """The tokens issued for a workspace (or an org, by its E… id), oldest first."""
        with self._cond:
            return [
                t
                for t in self.installs.tokens.values()
                if team_id in (t.team_id, t.enterprise_id if t.org else None)
            ]

    def revoke(self, token: str, *, error: str = "token_revoked") -> None:
        """From now on Slack answers calls with `token` with `error`."""
        with self._cond:
            self.installs.tokens[token].revoked = error

    def restore(self, token: str) -> None:
        """Calls with `token` work again."""
        with self._cond:
            self.installs.tokens[token].revoked = None

    @property
    def cross_team_calls(self) -> list[str]:
        """Calls that named a person or conversation of a workspace their token is not for."""
        with self._cond:
            return list(self.installs.cross_team_calls)

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with HTTP `status` or `ok: false, error`."""
        if status == 200 and error is None:
            raise ValueError("fail() needs a non-200 status or an error")
        with self._cond:
            self._faults.setdefault(method, []).append(Fault(status, error, retry_after, times))

    def limit_posts(self, *, per_channel_interval: float = 1.0, rate: float, burst: int) -> None:
        """chat.postMessage: one message per channel per interval, and a token bucket."""
        self.limit(POST_METHOD, rate=rate, burst=burst)
        with self._cond:
            self._limits.gap = ChannelGap(per_channel_interval)

    def limit(self, method: str, *, rate: float, burst: int) -> None:
        """A token bucket per token for `method` (`rate` a second, `burst` at most; full)."""
        if rate <= 0 or burst < 1:
            raise ValueError("limit() needs rate > 0 and burst >= 1")
        with self._cond:
            self._limits.buckets[method] = TokenBucket(rate, burst)

    def hold(self, method: str, *, after_accept: bool = False) -> Hold:
        """Hold every call of `method` in the server until release() (after processing it)."""
        return self._holds.add(Hold(method, after_accept=after_accept))

    def lose_answer(self, method: str, *, times: int = 1, status: int | None = None) -> None:
        """Process the next calls, then close the connection (or answer `status`) instead."""
        with self._cond:
            self._lost.setdefault(method, []).append(LostAnswer(status, times))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Process the next calls at once but send their answers `seconds` later."""
        with self._cond:
            self._delays.setdefault(method, []).append(Delay(seconds, times))

    def reset(self) -> None:
        """Forget calls, responses, block errors, faults and limits; release holds (keep state)."""
        self._holds.release_all()
        with self._cond:
            self._calls.clear()
            self._responses.clear()
            self.block_errors.clear()
            self._faults.clear()
            self._lost.clear()
            self._delays.clear()
            self._limits.clear()

    # --- reading what happened -----------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls in arrival order, optionally of one method."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def delivered(self, method: str) -> list[Call]:
        """Calls of `method` that were answered HTTP 200 with ok: true."""
        return [c for c in self.calls(method) if not c.failed]

    def rate_limited(self, method: str | None = None) -> int:
        """How many calls (optionally of one method) were answered HTTP 429."""
        return sum(1 for c in self.calls(method) if c.status == 429)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least `count` calls of `method` (failed ones too) were recorded."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls(method)) >= count, timeout):
                recorded = [c.method for c in self._calls]
                raise AssertionError(
                    f"expected {count} {method} call(s) within {timeout}s; recorded: {recorded}"
                )
            return self.calls(method)

    def responses(self, name: str = "default") -> list[Args]:
        """Bodies posted to `response_url(name)`, in order."""
        with self._cond:
            return copy.deepcopy(self._responses.get(name, []))

    def wait_for_response(
        self, name: str = "default", count: int = 1, timeout: float = 5.0
    ) -> list[Args]:
        """Block until `response_url(name)` got at least `count` posts; return them."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses(name)) >= count, timeout):
                raise AssertionError(
                    f"expected {count} post(s) to response_url {name!r} within {timeout}s; "
                    f"got posts for: {sorted(self._responses)}"
                )
            return self.responses(name)

    def message(self, channel: str, ts: str) -> Args:
        """The current state of a posted (and maybe updated) message."""
        with self._cond:
            if (channel, ts) not in self._messages:
                raise AssertionError(f"no message {(channel, ts)}; have {sorted(self._messages)}")
            return copy.deepcopy(self._messages[(channel, ts)])

    def messages(self, channel: str | None = None) -> list[Args]:
        """Current state of every stored message (optionally in one channel), oldest first."""
        with self._cond:
            found = [m for (c, _), m in self._messages.items() if channel in (None, c)]
            return copy.deepcopy(sorted(found, key=lambda m: m["ts"]))

    def add_user_message(self, channel: str, text: str, *, user: str) -> Args:
        """A message a person wrote (readable through conversations.history); returns it."""
        with self._cond:
            message = {
                "type": "message",
                "channel": channel,
                "ts": self._next_ts(),
                "text": text,
                "user": user,
            }
            self._messages[(channel, message["ts"])] = message
            return copy.deepcopy(message)

    def files(self, channel: str | None = None) -> list[FakeFile]:
        """Files shared (completeUploadExternal), optionally into one channel, in order."""
        with self._cond:
            found = [f for f in self._files.values() if f.completed]
            return copy.deepcopy([f for f in found if channel is None or channel in f.channels])

    def file_text(self, file_id: str) -> str:
        """The uploaded bytes of a shared file, as UTF-8 text."""
        with self._cond:
            data = self._files[file_id].data
            assert data is not None, f"{file_id} has no bytes"
            return data.decode("utf-8")

    def home_view(self, user_id: str) -> Args | None:
        """The last Home tab view published for `user_id`."""
        with self._cond:
            view_id = self._homes.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    @staticmethod
    def dm_id(user_id: str) -> str:
        """The DM channel id conversations.open gives for one user."""
        return f"D{user_id}"

    @staticmethod
    def group_id(user_ids: list[str]) -> str:
        """The group DM id conversations.open gives for a set of users."""
        key = ",".join(sorted(set(user_ids)))
        return "G" + hashlib.sha1(key.encode()).hexdigest()[:10].upper()

    # --- request handling (called from FakeSlackHandler) -----------------------------------

    def dispatch(self, path: str, query: str, headers: Message, body: bytes) -> Answer:
        """Route one HTTP request."""
        if path.startswith("/api/"):
            return self._api(path.removeprefix("/api/"), query, headers, body)
        if path.startswith("/response/"):
            return self._response_post(path.removeprefix("/response/"), headers, body)
        if path.startswith("/upload/"):
            return self._upload_post(path, body)
        return Answer(404, error_body("unknown_path"))

    def _api(self, method: str, query: str, headers: Message, body: bytes) -> Answer:
        """Answer and record one Web API call; holds and delays wait outside the lock."""
        try:
            args = parse_args(query, headers.get("Content-Type", ""), body)
        except ValueError:
            return self._record(method, {}, None, Answer(200, error_body("invalid_json")))
        token = bearer(headers.get("Authorization")) or args.pop("token", None)
        args |= basic_auth(headers.get("Authorization"))
        self._holds.block(method, after_accept=False)
        with self._cond:
            answer, delay = self._settle(method, args, token)
        self._holds.block(method, after_accept=True)
        if delay:
            self._holds.sleep(delay)
        return answer

    def _settle(self, method: str, args: Args, token: str | None) -> tuple[Answer, float]:
        """Answer and record the call; a pending lost answer replaces it. Also its delay."""
        try:
            if refusal := self._refusal(method, args, token):
                return self._record(method, args, token, refusal), 0.0
            answer = self._answer(method, args, token)
        except Exception as e:  # a bug in the fake must not look like a network error
            answer = Answer(500, error_body(f"fake_slack_bug: {e!r}"))
        delay = take_pending(self._delays, method)
        if lost := take_pending(self._lost, method):
            sent = lost.answer()
            self._record(method, args, token, sent, lost=answer.body)
        else:
            sent = self._record(method, args, token, answer)
        return sent, delay.seconds if delay else 0.0

    def _record(
        self,
        method: str,
        args: Args,
        token: str | None,
        answer: Answer,
        lost: Args | str | None = None,
    ) -> Answer:
        """Append the call (failed unless HTTP 200 and ok: true) and wake waiters."""
        with self._cond:
            call = Call(method, args, token, not answer.ok, answer.status, answer.body, lost)
            self._calls.append(call)
            self._cond.notify_all()
        return answer

    def _refusal(self, method: str, args: Args, token: str | None) -> Answer | None:
        """A call refused before Slack processes it: injected fault, auth, then rate limits."""
        if fault := self._take_fault(method):
            return fault.answer()
        if not token and method not in NO_TOKEN_METHODS:
            return Answer(200, error_body("not_authed"))
        checked = self.installs.strict and method not in NO_TOKEN_METHODS
        if checked and (refused := self.installs.refusal(method, args, token, self._team_of_user)):
            return Answer(200, refused)
        scopes = self.installs.scopes_of(token) if self.installs.strict else None
        scopes = self.scopes if scopes is None else scopes
        if (scope := METHOD_SCOPES.get(method)) and scope not in scopes:
            body = error_body("missing_scope") | {"needed": scope}
            return Answer(200, body | {"provided": ",".join(sorted(scopes))})
        now = self._monotonic()
        if wait := self._limits.wait(method, token, self._channel(args.get("channel")), now):
            return ratelimited(wait)
        self._limits.take(method, token, now)
        return None

    def _answer(self, method: str, args: Args, token: str | None) -> Answer:
        """The answer to an accepted call: Block Kit check, then the route."""
        if problems := block_problems(method, args):
            error = "invalid_arguments" if method in VIEW_METHODS else "invalid_blocks"
            return self._invalid(method, problems, error)
        if method == "auth.test" and (issued := self.installs.auth_test(token)):
            return Answer(200, issued)
        route = self._routes.get(method)
        answer = Answer(200, route(args) if route else {"ok": True})
        if method == "conversations.open" and answer.ok and isinstance(answer.body, dict):
            self._remember_channel_team(answer.body["channel"]["id"], args)
        if method == POST_METHOD and answer.ok and isinstance(answer.body, dict):
            self._limits.posted(token, answer.body["channel"], self._monotonic())
        return answer

    def _team_of_user(self, user_id: str) -> str | None:
        """The workspace a known person belongs to."""
        user = self._users.get(user_id)
        return user.team_id if user else None

    def _remember_channel_team(self, channel: str, args: Args) -> None:
        """A DM or group DM belongs to its people's workspace."""
        teams = {self._team_of_user(u) for u in split_users(args.get("users"))} - {None}
        if len(teams) == 1:
            self.installs.channel_teams[channel] = str(teams.pop())

    def _oauth_v2_access(self, args: Args) -> Args:
        """oauth.v2.access: exchange an install code or a refresh token (client credentials
        by HTTP Basic auth, as slack_sdk sends them)."""
        return self.installs.exchange(args)

    def _take_fault(self, method: str) -> Fault | None:
        """Consume one use of the first pending fault for `method`."""
        return take_pending(self._faults, method)

    def _invalid(self, where: str, problems: list[str], error: str) -> Answer:
        """Record Block Kit problems and answer as Slack does for invalid blocks."""
        self.block_errors.extend(f"{where}: {p}" for p in problems)
        messages = [f"[ERROR] {p}" for p in problems]
        body = {
            **error_body(error),
            "errors": problems,
            "response_metadata": {"messages": messages},
        }
        return Answer(200, body)

    def _response_post(self, name: str, headers: Message, body: bytes) -> Answer:
        """Record a post to a response_url (JSON, as Bolt's respond() sends)."""
        try:
            payload = parse_response_body(headers.get("Content-Type", ""), body)
        except ValueError:
            return Answer(400, "invalid_payload")
        with self._cond:
            self._responses.setdefault(name, []).append(payload)
            self._cond.notify_all()
            blocks = payload.get("blocks")
            problems = [] if blocks is None else check_message(blocks, payload.get("text"))
            if problems:
                self.block_errors.extend(f"response_url/{name}: {p}" for p in problems)
                return Answer(400, "invalid_blocks")
        return Answer(200, "ok")

    def _upload_post(self, path: str, body: bytes) -> Answer:
        """The bytes of a file, POSTed raw to the URL getUploadURLExternal gave (as slack_sdk
        does); they must be as long as announced."""
        with self._cond:
            file = self._files.get(self._uploads.get(path, ""))
            if file is None or file.completed:
                return Answer(404, "not found")
            if len(body) != file.length:
                return Answer(400, f"length mismatch: announced {file.length}, got {len(body)}")
            file.data = body
        return Answer(200, f"OK - {len(body)}")

    # --- Web API methods -------------------------------------------------------------------

    def _auth_test(self, args: Args) -> Args:
        """auth.test for the bot token."""
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "oneonone",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: Args) -> Args:
        """users.info for a user added with add_user()."""
        user = self._users.get(str(args.get("user")))
        if user is None:
            return error_body("user_not_found")
        wants_locale = str(args.get("include_locale")).lower() in ("true", "1")
        return {
            "ok": True,
            "user": user.to_json() | ({"locale": user.locale} if wants_locale else {}),
        }

    def _conversations_open(self, args: Args) -> Args:
        """A stable D… id for one user, a stable G… id per set of users."""
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = split_users(args.get("users"))
        if not users:
            return error_body("not_enough_users")
        if len(users) > MAX_CONVERSATION_USERS:
            return error_body("too_many_users")
        is_im = len(users) == 1
        channel_id = self.dm_id(users[0]) if is_im else self.group_id(users)
        return {"ok": True, "channel": {"id": channel_id, "is_im": is_im, "is_mpim": not is_im}}

    def _conversations_history(self, args: Args) -> Args:
        """A channel's messages newest first between oldest and latest, one page at a time."""
        channel = self._channel(args.get("channel"))
        if not channel:
            return error_body("channel_not_found")
        try:
            window = HistoryWindow.of(args, self.history_page_max)
        except ValueError as e:
            return error_body(str(e))
        found = sorted(
            (m for (c, ts), m in self._messages.items() if c == channel and window.has(ts)),
            key=lambda m: Decimal(m["ts"]),
            reverse=True,
        )
        page = [history_message(m, truthy(args.get("include_all_metadata"))) for m in found]
        body: Args = {"ok": True, "messages": page[: window.limit], "has_more": False}
        if len(page) > window.limit:
            cursor = encode_cursor(page[window.limit - 1]["ts"])
            body |= {"has_more": True, "response_metadata": {"next_cursor": cursor}}
        return body

    def _chat_get_permalink(self, args: Args) -> Args:
        """A permalink in Slack's shape for any channel and ts."""
        channel, ts = args.get("channel"), str(args.get("message_ts") or "")
        if not channel or not ts:
            return error_body("message_not_found")
        link = f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _files_get_upload_url(self, args: Args) -> Args:
        """An upload URL on this server and a file id, for a named file of a stated length."""
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            return error_body("invalid_arguments")
        if not filename or length <= 0:
            return error_body("missing_argument")  # Slack: "typically … when length is 0"
        if length > self.file_bytes_max:
            return error_body("file_upload_size_restricted")
        file_id = f"F{next(self._serial):010d}"
        path = f"/upload/v1/{hashlib.sha1(file_id.encode()).hexdigest()}"
        self._files[file_id] = FakeFile(file_id, filename, length, path)
        self._uploads[path] = file_id
        url = f"http://127.0.0.1:{self.port}{path}"
        return {"ok": True, "upload_url": url, "file_id": file_id}

    def _files_complete_upload(self, args: Args) -> Args:
        """Finish uploads (each once, bytes received) and share them into `channel_id` with
        one message carrying `initial_comment` and the files."""
        wanted = args.get("files")
        if isinstance(wanted, str):  # slack_sdk sends it as a JSON string in a form
            try:
                wanted = json.loads(wanted)
            except ValueError:
                wanted = None
        if (
            not isinstance(wanted, list)
            or not wanted
            or not all(isinstance(f, dict) and f.get("id") for f in wanted)
        ):
            return error_body("invalid_arguments")
        found = [self._files.get(str(f["id"])) for f in wanted]
        if any(f is None or f.completed or f.data is None for f in found):
            return error_body("file_not_found")
        channel = args.get("channel_id")
        if channel is not None and not (isinstance(channel, str) and channel[:1] in "CDG"):
            return error_body("channel_not_found")
        shared: list[Args] = []
        for file, asked in zip(found, wanted, strict=True):
            assert file is not None
            file.completed, file.title = True, str(asked.get("title") or file.filename)
            file.channels = [channel] if channel else []
            file.initial_comment = args.get("initial_comment")
            shared.append({"id": file.file_id, "title": file.title, "name": file.filename})
        if channel:
            self._share(channel, args.get("initial_comment") or "", shared)
        return {"ok": True, "files": shared}

    def _share(self, channel: str, text: str, shared: list[Args]) -> None:
        """The message that shares files in a channel (the bot's, with the files listed)."""
        ts = self._next_ts()
        message = {"type": "message", "channel": channel, "ts": ts, "text": text}
        message |= {"files": shared, "upload": True, "user": self.bot_user_id}
        self._messages[(channel, ts)] = message

    def _files_delete(self, args: Args) -> Args:
        """Delete a file (shared or not); unknown ids give file_not_found."""
        file = self._files.pop(str(args.get("file") or ""), None)
        if file is None:
            return error_body("file_not_found")
        self._uploads.pop(file.upload_path, None)
        return {"ok": True}

    def _chat_post_message(self, args: Args) -> Args:
        """Store the message under (channel, new ts); a user id as channel means their DM."""
        channel = self._channel(args.get("channel"))
        if not channel:
            return error_body("channel_not_found")
        if not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            return error_body("no_text")
        ts = self._next_ts()
        message = {
            "type": "message",
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": copy.deepcopy(args.get("blocks", [])),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
        }
        message |= {k: copy.deepcopy(args[k]) for k in ("thread_ts", "metadata") if k in args}
        self._messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": without_channel(message)}

    def _chat_update(self, args: Args) -> Args:
        """Replace text/blocks of a stored message (needs the real channel id and ts)."""
        key = (str(args.get("channel")), str(args.get("ts")))
        message = self._messages.get(key)
        if message is None:
            return error_body("message_not_found")
        for name in ("text", "blocks", "attachments", "metadata"):
            if name in args:
                message[name] = copy.deepcopy(args[name])
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        body = {"ok": True, "channel": key[0], "ts": key[1], "text": message.get("text", "")}
        return body | {"message": without_channel(message)}

    def _chat_post_ephemeral(self, args: Args) -> Args:
        """An ephemeral message: nothing stored, only the call is recorded."""
        if not args.get("channel") or not args.get("user"):
            return error_body("invalid_arguments")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_delete(self, args: Args) -> Args:
        """Drop a stored message if there is one."""
        key = (str(args.get("channel")), str(args.get("ts")))
        self._messages.pop(key, None)
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _chat_schedule_message(self, args: Args) -> Args:
        """A scheduled message id (nothing is ever posted)."""
        channel = self._channel(args.get("channel"))
        scheduled = {"scheduled_message_id": f"Q{next(self._serial):08d}"}
        return {"ok": True, "channel": channel, "post_at": args.get("post_at"), **scheduled}

    def _views_open(self, args: Args) -> Args:
        """views.open / views.push: a new view id (a trigger_id is required)."""
        if not (args.get("trigger_id") or args.get("interactivity_pointer")) or "view" not in args:
            return error_body("invalid_arguments")
        return {"ok": True, "view": self._store_view(args["view"], self._new_view_id(args["view"]))}

    def _views_update(self, args: Args) -> Args:
        """Replace a view, keeping its id; a stale `hash` gives hash_conflict."""
        view_id = args.get("view_id") or self._external_ids.get(str(args.get("external_id")))
        if not view_id or "view" not in args:
            return error_body("not_found" if "view" in args else "invalid_arguments")
        if self._stale_hash(view_id, args.get("hash")):
            return error_body("hash_conflict")
        return {"ok": True, "view": self._store_view(args["view"], str(view_id))}

    def _views_publish(self, args: Args) -> Args:
        """Publish a Home tab view for `user_id`; kept for home_view()."""
        user_id = args.get("user_id")
        if not user_id or "view" not in args:
            return error_body("invalid_arguments")
        view_id = self._homes.get(user_id) or self._new_view_id(args["view"])
        if self._stale_hash(view_id, args.get("hash")):
            return error_body("hash_conflict")
        self._homes[user_id] = view_id
        return {"ok": True, "view": self._store_view(args["view"], view_id)}

    # --- helpers -----------------------------------------------------------------------------

    def _channel(self, channel: Any) -> str | None:
        """A user id (U…/W…) posts to that user's DM."""
        if not isinstance(channel, str) or not channel:
            return None
        return self.dm_id(channel) if channel[0] in "UW" else channel

    def _next_ts(self) -> str:
        """A Slack ts ("1700000000.000100") at the clock's instant, strictly increasing."""
        micros = max(self._now_micros(), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000:010d}.{micros % 1_000_000:06d}"

    def _now_micros(self) -> int:
        """Microseconds since the epoch: the injected clock, else wall time."""
        if self._clock is None:
            return time.time_ns() // 1000
        return (self._clock().astimezone(UTC) - EPOCH) // MICROSECOND

    def _new_view_id(self, view: Any) -> str:
        """A fresh V… id, remembered under the view's external_id if it has one."""
        view_id = f"V{next(self._serial):08d}"
        if isinstance(view, dict) and view.get("external_id"):
            self._external_ids[view["external_id"]] = view_id
        return view_id

    def _stale_hash(self, view_id: str, given: Any) -> bool:
        """True if a hash was given and it is not the current hash of a known view."""
        known = self._views.get(view_id)
        return bool(given) and known is not None and known["hash"] != given

    def _store_view(self, view: Args, view_id: str) -> Args:
        """The view as Slack returns it (id, hash, team_id, empty state), stored by id."""
        stored = copy.deepcopy(view) | {
            "id": view_id,
            "hash": f"1700000000.{next(self._serial):08d}",
            "team_id": self.team_id,
            "state": {"values": {}},
            "bot_id": self.bot_id,
        }
        self._views[view_id] = stored
        return copy.deepcopy(stored)


class FakeSlackHandler(BaseHTTPRequestHandler):
    """Hands each request to the FakeSlack server and writes its Answer."""

    server: FakeSlack

    def do_GET(self) -> None:
        """Handle GET (query parameters only)."""
        self._handle()

    def do_POST(self) -> None:
        """Handle POST (form or JSON body)."""
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _handle(self) -> None:
        """Read the request, dispatch it, write the answer (a dropped one closes instead)."""
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = self.server.dispatch(path, query, self.headers, body)
        if answer.dropped:
            self.close_connection = True
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(answer)  # raises when the client gave up (after its timeout)

    def _write(self, answer: Answer) -> None:
        """Write the answer: a dict as JSON, a str as text/plain."""
        is_json = isinstance(answer.body, dict)
        data = (json.dumps(answer.body) if is_json else str(answer.body)).encode("utf-8")
        self.send_response(answer.status)
        content_type = "application/json" if is_json else "text/plain"
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def parse_args(query: str, content_type: str, body: bytes) -> Args:
    """Query, form or JSON arguments of a Web API call, JSON-string fields decoded."""
    args: Args = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body.strip():
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError("a JSON body must be an object")
        args.update(loaded)
    elif kind == "application/x-www-form-urlencoded":
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {key: decode_json_field(key, value) for key, value in args.items()}


def decode_json_field(key: str, value: Any) -> Any:
    """`blocks`, `view`, … sent as a JSON string become objects (left as is if not JSON)."""
    if key not in JSON_FIELDS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def parse_response_body(content_type: str, body: bytes) -> Args:
    """A response_url post: JSON (Bolt's respond()) or form `payload=<json>`."""
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        body = dict(parse_qsl(body.decode("utf-8"))).get("payload", "").encode("utf-8")
    loaded = json.loads(body)
    if not isinstance(loaded, dict):
        raise ValueError("a response_url body must be a JSON object")
    return loaded


def block_problems(method: str, args: Args) -> list[str]:
    """Block Kit problems of a call carrying `blocks` or `view`."""
    if method in VIEW_METHODS and "view" in args:
        return check_view(args["view"])
    if method in MESSAGE_METHODS and args.get("blocks") is not None:
        return check_message(args["blocks"], args.get("text"))
    return []


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    if authorization and authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ").strip() or None
    return None


def basic_auth(authorization: str | None) -> Args:
    """client_id and client_secret of an `Authorization: Basic …` header."""
    if not authorization or not authorization.startswith("Basic "):
        return {}
    try:
        decoded = base64.b64decode(authorization.removeprefix("Basic ").strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return {}
    client_id, _, secret = decoded.partition(":")
    return {"client_id": client_id, "client_secret": secret}


def split_users(users: Any) -> list[str]:
    """conversations.open `users`: a comma-separated string or a list, deduplicated."""
    items = users.split(",") if isinstance(users, str) else list(users or [])
    return sorted({str(u).strip() for u in items if str(u).strip()})


def tz_fields(tz: str) -> Args:
    """tz, tz_label (zone abbreviation) and tz_offset (seconds) for now."""
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return {"tz": tz, "tz_label": tz, "tz_offset": 0}
    offset = now.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return {"tz": tz, "tz_label": now.tzname() or tz, "tz_offset": seconds}


@dataclass
class HistoryWindow:
    """Which messages a conversations.history call asks for, and how many per page."""

    oldest: Decimal
    latest: Decimal | None
    inclusive: bool
    limit: int
    before: Decimal | None  # from a cursor: the ts of the last message already shown

    @classmethod
    def of(cls, args: Args, page_max: int | None) -> HistoryWindow:
        """Read oldest/latest/inclusive/limit/cursor (ValueError carries Slack's error)."""
        oldest = parse_ts(args.get("oldest") or "0", "invalid_ts_oldest")
        latest = parse_ts(args["latest"], "invalid_ts_latest") if args.get("latest") else None
        before = decode_cursor(str(args["cursor"])) if args.get("cursor") else None
        try:
            limit = int(args.get("limit") or HISTORY_LIMIT)
        except ValueError:
            raise ValueError("invalid_limit") from None
        limit = min(max(limit, 1), HISTORY_LIMIT_MAX, page_max or HISTORY_LIMIT_MAX)
        return cls(oldest, latest, truthy(args.get("inclusive")), limit, before)

    def has(self, ts: str) -> bool:
        """Whether a message's ts is inside the window (and not on an earlier page)."""
        t = Decimal(ts)
        if self.before is not None and t >= self.before:
            return False
        if self.inclusive:
            return self.oldest <= t and (self.latest is None or t <= self.latest)
        return self.oldest < t and (self.latest is None or t < self.latest)


def parse_ts(value: Any, error: str) -> Decimal:
    """A Slack ts argument as a number (ValueError(error) if it is not one)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(error) from None
    if not number.is_finite():
        raise ValueError(error)
    return number


def encode_cursor(ts: str) -> str:
    """An opaque next_cursor in Slack's style (base64 of "next_ts:<ts>")."""
    return base64.b64encode(f"{CURSOR_PREFIX}{ts}".encode()).decode()


def decode_cursor(cursor: str) -> Decimal:
    """The ts a next_cursor carries (ValueError("invalid_cursor") if it is not one of ours)."""
    try:
        text = base64.b64decode(cursor, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("invalid_cursor") from None
    if not text.startswith(CURSOR_PREFIX):
        raise ValueError("invalid_cursor")
    return parse_ts(text.removeprefix(CURSOR_PREFIX), "invalid_cursor")


def truthy(value: Any) -> bool:
    """A boolean argument: True, "true" or "1"."""
    return value is True or str(value).lower() in ("true", "1")


def history_message(message: Args, include_metadata: bool) -> Args:
    """A stored message as conversations.history shows it (metadata only if asked for)."""
    shown = without_channel(message)
    if not include_metadata:
        shown.pop("metadata", None)
    return shown


def without_channel(message: Args) -> Args:
    """A stored message as chat.* responses show it (no channel key)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "channel"}
