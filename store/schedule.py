"""Pairs and their meetings: create, roll forward, skip, reschedule, pause, end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import Actor, Invalid, NotAllowed, get_meeting, get_pair
from store.due_work import add_work
from store.models import Cadence, Meeting, MeetingStatus, Pair, WorkKind
from store.recurrence import Recurrence, first_date_on_or_after, next_slot, slot_from_local

DURATION_RANGE = (5, 240)
PROMPT_LEAD_RANGE = (10, 7 * 24 * 60)
AGENDA_LEAD_RANGE = (0, 24 * 60)
SUMMARY_NUDGE = timedelta(hours=1)  # no notes saved this long after the end: post a nudge


@dataclass(frozen=True)
class PairRequest:
    """What a manager asks for when scheduling a recurring 1:1."""

    report_id: str
    weekday: int
    local_time: time
    timezone: str
    cadence: str = Cadence.WEEKLY
    duration_minutes: int = 30
    prompt_lead_minutes: int = 24 * 60
    agenda_lead_minutes: int = 30


def recurrence_of(pair: Pair) -> Recurrence:
    """The pair's recurrence rule."""
    return Recurrence(pair.cadence, pair.weekday, pair.local_time, pair.timezone, pair.first_date)


def find_pair_between(session: Session, team_id: str, one: str, other: str) -> Pair | None:
    """The active pair of these two people in either role, if any."""
    query = select(Pair).where(
        Pair.team_id == team_id,
        col(Pair.ended_at).is_(None),
        or_(
            and_(Pair.manager_id == one, Pair.report_id == other),
            and_(Pair.manager_id == other, Pair.report_id == one),
        ),
    )
    return session.exec(query).first()


def create_pair(
    session: Session, actor: Actor, request: PairRequest, *, now: datetime
) -> tuple[Pair, Meeting]:
    """Start a recurring 1:1 managed by the actor, with its first meeting."""
    _validate_request(actor, request)
    if find_pair_between(session, actor.team_id, actor.user_id, request.report_id):
        raise _duplicate(request.report_id)
    probe = Recurrence(
        request.cadence,
        request.weekday,
        request.local_time,
        request.timezone,
        first_date_on_or_after(now.astimezone(ZoneInfo(request.timezone)).date(), request.weekday),
    )
    first_slot = next_slot(probe, now)
    pair = Pair(
        team_id=actor.team_id,
        manager_id=actor.user_id,
        report_id=request.report_id,
        cadence=request.cadence,
        weekday=request.weekday,
        local_time=request.local_time,
        timezone=request.timezone,
        first_date=first_slot.astimezone(ZoneInfo(request.timezone)).date(),
        duration_minutes=request.duration_minutes,
        prompt_lead_minutes=request.prompt_lead_minutes,
        agenda_lead_minutes=request.agenda_lead_minutes,
        created_at=now,
    )
    session.add(pair)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise _duplicate(request.report_id) from error
    meeting = _add_meeting(session, pair, first_slot, now=now)
    session.commit()
    return pair, meeting


def _duplicate(report_id: str) -> Invalid:
    return Invalid(
        f"You already have a recurring 1:1 with <@{report_id}>. To move the next one, use "
        f"`/oneonone reschedule <@{report_id}> <date> <HH:MM>`.",
        field="report",
    )


def _validate_request(actor: Actor, request: PairRequest) -> None:
    if request.report_id == actor.user_id:
        raise Invalid(
            "You can't schedule a 1:1 with yourself — pick the person you manage.", field="report"
        )
    for value, (low, high), what, field in (
        (request.duration_minutes, DURATION_RANGE, "The duration", "duration"),
        (request.prompt_lead_minutes, PROMPT_LEAD_RANGE, "The prompt lead", "prompt_lead"),
        (request.agenda_lead_minutes, AGENDA_LEAD_RANGE, "The agenda lead", "agenda_lead"),
    ):
        if not low <= value <= high:
            raise Invalid(f"{what} must be between {low} and {high} minutes.", field=field)
    try:
        Recurrence(
            request.cadence,
            request.weekday,
            request.local_time,
            request.timezone,
            first_date_on_or_after(date(2026, 1, 5), request.weekday),
        )
    except ValueError as error:
        raise Invalid(str(error), field="timezone") from error


def _add_meeting(session: Session, pair: Pair, slot: datetime, *, now: datetime) -> Meeting:
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
    """Prompts for both people and the agenda post, due their lead before the meeting, and
    the summary (a nudge to take notes when nobody did) an hour after its end."""
    start = meeting.starts_at
    prompt_at = max(start - timedelta(minutes=pair.prompt_lead_minutes), now)
    agenda_at = max(start - timedelta(minutes=pair.agenda_lead_minutes), now)
    for user_id in (pair.manager_id, pair.report_id):
        add_work(
            session,
            team_id=pair.team_id,
            key=f"{WorkKind.PROMPT}:{meeting.id}:{user_id}",
            kind=WorkKind.PROMPT,
            due_at=prompt_at,
            expires_at=start,
            meeting_id=meeting.id,
            user_id=user_id,
        )
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
        key=f"{WorkKind.SUMMARY}:{meeting.id}",
        kind=WorkKind.SUMMARY,
        due_at=start + timedelta(minutes=meeting.duration_minutes) + SUMMARY_NUDGE,
        meeting_id=meeting.id,
    )


def upcoming_meeting(session: Session, pair: Pair, now: datetime) -> Meeting | None:
    """The scheduled meeting that has not ended yet (the current one, else the next)."""
    query = (
        select(Meeting)
        .where(Meeting.pair_id == pair.id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.closed_at).is_(None))
        .order_by(col(Meeting.starts_at))
    )
    for meeting in session.exec(query):
        if meeting.starts_at + timedelta(minutes=meeting.duration_minutes) > now:
            return meeting
    return None


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
    """Make sure the pair's next occurrence exists (after `now`, the last slot and any pause)."""
    if pair.ended_at is not None:
        return None
    future = session.exec(
        select(Meeting)
        .where(Meeting.pair_id == pair.id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > now)
    ).first()
    if future is not None:
        return None
    after = max(filter(None, [latest_slot(session, pair), now, _pause_start(pair)]))
    try:
        meeting = _add_meeting(session, pair, next_slot(recurrence_of(pair), after), now=now)
        session.commit()
    except IntegrityError:
        session.rollback()  # another runner created it first
        return None
    return meeting


def _pause_start(pair: Pair) -> datetime | None:
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


def _require_upcoming(session: Session, actor: Actor, pair: Pair, now: datetime) -> Meeting:
    meeting = upcoming_meeting(session, pair, now)
    if meeting is None:
        roll_forward(session, pair, now=now)
        meeting = upcoming_meeting(session, pair, now)
    if meeting is None:
        raise Invalid("This 1:1 has no upcoming meeting.")
    return meeting


def next_meeting(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> Meeting:
    """The pair's upcoming meeting (created if missing), for one of its two people."""
    pair = get_pair(session, actor, pair_id)
    if pair.ended_at is not None:
        raise Invalid("This 1:1 has ended.")
    return _require_upcoming(session, actor, pair, now)


def skip_meeting(
    session: Session, actor: Actor, meeting_id: int, *, now: datetime
) -> tuple[Meeting, Meeting | None]:
    """Skip one meeting; its open talking points move to the next one."""
    from store.carry import move_open_items

    meeting, pair = get_meeting(session, actor, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        raise Invalid("Only an upcoming 1:1 can be skipped.")
    meeting.status = MeetingStatus.SKIPPED
    session.add(meeting)
    session.flush()
    following = roll_forward(session, pair, now=now) or upcoming_meeting(session, pair, now)
    if following is not None:
        move_open_items(session, meeting, following)
    session.commit()
    return meeting, following


def reschedule_meeting(
    session: Session, actor: Actor, meeting_id: int, *, day: date, at: time, now: datetime
) -> Meeting:
    """Move one upcoming meeting to another local date and time (the pair's time zone)."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.closed_at is not None:
        raise Invalid("Only an upcoming 1:1 can be rescheduled.")
    start = slot_from_local(day, at, pair.timezone)
    if start <= now:
        raise Invalid("That time has already passed — pick a time in the future.", field="time")
    meeting.starts_at = start
    session.add(meeting)
    schedule_meeting_work(session, pair, meeting, now=now)
    session.commit()
    roll_forward(session, pair, now=now)
    return meeting


def pause_pair(
    session: Session, actor: Actor, pair_id: int, *, until: date, now: datetime
) -> tuple[Pair, Meeting | None]:
    """No meetings, prompts or agendas before `until`; open talking points wait for the next."""
    from store.carry import move_open_items

    pair = get_pair(session, actor, pair_id)
    if until <= now.astimezone(ZoneInfo(pair.timezone)).date():
        raise Invalid("Pick a date in the future to pause until.", field="date")
    pair.paused_until = until
    session.add(pair)
    pause_start = _pause_start(pair)
    cancelled = session.exec(
        select(Meeting).where(
            Meeting.pair_id == pair.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > now,
            col(Meeting.starts_at) <= pause_start,
        )
    ).all()
    for meeting in cancelled:
        meeting.status = MeetingStatus.CANCELLED
        session.add(meeting)
    session.flush()
    following = roll_forward(session, pair, now=now)
    for meeting in cancelled:
        if following is not None:
            move_open_items(session, meeting, following)
    session.commit()
    return pair, following


def end_pair(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> Pair:
    """End a recurring 1:1 (its manager only); the history stays."""
    pair = get_pair(session, actor, pair_id)
    if actor.user_id != pair.manager_id:
        raise NotAllowed(f"Only <@{pair.manager_id}>, who manages this 1:1, can end it.")
    if pair.ended_at is not None:
        raise Invalid("This 1:1 has already ended.")
    pair.ended_at = now
    session.add(pair)
    for meeting in session.exec(
        select(Meeting).where(
            Meeting.pair_id == pair.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > now,
        )
    ):
        meeting.status = MeetingStatus.CANCELLED
        session.add(meeting)
    session.commit()
    return pair


def set_channel(session: Session, pair: Pair, channel_id: str) -> None:
    """Remember the pair's group DM (and use it for meetings not yet posted)."""
    pair.channel_id = channel_id
    session.add(pair)
    for meeting in session.exec(
        select(Meeting).where(Meeting.pair_id == pair.id, col(Meeting.agenda_ts).is_(None))
    ):
        meeting.agenda_channel_id = channel_id
        session.add(meeting)
    session.commit()
