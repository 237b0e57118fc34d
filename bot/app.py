"""Build the Bolt app: the one client, the middleware, every listener."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot.clock import Clock
from handlers import middleware
from handlers.home import HomeRefresher
from store.db import SessionFactory

LISTENER_THREADS = 16


def create_app(
    *,
    client: WebClient,
    signing_secret: str | None,
    db: SessionFactory,
    clock: Clock,
    executor: ThreadPoolExecutor | None = None,
    homes: HomeRefresher | None = None,
) -> App:
    """A Bolt App on `client` (its base URL and retry handlers reach every listener)."""
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=bool(signing_secret),
        listener_executor=executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )
    middleware.install(app, db=db, clock=clock, homes=homes)
    handlers.register(app)
    return app
