"""Notes and action items of one meeting: what the notes modal shows and what it saves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import Actor, Invalid, NotAllowed, get_meeting, get_pair
from store.actions import (
    ActionItemView,
    clean_item_text,
    forget_reminders,
    item_view,
    schedule_reminder,
)
from store.agenda import ItemView, mark_held_if_closed, meeting_points, point_view
from store.models import ActionItem, Meeting, MeetingStatus, Note, Pair, TalkingPoint
from store.recurrence import next_slot
from store.schedule import recurrence_of, upcoming_meeting

NOTES_MAX = 10_000
EARLY = timedelta(hours=1)  # notes may be opened this long before a meeting starts
RECENT = timedelta(days=1)  # a meeting stays "the one to take notes for" this long after it
UNSAVED = timedelta(days=7)  # ...or this long while nobody has saved its notes
NOT_HAPPENING = (MeetingStatus.SKIPPED, MeetingStatus.CANCELLED)


class Conflict(Invalid):
    """The shared notes changed since the modal was opened."""

    def __init__(self) -> None:
        super().__init__(
            "The shared notes were changed by someone else since you opened this. "
            "Copy your text, close and reopen the notes, then add it again.",
            field="shared_notes",
        )


@dataclass(frozen=True)
class NotesView:
    """What one person sees in a meeting's notes modal."""

    meeting_id: int
    pair_id: int
    manager_id: str
    report_id: str
    viewer_id: str
    starts_at: datetime
    duration_minutes: int
    unscheduled: bool
    points: list[ItemView]  # shared ones and the viewer's private ones
    shared_notes: str
    shared_version: int  # 0 while there are none
    private_notes: str
    action_items: list[ActionItemView]  # decided in this meeting
    default_due: date | None  # the next meeting's date


@dataclass(frozen=True)
class ItemInput:
    """One action item row of the modal: `id` None for a new one, text "" to remove it."""

    id: int | None
    text: str
    owner_id: str
    due_date: date | None


@dataclass(frozen=True)
class NotesInput:
    """A submitted notes modal."""

    shown_points: frozenset[int]
    discussed: frozenset[int]
    shared_notes: str
    private_notes: str
    base_version: int
    items: list[ItemInput]


@dataclass(frozen=True)
class SavedNotes:
    """The outcome of a save: the meeting, its pair, and whether these are its first notes."""

    meeting: Meeting
    pair: Pair
    first_save: bool


def clean_notes(text: str, *, field: str = "shared_notes") -> str:
    """Notes text, trimmed; Invalid (on `field`) when over 10,000 characters."""
    text = text.strip()
    if len(text) > NOTES_MAX:
        raise Invalid(
            f"Notes are limited to {NOTES_MAX:,} characters; these are {len(text):,}.",
            field=field,
        )
    return text


def notes_meeting(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> Meeting:
    """The meeting notes are for: the current one (from an hour before it); else the latest
    past one within a day of its end, or within a week while nobody saved its notes; else
    the upcoming one."""
    pair = get_pair(session, actor, pair_id)
    latest = session.exec(
        select(Meeting)
        .where(Meeting.pair_id == pair.id, col(Meeting.status).not_in(NOT_HAPPENING))
        .where(col(Meeting.starts_at) <= now + EARLY)
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()
    if latest is not None:
        ended = latest.starts_at + timedelta(minutes=latest.duration_minutes)
        if now < ended + RECENT or (latest.notes_saved_at is None and now < ended + UNSAVED):
            return latest
    upcoming = upcoming_meeting(session, pair, now)
    if upcoming is None:
        raise Invalid("This 1:1 has no meeting to take notes for.")
    return upcoming


def notes_view(session: Session, actor: Actor, meeting_id: int) -> NotesView:
    """The meeting's notes as the actor may see them."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    shared = _note(session, meeting, None)
    private = _note(session, meeting, actor.user_id)
    return NotesView(
        meeting_id=meeting.id,  # type: ignore[arg-type]
        pair_id=pair.id,  # type: ignore[arg-type]
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        viewer_id=actor.user_id,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        unscheduled=meeting.unscheduled,
        points=[
            point_view(p)
            for p in meeting_points(session, meeting)
            if not p.is_private or p.author_id == actor.user_id
        ],
        shared_notes=shared.text if shared else "",
        shared_version=shared.version if shared else 0,
        private_notes=private.text if private else "",
        action_items=[item_view(i, pair) for i in _meeting_items(session, meeting)],
        default_due=_next_meeting_day(session, meeting, pair),
    )


def _note(session: Session, meeting: Meeting, owner_id: str | None) -> Note | None:
    query = select(Note).where(
        Note.meeting_id == meeting.id,
        Note.is_private == (owner_id is not None),
        Note.owner_id == (owner_id or ""),
    )
    return session.exec(query).first()


def _meeting_items(session: Session, meeting: Meeting) -> list[ActionItem]:
    query = (
        select(ActionItem)
        .where(ActionItem.meeting_id == meeting.id)
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    )
    return list(session.exec(query).all())


def _next_meeting_day(session: Session, meeting: Meeting, pair: Pair) -> date | None:
    """The next meeting's local date: its row, or the series' next slot before it exists."""
    following = session.exec(
        select(Meeting.starts_at)
        .where(Meeting.pair_id == pair.id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > meeting.starts_at)
        .order_by(col(Meeting.starts_at))
        .limit(1)
    ).first()
    if following is None and pair.ended_at is None:
        following = next_slot(recurrence_of(pair), max(meeting.slot_at, meeting.starts_at))
    return following.astimezone(ZoneInfo(pair.timezone)).date() if following else None


def save_notes(
    session: Session,
    actor: Actor,
    meeting_id: int,
    notes: NotesInput,
    *,
    now: datetime,
    timezones: Mapping[str, str],
) -> SavedNotes:
    """Save a submitted notes modal in one transaction.

    Refuses (Conflict) when the shared notes changed since the modal was opened; items and
    points must belong to this meeting. `timezones` maps each person to their Slack time
    zone, for due-date reminders.
    """
    meeting, pair = get_meeting(session, actor, meeting_id)
    if meeting.status in NOT_HAPPENING:
        raise Invalid(f"This 1:1 was {meeting.status}; there are no notes to take for it.")
    first = meeting.notes_saved_at is None
    try:
        _save_points(session, actor, meeting, notes)
        _save_shared(session, actor, meeting, notes, now=now)
        _save_private(session, actor, meeting, notes.private_notes, now=now)
        _save_items(session, actor, meeting, pair, notes.items, now=now, timezones=timezones)
        if first:
            meeting.notes_saved_at = now
        mark_held_if_closed(meeting)
        session.add(meeting)
        session.commit()
    except IntegrityError as error:  # both saved the first shared notes at the same moment
        session.rollback()
        raise Conflict() from error
    except Exception:
        session.rollback()
        raise
    return SavedNotes(meeting=meeting, pair=pair, first_save=first)


def _save_points(session: Session, actor: Actor, meeting: Meeting, notes: NotesInput) -> None:
    """Tick the points the modal showed; one carried on to a later meeting of the pair
    meanwhile (the meeting closed while the modal was open) comes back when ticked."""
    shown = session.exec(
        select(TalkingPoint, Meeting)
        .join(Meeting, col(Meeting.id) == col(TalkingPoint.meeting_id))
        .where(col(TalkingPoint.id).in_(notes.shown_points))
    ).all()
    visible = {
        point.id: (point, where)
        for point, where in shown
        if where.pair_id == meeting.pair_id
        and (not point.is_private or point.author_id == actor.user_id)
    }
    if not notes.shown_points <= visible.keys():
        raise NotAllowed("That talking point isn't on this agenda.")
    for point_id, (point, where) in visible.items():
        ticked = point_id in notes.discussed
        if where.id == meeting.id:
            point.discussed = ticked
        elif ticked and not point.discussed:
            point.meeting_id = meeting.id  # type: ignore[assignment]
            point.carried_count = max(0, point.carried_count - 1)
            point.discussed = True
        session.add(point)


def _save_shared(
    session: Session, actor: Actor, meeting: Meeting, notes: NotesInput, *, now: datetime
) -> None:
    text = clean_notes(notes.shared_notes)
    current = _note(session, meeting, None)
    if current is None:
        if notes.base_version != 0:
            raise Conflict()
        if text:
            session.add(_new_note(meeting, actor, text, owner_id="", now=now))
        return
    if current.text == text:
        return
    # A conditional UPDATE: of two saves from the same version, only the first wins.
    result = session.execute(
        update(Note)
        .where(col(Note.id) == current.id, col(Note.version) == notes.base_version)
        .values(text=text, version=Note.version + 1, updated_by=actor.user_id, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict()


def _save_private(
    session: Session, actor: Actor, meeting: Meeting, text: str, *, now: datetime
) -> None:
    text = clean_notes(text, field="private_notes")
    current = _note(session, meeting, actor.user_id)
    if current is None:
        if text:
            session.add(_new_note(meeting, actor, text, owner_id=actor.user_id, now=now))
        return
    if current.text != text:
        current.text, current.version = text, current.version + 1
        current.updated_by, current.updated_at = actor.user_id, now
        session.add(current)


def _new_note(meeting: Meeting, actor: Actor, text: str, *, owner_id: str, now: datetime) -> Note:
    return Note(
        team_id=meeting.team_id,
        meeting_id=meeting.id,  # type: ignore[arg-type]
        is_private=bool(owner_id),
        owner_id=owner_id,
        text=text,
        updated_by=actor.user_id,
        updated_at=now,
    )


def _save_items(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    pair: Pair,
    items: list[ItemInput],
    *,
    now: datetime,
    timezones: Mapping[str, str],
) -> None:
    existing = {i.id: i for i in _meeting_items(session, meeting)}
    for row in items:
        text = clean_item_text(row.text)
        if row.id is not None and row.id not in existing:
            raise NotAllowed("That action item isn't one of this 1:1's.")
        item = existing.get(row.id) if row.id is not None else None
        if item is None and not text:
            continue
        if text and row.owner_id not in (pair.manager_id, pair.report_id):
            raise Invalid("An action item's owner is one of you two.", field="owner")
        if item is not None and not text:
            forget_reminders(session, item)
            session.delete(item)
            continue
        if item is None:
            item = ActionItem(
                team_id=pair.team_id,
                pair_id=pair.id,  # type: ignore[arg-type]
                meeting_id=meeting.id,
                owner_id=row.owner_id,
                text=text,
                due_date=row.due_date,
                created_by=actor.user_id,
                created_at=now,
            )
        elif (item.text, item.owner_id, item.due_date) == (text, row.owner_id, row.due_date):
            continue
        item.text, item.owner_id, item.due_date = text, row.owner_id, row.due_date
        session.add(item)
        session.flush()
        schedule_reminder(session, item, timezone=timezones.get(item.owner_id, "UTC"), now=now)
