"""HTTP: Slack's request URL, a health check and the metrics, served by waitress. In Socket
Mode the same server answers only /healthz and /metrics."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine
from waitress.server import create_server

from bot.metrics import CONTENT_TYPE, Metrics
from store.db import database_answers

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
CALENDAR_PATH = re.compile(r"/calendar/([^/]*)\.ics")  # GET /calendar/<token>.ics
# Slack's largest requests (a big modal's view_submission) are a few hundred kB.
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_TIMESTAMP_DIGITS = 12  # int() of a few thousand digits raises: refuse those before

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger(__name__)


def create_wsgi_app(
    app: App | None,
    engine: Engine,
    metrics: Metrics | None = None,
    *,
    signing_secret: str | None = None,
    feeds: Callable[[str], bytes | None] | None = None,
) -> WsgiApp:
    """`POST /slack/events` goes to Bolt (when there is an app: HTTP mode) once it is signed
    with `signing_secret` and shaped as Slack sends it — this is the one signature check:
    Bolt's own is off (bot/app.py); in OAuth mode `GET /slack/install` and
    `GET /slack/oauth_redirect` go to Bolt's OAuth flow (a browser's, unsigned; the flow
    checks its state); `GET /healthz` says whether the database answers; `GET /metrics`
    shows the metrics; `GET /calendar/<token>.ics` is a person's calendar feed (with
    `feeds`; any token that is not a current one gets the same 404)."""
    slack: WsgiApp | None = None
    if app is not None:
        if not signing_secret:
            raise ValueError("serving Slack over HTTP needs the signing secret")
        slack = _slack_front(_BoltHandler(app, path=SLACK_PATH), signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ["REQUEST_METHOD"]
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _health(engine, start_response)
        if path == METRICS_PATH and method in ("GET", "HEAD") and metrics is not None:
            return _answer(start_response, "200 OK", CONTENT_TYPE, metrics.render())
        feed = CALENDAR_PATH.fullmatch(path or "") if feeds is not None else None
        if feed is not None and feeds is not None and method in ("GET", "HEAD"):
            return _calendar(feeds(feed.group(1)), start_response)
        if slack is None:
            return _answer(start_response, "404 Not Found", "text/plain", b"not found\n")
        return slack(environ, start_response)

    return application


def _slack_front(bolt: WsgiApp, signing_secret: str) -> WsgiApp:
    """`bolt` behind the checks of `POST /slack/events` (size, then signature, then shape)."""
    verifier = SignatureVerifier(signing_secret)

    def front(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Refuse with 413, 401 or 400 what Slack would not send, before Bolt parses it."""
        if environ.get("PATH_INFO") != SLACK_PATH or environ["REQUEST_METHOD"] != "POST":
            return bolt(environ, start_response)
        length = environ.get("CONTENT_LENGTH") or "0"
        if not (length.isascii() and length.isdigit()):
            return _refuse(start_response, "400 Bad Request", "invalid request body")
        size = int(length)
        if size > MAX_BODY_BYTES:
            log.info("refused a request to %s: a body of %d bytes", SLACK_PATH, size)
            return _refuse(start_response, "413 Request Entity Too Large", "request too large")
        body = environ["wsgi.input"].read(size) if size else b""
        if not _signed(verifier, environ, body):
            log.info("refused a request to %s: not signed with the signing secret", SLACK_PATH)
            return _refuse(start_response, "401 Unauthorized", "invalid request")
        problem = _unlike_slack(body, environ.get("CONTENT_TYPE"))
        if problem is not None:
            log.warning("refused a request to %s: %s", SLACK_PATH, problem)
            return _refuse(start_response, "400 Bad Request", "invalid request body")
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return bolt(environ, start_response)

    return front


def _signed(verifier: SignatureVerifier, environ: dict[str, Any], body: bytes) -> bool:
    """Whether the X-Slack-Signature and X-Slack-Request-Timestamp headers sign `body` (within
    five minutes); headers or a body the verifier cannot even read do not."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return False
    if not (signature.isascii() and signature):  # compare_digest takes ASCII strings only
        return False
    try:
        text = body.decode("utf-8")  # Slack sends UTF-8; the verifier signs text
    except UnicodeDecodeError:
        return False
    return verifier.is_valid(text, timestamp, signature)


def _unlike_slack(body: bytes, content_type: str | None) -> str | None:
    """What makes `body` unlike what Slack sends (None: nothing), read as Bolt reads it: JSON
    (application/json, or starting with "{") must be an object; a form must have a `payload`
    that is a JSON object, or a `command`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    if not text:
        return "empty"
    if (content_type or "").split(";")[0] == "application/json" or text.startswith("{"):
        return None if _json_object(text) else "JSON that is not an object"
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return None if _json_object(fields["payload"]) else "a payload that is not a JSON object"
    return None if "command" in fields else "a form with neither payload nor command"


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


class _BoltHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with two fixes to how it reads a body: a slash command whose text
    has the word "payload" is still a command (Bolt then looks for a `payload` field, finds
    none and reads nothing), and a signed body Bolt cannot make a request of is a 400."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        body = request.get_body()
        try:
            bolt_request = BoltRequest(
                body=body, query=request.query_string, headers=request.get_headers()
            )
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
            log.warning("refused a request to %s: Bolt cannot read it (%r)", SLACK_PATH, error)
            return BoltResponse(status=400, body={"error": "invalid request body"})
        if not bolt_request.body and "payload" in body:
            fields = dict(parse_qsl(body, keep_blank_values=True))
            if "command" in fields and "payload" not in fields:
                bolt_request.body = fields
                bolt_request.context = build_context(BoltContext({}), fields)
        try:
            return self.app.dispatch(bolt_request)
        except (AttributeError, IndexError, KeyError, TypeError) as error:
            # Bolt's own middleware reading fields of the wrong type (an int for an object):
            # only a holder of the signing secret can send that, and it is still a 400.
            log.warning("refused a request to %s: Bolt cannot read it (%r)", SLACK_PATH, error)
            return BoltResponse(status=400, body={"error": "invalid request body"})


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    ok = database_answers(engine)
    body = json.dumps({"ok": ok}).encode()
    status = "200 OK" if ok else "503 Service Unavailable"
    return _answer(start_response, status, "application/json", body)


def _calendar(body: bytes | None, start_response: Callable[..., Any]) -> Iterable[bytes]:
    if body is None:
        return _answer(start_response, "404 Not Found", "text/plain", b"not found\n")
    headers = [
        ("Content-Type", "text/calendar; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "private, no-store"),
    ]
    start_response("200 OK", headers)
    return [body]


def _refuse(start_response: Callable[..., Any], status: str, error: str) -> Iterable[bytes]:
    return _answer(
        start_response, status, "application/json", json.dumps({"error": error}).encode()
    )


def _answer(
    start_response: Callable[..., Any], status: str, content_type: str, body: bytes
) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def create_http_server(wsgi: WsgiApp, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (port 0 picks a free port: see `.effective_port`); `.run()` serves.
    A body over MAX_BODY_BYTES is refused with 413 by waitress before it is read (from its
    Content-Length, or as it arrives when chunked)."""
    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="oneonone",
        max_request_body_size=MAX_BODY_BYTES + 1,  # waitress refuses from this size up
    )
