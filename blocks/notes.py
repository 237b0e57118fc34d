"""The notes modal of one meeting: discussed points, shared and private notes, action items."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from blocks import ids
from blocks.checkin import checkin_context
from blocks.format import point_plain
from blocks.i18n import _, ngettext
from blocks.kit import Block, actions, button, context, section
from blocks.modals import for_text, input_block, modal, option, static_select
from blocks.rich_text import RichText, from_plain, to_plain
from store.views import ITEM_MAX, ItemView, NotesView, fingerprint, item_prints

POINTS_PER_GROUP = 10  # Slack's limit of options in one checkbox group
POINT_GROUPS_MAX = 5
POINTS_SHOWN = POINTS_PER_GROUP * POINT_GROUPS_MAX
ROWS_MAX = 12  # action item rows: 4 blocks each keeps the modal under 100 blocks
ROW_KEY = re.compile(r"^[in]\d{1,12}$")


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
    """What the person typed before the modal was rebuilt (kept across `views.update`):
    `discussed` are their ticks among the points the modal showed then."""

    discussed: frozenset[int] = frozenset()
    shared: RichText | None = None
    private: RichText | None = None


@dataclass(frozen=True)
class NotesMeta:
    """What a notes modal showed when first opened: its private_metadata.

    A save applies only what the person changed from this: the shared notes' `version`
    and `shared_hash` (unchanged text is not saved), the `points` shown and those of them
    `ticked`, the `saved` items' rows as shown (an untouched row is not saved), and the
    saved items `removed` with "Remove". `rows` are the row keys.
    """

    meeting_id: int
    version: int
    shared_hash: str
    rows: tuple[str, ...]
    points: tuple[int, ...]
    ticked: tuple[int, ...]
    saved: dict[str, str] = field(default_factory=dict)  # "i<id>" -> row_fingerprint
    removed: tuple[int, ...] = ()

    def to_json(self) -> str:
        meta = {
            "meeting": self.meeting_id,
            "version": self.version,
            "shared": self.shared_hash,
            "rows": self.rows,
            "points": self.points,
            "ticked": self.ticked,
            "saved": self.saved,
            "removed": self.removed,
        }
        return json.dumps(meta, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> NotesMeta:
        """Parse private_metadata; ValueError (or KeyError, TypeError) when malformed."""
        meta = json.loads(text)
        rows = tuple(str(key) for key in meta["rows"])
        if len(rows) > ROWS_MAX or not all(ROW_KEY.match(key) for key in rows):
            raise ValueError("bad rows")
        return cls(
            meeting_id=int(meta["meeting"]),
            version=int(meta["version"]),
            shared_hash=str(meta["shared"]),
            rows=rows,
            points=tuple(int(point) for point in meta["points"]),
            ticked=tuple(int(point) for point in meta["ticked"]),
            saved={str(key): str(value) for key, value in dict(meta["saved"]).items()},
            removed=tuple(int(item) for item in meta["removed"]),
        )


def row_fingerprint(row: ItemRow) -> str:
    """Short hashes of an action item row's text, owner and due date ("t.o.d"): a save
    applies only the fields the person changed, field by field."""
    return ".".join(item_prints(row.text, row.owner_id, row.due_date))


def opening_meta(notes: NotesView, rows: list[ItemRow]) -> NotesMeta:
    """The metadata of a modal opened just now."""
    shown = notes.points[:POINTS_SHOWN]
    return NotesMeta(
        meeting_id=notes.meeting_id,
        version=notes.shared_version,
        shared_hash=fingerprint(to_plain(from_plain(notes.shared_notes))),
        rows=tuple(r.key for r in rows),
        points=tuple(p.id for p in shown),
        ticked=tuple(p.id for p in shown if p.discussed),
        saved={r.key: row_fingerprint(r) for r in rows if r.key.startswith("i")},
    )


def rebuilt_meta(before: NotesMeta, notes: NotesView, rows: list[ItemRow]) -> NotesMeta:
    """The metadata after rows were added or removed: points that appeared meanwhile are
    taken as they are now; the rest keep what they were at opening."""
    shown = notes.points[:POINTS_SHOWN]
    kept = {r.key for r in rows}
    removed = [int(key[1:]) for key in before.rows if key.startswith("i") and key not in kept]
    return replace(
        before,
        rows=tuple(r.key for r in rows),
        points=tuple(p.id for p in shown),
        ticked=tuple(
            p.id for p in shown if (p.id in before.ticked if p.id in before.points else p.discussed)
        ),
        removed=tuple(dict.fromkeys([*before.removed, *removed])),
    )


def notes_modal(
    notes: NotesView,
    rows: list[ItemRow],
    names: dict[str, str],
    *,
    before: NotesMeta | None = None,
    typed: Typed | None = None,
) -> dict[str, Any]:
    """The modal; `before` and `typed` when it is rebuilt after rows were added or removed."""
    rows = rows[:ROWS_MAX]
    meta = rebuilt_meta(before, notes, rows) if before else opening_meta(notes, rows)
    ticks = {p.id: p.discussed for p in notes.points}
    if before and typed:  # what the person ticked, for the points they saw
        ticks |= {point: point in typed.discussed for point in before.points}
    typed = typed or Typed()
    blocks = [_head(notes), *checkin_context(notes.checkins)]
    blocks += _point_groups(notes, ticks)
    blocks += [
        _notes_input(
            ids.NOTES_SHARED,
            _("Shared notes"),
            typed.shared,
            notes.shared_notes,
            hint=_("Both of you see these, and they go into the summary."),
        ),
        _notes_input(
            ids.NOTES_PRIVATE,
            _("Private notes"),
            typed.private,
            notes.private_notes,
            hint=_("Only you ever see these."),
        ),
        section(_("*Action items*")),
    ]
    for number, row in enumerate(rows, start=1):
        blocks += _row_blocks(row, number, notes, names, default_due=notes.default_due)
    if len(rows) < ROWS_MAX:
        blocks.append(actions(button(_("➕ Add another action item"), ids.NOTES_ADD_ITEM)))
    blocks.append(
        context(_("Clear an action item's text to remove it. 🔒 marks what only you see."))
    )
    return modal(
        ids.NOTES_MODAL, _("1:1 notes"), blocks, submit=_("Save"), private_metadata=meta.to_json()
    )


def _head(notes: NotesView) -> Block:
    """Which 1:1 and which meeting: notes may be for a past one, not the next."""
    what = "huddle" if notes.unscheduled else "1:1"
    other = notes.report_id if notes.viewer_id == notes.manager_id else notes.manager_id
    return context(for_text(other, notes.starts_at, what=what))


def _point_groups(notes: NotesView, ticks: dict[int, bool]) -> list[Block]:
    points = notes.points[:POINTS_SHOWN]
    blocks = []
    for start in range(0, len(points), POINTS_PER_GROUP):
        group = points[start : start + POINTS_PER_GROUP]
        options = [option(_point_label(p, p.id in notes.moved_on), str(p.id)) for p in group]
        chosen = [o for o, p in zip(options, group, strict=True) if ticks.get(p.id)]
        element: dict[str, Any] = {"type": "checkboxes", "options": options}
        if chosen:
            element["initial_options"] = chosen
        label = _("Discussed") if start == 0 else _("Discussed (more)")
        block_id = f"{ids.NOTES_POINTS}:{start // POINTS_PER_GROUP}"
        blocks.append(input_block(block_id, label, element, optional=True))
    left = len(notes.points) - len(points)
    if left:
        more = ngettext(
            "_…and {count} more talking point: tick it on the agenda._",
            "_…and {count} more talking points: tick them on the agenda._",
            left,
        )
        blocks.append(context(more.format(count=left)))
    if not notes.points:
        blocks.append(context(_("No talking points were on the agenda.")))
    return blocks


def _point_label(point: ItemView, moved_on: bool) -> str:
    """The checkbox text: marks first, as Slack cuts options at 75 characters."""
    marks = "🔒 " if point.is_private else ""
    if moved_on:
        marks += _("→ moved to next 1:1 · ")
    elif point.carried_count:
        marks += f"↻{point.carried_count} "
    return marks + " ".join(point_plain(point).split())


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
        "max_length": ITEM_MAX,
        "placeholder": {"type": "plain_text", "text": _("What will be done?")},
    }
    if row.text:
        text["initial_value"] = row.text[:ITEM_MAX]
    people = [
        (notes.manager_id, names.get(notes.manager_id, notes.manager_id)),
        (notes.report_id, names.get(notes.report_id, notes.report_id)),
    ]
    owner = static_select(people, initial=row.owner_id or notes.viewer_id, placeholder=_("Who"))
    due: dict[str, Any] = {"type": "datepicker"}
    initial_due = row.due_date if row.key.startswith("i") else (row.due_date or default_due)
    if initial_due:
        due["initial_date"] = initial_due.isoformat()
    title = _("Action item {number} (done ✅)") if row.done else _("Action item {number}")
    remove = button(_("Remove"), ids.NOTES_REMOVE_ITEM, row.key)
    return [
        input_block(f"{ids.ITEM_TEXT}:{row.key}", title.format(number=number), text, optional=True),
        input_block(f"{ids.ITEM_OWNER}:{row.key}", _("Owner"), owner),
        input_block(f"{ids.ITEM_DUE}:{row.key}", _("Due"), due, optional=True),
        actions(remove, block_id=f"{ids.ITEM_ROW}:{row.key}"),
    ]
