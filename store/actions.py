"""Action items: who may see and close them, and their due-date reminders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, NotAllowed, is_member, other_person
from store.due_work import CANCELLED, add_work
from store.models import ActionItem, DueWork, Pair, WorkKind, id_of
from store.views import ITEM_MAX, ActionItemView
from store.working_hours import send_time

REMIND_AT = time(9, 0)  # reminders go out at 09:00 in the owner's time zone on the due date
SNOOZE = timedelta(days=7)


def item_view(item: ActionItem, pair: Pair) -> ActionItemView:
    """The plain view of one item."""
    return ActionItemView(
        id=id_of(item),
        pair_id=item.pair_id,
        meeting_id=item.meeting_id,
        owner_id=item.owner_id,
        other_id=other_person(pair, item.owner_id),
        text=item.text,
        due_date=item.due_date,
        done=item.done_at is not None,
        created_at=item.created_at,
    )


def clean_item_text(text: str) -> str:
    """An action item's text, trimmed; Invalid when over 500 characters ("" is allowed)."""
    text = text.strip()
    if len(text) > ITEM_MAX:
        raise Invalid(
            N_("That action item is {length} characters long; the limit is {limit}."),
            field="text",
            length=len(text),
            limit=ITEM_MAX,
        )
    return text


def get_item(session: Session, actor: Actor, item_id: int) -> tuple[ActionItem, Pair]:
    """The item and its pair, if the actor is one of the pair's two people."""
    item = session.get(ActionItem, item_id)
    pair = session.get(Pair, item.pair_id) if item else None
    if item is None or pair is None or not is_member(pair, actor):
        raise NotAllowed(N_("That action item isn't one of yours."))
    return item, pair


def complete_item(
    session: Session, actor: Actor, item_id: int, *, now: datetime
) -> tuple[ActionItem, Pair, bool]:
    """Mark an item done (either person may); the bool says whether it was open until now."""
    item, pair = get_item(session, actor, item_id)
    if item.done_at is not None:
        return item, pair, False
    item.done_at = now
    item.done_by = actor.user_id
    session.add(item)
    cancel_reminders(session, item, now=now)
    session.commit()
    return item, pair, True


def snooze_item(
    session: Session, actor: Actor, item_id: int, *, now: datetime, timezone: str
) -> tuple[ActionItem, Pair]:
    """Move an open item's due date a week on (from today when it is already overdue)."""
    item, pair = get_item(session, actor, item_id)
    if item.done_at is not None:
        raise Invalid(N_("That action item is already done."))
    today = now.astimezone(ZoneInfo(timezone)).date()
    item.due_date = max(item.due_date or today, today) + SNOOZE
    item.reminded_at = None
    session.add(item)
    schedule_reminder(session, item, timezone=timezone, now=now)
    session.commit()
    return item, pair


def open_items_owned(session: Session, actor: Actor) -> list[ActionItemView]:
    """The actor's open items across their active 1:1s, oldest first."""
    query = (
        select(ActionItem, Pair)
        .join(Pair, col(Pair.id) == col(ActionItem.pair_id))
        .where(ActionItem.team_id == actor.team_id, ActionItem.owner_id == actor.user_id)
        .where(col(ActionItem.done_at).is_(None), col(Pair.ended_at).is_(None))
        .where(or_(col(Pair.manager_id) == actor.user_id, col(Pair.report_id) == actor.user_id))
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    )
    return [item_view(item, pair) for item, pair in session.exec(query)]


def remind_at(due: date, timezone: str) -> datetime:
    """09:00 on the due date in the owner's time zone."""
    return datetime.combine(due, REMIND_AT, tzinfo=ZoneInfo(timezone))


def schedule_reminder(session: Session, item: ActionItem, *, timezone: str, now: datetime) -> None:
    """One reminder per (item, owner, due date), at 09:00 on the due date on the owner's clock
    moved to a working moment (a Saturday's to Friday 18:00; one due already, to now or the
    next working morning: store.working_hours); any other pending reminder is cancelled."""
    assert item.id is not None
    if item.done_at is not None or item.due_date is None:
        cancel_reminders(session, item, now=now)
        return
    key = f"{WorkKind.REMINDER}:{item.id}:{item.owner_id}:{item.due_date.isoformat()}"
    cancel_reminders(session, item, now=now, keep=key)
    add_work(
        session,
        team_id=item.team_id,
        key=key,
        kind=WorkKind.REMINDER,
        due_at=send_time(remind_at(item.due_date, timezone), timezone, now=now) or now,
        action_item_id=item.id,
        user_id=item.owner_id,
    )


def retime_reminders(
    session: Session, item_ids: list[int], timezones: Mapping[str, str], *, now: datetime
) -> None:
    """Re-time the items' pending reminders to 09:00 in each owner's own time zone (owners
    missing from `timezones` keep theirs)."""
    if not item_ids:
        return
    for item in session.exec(select(ActionItem).where(col(ActionItem.id).in_(item_ids))).all():
        if item.owner_id in timezones:
            schedule_reminder(session, item, timezone=timezones[item.owner_id], now=now)
    session.commit()


def cancel_reminders(
    session: Session, item: ActionItem, *, now: datetime, keep: str | None = None
) -> None:
    """Close the item's pending reminders (all of them, or all but `keep`)."""
    query = update(DueWork).where(
        col(DueWork.action_item_id) == item.id, col(DueWork.done_at).is_(None)
    )
    if keep is not None:
        query = query.where(col(DueWork.key) != keep)
    session.execute(query.values(done_at=now, outcome=CANCELLED))


def forget_reminders(session: Session, item: ActionItem) -> None:
    """Delete the item's reminders (done or not), before the item itself is deleted."""
    session.execute(delete(DueWork).where(col(DueWork.action_item_id) == item.id))


def reminder_target(
    session: Session, item_id: int, owner_id: str
) -> tuple[ActionItem, Pair] | None:
    """The item a claimed reminder is about, when it still needs reminding (else None)."""
    item = session.get(ActionItem, item_id)
    pair = session.get(Pair, item.pair_id) if item else None
    if item is None or pair is None or pair.ended_at is not None:
        return None
    if item.done_at is not None or item.owner_id != owner_id:
        return None
    return item, pair
