"""Due work: everything that happens because time passed, as a function of the database and now."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from store.db import SessionFactory
from store.events import prune_events

log = logging.getLogger(__name__)


@dataclass
class DueReport:
    """What one run of due work did, by kind of work."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        """Count `n` pieces of work of one kind."""
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def run_due(sessions: SessionFactory, client: WebClient, now: datetime) -> DueReport:
    """Run every piece of work that is due at `now`; safe to call from several processes."""
    report = DueReport()
    with sessions() as session:
        report.add("events_pruned", prune_events(session, now=now))
    if report.counts:
        log.info("due work at %s: %s", now.isoformat(), report.counts)
    return report
