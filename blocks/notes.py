"""The notes modal of one meeting: discussed points, shared and private notes, action items."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from blocks import ids
from blocks.agenda import slack_date
from blocks.kit import Block, actions, button, context, section
from blocks.modals import input_block, modal, option, static_select
from blocks.rich_text import RichText, from_plain
from store.notes import NotesView

POINTS_PER_GROUP = 10  # Slack's limit of options in one checkbox group
POINT_GROUPS_MAX = 5
ROWS_MAX = 12  # action item rows: 4 blocks each keeps the modal under 100 blocks
ITEM_TEXT_MAX = 500


@dataclass(frozen=True)
class ItemRow:
    """One action item row: `key` is "i<id>" for a saved item, "n<k>" for a new one."""

    key: str
    text: str
    owner_id: str
    due_date: date | None
    done: bool = False


@dataclass(frozen=True)
class Typed:
    """What the person typed before the modal was rebuilt (kept across `views.update`)."""

    discussed: frozenset[int] | None = None
    shared: RichText | None = None
    private: RichText | None = None


def notes_metadata(meeting_id: int, version: int, rows: list[ItemRow], points: list[int]) -> str:
    """private_metadata: the meeting, the shared notes' version when opened, the row keys
    and the talking points shown (only those are ticked or unticked on save)."""
    meta = {"meeting": meeting_id, "version": version, "rows": [r.key for r in rows]}
    return json.dumps(meta | {"points": points}, separators=(",", ":"))


def notes_modal(
    notes: NotesView,
    rows: list[ItemRow],
    names: dict[str, str],
    *,
    version: int | None = None,
    typed: Typed | None = None,
) -> dict[str, Any]:
    """The modal; `version` is the one first opened (kept when rows are added or removed)."""
    typed = typed or Typed()
    rows = rows[:ROWS_MAX]
    blocks = [_head(notes)]
    blocks += _point_groups(notes, typed.discussed)
    blocks += [
        _notes_input(
            ids.NOTES_SHARED,
            "Shared notes",
            typed.shared,
            notes.shared_notes,
            hint="Both of you see these, and they go into the summary.",
        ),
        _notes_input(
            ids.NOTES_PRIVATE,
            "Private notes",
            typed.private,
            notes.private_notes,
            hint="Only you ever see these.",
        ),
        section("*Action items*"),
    ]
    for number, row in enumerate(rows, start=1):
        blocks += _row_blocks(row, number, notes, names, default_due=notes.default_due)
    if len(rows) < ROWS_MAX:
        blocks.append(actions(button("➕ Add another action item", ids.NOTES_ADD_ITEM)))
    blocks.append(context("Clear an action item's text to remove it. 🔒 marks what only you see."))
    shown = [p.id for p in notes.points[: POINTS_PER_GROUP * POINT_GROUPS_MAX]]
    metadata = notes_metadata(
        notes.meeting_id, notes.shared_version if version is None else version, rows, shown
    )
    return modal(ids.NOTES_MODAL, "1:1 notes", blocks, submit="Save", private_metadata=metadata)


def _head(notes: NotesView) -> Block:
    what = "Huddle" if notes.unscheduled else "1:1"
    people = f"<@{notes.manager_id}> & <@{notes.report_id}>"
    return section(f"*{what}* · {people} · {slack_date(notes.starts_at)}")


def _point_groups(notes: NotesView, ticked: frozenset[int] | None) -> list[Block]:
    points = notes.points[: POINTS_PER_GROUP * POINT_GROUPS_MAX]
    blocks = []
    for start in range(0, len(points), POINTS_PER_GROUP):
        group = points[start : start + POINTS_PER_GROUP]
        options = [
            option(_point_label(p.text, p.is_private, p.carried_count), str(p.id)) for p in group
        ]
        chosen = [
            o
            for o, p in zip(options, group, strict=True)
            if (p.id in ticked if ticked is not None else p.discussed)
        ]
        element: dict[str, Any] = {"type": "checkboxes", "options": options}
        if chosen:
            element["initial_options"] = chosen
        label = "Discussed" if start == 0 else "Discussed (more)"
        block_id = f"{ids.NOTES_POINTS}:{start // POINTS_PER_GROUP}"
        blocks.append(input_block(block_id, label, element, optional=True))
    left = len(notes.points) - len(points)
    if left:
        blocks.append(context(f"_…and {left} more talking points: tick them on the agenda._"))
    if not notes.points:
        blocks.append(context("No talking points were on the agenda."))
    return blocks


def _point_label(text: str, private: bool, carried: int) -> str:
    marks = ("🔒 " if private else "") + (f"↻{carried} " if carried else "")
    return marks + " ".join(text.split())


def _notes_input(
    block_id: str, label: str, typed: RichText | None, saved: str, *, hint: str
) -> Block:
    element: dict[str, Any] = {"type": "rich_text_input"}
    initial = typed or (from_plain(saved) if saved else None)
    if initial:
        element["initial_value"] = initial
    return input_block(block_id, label, element, optional=True, hint=hint)


def _row_blocks(
    row: ItemRow,
    number: int,
    notes: NotesView,
    names: dict[str, str],
    *,
    default_due: date | None,
) -> list[Block]:
    text: dict[str, Any] = {
        "type": "plain_text_input",
        "max_length": ITEM_TEXT_MAX,
        "placeholder": {"type": "plain_text", "text": "What will be done?"},
    }
    if row.text:
        text["initial_value"] = row.text[:ITEM_TEXT_MAX]
    people = [
        (notes.manager_id, names.get(notes.manager_id, notes.manager_id)),
        (notes.report_id, names.get(notes.report_id, notes.report_id)),
    ]
    owner = static_select(people, initial=row.owner_id or notes.viewer_id, placeholder="Who")
    due: dict[str, Any] = {"type": "datepicker"}
    initial_due = row.due_date if row.key.startswith("i") else (row.due_date or default_due)
    if initial_due:
        due["initial_date"] = initial_due.isoformat()
    title = f"Action item {number}" + (" (done ✅)" if row.done else "")
    remove = button("Remove", ids.NOTES_REMOVE_ITEM, row.key)
    return [
        input_block(f"{ids.ITEM_TEXT}:{row.key}", title, text, optional=True),
        input_block(f"{ids.ITEM_OWNER}:{row.key}", "Owner", owner),
        input_block(f"{ids.ITEM_DUE}:{row.key}", "Due", due, optional=True),
        actions(remove, block_id=f"{ids.ITEM_ROW}:{row.key}"),
    ]
