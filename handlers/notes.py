"""The notes modal: open it for a meeting, grow or shrink its action item rows, save it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from blocks import ids
from blocks.notes import ROWS_MAX, ItemRow, Typed, notes_modal
from blocks.rich_text import to_plain
from handlers.context import Deps
from handlers.people import display_name, time_zone
from handlers.publish import publish_summary, refresh_agenda
from store.access import Actor, NotAllowed, find_pair_with, get_meeting
from store.actions import ITEM_MAX
from store.notes import ItemInput, NotesInput, NotesView, SavedNotes, notes_meeting, notes_view

Values = dict[str, dict[str, Any]]
ROW_KEY = re.compile(r"^[in]\d{1,12}$")


class RowError(Exception):
    """A submitted value to show next to one input block of the modal."""

    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id = block_id


@dataclass(frozen=True)
class Opened:
    """What a notes modal was opened for (from its private_metadata; re-checked in the store)."""

    meeting_id: int
    version: int
    rows: list[str]
    points: frozenset[int]


def open_notes(
    deps: Deps,
    trigger_id: str,
    *,
    meeting_id: int | None = None,
    person: str | None = None,
    push: bool = False,
) -> None:
    """Open the notes of a meeting (or of the 1:1 with `person`: the current or last one)."""
    with deps.db() as session:
        if meeting_id is None:
            pair = find_pair_with(session, deps.actor, person)
            meeting_id = notes_meeting(session, deps.actor, pair.id, now=deps.now()).id  # type: ignore[arg-type]
        notes = notes_view(session, deps.actor, meeting_id)  # type: ignore[arg-type]
    rows = [
        ItemRow(f"i{i.id}", i.text, i.owner_id, i.due_date, done=i.done) for i in notes.action_items
    ] or [_new_row(notes, 1)]
    view = notes_modal(notes, rows, _names(deps, notes))
    if push:  # opened from inside a modal (the summary): stack on it
        deps.client.views_push(trigger_id=trigger_id, view=view)
    else:
        deps.client.views_open(trigger_id=trigger_id, view=view)


def _new_row(notes: NotesView, number: int) -> ItemRow:
    return ItemRow(f"n{number}", "", notes.viewer_id, notes.default_due)


def _names(deps: Deps, notes: NotesView) -> dict[str, str]:
    return {p: display_name(deps.client, p) for p in (notes.manager_id, notes.report_id)}


def opened(view: dict[str, Any]) -> Opened:
    """The modal's private_metadata; anything malformed is a forged payload."""
    try:
        meta = json.loads(view.get("private_metadata") or "")
        rows = [str(key) for key in meta["rows"]]
        if len(rows) > ROWS_MAX or not all(ROW_KEY.match(key) for key in rows):
            raise ValueError("bad rows")
        points = frozenset(int(point) for point in meta["points"])
        return Opened(int(meta["meeting"]), int(meta["version"]), rows, points)
    except (ValueError, KeyError, TypeError) as error:
        raise NotAllowed() from error


def change_rows(deps: Deps, view: dict[str, Any], *, remove: str | None = None) -> None:
    """Add a row ("Add another action item") or drop one ("Remove"), keeping what was typed."""
    meta = opened(view)
    values: Values = (view.get("state") or {}).get("values") or {}
    with deps.db() as session:
        notes = notes_view(session, deps.actor, meta.meeting_id)
    saved = {f"i{i.id}": i for i in notes.action_items}
    rows = [_typed_row(key, values, saved, notes.viewer_id) for key in meta.rows if key != remove]
    if remove is None and len(rows) < ROWS_MAX:
        used = [int(key[1:]) for key in meta.rows if key.startswith("n")]
        rows.append(_new_row(notes, max(used, default=0) + 1))
    typed = Typed(
        discussed=_ticked(values),
        shared=_value(values, ids.NOTES_SHARED).get("rich_text_value"),
        private=_value(values, ids.NOTES_PRIVATE).get("rich_text_value"),
    )
    body = notes_modal(notes, rows, _names(deps, notes), version=meta.version, typed=typed)
    deps.client.views_update(view_id=view["id"], hash=view.get("hash"), view=body)


def _typed_row(key: str, values: Values, saved: dict[str, Any], default_owner: str) -> ItemRow:
    item = saved.get(key)
    owner = (_value(values, f"{ids.ITEM_OWNER}:{key}").get("selected_option") or {}).get("value")
    due = _value(values, f"{ids.ITEM_DUE}:{key}").get("selected_date")
    return ItemRow(
        key=key,
        text=_value(values, f"{ids.ITEM_TEXT}:{key}").get("value") or "",
        owner_id=owner or (item.owner_id if item else default_owner),
        due_date=date.fromisoformat(due) if due else None,
        done=bool(item and item.done),
    )


def _value(values: Values, block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(ids.VALUE) or {}


def _ticked(values: Values) -> frozenset[int]:
    chosen = [
        option["value"]
        for block_id, block in values.items()
        if block_id.startswith(f"{ids.NOTES_POINTS}:")
        for option in (block.get(ids.VALUE) or {}).get("selected_options") or []
    ]
    return frozenset(_int(value) for value in chosen)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise NotAllowed("That talking point isn't on this agenda.") from error


def submitted(view: dict[str, Any], values: Values) -> tuple[int, NotesInput]:
    """The meeting and the modal's values as a save request; a too-long item is refused
    next to its field."""
    meta = opened(view)
    items = []
    for key in meta.rows:
        row = _typed_row(key, values, {}, "")
        if len(row.text.strip()) > ITEM_MAX:
            raise RowError(
                f"{ids.ITEM_TEXT}:{key}", f"Keep an action item under {ITEM_MAX} characters."
            )
        items.append(
            ItemInput(
                id=int(key[1:]) if key.startswith("i") else None,
                text=row.text,
                owner_id=row.owner_id,
                due_date=row.due_date,
            )
        )
    return meta.meeting_id, NotesInput(
        shown_points=meta.points,
        discussed=_ticked(values),
        shared_notes=to_plain(_value(values, ids.NOTES_SHARED).get("rich_text_value")),
        private_notes=to_plain(_value(values, ids.NOTES_PRIVATE).get("rich_text_value")),
        base_version=meta.version,
        items=items,
    )


def after_save(deps: Deps, saved: SavedNotes) -> None:
    """Post the summary (or update it in place) and show the ticks on the posted agenda."""
    with deps.db() as session:
        meeting = session.merge(saved.meeting)
        pair = session.merge(saved.pair)
        publish_summary(deps.client, session, meeting, pair, now=deps.now())
        refresh_agenda(deps.client, session, meeting, pair, now=deps.now())
        deps.refresh_homes(pair)


def people_of(session: Any, actor: Actor, meeting_id: int) -> tuple[str, str]:
    """The two people of the meeting's pair (NotAllowed for anyone else)."""
    _meeting, pair = get_meeting(session, actor, meeting_id)
    return pair.manager_id, pair.report_id


def timezones(deps: Deps, notes_people: tuple[str, str]) -> dict[str, str]:
    """Each person's Slack time zone, for their due-date reminders."""
    return {person: time_zone(deps.client, person) for person in notes_people}
