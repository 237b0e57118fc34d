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

from store.access import N_, NOT_ON_AGENDA, Actor, Invalid, NotAllowed, get_meeting
from store.actions import clean_item_text, forget_reminders, schedule_reminder
from store.carry import carried_from, carry_point
from store.db import execute_dml
from store.meetings import mark_held_if_closed, meeting_has_content, upcoming_meeting
from store.models import ActionItem, Meeting, Note, Pair, PointCarry, TalkingPoint, id_of
from store.notes import NOT_HAPPENING, Conflict, clean_notes, meeting_items, note_of
from store.views import ITEM_FIELDS, SHARED, item_prints, may_see


@dataclass(frozen=True)
class ItemInput:
    """One action item row of the modal: `id` None for a new one, text "" to remove it.

    `changed` are the fields the person changed from what the form `shown` (per-field
    hashes); only those are saved, so two people editing one item merge field by field."""

    id: int | None
    text: str
    owner_id: str
    due_date: date | None
    key: str = ""  # the form's row key: a new row re-sent with the form is added once
    changed: frozenset[str] = frozenset(ITEM_FIELDS)
    shown: tuple[str, ...] | None = None


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
    form: str = ""  # the submitted form's view id: a form sent twice saves its items once


@dataclass(frozen=True)
class SavedNotes:
    """The outcome of a save: the meeting, its pair, and the items whose reminder is new."""

    meeting: Meeting
    pair: Pair
    reminded_items: list[int]
    moved_points_of: frozenset[int] = frozenset()  # other meetings whose agenda changed
    shared_changed: bool = True  # False: only the author's private notes or points changed


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
        if meeting.status == "skipped":
            raise Invalid(N_("This 1:1 was skipped; there are no notes to take for it."))
        raise Invalid(N_("This 1:1 was cancelled; there are no notes to take for it."))
    zones = {pair.manager_id: pair.timezone, pair.report_id: pair.timezone} | dict(timezones or {})
    try:
        touched, ticked_shared = _save_points(session, actor, meeting, pair, notes, now=now)
        noted = _save_shared(session, actor, meeting, notes, now=now)
        _save_private(session, actor, meeting, notes.private_notes, now=now)
        removed = _remove_items(session, meeting, notes.removed_items)
        reminded, edited = _save_items(
            session, actor, meeting, pair, notes.items, form=notes.form, now=now, zones=zones
        )
        if meeting_has_content(session, meeting):  # what the other person may see of it
            meeting.notes_saved_at = meeting.notes_saved_at or now
            mark_held_if_closed(meeting)
        session.add(meeting)
        session.commit()
    except IntegrityError as error:  # both saved the first shared notes at the same moment
        session.rollback()
        raise Conflict() from error
    except Exception:
        session.rollback()
        raise
    shared = ticked_shared or noted or removed or edited
    return SavedNotes(
        meeting, pair, reminded, moved_points_of=frozenset(touched), shared_changed=shared
    )


def _save_points(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    pair: Pair,
    notes: NotesInput,
    *,
    now: datetime,
) -> tuple[set[int], bool]:
    """Apply the ticks the person changed. A point carried out of this meeting comes back
    when ticked; one unticked after the meeting closed goes on to the next meeting.
    Returns the other meetings points left or joined, and whether a shared point changed."""
    changed = notes.shown_points & (notes.ticked_before ^ notes.discussed)
    touched: set[int] = set()
    shared = False
    if not changed:
        return touched, shared
    found = session.exec(
        select(TalkingPoint, Meeting)
        .join(Meeting, col(Meeting.id) == col(TalkingPoint.meeting_id))
        .where(col(TalkingPoint.id).in_(changed))
    ).all()
    for point, where in found:  # a point dropped meanwhile is simply gone
        if where.pair_id != pair.id or not may_see(
            actor.user_id, point.author_id, point.is_private
        ):
            raise NotAllowed(NOT_ON_AGENDA)
        if point.id in notes.discussed:
            moved_from = _tick(session, point, meeting, where)
        else:
            moved_from = _untick(session, point, meeting, pair, now=now)
        touched |= {moved_from} if moved_from is not None else set()
        shared = shared or may_see(SHARED, point.author_id, point.is_private)
        session.add(point)
    return touched, shared


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
) -> bool:
    """Save the shared notes if the person changed them; whether they changed."""
    if notes.shared_notes is None:
        return False
    text = clean_notes(notes.shared_notes)
    current = note_of(session, meeting, None)
    if current is None:
        if notes.base_version != 0:
            raise Conflict()
        if text:
            session.add(_new_note(meeting, actor, text, owner_id="", now=now))
        return bool(text)
    if current.text == text:
        return False
    # A conditional UPDATE: of two saves from the same version, only the first wins.
    result = execute_dml(
        session,
        update(Note)
        .where(col(Note.id) == current.id, col(Note.version) == notes.base_version)
        .values(text=text, version=Note.version + 1, updated_by=actor.user_id, updated_at=now),
    )
    if result.rowcount != 1:
        raise Conflict()
    return True


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
        raise NotAllowed(N_("That action item isn't one of this 1:1's."))


def _remove_items(session: Session, meeting: Meeting, removed: frozenset[int]) -> bool:
    """Delete the items removed with "Remove"; whether there were any."""
    existing = {i.id: i for i in meeting_items(session, meeting)}
    _check_items_gone(session, set(removed) - existing.keys())
    for item_id in removed & existing.keys():
        forget_reminders(session, existing[item_id])
        session.delete(existing[item_id])
    return bool(removed & existing.keys())


class ItemConflict(Invalid):
    """Someone else changed the same field of this action item since the form was opened."""

    def __init__(self, key: str) -> None:
        super().__init__(
            N_(
                "The other person changed this action item since you opened the notes. Close "
                "and reopen them to see their change, then make yours."
            ),
            field=f"item:{key}",
        )


def _save_items(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    pair: Pair,
    items: list[ItemInput],
    *,
    form: str,
    now: datetime,
    zones: Mapping[str, str],
) -> tuple[list[int], bool]:
    """Add, edit (only the changed fields) or remove (text cleared) the rows; the ids of
    items with a new reminder, and whether anything changed."""
    existing = {i.id: i for i in meeting_items(session, meeting)}
    _check_items_gone(session, {r.id for r in items if r.id is not None} - existing.keys())
    reminded: list[int] = []
    changed = False
    for row in items:
        text = clean_item_text(row.text)
        if row.id is None:
            item = _new_item(session, actor, meeting, pair, row, text, form=form, now=now)
        else:
            item = existing.get(row.id)
            if item is None:
                continue  # removed meanwhile by the other person
            if "text" in row.changed and not text:
                forget_reminders(session, item)
                session.delete(item)
                changed = True
                continue
            if not _merge(item, row, text):
                continue
        if item is None:
            continue
        if item.owner_id not in (pair.manager_id, pair.report_id):
            raise Invalid(N_("An action item's owner is one of you two."), field="owner")
        session.add(item)
        session.flush()
        changed = True
        schedule_reminder(session, item, timezone=zones[item.owner_id], now=now)
        if item.due_date is not None and item.done_at is None:
            reminded.append(id_of(item))
    return reminded, changed


def _new_item(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    pair: Pair,
    row: ItemInput,
    text: str,
    *,
    form: str,
    now: datetime,
) -> ActionItem | None:
    """A new item for a filled new row; None for an empty row, or for one this very form
    already added (sent twice: a double click, or again after Slack's timeout)."""
    if not text:
        return None
    origin = f"notes:{form}:{row.key}" if form and row.key else None
    if (
        origin is not None
        and session.exec(
            select(ActionItem.id).where(
                col(ActionItem.team_id) == pair.team_id, col(ActionItem.origin_key) == origin
            )
        ).first()
    ):
        return None
    return ActionItem(
        team_id=pair.team_id,
        pair_id=id_of(pair),
        meeting_id=meeting.id,
        created_by=actor.user_id,
        created_at=now,
        owner_id=row.owner_id,
        text=text,
        due_date=row.due_date,
        origin_key=origin,
    )


def _merge(item: ActionItem, row: ItemInput, text: str) -> bool:
    """Apply the fields the person changed; refuse a field someone else changed meanwhile.
    Whether the item changed."""
    now = item_prints(item.text, item.owner_id, item.due_date)
    for index, name in enumerate(ITEM_FIELDS):
        if name in row.changed and row.shown is not None and row.shown[index] != now[index]:
            raise ItemConflict(row.key)
    before = (item.text, item.owner_id, item.due_date)
    if "text" in row.changed:
        item.text = text
    if "owner" in row.changed:
        item.owner_id = row.owner_id
    if "due" in row.changed:
        item.due_date = row.due_date
    return (item.text, item.owner_id, item.due_date) != before
