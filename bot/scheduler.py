"""APScheduler drives due work in the background: housekeeping every tick, and the planner
every second (it only looks ahead and hands released work to the dispatcher, so it never
runs long and never piles up)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot.clock import Clock
from bot.due import RETENTION, housekeeping
from bot.oauth import OAuth
from bot.planner import Planner
from bot.priority import yield_to_acks
from handlers.context import Clients
from store.db import SessionFactory

log = logging.getLogger(__name__)

PLAN_SECONDS = 1
SKIP_WARNING_EVERY = 300.0  # seconds: one warning about skipped runs, not one a second


class SkippedRunsFilter(logging.Filter):
    """APScheduler warns each time a run is skipped because the last one still runs; while a
    long run goes on, let one such warning through every few minutes."""

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "maximum number of running instances reached" not in message:
            return True
        job = message.split('"')[1] if '"' in message else message
        now = time.monotonic()
        if now - self._last.get(job, -SKIP_WARNING_EVERY) < SKIP_WARNING_EVERY:
            return False
        self._last[job] = now
        return True


def start_scheduler(
    *,
    db: SessionFactory,
    clients: Clients,
    clock: Clock,
    tick_seconds: int,
    planner: Planner,
    retention: timedelta = RETENTION,
    oauth: OAuth | None = None,
) -> BackgroundScheduler:
    """Start housekeeping every `tick_seconds` and the planner every second."""

    def tick() -> None:
        report = housekeeping(db, clients, clock(), retention=retention, oauth=oauth)
        if report.counts:
            log.info("housekeeping: %s", report.counts)

    logging.getLogger("apscheduler.scheduler").addFilter(SKIPPED_RUNS)
    # Its threads yield to acks: housekeeping is work nobody is waiting on.
    pool = ThreadPoolExecutor(max_workers=2, pool_kwargs={"initializer": yield_to_acks})
    scheduler = BackgroundScheduler(timezone="UTC", executors={"default": pool})
    jobs = ((tick, tick_seconds, "housekeeping"), (planner.run_once, PLAN_SECONDS, "planner"))
    for job, seconds, name in jobs:
        scheduler.add_job(
            _logged(job, name),
            "interval",
            seconds=seconds,
            id=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=clock(),
        )
    scheduler.start()
    return scheduler


SKIPPED_RUNS = SkippedRunsFilter()


def _logged(job: Callable[[], object], name: str) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("%s failed; it runs again on its next turn", name)

    return run
