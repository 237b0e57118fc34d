"""HTTP in front of Bolt: what Slack would not send gets 400, 401 or 413, never a 500 and never
a traceback in the log, and the server keeps answering Slack afterwards."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlmodel import select

from blocks import ids
from bot.http import MAX_BODY_BYTES, create_http_server, create_wsgi_app
from store.models import Meeting, MeetingStatus
from tests.fake_slack import FakeSlack
from tests.running_bot import (
    SIGNING_SECRET,
    FakeClock,
    RunningBot,
    _serve,
    start_bot,
    stop_bot,
)
from tests.slack_requests import FORM, JSON, SlackRequests
from tests.test_weekly_loop import schedule


@dataclass
class Front:
    """The bot behind a server whose front checks signatures itself (as `oneonone run`'s)."""

    bot: RunningBot
    slack: SlackRequests
    url: str


@pytest.fixture
def front(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[Front]:
    bot = start_bot(fake_slack, tmp_path, clock)
    wsgi = create_wsgi_app(bot.app, bot.engine, bot.runtime.metrics, signing_secret=SIGNING_SECRET)
    server = create_http_server(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=_serve, args=(server,), name="http-front", daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    slack = SlackRequests(url, SIGNING_SECRET, response_urls=fake_slack.response_url)
    yield Front(bot, slack, url)
    server.close()
    stop_bot(bot)


def assert_quiet_log(caplog: pytest.LogCaptureFixture) -> None:
    """No traceback and no error was logged."""
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert loud == [], [(r.name, r.getMessage()) for r in loud]


# --- requests Slack never sends --------------------------------------------------------------

COMMAND = urlencode({"command": "/oneonone", "text": "help", "team_id": "T0001"}).encode()
Send = Callable[[Front], int]


def signed(body: bytes, content_type: str = FORM) -> Send:
    return lambda front: front.slack.post(body, content_type).status


def unsigned(body: bytes, content_type: str = FORM) -> Send:
    return lambda front: front.slack.raw_post(body, {"Content-Type": content_type}).status


def with_headers(**headers: str | None) -> Send:
    """`/oneonone help`, signed, then with these headers replaced (None: removed)."""
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return lambda front: front.slack.post(COMMAND, FORM, headers=named).status


def stale(front: Front) -> int:
    return front.slack.post(COMMAND, FORM, timestamp=front.slack.stale_timestamp()).status


def signed_bytes(body: bytes) -> Send:
    """Signed over the raw bytes, as Slack signs (SlackRequests signs text only)."""

    def send(front: Front) -> int:
        stamp = str(int(time.time()))
        digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
        headers = {
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        }
        return front.slack.raw_post(body, headers).status

    return send


def declared_length(length: int) -> Send:
    """Headers announcing a body of `length` bytes, and no body: refused before it is read."""
    return lambda front: raw_status(front.url, head(f"Content-Length: {length}"))


def chunked_beyond_limit(front: Front) -> int:
    """A chunked body that grows one byte past 2 MiB, and stops there (all that was sent is
    read: the answer is not lost to a reset): refused as it arrives."""
    piece = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(piece), piece)
    frames, rest = divmod(MAX_BODY_BYTES + 1, len(frame))
    body = frame * frames + frame[:rest]
    return raw_status(front.url, head("Transfer-Encoding: chunked") + body)


MALFORMED: list[tuple[str, Send, int]] = [
    ("payload-not-json", signed(b"payload=%7Bnot+json"), 400),
    ("payload-json-array", signed(urlencode({"payload": "[1, 2]"}).encode()), 400),
    ("payload-json-string", signed(urlencode({"payload": '"hello"'}).encode()), 400),
    ("events-not-json", signed(b'{"type": "event_callback", ', JSON), 400),
    ("events-json-array", signed(b'[{"type": "event_callback"}]', JSON), 400),
    ("events-json-too-deep", signed(b"[" * 200_000, JSON), 400),
    ("form-neither-payload-nor-command", signed(b"team_id=T0001&text=help"), 400),
    ("empty-body", signed(b""), 400),
    ("signed-garbage", signed("\x00\x01garbage ☃ %zz &&==".encode()), 400),
    ("signed-json-bolt-cannot-read", signed(b'{"authorizations": [5]}', JSON), 400),
    (
        "signed-event-of-the-wrong-type",
        signed(b'{"type": "event_callback", "event": 5}', JSON),
        400,
    ),
    ("signed-actions-not-a-list", signed(b'{"type": "block_actions", "actions": "z"}', JSON), 400),
    ("signed-view-not-an-object", signed(b'{"type": "view_submission", "view": "x"}', JSON), 400),
    ("timestamp-not-numeric", with_headers(X_Slack_Request_Timestamp="abc"), 401),
    ("timestamp-huge", with_headers(X_Slack_Request_Timestamp="9" * 5000), 401),
    ("timestamp-missing", with_headers(X_Slack_Request_Timestamp=None), 401),
    ("timestamp-stale", stale, 401),
    ("signature-missing", with_headers(X_Slack_Signature=None), 401),
    ("signature-wrong", with_headers(X_Slack_Signature="v0=deadbeef"), 401),
    ("signature-not-ascii", with_headers(X_Slack_Signature="v0=\u00e9t\u00e9"), 401),
    ("unsigned-garbage", unsigned(b"\x00\xffgarbage"), 401),
    ("unsigned-payload-not-json", unsigned(b"payload=not-json"), 401),
    ("unsigned-events-not-json", unsigned(b"{not json", JSON), 401),
    ("signed-not-utf8", signed_bytes(b"payload=\xff\xfe"), 401),
    ("content-length-over-2mib", declared_length(MAX_BODY_BYTES + 1), 413),
    ("content-length-1gib", declared_length(1 << 30), 413),
    ("chunked-over-2mib", chunked_beyond_limit, 413),
]


@pytest.mark.parametrize(("send", "status"), [pytest.param(s, c, id=n) for n, s, c in MALFORMED])
def test_what_slack_never_sends_is_refused_quietly_and_slack_is_still_served(
    front: Front, caplog: pytest.LogCaptureFixture, send: Send, status: int
) -> None:
    caplog.set_level(logging.DEBUG)
    assert send(front) == status
    help_reply = front.slack.command("help")
    assert help_reply.status == 200 and "What /oneonone can do" in help_reply.body
    front.bot.settle()
    assert_quiet_log(caplog)


def test_refusals_answer_json_as_bolt_does(front: Front) -> None:
    unsigned_reply = front.slack.raw_post(b"payload=x", {"Content-Type": FORM})
    assert (unsigned_reply.status, unsigned_reply.json()) == (401, {"error": "invalid request"})
    assert unsigned_reply.headers["content-type"] == "application/json"
    garbage = front.slack.post(b"payload=x", FORM)
    assert (garbage.status, garbage.json()) == (400, {"error": "invalid request body"})


def test_a_body_of_exactly_2_mib_is_read_one_byte_more_is_not(
    front: Front, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"x" * MAX_BODY_BYTES
    assert front.slack.raw_post(body, {"Content-Type": FORM}).status == 401
    assert front.slack.post(body, FORM).status == 400
    assert declared_length(MAX_BODY_BYTES + 1)(front) == 413
    assert_quiet_log(caplog)


def test_the_front_refuses_a_large_content_length_itself_without_reading(front: Front) -> None:
    """Behind a server with a higher limit than waitress's here, the front still says 413."""
    wsgi = create_wsgi_app(front.bot.app, front.bot.engine, signing_secret=SIGNING_SECRET)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1),
        "CONTENT_TYPE": FORM,
        "wsgi.input": _Unreadable(),
    }
    answered: list[str] = []
    body = b"".join(wsgi(environ, lambda status, _headers: answered.append(status)))
    assert answered == ["413 Request Entity Too Large"]
    assert json.loads(body) == {"error": "request too large"}


# --- what Slack sends still passes -------------------------------------------------------------


def test_a_250_kb_view_submission_is_handled(
    front: Front, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = front.bot
    schedule(bot)
    front.slack.command("skip", user_id="U_REPORT")
    bot.settle()
    (opened,) = bot.fake.calls("views.open")
    filler = {
        f"filler-{n}": {ids.VALUE: {"type": "plain_text_input", "value": "x" * 1000}}
        for n in range(250)
    }
    view = {
        "callback_id": ids.SKIP_MODAL,
        "private_metadata": opened.args["view"]["private_metadata"],
        "state": {"values": filler},
    }
    size = len(urlencode({"payload": json.dumps(view)}))
    assert 200_000 < size < 400_000
    assert front.slack.view_submission(view, user_id="U_REPORT").status == 200
    bot.settle()
    with bot.db() as session:
        statuses = [m.status for m in session.exec(select(Meeting)).all()]
    assert MeetingStatus.SKIPPED in statuses
    assert_quiet_log(caplog)


def test_a_command_whose_text_says_payload_is_still_a_command(front: Front) -> None:
    reply = front.slack.command("help payload")
    assert reply.status == 200 and "What /oneonone can do" in reply.body


# --- helpers -------------------------------------------------------------------------------------


def head(*lines: str) -> bytes:
    fields = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {FORM}", *lines]
    return ("\r\n".join(fields) + "\r\n\r\n").encode()


def raw_status(url: str, data: bytes) -> int:
    """Send `data` on a fresh connection and read the status of the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


class _Unreadable(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")
