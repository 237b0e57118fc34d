"""Pairs and their meetings: create, roll forward, skip, reschedule, pause, end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, get_meeting, get_pair
from store.bursts import hold_first_prompt
from store.calendar import note_change
from store.carry import move_open_items
from store.meetings import (
    add_meeting,
    pause_start,
    roll_forward,
    schedule_meeting_work,
    upcoming_meeting,
)
from store.models import Cadence, Meeting, MeetingStatus, Pair, people_key
from store.recurrence import Recurrence, first_date_on_or_after, next_slot, slot_from_local

DURATION_RANGE = (5, 240)
HORIZON = timedelta(days=365)  # how far ahead a 1:1 can be moved or paused
PROMPT_LEAD_RANGE = (10, 7 * 24 * 60)
AGENDA_LEAD_RANGE = (0, 24 * 60)


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


def find_pair_between(session: Session, team_id: str, one: str, other: str) -> Pair | None:
    """The active pair of these two people in either role, if any."""
    query = select(Pair).where(
        Pair.team_id == team_id,
        col(Pair.ended_at).is_(None),
        or_(
            and_(col(Pair.manager_id) == one, col(Pair.report_id) == other),
            and_(col(Pair.manager_id) == other, col(Pair.report_id) == one),
        ),
    )
    return session.exec(query).first()


def create_pair(
    session: Session, actor: Actor, request: PairRequest, *, now: datetime, welcome: bool = False
) -> tuple[Pair, Meeting]:
    """Start a recurring 1:1 managed by the actor, with its first meeting. With `welcome` (the
    caller posts the report's welcome next), the report's first prompt is held for it when it
    falls due within the minute (store.bursts)."""
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
        people_key=people_key(actor.user_id, request.report_id),
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
    try:
        with session.begin_nested():
            session.add(pair)
    except IntegrityError as error:
        raise _duplicate(request.report_id) from error
    meeting = add_meeting(session, pair, first_slot, now=now)
    if welcome:
        hold_first_prompt(session, meeting, pair.report_id, now=now)
    note_change(session, pair, now=now)
    session.commit()
    return pair, meeting


def _duplicate(report_id: str) -> Invalid:
    return Invalid(
        N_(
            "You already have a recurring 1:1 with {person}. To move the next one, use "
            "`/oneonone reschedule {person} <date> <HH:MM>`."
        ),
        field="report",
        person=f"<@{report_id}>",
    )


def _validate_request(actor: Actor, request: PairRequest) -> None:
    if request.report_id == actor.user_id:
        raise Invalid(
            N_("You can't schedule a 1:1 with yourself — pick the person you manage."),
            field="report",
        )
    for value, (low, high), what, field in (
        (request.duration_minutes, DURATION_RANGE, OUT_OF_RANGE["duration"], "duration"),
        (request.prompt_lead_minutes, PROMPT_LEAD_RANGE, OUT_OF_RANGE["prompt"], "prompt_lead"),
        (request.agenda_lead_minutes, AGENDA_LEAD_RANGE, OUT_OF_RANGE["agenda"], "agenda_lead"),
    ):
        if not low <= value <= high:
            raise Invalid(what, field=field, low=low, high=high)
    try:
        Recurrence(
            request.cadence,
            request.weekday,
            request.local_time,
            request.timezone,
            first_date_on_or_after(date(2026, 1, 5), request.weekday),
        )
    except ValueError as error:
        if _loads(request.timezone):
            raise Invalid(str(error), field="timezone") from error
        raise Invalid(
            N_("Unknown time zone {zone}: use an IANA name such as Europe/Berlin."),
            field="timezone",
            zone=repr(request.timezone),
        ) from error


PASSED = N_("That time has already passed — pick a time in the future.")
OUT_OF_RANGE = {
    "duration": N_("The duration must be between {low} and {high} minutes."),
    "prompt": N_("The prompt lead must be between {low} and {high} minutes."),
    "agenda": N_("The agenda lead must be between {low} and {high} minutes."),
}


def _loads(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def skip_meeting(
    session: Session, actor: Actor, meeting_id: int, *, now: datetime
) -> tuple[Meeting, Meeting | None]:
    """Skip one meeting; its open talking points move to the next one."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        raise Invalid(N_("Only an upcoming 1:1 can be skipped."))
    meeting.status = MeetingStatus.SKIPPED
    session.add(meeting)
    session.flush()
    following = roll_forward(session, pair, now=now) or upcoming_meeting(session, pair, now)
    if following is not None:
        move_open_items(session, meeting, following)
    note_change(session, pair, now=now)
    session.commit()
    return meeting, following


def reschedule_meeting(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    day: date,
    at: time,
    now: datetime,
    timezone: str | None = None,
) -> Meeting:
    """Move one upcoming meeting to another date and time on the clock of `timezone` (the
    actor's own; the pair's when not given)."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.closed_at is not None:
        raise Invalid(N_("Only an upcoming 1:1 can be rescheduled."))
    zone = timezone or pair.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    if day < today:
        raise Invalid(PASSED, field="time")
    _within_horizon(day, today)
    start = slot_from_local(day, at, zone)
    if start <= now:
        raise Invalid(PASSED, field="time")
    meeting.starts_at = start
    session.add(meeting)
    schedule_meeting_work(session, pair, meeting, now=now)
    roll_forward(session, pair, now=now)
    note_change(session, pair, now=now)
    session.commit()
    return meeting


def _today(pair: Pair, now: datetime) -> date:
    return now.astimezone(ZoneInfo(pair.timezone)).date()


def _within_horizon(day: date, today: date) -> None:
    """Dates people pick are at most a year ahead (far ones are typos, and the calendar
    ends at 9999)."""
    last = today + HORIZON
    if day > last:
        raise Invalid(
            N_("Pick a date before {day}: at most a year ahead."),
            field="date",
            day=last + timedelta(days=1),
        )


def pause_pair(
    session: Session, actor: Actor, pair_id: int, *, until: date, now: datetime
) -> tuple[Pair, Meeting | None]:
    """No meetings, prompts or agendas before `until`; open talking points wait for the next."""
    pair = get_pair(session, actor, pair_id)
    today = _today(pair, now)
    if until <= today:
        raise Invalid(N_("Pick a date in the future to pause until."), field="date")
    _within_horizon(until, today)
    pair.paused_until = until
    session.add(pair)
    resumes = pause_start(pair)
    cancelled = session.exec(
        select(Meeting).where(
            Meeting.pair_id == pair.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > now,
            col(Meeting.starts_at) <= resumes,
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
    note_change(session, pair, now=now)
    session.commit()
    return pair, following


def end_pair(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> Pair:
    """End a recurring 1:1: either person may (a report can decline a series someone set
    up for them, or leave one); the history stays."""
    pair = get_pair(session, actor, pair_id)
    if pair.ended_at is not None:
        raise Invalid(N_("This 1:1 has already ended."))
    close_pair(session, pair, now=now)
    session.commit()
    return pair


def close_pair(session: Session, pair: Pair, *, now: datetime) -> None:
    """End a series and cancel its coming meetings; its calendars cancel it (the caller
    commits)."""
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
    note_change(session, pair, now=now)
