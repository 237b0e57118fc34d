"""Due work: everything that happens because time passed, as a function of the database and now."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from handlers.home import HomeRefresher
from handlers.publish import (
    post_agenda,
    post_huddle_follow_up,
    publish_summary,
    send_prompt,
    send_reminder,
)
from store.actions import reminder_target
from store.carry import close_finished_meetings
from store.db import SessionFactory
from store.due_work import CANCELLED, Claim, claim, claimable_ids, finish, release_after_failure
from store.events import prune_events
from store.huddles import prune_huddle_events
from store.meetings import pairs_to_roll, roll_forward
from store.models import NOT_HAPPENING, HuddleFollowUp, Meeting, MeetingStatus, Pair, WorkKind
from store.summary import is_posted

log = logging.getLogger(__name__)


@dataclass
class DueReport:
    """What one run of due work did, by kind of work."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        """Count `n` pieces of work of one kind."""
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def run_due(
    db: SessionFactory, client: WebClient, now: datetime, homes: HomeRefresher | None = None
) -> DueReport:
    """Run every piece of work due at `now`; safe to run in several processes at once.

    What people see on their Home tab changes with it: `homes` republishes those tabs."""
    report = DueReport()
    with db() as session:
        report.add("meetings_closed", close_finished_meetings(session, now=now))
        for pair in pairs_to_roll(session, now=now):
            report.add("meetings_created", roll_forward(session, pair, now=now) is not None)
            session.commit()
        report.add("events_pruned", prune_events(session, now=now))
        report.add("huddle_events_pruned", prune_huddle_events(session, now=now))
        work_ids = claimable_ids(session, now=now)
    for work_id in work_ids:
        with db() as session:
            taken = claim(session, work_id=work_id, now=now)
            if taken is not None:
                outcome = _do(session, client, taken, now)
                report.add(f"{taken.kind}_{outcome}")
                if homes is not None and outcome == "sent":
                    _refresh_homes(session, homes, taken)
    if report.counts:
        log.info("due work at %s: %s", now.isoformat(), report.counts)
    return report


def _refresh_homes(session: Session, homes: HomeRefresher, taken: Claim) -> None:
    meeting = session.get(Meeting, taken.meeting_id) if taken.meeting_id else None
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    if pair is not None and taken.kind in (WorkKind.AGENDA, WorkKind.SUMMARY):
        homes.request(pair.team_id, (pair.manager_id, pair.report_id))


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
    if taken.kind == WorkKind.REMINDER:
        return _remind(session, client, taken, now)
    if taken.kind == WorkKind.HUDDLE:
        return _huddle(session, client, taken)
    meeting = session.get(Meeting, taken.meeting_id) if taken.meeting_id else None
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    if meeting is None or pair is None:
        return "orphaned"
    if taken.kind == WorkKind.SUMMARY:
        return _summarize(session, client, meeting, pair, now)
    if meeting.status != MeetingStatus.SCHEDULED or pair.ended_at is not None:
        return CANCELLED
    if now >= meeting.starts_at:
        return "expired"  # the meeting has started: a prompt or agenda now would be noise
    if taken.kind == WorkKind.PROMPT and taken.user_id:
        send_prompt(client, session, meeting, pair, taken.user_id, now=now)
        return "sent"
    if taken.kind == WorkKind.AGENDA:
        post_agenda(client, session, meeting, pair, now=now)
        return "sent"
    return "unknown"


class SummaryBusy(Exception):
    """Someone else holds the claim to post the summary (released as a failure, retried)."""


def _summarize(
    session: Session, client: WebClient, meeting: Meeting, pair: Pair, now: datetime
) -> str:
    """An hour after the end: the summary, or a nudge to take notes when nobody did."""
    if meeting.status in NOT_HAPPENING or pair.ended_at:
        return CANCELLED
    if is_posted(meeting.summary_ts):
        return "done"  # notes were saved and summarized already
    if not publish_summary(client, session, meeting, pair, now=now):
        raise SummaryBusy("another runner is posting this summary: look again later")
    return "sent"


def _remind(session: Session, client: WebClient, taken: Claim, now: datetime) -> str:
    target = reminder_target(session, taken.action_item_id or 0, taken.user_id or "")
    if target is None:
        return CANCELLED
    send_reminder(client, session, *target, now=now)
    return "sent"


def _huddle(session: Session, client: WebClient, taken: Claim) -> str:
    follow_up = session.get(HuddleFollowUp, int(taken.key.rpartition(":")[2]))
    pair = session.get(Pair, follow_up.pair_id) if follow_up else None
    if follow_up is None or pair is None or pair.ended_at is not None:
        return CANCELLED
    if follow_up.ts or follow_up.dismissed_at:
        return "done"
    post_huddle_follow_up(client, session, follow_up, pair)
    return "sent"
