"""Build the Bolt app: the clients, the middleware, every listener."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

import handlers
from bot.clock import Clock
from handlers import middleware
from handlers.context import Clients, HomeTabs, Refresher
from store.db import SessionFactory

LISTENER_THREADS = 16
AFTER_ACK_THREADS = 2  # work after the ack: bounded, so acks never wait behind a burst of it


def create_app(
    *,
    clients: Clients,
    signing_secret: str | None,
    db: SessionFactory,
    clock: Clock,
    executor: ThreadPoolExecutor | None = None,
    homes: HomeTabs | None = None,
    agendas: Refresher | None = None,
    lane: Executor | None = None,
) -> App:
    """A Bolt App whose listeners reach Slack through `clients` (base URL, retry handlers and
    the shared limiter included)."""
    app = App(
        client=clients.interactive(""),
        signing_secret=signing_secret or "",
        request_verification_enabled=bool(signing_secret),
        listener_executor=executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )
    middleware.install(
        app, db=db, clock=clock, clients=clients, homes=homes, agendas=agendas, lane=lane
    )
    handlers.register(app)
    return app
