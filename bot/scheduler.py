"""APScheduler runs due work on an interval, in the background."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.clock import Clock
from bot.due import run_due
from handlers.home import HomeRefresher
from store.db import SessionFactory

log = logging.getLogger(__name__)


def start_scheduler(
    *,
    db: SessionFactory,
    client: WebClient,
    clock: Clock,
    tick_seconds: int,
    homes: HomeRefresher | None = None,
) -> BackgroundScheduler:
    """Start a scheduler that calls `run_due(now)` every tick (coalesced, one at a time)."""

    def tick() -> None:
        try:
            run_due(db, client, clock(), homes)
        except Exception:
            log.exception("due work failed; it is retried on the next tick")

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=tick_seconds,
        id="run_due",
        coalesce=True,
        max_instances=1,
        next_run_time=clock(),
    )
    scheduler.start()
    return scheduler
