"""Due work: everything that happens because time passed, as a function of the database and now."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from handlers.publish import post_agenda, send_prompt
from store.agenda import close_finished_meetings
from store.db import SessionFactory
from store.due_work import Claim, claim, claimable_ids, finish, release_after_failure
from store.events import prune_events
from store.models import Meeting, MeetingStatus, Pair, WorkKind
from store.schedule import pairs_to_roll, roll_forward

log = logging.getLogger(__name__)


@dataclass
class DueReport:
    """What one run of due work did, by kind of work."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        """Count `n` pieces of work of one kind."""
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def run_due(db: SessionFactory, client: WebClient, now: datetime) -> DueReport:
    """Run every piece of work due at `now`; safe to run in several processes at once."""
    report = DueReport()
    with db() as session:
        report.add("meetings_closed", close_finished_meetings(session, now=now))
        for pair in pairs_to_roll(session, now=now):
            report.add("meetings_created", roll_forward(session, pair, now=now) is not None)
        report.add("events_pruned", prune_events(session, now=now))
        work_ids = claimable_ids(session, now=now)
    for work_id in work_ids:
        with db() as session:
            taken = claim(session, work_id=work_id, now=now)
            if taken is not None:
                report.add(f"{taken.kind}_{_do(session, client, taken, now)}")
    if report.counts:
        log.info("due work at %s: %s", now.isoformat(), report.counts)
    return report


def _do(session: Session, client: WebClient, taken: Claim, now: datetime) -> str:
    """Do one claimed piece of work and record its outcome; returns the outcome."""
    try:
        outcome = _perform(session, client, taken, now)
    except Exception as error:  # a Slack or database failure: try again on a later tick
        session.rollback()
        log.warning(
            "%s work %s failed (attempt %s): %s", taken.kind, taken.work_id, taken.attempts, error
        )
        retry = release_after_failure(session, taken, error=str(error), now=now)
        return "retry" if retry else "failed"
    finish(session, taken, outcome=outcome, now=now)
    return outcome


def _perform(session: Session, client: WebClient, taken: Claim, now: datetime) -> str:
    meeting = session.get(Meeting, taken.meeting_id) if taken.meeting_id else None
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    if meeting is None or pair is None:
        return "orphaned"
    if meeting.status != MeetingStatus.SCHEDULED or pair.ended_at is not None:
        return "cancelled"
    if now >= meeting.starts_at:
        return "expired"  # the meeting has started: a prompt or agenda now would be noise
    if taken.kind == WorkKind.PROMPT and taken.user_id:
        send_prompt(client, session, meeting, pair, taken.user_id, now=now)
        return "sent"
    if taken.kind == WorkKind.AGENDA:
        post_agenda(client, session, meeting, pair, now=now)
        return "sent"
    return "unknown"
