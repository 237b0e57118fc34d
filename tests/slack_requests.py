"""Signed requests to the bot's /slack/events, shaped exactly as Slack sends them."""

from __future__ import annotations

import http.client
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STALE_SECONDS = 600  # Bolt and SignatureVerifier reject timestamps more than 5 minutes off
# Nothing listens on the discard port: an unset response_url fails fast and never leaves the host.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/"
Payload = dict[str, Any]


class SendOptions(TypedDict, total=False):
    """Per-request overrides for building tampered requests."""

    timestamp: int  # sign with this X-Slack-Request-Timestamp instead of now
    headers: dict[str, str | None]  # override headers after signing; None removes one


@dataclass
class Reply:
    """The bot's HTTP answer (header names lower-cased)."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body parsed as JSON (None for an empty body, e.g. a bare ack())."""
        return json.loads(self.body) if self.body.strip() else None


class SlackRequests:
    """Builds, signs and sends slash commands, interactions and events over real HTTP."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        api_app_id: str = "A0001",
        bot_user_id: str = "UBOT",
        team_domain: str = "acme",
        response_urls: Callable[[str], str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.path = path
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.team_domain = team_domain
        self.verifier = SignatureVerifier(signing_secret)
        self._response_urls = response_urls or (lambda name: UNSET_RESPONSE_URL + name)
        self._serial = itertools.count(1)
        self.last_response_url: str | None = None

    # --- Slack's request kinds -----------------------------------------------------------

    def command(
        self,
        text: str,
        *,
        user_id: str = "U_MANAGER",
        team_id: str = "T0001",
        command: str = "/oneonone",
        channel_id: str = "C0001",
        trigger_id: str | None = None,
        response_url: str | None = None,
        **send: Unpack[SendOptions],
    ) -> Reply:
        """A slash command: plain form fields, in Slack's order."""
        fields = {
            "token": "verification-token",
            "team_id": team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url("command", response_url),
            "trigger_id": trigger_id or self.trigger_id(),
        }
        return self.post(urlencode(fields).encode(), FORM, **send)

    def block_actions(
        self,
        actions: list[Payload],
        *,
        user_id: str,
        team_id: str = "T0001",
        view: Payload | None = None,
        message: Payload | None = None,
        channel_id: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        state: Payload | None = None,
        **send: Unpack[SendOptions],
    ) -> Reply:
        """A block_actions payload from a message (message=) or a view/Home tab (view=)."""
        payload = self._interaction("block_actions", user_id, team_id, trigger_id)
        payload["actions"] = [self._action(a) for a in actions]
        if view is not None:
            payload["view"] = self.complete_view(view, team_id=team_id)
            payload["container"] = {"type": "view", "view_id": payload["view"]["id"]}
        if message is not None:
            channel_id = channel_id or message.get("channel")
            payload["message"] = {"type": "message", "ts": self.ts(), **message}
            payload["container"] = message_container(payload["message"], channel_id)
            payload["response_url"] = self._response_url("actions", response_url)
        elif response_url is not None:
            payload["response_url"] = response_url
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": channel_name(channel_id)}
        if state is not None:
            payload["state"] = state if set(state) == {"values"} else {"values": state}
        return self.interaction(payload, **send)

    def view_submission(
        self,
        view: Payload,
        *,
        user_id: str,
        team_id: str = "T0001",
        **send: Unpack[SendOptions],
    ) -> Reply:
        """A view_submission payload; `view` needs callback_id, private_metadata, state.values."""
        payload = self._interaction("view_submission", user_id, team_id, None)
        payload["view"] = self.complete_view(view, team_id=team_id)
        payload["response_urls"] = []
        return self.interaction(payload, **send)

    def message_shortcut(
        self,
        callback_id: str,
        message: Payload,
        *,
        user_id: str,
        channel_id: str,
        team_id: str = "T0001",
        response_url: str | None = None,
        **send: Unpack[SendOptions],
    ) -> Reply:
        """A message shortcut (type "message_action") on `message` in `channel_id`."""
        payload = self._interaction("message_action", user_id, team_id, None)
        full_message = {"type": "message", "ts": self.ts(), **message}
        payload |= {
            "callback_id": callback_id,
            "action_ts": self.ts(),
            "message_ts": full_message["ts"],
            "channel": {"id": channel_id, "name": channel_name(channel_id)},
            "message": full_message,
            "response_url": self._response_url("shortcut", response_url),
        }
        return self.interaction(payload, **send)

    def shortcut(
        self,
        callback_id: str,
        *,
        user_id: str,
        team_id: str = "T0001",
        **send: Unpack[SendOptions],
    ) -> Reply:
        """A global shortcut (type "shortcut"): no channel, no response_url."""
        payload = self._interaction("shortcut", user_id, team_id, None)
        payload |= {"callback_id": callback_id, "action_ts": self.ts()}
        return self.interaction(payload, **send)

    def event(
        self,
        event: Payload,
        *,
        event_id: str | None = None,
        team_id: str = "T0001",
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **send: Unpack[SendOptions],
    ) -> Reply:
        """An Events API event_callback envelope (with retry headers when retry_num is given)."""
        envelope = self.envelope(event, event_id=event_id, team_id=team_id)
        if retry_num is not None:
            retry = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
            send["headers"] = retry | send.get("headers", {})
        return self.post(json.dumps(envelope).encode(), JSON, **send)

    def envelope(
        self, event: Payload, *, event_id: str | None = None, team_id: str = "T0001"
    ) -> Payload:
        """The event_callback envelope around `event` (event_ts filled in if missing)."""
        return {
            "token": "verification-token",
            "team_id": team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": self.ts(), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }

    # --- raw HTTP and signing ----------------------------------------------------------------

    def interaction(self, payload: Payload, **send: Unpack[SendOptions]) -> Reply:
        """Post an interactive payload form-encoded as `payload=<json>`."""
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body.encode(), FORM, **send)

    def post(self, body: bytes, content_type: str, **send: Unpack[SendOptions]) -> Reply:
        """Sign `body` (with send['timestamp'] if given), apply header overrides, post it."""
        headers = {"Content-Type": content_type, **self.sign(body, send.get("timestamp"))}
        for name, value in send.get("headers", {}).items():
            headers.pop(name, None)
            if value is not None:
                headers[name] = value
        return self.raw_post(body, headers)

    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """X-Slack-Request-Timestamp and X-Slack-Signature (v0) headers for `body`."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.verifier.generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or ""}

    def stale_timestamp(self) -> int:
        """A timestamp 10 minutes old (outside the 5-minute window)."""
        return int(time.time()) - STALE_SECONDS

    def raw_post(self, body: bytes, headers: dict[str, str]) -> Reply:
        """POST exactly these bytes and headers to the events path."""
        return self._request("POST", self.path, body, headers)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        """An unsigned GET, e.g. /healthz (a browser's, with its cookie in `headers`)."""
        return self._request("GET", path, None, headers or {})

    # --- small builders ----------------------------------------------------------------------

    def trigger_id(self) -> str:
        """A fresh trigger_id shaped like Slack's."""
        return f"{next(self._serial)}.{int(time.time())}.{uuid.uuid4().hex}"

    def ts(self) -> str:
        """A Slack timestamp for now, unique within this object."""
        return f"{int(time.time())}.{next(self._serial):06d}"

    def complete_view(self, view: Payload, *, team_id: str = "T0001") -> Payload:
        """`view` with the fields Slack adds to views in payloads filled in where missing."""
        view_id = view.get("id") or f"V{next(self._serial):08d}"
        defaults = {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": "",
            "private_metadata": "",
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.api_app_id,
            "app_installed_team_id": team_id,
            "bot_id": "BBOT",
        }
        return defaults | view

    def _interaction(
        self, kind: str, user_id: str, team_id: str, trigger_id: str | None
    ) -> Payload:
        """The fields every interactive payload shares."""
        return {
            "type": kind,
            "token": "verification-token",
            "api_app_id": self.api_app_id,
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": team_id,
            },
            "team": {"id": team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": trigger_id or self.trigger_id(),
        }

    def _action(self, action: Payload) -> Payload:
        """An action with type (default "button") and action_ts filled in."""
        return {"type": "button", "action_ts": self.ts(), **action}

    def _response_url(self, kind: str, given: str | None) -> str:
        """`given`, or a fresh one from the response_urls factory; remembered as last."""
        self.last_response_url = given or self._response_urls(f"{kind}-{next(self._serial)}")
        return self.last_response_url

    def _request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Reply:
        """One HTTP request to the bot."""
        parts = urlsplit(self.base_url)
        https = parts.scheme == "https"
        conn_class = http.client.HTTPSConnection if https else http.client.HTTPConnection
        conn = conn_class(parts.netloc, timeout=10)
        try:
            conn.request(method, parts.path + path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            found = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, found, text)
        finally:
            conn.close()


def message_container(message: Payload, channel_id: str | None) -> Payload:
    """block_actions `container` for a button in a message."""
    return {
        "type": "message",
        "message_ts": message.get("ts"),
        "channel_id": channel_id,
        "is_ephemeral": False,
    }


def channel_name(channel_id: str) -> str:
    """The channel name Slack puts next to an id in payloads."""
    return "directmessage" if channel_id.startswith("D") else "general"
