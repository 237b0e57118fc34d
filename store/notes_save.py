"""Saving a submitted notes modal: ticks, shared and private notes, action items.

A save applies what the person changed in the modal, not the whole modal: ticks they did
not touch and items they did not edit keep what the other person may have saved meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import Actor, Invalid, NotAllowed, get_meeting
from store.actions import clean_item_text, forget_reminders, schedule_reminder
from store.carry import carried_from, carry_point
from store.db import execute_dml
from store.meetings import mark_held_if_closed, meeting_has_content, upcoming_meeting
from store.models import ActionItem, Meeting, Note, Pair, PointCarry, TalkingPoint, id_of
from store.notes import NOT_HAPPENING, Conflict, clean_notes, meeting_items, note_of


@dataclass(frozen=True)
class ItemInput:
    """One action item row of the modal: `id` None for a new one, text "" to remove it."""

    id: int | None
    text: str
    owner_id: str
    due_date: date | None


@dataclass(frozen=True)
class NotesInput:
    """A submitted notes modal, with what it showed when it was opened.

    `ticked_before` are the shown points that were ticked at opening: only points whose
    tick the person changed are saved. `shared_notes` is None when they left the shared
    notes as they were. `removed_items` are saved items they removed with "Remove".
    """

    shown_points: frozenset[int]
    ticked_before: frozenset[int]
    discussed: frozenset[int]
    shared_notes: str | None
    private_notes: str
    base_version: int
    items: list[ItemInput]
    removed_items: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SavedNotes:
    """The outcome of a save: the meeting, its pair, and the items whose reminder is new."""

    meeting: Meeting
    pair: Pair
    reminded_items: list[int]
    moved_points_of: frozenset[int] = frozenset()  # other meetings whose agenda changed


def save_notes(
    session: Session,
    actor: Actor,
    meeting_id: int,
    notes: NotesInput,
    *,
    now: datetime,
    timezones: Mapping[str, str] | None = None,
) -> SavedNotes:
    """Save a submitted notes modal in one transaction.

    Refuses (Conflict) when the shared notes changed since the modal was opened; points and
    items must be this pair's (vanished ones are skipped). Due-date reminders go out at 09:00
    in the owner's zone from `timezones`, else in the 1:1's: re-time them with the owner's
    Slack zone later (`SavedNotes.reminded_items`).
    """
    meeting, pair = get_meeting(session, actor, meeting_id)
    if meeting.status in NOT_HAPPENING:
        raise Invalid(f"This 1:1 was {meeting.status}; there are no notes to take for it.")
    zones = {pair.manager_id: pair.timezone, pair.report_id: pair.timezone} | dict(timezones or {})
    try:
        touched = _save_points(session, actor, meeting, pair, notes, now=now)
        _save_shared(session, actor, meeting, notes, now=now)
        _save_private(session, actor, meeting, notes.private_notes, now=now)
        _remove_items(session, meeting, notes.removed_items)
        reminded = _save_items(session, actor, meeting, pair, notes.items, now=now, zones=zones)
        meeting.notes_saved_at = meeting.notes_saved_at or now
        if meeting_has_content(session, meeting):
            mark_held_if_closed(meeting)
        session.add(meeting)
        session.commit()
    except IntegrityError as error:  # both saved the first shared notes at the same moment
        session.rollback()
        raise Conflict() from error
    except Exception:
        session.rollback()
        raise
    return SavedNotes(meeting, pair, reminded, moved_points_of=frozenset(touched))


def _save_points(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    pair: Pair,
    notes: NotesInput,
    *,
    now: datetime,
) -> set[int]:
    """Apply the ticks the person changed. A point carried out of this meeting comes back
    when ticked; one unticked after the meeting closed goes on to the next meeting.
    Returns the other meetings points left or joined."""
    changed = notes.shown_points & (notes.ticked_before ^ notes.discussed)
    touched: set[int] = set()
    if not changed:
        return touched
    found = session.exec(
        select(TalkingPoint, Meeting)
        .join(Meeting, col(Meeting.id) == col(TalkingPoint.meeting_id))
        .where(col(TalkingPoint.id).in_(changed))
    ).all()
    for point, where in found:  # a point dropped meanwhile is simply gone
        if where.pair_id != pair.id or (point.is_private and point.author_id != actor.user_id):
            raise NotAllowed("That talking point isn't on this agenda.")
        if point.id in notes.discussed:
            moved_from = _tick(session, point, meeting, where)
        else:
            moved_from = _untick(session, point, meeting, pair, now=now)
        touched |= {moved_from} if moved_from is not None else set()
        session.add(point)
    return touched


def _tick(session: Session, point: TalkingPoint, meeting: Meeting, where: Meeting) -> int | None:
    """Tick the point; the meeting it came back from, if it did."""
    carry = carried_from(session, point, meeting) if where.id != meeting.id else None
    came_back = carry is not None and not point.discussed  # discussed there after all
    if came_back:
        _bring_back(session, point, meeting)
    if point.meeting_id == meeting.id:
        point.discussed = True
    return where.id if came_back else None


def _bring_back(session: Session, point: TalkingPoint, meeting: Meeting) -> None:
    """Move a point back to a meeting it was carried out of, forgetting the carries since."""
    carries = session.exec(
        select(PointCarry, Meeting.starts_at)
        .join(Meeting, col(Meeting.id) == col(PointCarry.from_meeting_id))
        .where(PointCarry.point_id == point.id)
    ).all()
    since = [carry for carry, starts_at in carries if starts_at >= meeting.starts_at]
    for carry in since:
        session.delete(carry)
    point.meeting_id = id_of(meeting)
    point.carried_count = max(0, point.carried_count - len(since))


def _untick(
    session: Session, point: TalkingPoint, meeting: Meeting, pair: Pair, *, now: datetime
) -> int | None:
    """Untick the point; after the meeting closed it goes on: the meeting it went to."""
    if point.meeting_id != meeting.id or not point.discussed:
        return None
    point.discussed = False
    target = upcoming_meeting(session, pair, now) if meeting.closed_at else None
    if target is None or target.id == meeting.id:
        return None
    carry_point(session, point, meeting, target)
    return target.id


def _save_shared(
    session: Session, actor: Actor, meeting: Meeting, notes: NotesInput, *, now: datetime
) -> None:
    if notes.shared_notes is None:
        return
    text = clean_notes(notes.shared_notes)
    current = note_of(session, meeting, None)
    if current is None:
        if notes.base_version != 0:
            raise Conflict()
        if text:
            session.add(_new_note(meeting, actor, text, owner_id="", now=now))
        return
    if current.text == text:
        return
    # A conditional UPDATE: of two saves from the same version, only the first wins.
    result = execute_dml(
        session,
        update(Note)
        .where(col(Note.id) == current.id, col(Note.version) == notes.base_version)
        .values(text=text, version=Note.version + 1, updated_by=actor.user_id, updated_at=now),
    )
    if result.rowcount != 1:
        raise Conflict()


def _save_private(
    session: Session, actor: Actor, meeting: Meeting, text: str, *, now: datetime
) -> None:
    text = clean_notes(text, field="private_notes")
    current = note_of(session, meeting, actor.user_id)
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
        meeting_id=id_of(meeting),
        is_private=bool(owner_id),
        owner_id=owner_id,
        text=text,
        updated_by=actor.user_id,
        updated_at=now,
    )


def _check_items_gone(session: Session, item_ids: set[int]) -> None:
    """Ids not on this meeting: gone meanwhile is fine, another meeting's is a forgery."""
    if (
        item_ids
        and session.exec(select(ActionItem.id).where(col(ActionItem.id).in_(item_ids))).first()
    ):
        raise NotAllowed("That action item isn't one of this 1:1's.")


def _remove_items(session: Session, meeting: Meeting, removed: frozenset[int]) -> None:
    existing = {i.id: i for i in meeting_items(session, meeting)}
    _check_items_gone(session, set(removed) - existing.keys())
    for item_id in removed & existing.keys():
        forget_reminders(session, existing[item_id])
        session.delete(existing[item_id])


def _save_items(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    pair: Pair,
    items: list[ItemInput],
    *,
    now: datetime,
    zones: Mapping[str, str],
) -> list[int]:
    """Add, edit or remove (text cleared) the rows; the ids of items with a new reminder."""
    existing = {i.id: i for i in meeting_items(session, meeting)}
    _check_items_gone(session, {r.id for r in items if r.id is not None} - existing.keys())
    reminded: list[int] = []
    for row in items:
        text = clean_item_text(row.text)
        item = existing.get(row.id) if row.id is not None else None
        if item is None and (row.id is not None or not text):
            continue  # removed meanwhile by the other person, or an empty new row
        if text and row.owner_id not in (pair.manager_id, pair.report_id):
            raise Invalid("An action item's owner is one of you two.", field="owner")
        if item is not None and not text:
            forget_reminders(session, item)
            session.delete(item)
            continue
        if item is None:
            item = ActionItem(
                team_id=pair.team_id,
                pair_id=id_of(pair),
                meeting_id=meeting.id,
                created_by=actor.user_id,
                created_at=now,
                owner_id=row.owner_id,
                text=text,
            )
        elif (item.text, item.owner_id, item.due_date) == (text, row.owner_id, row.due_date):
            continue
        item.text, item.owner_id, item.due_date = text, row.owner_id, row.due_date
        session.add(item)
        session.flush()
        schedule_reminder(session, item, timezone=zones[item.owner_id], now=now)
        if item.due_date is not None and item.done_at is None:
            reminded.append(id_of(item))
    return reminded
