"""A series' settings: its time (the manager's), check-ins, the group DM's language and the
standing items (either person's), and handing it to another manager.

Who may change what, once for every entry point: both people of the pair change check-ins,
standing items and the language; only the manager changes the day, time, cadence, length and
lead times, and hands the series over. A change returns what it did (`SettingsChanged`), so
that the people concerned are told and other hooks (calendars) can follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, NotAllowed, get_active_pair
from store.actions import schedule_reminder
from store.calendar import note_change, note_handover
from store.due_work import CANCELLED, not_wanted
from store.meetings import (
    pause_start,
    prompt_key,
    recurrence_of,
    roll_forward,
    schedule_meeting_work,
    upcoming_meeting,
)
from store.models import ActionItem, DueWork, Meeting, MeetingStatus, Pair, id_of, people_key
from store.people import reader_zones
from store.recurrence import Recurrence, first_date_on_or_after, next_slot, slots_after
from store.schedule import PairRequest, _validate_request, find_pair_between
from store.series import series_time
from store.settings_views import LANGUAGES, MANAGER_ONLY, Moved, SettingsChanged, SettingsView
from store.standing import StandingInput, apply_standing, standing_views

RECURRENCE = frozenset({"weekday", "local_time", "cadence"})
RETIMED_WORK = RECURRENCE | {"duration_minutes", "prompt_lead_minutes", "agenda_lead_minutes"}
PAIR_FIELDS = (*sorted(MANAGER_ONLY), "checkins_report", "checkins_manager", "group_language")
# Where a moved meeting's slot waits while the others move (slots are unique per pair).
_PARKED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SettingsChange:
    """What one person submitted; None leaves a setting as it is."""

    weekday: int | None = None
    local_time: time | None = None
    cadence: str | None = None
    duration_minutes: int | None = None
    prompt_lead_minutes: int | None = None
    agenda_lead_minutes: int | None = None
    checkins_report: bool | None = None
    checkins_manager: bool | None = None
    group_language: str | None = None  # "": the manager's Slack language
    standing: StandingInput | None = None
    hand_to: str | None = None  # the new manager (a handover)


def settings_view(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> SettingsView:
    """The series' settings, for one of its two people (NotAllowed for anyone else)."""
    pair = get_active_pair(session, actor, pair_id)
    meeting = upcoming_meeting(session, pair, now)
    return SettingsView(
        pair_id=id_of(pair),
        viewer_id=actor.user_id,
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        cadence=pair.cadence,
        weekday=pair.weekday,
        local_time=pair.local_time,
        timezone=pair.timezone,
        duration_minutes=pair.duration_minutes,
        prompt_lead_minutes=pair.prompt_lead_minutes,
        agenda_lead_minutes=pair.agenda_lead_minutes,
        checkins_report=pair.checkins_report,
        checkins_manager=pair.checkins_manager,
        group_language=pair.group_language,
        standing=standing_views(session, id_of(pair)),
        series=series_time(pair, meeting.slot_at) if meeting else None,
    )


def save_settings(
    session: Session, actor: Actor, pair_id: int, change: SettingsChange, *, now: datetime
) -> SettingsChanged:
    """Apply one person's settings change in one transaction: all of it, or (Invalid,
    NotAllowed) none of it. The report changing a manager's setting is refused."""
    pair = get_active_pair(session, actor, pair_id)
    fields = _changed(pair, change)
    is_manager = actor.user_id == pair.manager_id
    if (fields & MANAGER_ONLY or change.hand_to) and not is_manager:
        message = N_("Only {manager} changes the time, cadence and lead times of this 1:1.")
        raise NotAllowed(message, manager=f"<@{pair.manager_id}>")
    _validate(actor, pair, change, fields)
    for name in fields:
        value = getattr(change, name)
        setattr(pair, name, value or None if name == "group_language" else value)
    session.add(pair)
    moved = _replan(session, pair, fields, now=now)
    standing = (
        apply_standing(session, actor, pair, change.standing, now=now) if change.standing else []
    )
    handed_from = None
    if change.hand_to and change.hand_to != pair.manager_id:
        handed_from = _hand_over(session, pair, change.hand_to, now=now)
    if handed_from is None:
        note_change(session, pair, now=now)  # a new time: both calendars follow
    else:  # the former manager's calendar loses the series
        note_handover(session, pair, handed_from, now=now)
    session.commit()
    return _changed_result(session, actor, pair, fields, moved, standing, handed_from, now=now)


def _changed(pair: Pair, change: SettingsChange) -> frozenset[str]:
    def differs(name: str) -> bool:
        value = getattr(change, name)
        if name == "group_language" and value is not None:
            return (value or None) != pair.group_language
        return value is not None and value != getattr(pair, name)

    return frozenset(name for name in PAIR_FIELDS if differs(name))


def _validate(actor: Actor, pair: Pair, change: SettingsChange, fields: frozenset[str]) -> None:
    """The ranges and the recurrence as store.schedule checks them when a series starts."""
    language = change.group_language
    if language is not None and language not in ("", *LANGUAGES):
        raise Invalid(N_("Pick one of the languages offered."), field="language")
    if not fields & MANAGER_ONLY:
        return
    merged = {name: getattr(change, name) for name in fields & MANAGER_ONLY}
    current = {name: getattr(pair, name) for name in MANAGER_ONLY}
    request = PairRequest(report_id=pair.report_id, timezone=pair.timezone, **(current | merged))
    _validate_request(actor, request)


def _replan(
    session: Session, pair: Pair, fields: frozenset[str], *, now: datetime
) -> tuple[Moved, ...]:
    """Move the upcoming meetings to the new time, and re-time their prompts, agenda posts
    and summaries (what was posted already stays posted)."""
    if not fields & RETIMED_WORK:
        return ()
    upcoming = list(
        session.exec(
            select(Meeting)
            .where(Meeting.pair_id == pair.id, Meeting.status == MeetingStatus.SCHEDULED)
            .where(col(Meeting.unscheduled).is_(False), col(Meeting.starts_at) > now)
            .order_by(col(Meeting.starts_at))
        ).all()
    )
    moved: tuple[Moved, ...] = ()
    if fields & RECURRENCE:
        moved = _move(session, pair, upcoming, now=now)
    for meeting in upcoming:
        meeting.duration_minutes = pair.duration_minutes
        session.add(meeting)
        schedule_meeting_work(session, pair, meeting, now=now)
    session.flush()
    roll_forward(session, pair, now=now)
    return moved


def _move(
    session: Session, pair: Pair, upcoming: list[Meeting], *, now: datetime
) -> tuple[Moved, ...]:
    """The series starts over at its new time with its next occurrence after now (and after
    a pause); the upcoming meetings, with their talking points, take its first free slots."""
    zone = ZoneInfo(pair.timezone)
    after = max(filter(None, [now, pause_start(pair)]))
    probe = Recurrence(
        "weekly",
        pair.weekday,
        pair.local_time,
        pair.timezone,
        first_date_on_or_after(after.astimezone(zone).date(), pair.weekday),
    )
    pair.first_date = next_slot(probe, after).astimezone(zone).date()
    moving = {id_of(m) for m in upcoming}
    taken = set(
        session.exec(
            select(Meeting.slot_at).where(Meeting.pair_id == pair.id, col(Meeting.slot_at) > now)
        ).all()
    ) - {m.slot_at for m in upcoming}
    wanted = len(upcoming) + len(taken)
    slots = [s for s in slots_after(recurrence_of(pair), after, max(wanted, 1)) if s not in taken]
    for meeting in upcoming:  # park first: two meetings may trade slots
        meeting.slot_at = _PARKED + timedelta(seconds=id_of(meeting))
        session.add(meeting)
    session.flush()
    moved = []
    for meeting, slot in zip(upcoming, slots, strict=False):
        moved.append(Moved(id_of(meeting), meeting.starts_at, slot))
        meeting.slot_at = meeting.starts_at = slot
        session.add(meeting)
    session.flush()
    assert len(moved) == len(moving)
    return tuple(moved)


def _hand_over(session: Session, pair: Pair, new_manager: str, *, now: datetime) -> str:
    """The series goes to `new_manager` with its history; returns the former manager.
    Their open action items go along; their private points and notes stay theirs alone."""
    old, report = pair.manager_id, pair.report_id
    if new_manager == report:
        raise Invalid(N_("{report} can't manage their own 1:1s."), "hand_to", report=f"<@{report}>")
    refused = Invalid(
        N_("{person} already has 1:1s with {report}."),
        field="hand_to",
        person=f"<@{new_manager}>",
        report=f"<@{report}>",
    )
    if find_pair_between(session, pair.team_id, new_manager, report):
        raise refused
    pair.manager_id, pair.people_key = new_manager, people_key(new_manager, report)
    pair.channel_id = None  # the old group DM has the old manager in it: a new one is opened
    try:
        with session.begin_nested():
            session.add(pair)
    except IntegrityError as error:
        raise refused from error
    _move_meetings(session, pair, old, now=now)
    _move_items(session, pair, old, now=now)
    return old


def _move_meetings(session: Session, pair: Pair, old: str, *, now: datetime) -> None:
    """Upcoming meetings: agendas go to the new group DM, prompts to the new manager."""
    meetings = session.exec(
        select(Meeting).where(
            Meeting.pair_id == pair.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.closed_at).is_(None),
            col(Meeting.starts_at) > now,
        )
    ).all()
    for meeting in meetings:
        if meeting.agenda_ts is None:
            meeting.agenda_channel_id = None
            session.add(meeting)
        work = session.exec(
            select(DueWork).where(DueWork.key == prompt_key(id_of(meeting), old))
        ).first()
        if work is not None:
            not_wanted(session, work, outcome=CANCELLED, now=now)
        schedule_meeting_work(session, pair, meeting, now=now)


def _move_items(session: Session, pair: Pair, old: str, *, now: datetime) -> None:
    """The former manager's open action items are the new manager's, reminders included."""
    items = session.exec(
        select(ActionItem).where(
            ActionItem.pair_id == pair.id,
            ActionItem.owner_id == old,
            col(ActionItem.done_at).is_(None),
        )
    ).all()
    zone = reader_zones(session, pair.team_id, [pair.manager_id], pair.timezone)[pair.manager_id]
    for item in items:
        item.owner_id = pair.manager_id
        session.add(item)
        session.flush()
        schedule_reminder(session, item, timezone=zone, now=now)


def _changed_result(
    session: Session,
    actor: Actor,
    pair: Pair,
    fields: frozenset[str],
    moved: tuple[Moved, ...],
    standing: list[str],
    handed_from: str | None,
    *,
    now: datetime,
) -> SettingsChanged:
    meeting = upcoming_meeting(session, pair, now)
    changed = SettingsChanged(
        pair_id=id_of(pair),
        actor_id=actor.user_id,
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        fields=fields,
        moved=moved,
        standing=tuple(standing),
        handed_from=handed_from,
        next_starts_at=meeting.starts_at if meeting else None,
        series=series_time(pair, meeting.slot_at) if meeting else None,
        duration_minutes=pair.duration_minutes,
    )
    shown = {m.meeting_id for m in moved} | ({id_of(meeting)} if meeting else set())
    return replace(changed, meetings=tuple(sorted(shown)))
