"""Meetings, the primitives every other store module builds on: a pair's recurrence, its next
occurrence (created when missing) with its due work, and a meeting's talking points."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.access import ENDED, N_, Actor, Invalid, get_pair
from store.due_work import TOO_LATE, add_work, not_wanted
from store.models import (
    NOT_HAPPENING,
    ActionItem,
    Meeting,
    MeetingStatus,
    Note,
    Pair,
    TalkingPoint,
    WorkKind,
    id_of,
)
from store.people import reader_zones
from store.privacy import notes_visible_to, points_visible_to
from store.recurrence import Recurrence, next_slot, slot_from_local, slots_after
from store.views import HELD, NOT_HELD, SHARED
from store.working_hours import MERGE_WINDOW, send_time

SUMMARY_NUDGE = timedelta(hours=1)  # no notes saved this long after the end: post a nudge
MIN_NOTICE = timedelta(hours=1)  # no prompt closer than this to the meeting (the agenda follows)


def recurrence_of(pair: Pair) -> Recurrence:
    """The pair's recurrence rule."""
    return Recurrence(pair.cadence, pair.weekday, pair.local_time, pair.timezone, pair.first_date)


def add_meeting(session: Session, pair: Pair, slot: datetime, *, now: datetime) -> Meeting:
    assert pair.id is not None
    meeting = Meeting(
        team_id=pair.team_id,
        pair_id=pair.id,
        slot_at=slot,
        starts_at=slot,
        duration_minutes=pair.duration_minutes,
        agenda_channel_id=pair.channel_id,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    schedule_meeting_work(session, pair, meeting, now=now)
    return meeting


def schedule_meeting_work(session: Session, pair: Pair, meeting: Meeting, *, now: datetime) -> None:
    """Prompts for both people, each at a working moment on their own clock (see
    prompt_time), the agenda post its lead before the meeting, and the summary (a nudge to
    take notes when nobody did) an hour after its end. A prompt with no working moment left
    is recorded as not sent (TOO_LATE), once."""
    start = meeting.starts_at
    agenda_at = max(start - timedelta(minutes=pair.agenda_lead_minutes), now)
    people = [pair.manager_id, pair.report_id]
    for user_id, zone in reader_zones(session, pair.team_id, people, pair.timezone).items():
        prompt_at = prompt_time(pair, start, zone, now=now)
        work = add_work(
            session,
            team_id=pair.team_id,
            key=prompt_key(id_of(meeting), user_id),
            kind=WorkKind.PROMPT,
            due_at=prompt_at or now,
            expires_at=start,
            meeting_id=meeting.id,
            user_id=user_id,
        )
        if prompt_at is None:
            not_wanted(session, work, outcome=TOO_LATE, now=now)
    add_work(
        session,
        team_id=pair.team_id,
        key=f"{WorkKind.AGENDA}:{meeting.id}",
        kind=WorkKind.AGENDA,
        due_at=agenda_at,
        expires_at=start,
        meeting_id=meeting.id,
    )
    add_work(
        session,
        team_id=pair.team_id,
        key=summary_key(meeting.id),
        kind=WorkKind.SUMMARY,
        due_at=start + timedelta(minutes=meeting.duration_minutes) + SUMMARY_NUDGE,
        meeting_id=meeting.id,
    )


def prompt_time(pair: Pair, start: datetime, zone: str, *, now: datetime) -> datetime | None:
    """When a prompt for a meeting at `start` reaches a reader in `zone`: its lead before the
    meeting, moved back to a working moment on their clock (store.working_hours), never later
    than an hour before the meeting; None when no working moment is left before then."""
    natural = start - timedelta(minutes=pair.prompt_lead_minutes)
    return send_time(natural, zone, now=now, latest=start - MIN_NOTICE)


def too_late_to_prompt(start: datetime, due_at: datetime, *, now: datetime) -> bool:
    """A prompt due (or now reaching its reader) less than an hour before the meeting is not
    sent; a minute's grace lets one due exactly an hour before go out a little late."""
    return max(due_at, now - MERGE_WINDOW) > start - MIN_NOTICE


def prompt_key(meeting_id: int, user_id: str) -> str:
    """The key of the prompt for one meeting to one of its two people."""
    return f"{WorkKind.PROMPT}:{meeting_id}:{user_id}"


def summary_key(meeting_id: int | None) -> str:
    """The key of a meeting's summary work (posted an hour after it, or once notes are saved)."""
    return f"{WorkKind.SUMMARY}:{meeting_id}"


def upcoming_meeting(session: Session, pair: Pair, now: datetime) -> Meeting | None:
    """The scheduled meeting still open for talking points: the current one until it ends or
    its notes are saved, else the next."""
    for meeting in session.exec(_open_meetings(), params={"pair_id": pair.id}):
        if is_open(meeting, now):
            return meeting
    return None


@cache
def _open_meetings() -> SelectOfScalar[Meeting]:
    """Built once (every talking point added asks it); the pair id is bound."""
    pair_id: BindParameter[int] = bindparam("pair_id")
    return (
        select(Meeting)
        .where(Meeting.pair_id == pair_id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.closed_at).is_(None))
        .order_by(col(Meeting.starts_at))
    )


def is_open(meeting: Meeting, now: datetime) -> bool:
    """Whether a scheduled meeting still takes talking points: it has not ended, and once it
    has started, nobody has saved its notes yet (what comes after goes to the next one)."""
    if meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now:
        return False
    return meeting.starts_at > now or meeting.notes_saved_at is None


def follow_ups_since(session: Session, meeting: Meeting) -> datetime:
    """Since when action items done count as news for this meeting: the start of the pair's
    previous meeting that was not skipped or cancelled (a month back for the first)."""
    previous = session.exec(
        select(Meeting.starts_at)
        .where(Meeting.pair_id == meeting.pair_id, col(Meeting.status).not_in(NOT_HAPPENING))
        .where(col(Meeting.starts_at) < meeting.starts_at)
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()
    return previous or meeting.starts_at - timedelta(days=31)


def held_clause(meeting: Any, now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """`outcome(...) == HELD` in SQL, for the Meeting entity or an alias of it."""
    return and_(
        col(meeting.starts_at) <= now,
        or_(
            col(meeting.status) == MeetingStatus.HELD,
            and_(
                col(meeting.status) == MeetingStatus.SCHEDULED,
                col(meeting.notes_saved_at).is_not(None),
            ),
        ),
    )


def outcome(meeting: Meeting, now: datetime) -> str | None:
    """The one "held" rule, for a meeting that is over: HELD or NOT_HELD; None while it is to
    come or on (skipped and cancelled meetings have their status instead). A meeting is over
    once it has ended, or once it has started and its notes are saved (only shared content
    sets notes_saved_at)."""
    if meeting.status == MeetingStatus.HELD:
        return HELD
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at > now:
        return None
    if meeting.notes_saved_at is not None:
        return HELD
    return NOT_HELD if meeting.closed_at is not None else None


def latest_slot(session: Session, pair: Pair) -> datetime | None:
    """The slot of the pair's newest scheduled-series meeting."""
    query = (
        select(Meeting.slot_at)
        .where(Meeting.pair_id == pair.id, col(Meeting.unscheduled).is_(False))
        .order_by(col(Meeting.slot_at).desc())
        .limit(1)
    )
    return session.exec(query).first()


def roll_forward(session: Session, pair: Pair, *, now: datetime) -> Meeting | None:
    """Make sure the pair's next occurrence exists (after `now`, the last slot and any pause);
    the caller commits. None when it existed already."""
    if pair.ended_at is not None:
        return None
    future = session.exec(
        select(Meeting)
        .where(Meeting.pair_id == pair.id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > now)
    ).first()
    if future is not None:
        return None
    after = max(filter(None, [latest_slot(session, pair), now, pause_start(pair)]))
    try:
        with session.begin_nested():
            meeting = add_meeting(session, pair, next_slot(recurrence_of(pair), after), now=now)
    except IntegrityError:
        return None  # another runner created it first; the caller's work stays
    return meeting


def next_start(session: Session, pair: Pair, *, after: datetime) -> datetime | None:
    """When the series' next 1:1 after `after` starts: from its recurrence, with skipped and
    cancelled occurrences left out, moved ones at their new time, and no slot during a pause.
    None once the series has ended."""
    if pair.ended_at is not None:
        return None
    rows = session.exec(
        select(Meeting.slot_at, Meeting.starts_at, Meeting.status)
        .where(Meeting.pair_id == pair.id, col(Meeting.unscheduled).is_(False))
        .where(or_(col(Meeting.slot_at) > after, col(Meeting.starts_at) > after))
    ).all()
    taken = {slot for slot, _, _ in rows}
    moved = [start for _, start, status in rows if status in _HAPPENING and start > after]
    since = max(filter(None, [after, pause_start(pair)]))
    slots = slots_after(recurrence_of(pair), since, _LOOK_AHEAD)
    free = next((slot for slot in slots if slot not in taken), None)
    return min([*moved, *([free] if free else [])], default=None)


_HAPPENING = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)
_LOOK_AHEAD = 60  # slots: more skipped occurrences in a row than this is no series any more


def pause_start(pair: Pair) -> datetime | None:
    if pair.paused_until is None:
        return None
    # The first slot on paused_until itself is allowed: count from just before its midnight.
    midnight = slot_from_local(pair.paused_until, time(0, 0), pair.timezone)
    return midnight - timedelta(microseconds=1)


def pairs_to_roll(session: Session, *, now: datetime) -> list[Pair]:
    """Active pairs without a scheduled meeting in the future (one query)."""
    has_future = (
        select(Meeting.id)
        .where(Meeting.pair_id == Pair.id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > now)
        .exists()
    )
    query = select(Pair).where(col(Pair.ended_at).is_(None), ~has_future)
    return list(session.exec(query).all())


def require_upcoming(session: Session, actor: Actor, pair: Pair, now: datetime) -> Meeting:
    meeting = upcoming_meeting(session, pair, now)
    if meeting is None:
        roll_forward(session, pair, now=now)
        session.commit()
        meeting = upcoming_meeting(session, pair, now)
    if meeting is None:
        raise Invalid(N_("This 1:1 has no upcoming meeting."))
    return meeting


def next_meeting(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> Meeting:
    """The pair's upcoming meeting (created if missing), for one of its two people."""
    pair = get_pair(session, actor, pair_id)
    if pair.ended_at is not None:
        raise Invalid(ENDED)
    return require_upcoming(session, actor, pair, now)


def next_position(session: Session, meeting: Meeting) -> int:
    query = select(func.max(TalkingPoint.position)).where(TalkingPoint.meeting_id == meeting.id)
    return (session.exec(query).one() or 0) + 1


def mark_held_if_closed(meeting: Meeting) -> None:
    """A finished meeting with notes or a ticked point counts as held."""
    if meeting.closed_at is not None and meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.HELD


def meeting_points(session: Session, meeting: Meeting) -> list[TalkingPoint]:
    """The meeting's talking points in agenda order (private ones included: filter them)."""
    query = (
        select(TalkingPoint)
        .where(TalkingPoint.meeting_id == meeting.id)
        .order_by(col(TalkingPoint.position), col(TalkingPoint.id))
    )
    return list(session.exec(query).all())


def meeting_has_content(session: Session, meeting: Meeting) -> bool:
    """The one "held" rule's content: shared notes, an action item or a ticked shared point.
    Private notes and private points never count (nobody may learn that they exist)."""
    noted = select(Note.id).where(
        col(Note.meeting_id) == meeting.id, col(Note.text) != "", notes_visible_to(SHARED)
    )
    decided = select(ActionItem.id).where(col(ActionItem.meeting_id) == meeting.id)
    ticked = select(TalkingPoint.id).where(
        col(TalkingPoint.meeting_id) == meeting.id,
        col(TalkingPoint.discussed).is_(True),
        points_visible_to(SHARED),
    )
    return any(
        session.exec(query.limit(1)).first() is not None for query in (noted, decided, ticked)
    )
