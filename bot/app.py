"""Build the Bolt app: the clients, the middleware, every listener."""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App, BoltRequest, BoltResponse

import handlers
from bot.clock import Clock
from bot.oauth import OAuth
from handlers import middleware
from handlers.context import Clients, FeedMode, HomeTabs, InRequestContext, Refresher
from store.db import SessionFactory

log = logging.getLogger(__name__)

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
    oauth: OAuth | None = None,
    feed: FeedMode | None = None,
) -> App:
    """A Bolt App whose listeners reach Slack through `clients` (base URL, retry handlers and
    the shared limiter included). With `oauth`, requests are authorized per workspace from
    its installation, and the app serves the install flow."""
    listeners = InRequestContext(executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS))
    # The HTTP front (bot/http.py) checks every signature before anything parses the body;
    # Socket Mode needs none. A second check in Bolt would only cost time.
    if oauth is None:
        app = App(
            client=clients.interactive(""),
            signing_secret=signing_secret or "",
            request_verification_enabled=False,
            listener_executor=listeners,
        )
    else:
        oauth.lane = lane
        app = App(
            client=oauth.client,
            signing_secret=signing_secret or "",
            request_verification_enabled=False,
            listener_executor=listeners,
            authorize=oauth.authorize,  # type: ignore[arg-type]  # Bolt takes an Authorize too
            installation_store=oauth.store,
            oauth_flow=oauth.flow(),
        )
    middleware.install(
        app,
        db=db,
        clock=clock,
        clients=clients,
        homes=homes,
        agendas=agendas,
        lane=lane,
        installs=oauth,
        feed=feed,
    )
    handlers.register(app)
    app.error(_unreadable)
    return app


def _unreadable(error: Exception, request: BoltRequest) -> BoltResponse:
    """A request Bolt itself could not read (a signed body whose fields have the wrong
    types) is a 400, with one line in the log and never the body; a failure of our own
    middleware stays a 500 with its traceback (listeners guard their own: handlers/context)."""
    frames = traceback.extract_tb(error.__traceback__)
    if frames and "slack_bolt" in frames[-1].filename:
        log.warning("a request Bolt could not read (%s): %s", type(error).__name__, error)
        return BoltResponse(status=400, body='{"error": "invalid request body"}')
    log.error("a middleware failed", exc_info=error)
    return BoltResponse(status=500, body="")
