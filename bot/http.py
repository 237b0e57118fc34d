"""HTTP: Slack's request URL, a health check and the metrics, served by waitress. In Socket
Mode the same server answers only /healthz and /metrics."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine
from waitress.server import create_server

from bot.metrics import CONTENT_TYPE, Metrics
from store.db import database_answers

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_wsgi_app(app: App | None, engine: Engine, metrics: Metrics | None = None) -> WsgiApp:
    """`POST /slack/events` goes to Bolt (when there is an app: HTTP mode); `GET /healthz`
    says whether the database answers; `GET /metrics` shows the metrics."""
    slack = SlackRequestHandler(app, path=SLACK_PATH) if app is not None else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ["REQUEST_METHOD"]
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _health(engine, start_response)
        if path == METRICS_PATH and method in ("GET", "HEAD") and metrics is not None:
            return _answer(start_response, "200 OK", CONTENT_TYPE, metrics.render())
        if slack is None:
            return _answer(start_response, "404 Not Found", "text/plain", b"not found\n")
        return slack(environ, start_response)

    return application


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    ok = database_answers(engine)
    body = json.dumps({"ok": ok}).encode()
    status = "200 OK" if ok else "503 Service Unavailable"
    return _answer(start_response, status, "application/json", body)


def _answer(
    start_response: Callable[..., Any], status: str, content_type: str, body: bytes
) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def create_http_server(wsgi: WsgiApp, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (port 0 picks a free port: see `.effective_port`); `.run()` serves."""
    return create_server(wsgi, host=host, port=port, threads=threads, ident="oneonone")
