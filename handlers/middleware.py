"""Global middleware: hand listeners `db`, `clock` and `homes`; drop events already handled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime

from slack_bolt import App, BoltRequest, BoltResponse

from handlers.context import Clients, FeedMode, HomeTabs, Refresher
from store.db import SessionFactory
from store.events import record_event

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Sent for everyone in the workspace; its listener is idempotent by (user, event_ts) and
# writes nothing for people in no pair, so it skips the per-event write of processed_event.
SELF_DEDUPLICATED = frozenset({"user_huddle_changed", "user_change"})


def install(
    app: App,
    *,
    db: SessionFactory,
    clock: Clock,
    clients: Clients,
    homes: HomeTabs | None = None,
    agendas: Refresher | None = None,
    lane: Executor | None = None,
    feed: FeedMode | None = None,
) -> None:
    """Register the global middleware on the app (before any listener runs)."""

    def inject(context: dict, next: Callable[[], None]) -> None:
        context.update(db=db, clock=clock, clients=clients, homes=homes, agendas=agendas, lane=lane)
        context.update(feed=feed)
        next()

    def once_per_event(
        req: BoltRequest, body: dict, next: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id or (body.get("event") or {}).get("type") in SELF_DEDUPLICATED:
            next()
            return None
        with db() as session:
            first_time = record_event(
                session, event_id=event_id, team_id=body.get("team_id") or "", now=clock()
            )
        if first_time:
            next()
            return None
        retry = req.headers.get("x-slack-retry-num", ["0"])[0]
        log.info("dropping event %s already handled (retry %s)", event_id, retry)
        return BoltResponse(status=200, body="")

    app.use(inject)
    app.use(once_per_event)
