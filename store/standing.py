"""Standing items: what a pair talks about on every agenda, every 2nd one, or monthly.

When an item is on a meeting's agenda, exactly. A meeting *happens* when it is a meeting of
the series (not a huddle recorded outside it) that was not skipped or cancelled; an item
counts from its anchor, the start of the meeting that was upcoming when it was added or its
cadence last changed. A meeting M at or after the anchor shows the item when its cadence is
- `every`: always;
- `every_2nd`: the meetings that happen from the anchor up to M (M excluded) are an even
  number: the 1st, 3rd, 5th… meeting from the anchor on; a skipped one does not count, so
  the item comes on the next one that happens;
- `monthly`: no meeting happens from the anchor up to M (M excluded) in M's month, on the
  series' clock: the first meeting of each month.
A meeting that took place without anyone recording it still happened: the item is not
carried to the next one, like every standing item. Ticks belong to one meeting each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, NotAllowed, get_meeting
from store.meetings import mark_held_if_closed, upcoming_meeting
from store.models import (
    NOT_HAPPENING,
    Meeting,
    Pair,
    StandingCadence,
    StandingItem,
    StandingTick,
    id_of,
)
from store.views import StandingView, fingerprint

STANDING_MAX = 10  # items per series: a short list, or it is no longer a 1:1 but a status
TEXT_MAX = 200
CADENCES = frozenset(c.value for c in StandingCadence)


@dataclass(frozen=True)
class StandingRow:
    """One row of the settings form: `key` "s<id>" for a saved item, "n<k>" for a new one."""

    key: str
    text: str
    cadence: str

    @property
    def item_id(self) -> int | None:
        return int(self.key[1:]) if self.key.startswith("s") else None


@dataclass(frozen=True)
class StandingInput:
    """The standing items as one person submitted them, and as their form first showed
    them: only what they changed is applied (the other person may have edited meanwhile)."""

    rows: tuple[StandingRow, ...]  # in the submitted order
    shown: Mapping[int, tuple[str, str]]  # saved id -> (text fingerprint, cadence) shown
    order: tuple[int, ...]  # the saved ids in the order the form first showed them


def active_items(session: Session, pair_id: int) -> list[StandingItem]:
    """The series' standing items (not removed), in their order."""
    query = (
        select(StandingItem)
        .where(StandingItem.pair_id == pair_id, col(StandingItem.removed_at).is_(None))
        .order_by(col(StandingItem.position), col(StandingItem.id))
    )
    return list(session.exec(query).all())


def standing_views(session: Session, pair_id: int) -> tuple[StandingView, ...]:
    """The series' standing items as plain data, in their order."""
    return tuple(_view(item) for item in active_items(session, pair_id))


def _view(item: StandingItem, *, ticked: bool = False) -> StandingView:
    return StandingView(id=id_of(item), text=item.text, cadence=item.cadence, ticked=ticked)


# --- on which agenda ---------------------------------------------------------------------------


def is_due(
    cadence: str,
    anchor: datetime,
    start: datetime,
    earlier: Sequence[datetime],
    month_start: datetime,
) -> bool:
    """Whether an item with this cadence and anchor is on the agenda of the meeting at
    `start` (see the module's rule); `earlier`: the starts of the series' meetings that
    happen before it."""
    if start < anchor:
        return False
    since = [s for s in earlier if anchor <= s < start]
    if cadence == StandingCadence.EVERY_2ND:
        return len(since) % 2 == 0
    if cadence == StandingCadence.MONTHLY:
        return not any(s >= month_start for s in since)
    return True


def month_start(start: datetime, timezone: str) -> datetime:
    """The first instant of the month of `start` on the series' clock."""
    local = start.astimezone(ZoneInfo(timezone)).date().replace(day=1)
    return datetime.combine(local, time(0, 0), tzinfo=ZoneInfo(timezone))


def standing_for(session: Session, meeting: Meeting, pair: Pair) -> list[StandingView]:
    """The standing items on this meeting's agenda, with its ticks (four queries at most)."""
    if meeting.unscheduled:
        return []
    items = active_items(session, id_of(pair))
    if not items:
        return []
    ticked = set(
        session.exec(select(StandingTick.item_id).where(StandingTick.meeting_id == meeting.id))
    )
    anchors = _anchors(session, items)
    earlier = _happening_before(session, pair, meeting, min(anchors.values()))
    first_of_month = month_start(meeting.starts_at, pair.timezone)
    return [
        _view(item, ticked=id_of(item) in ticked)
        for item in items
        if id_of(item) in ticked
        or is_due(item.cadence, anchors[id_of(item)], meeting.starts_at, earlier, first_of_month)
    ]


def _anchors(session: Session, items: list[StandingItem]) -> dict[int, datetime]:
    """Each item's anchor: its meeting's start now, else the moment it was anchored."""
    meeting_ids = {i.anchor_meeting_id for i in items if i.anchor_meeting_id is not None}
    starts = dict(
        session.exec(
            select(Meeting.id, Meeting.starts_at).where(col(Meeting.id).in_(meeting_ids))
        ).all()
    )
    return {id_of(i): starts.get(i.anchor_meeting_id, i.anchor_at) for i in items}


def _happening_before(
    session: Session, pair: Pair, meeting: Meeting, since: datetime
) -> list[datetime]:
    query = select(Meeting.starts_at).where(
        Meeting.pair_id == pair.id,
        col(Meeting.unscheduled).is_(False),
        col(Meeting.status).not_in(NOT_HAPPENING),
        col(Meeting.starts_at) >= since,
        col(Meeting.starts_at) < meeting.starts_at,
    )
    return list(session.exec(query).all())


def tick_standing(
    session: Session, actor: Actor, meeting_id: int, item_id: int, ticked: bool, *, now: datetime
) -> Meeting:
    """Tick (or untick) a standing item in one meeting, for either of the pair's two people;
    an item that is not on that meeting's agenda is refused."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    if item_id not in {view.id for view in standing_for(session, meeting, pair)}:
        raise NotAllowed(N_("That standing item isn't on this agenda."))
    if not ticked:
        session.execute(
            delete(StandingTick).where(
                col(StandingTick.item_id) == item_id, col(StandingTick.meeting_id) == meeting_id
            )
        )
        session.commit()
        return meeting
    tick = StandingTick(
        team_id=pair.team_id,
        item_id=item_id,
        meeting_id=meeting_id,
        ticked_by=actor.user_id,
        ticked_at=now,
    )
    try:
        with session.begin_nested():
            session.add(tick)
    except IntegrityError:
        pass  # ticked already (a double click, or the other person): it stays ticked
    mark_held_if_closed(meeting)
    session.add(meeting)
    session.commit()
    return meeting


# --- managed from the settings form ------------------------------------------------------------


def apply_standing(
    session: Session, actor: Actor, pair: Pair, given: StandingInput, *, now: datetime
) -> list[str]:
    """Apply what one of the two people changed in the standing items (the caller has
    checked they are; it commits). Returns what changed: "added", "edited", "removed",
    "reordered" (each once)."""
    items = {id_of(item): item for item in active_items(session, id_of(pair))}
    submitted = {row.item_id: row for row in given.rows if row.item_id is not None}
    changes: list[str] = []
    anchor = _anchor(session, pair, now)
    for item_id in given.shown.keys() - submitted.keys():
        if item_id in items:
            items.pop(item_id).removed_at = now
            changes.append("removed")
    for item_id, row in submitted.items():
        item = items.get(item_id)
        if item is None or item_id not in given.shown:
            continue  # removed by the other person meanwhile: it stays removed
        changes += _edit(item, row, given.shown[item_id], anchor)
    new = [_new_item(actor, pair, row, anchor, now) for row in given.rows if _is_new(row)]
    _check_count(len(items) + len(new), given.rows)
    if _reordered(given):
        changes.append("reordered")
    _renumber(given, items, new)
    session.add_all([*items.values(), *new])  # removed ones are in the session already
    return list(dict.fromkeys(changes + (["added"] if new else [])))


Anchor = tuple[int | None, datetime]  # the meeting an item counts from, and its start


def _anchor(session: Session, pair: Pair, now: datetime) -> Anchor:
    meeting = upcoming_meeting(session, pair, now)
    return (meeting.id, meeting.starts_at) if meeting else (None, now)


def clean_standing_text(text: str, key: str) -> str:
    """A standing item's text, trimmed; Invalid (on its row) when empty or too long."""
    text = " ".join(text.split())
    if not text:
        raise Invalid(N_("A standing item needs some text (or remove it)."), field=key)
    if len(text) > TEXT_MAX:
        message = N_("A standing item can be at most {limit} characters long.")
        raise Invalid(message, field=key, limit=TEXT_MAX)
    return text


def _cadence(row: StandingRow) -> str:
    if row.cadence not in CADENCES:
        raise Invalid(N_("Pick how often this item is on the agenda."), field=row.key)
    return row.cadence


def _edit(
    item: StandingItem, row: StandingRow, shown: tuple[str, str], anchor: Anchor
) -> list[str]:
    changes = []
    shown_print, shown_cadence = shown
    if fingerprint(row.text) != shown_print:
        item.text = clean_standing_text(row.text, row.key)
        changes.append("edited")
    if row.cadence != shown_cadence:
        item.cadence = _cadence(row)
        item.anchor_meeting_id, item.anchor_at = anchor  # a new rhythm starts with the next 1:1
        changes.append("edited")
    return changes


def _is_new(row: StandingRow) -> bool:
    return row.item_id is None and bool(row.text.strip())


def _new_item(
    actor: Actor, pair: Pair, row: StandingRow, anchor: Anchor, now: datetime
) -> StandingItem:
    return StandingItem(
        team_id=pair.team_id,
        pair_id=id_of(pair),
        text=clean_standing_text(row.text, row.key),
        cadence=_cadence(row),
        anchor_meeting_id=anchor[0],
        anchor_at=anchor[1],
        created_by=actor.user_id,
        created_at=now,
    )


def _check_count(count: int, rows: Sequence[StandingRow]) -> None:
    if count <= STANDING_MAX:
        return
    message = N_("A 1:1 can have at most {limit} standing items: remove one first.")
    first_new = next((row.key for row in rows if row.item_id is None), rows[-1].key)
    raise Invalid(message, field=first_new, limit=STANDING_MAX)


def _reordered(given: StandingInput) -> bool:
    kept = [row.item_id for row in given.rows if row.item_id in given.shown]
    return kept != [item_id for item_id in given.order if item_id in kept]


def _renumber(
    given: StandingInput, items: dict[int, StandingItem], new: list[StandingItem]
) -> None:
    """The submitted order for the items the form showed, then any the other person added
    meanwhile, then the new ones."""
    ordered = [items[r.item_id] for r in given.rows if r.item_id in items]
    others = [item for item_id, item in items.items() if item_id not in given.shown]
    for position, item in enumerate([*ordered, *others, *new], start=1):
        item.position = position


# --- export and deletion -----------------------------------------------------------------------


def ticked_in(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[str]]:
    """The standing items ticked in each of these meetings, by meeting (one query)."""
    query = (
        select(StandingTick.meeting_id, StandingItem.text)
        .join(StandingItem, col(StandingItem.id) == StandingTick.item_id)
        .where(col(StandingTick.meeting_id).in_(meeting_ids))
        .order_by(col(StandingItem.position), col(StandingItem.id))
    )
    found: dict[int, list[str]] = {}
    for meeting_id, text in session.exec(query).all():
        found.setdefault(meeting_id, []).append(text)
    return found


def delete_standing(session: Session, pair_id: int) -> None:
    """Delete the series' standing items and their ticks (the caller commits)."""
    items = select(StandingItem.id).where(StandingItem.pair_id == pair_id)
    session.execute(delete(StandingTick).where(col(StandingTick.item_id).in_(items)))
    session.execute(delete(StandingItem).where(col(StandingItem.pair_id) == pair_id))


def count_active(session: Session, pair_id: int) -> int:
    """How many standing items the series has."""
    query = select(func.count()).where(
        StandingItem.pair_id == pair_id, col(StandingItem.removed_at).is_(None)
    )
    return int(session.exec(query).one())
