"""HTTP mode: Slack's request URL and a health check, served by waitress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine
from waitress.server import create_server

from store.db import database_answers

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_wsgi_app(app: App, engine: Engine) -> WsgiApp:
    """`POST /slack/events` goes to Bolt; `GET /healthz` says whether the database answers."""
    slack = SlackRequestHandler(app, path=SLACK_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            return _health(engine, start_response)
        return slack(environ, start_response)

    return application


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    ok = database_answers(engine)
    body = json.dumps({"ok": ok}).encode()
    status = "200 OK" if ok else "503 Service Unavailable"
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def create_http_server(wsgi: WsgiApp, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (port 0 picks a free port: see `.effective_port`); `.run()` serves."""
    return create_server(wsgi, host=host, port=port, threads=threads, ident="oneonone")
