"""The notes modal: open it for a meeting, grow or shrink its action item rows, save it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from blocks import ids
from blocks.i18n import _, reading
from blocks.notes import (
    ROWS_MAX,
    ItemRow,
    NotesMeta,
    Typed,
    notes_modal,
)
from blocks.rich_text import to_plain, users_in
from blocks.summary import not_met_message, summary_message
from handlers.context import Deps
from handlers.deliver import deliver
from handlers.payload import payload_date, payload_id, payload_ids
from handlers.people import display_name, look_up
from handlers.points import names_of
from store.access import NOT_ON_AGENDA, NotAllowed, find_pair_with
from store.actions import retime_reminders
from store.deliveries import posted_summary, request_summary
from store.models import id_of
from store.notes import notes_meeting, notes_view
from store.notes_save import ItemInput, NotesInput, SavedNotes
from store.people import meeting_locale
from store.summary import summary_for
from store.views import ITEM_FIELDS, ITEM_MAX, NotesView, fingerprint, item_prints

Values = dict[str, dict[str, Any]]


class RowError(Exception):
    """A submitted value to show next to one input block of the modal."""

    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id = block_id


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
            meeting_id = id_of(notes_meeting(session, deps.actor, id_of(pair), now=deps.now()))
        notes = notes_view(session, deps.actor, meeting_id)
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
    return {p: display_name(deps, p) for p in (notes.manager_id, notes.report_id)}


def opened(view: dict[str, Any]) -> NotesMeta:
    """The modal's private_metadata (re-checked in the store); malformed is a forgery."""
    try:
        meta = NotesMeta.from_json(view.get("private_metadata") or "")
    except (ValueError, KeyError, TypeError) as error:
        raise NotAllowed() from error
    payload_id(meta.meeting_id)
    payload_ids([*meta.points, *meta.ticked, *meta.removed])
    payload_ids(key[1:] for key in meta.rows)
    return meta


def change_rows(deps: Deps, view: dict[str, Any], *, remove: str | None = None) -> None:
    """Add a row ("Add another action item") or drop one ("Remove"), keeping what was typed."""
    meta = opened(view)
    values: Values = (view.get("state") or {}).get("values") or {}
    with deps.db() as session:
        notes = notes_view(session, deps.actor, meta.meeting_id)
    saved = {f"i{i.id}": i for i in notes.action_items}
    rows = [_typed_row(key, values, saved, notes.viewer_id) for key in meta.rows if key != remove]
    if remove is None and len(rows) < ROWS_MAX:
        used = [payload_id(key[1:]) for key in meta.rows if key.startswith("n")]
        rows.append(_new_row(notes, max(used, default=0) + 1))
    typed = Typed(
        discussed=_ticked(values),
        shared=_value(values, ids.NOTES_SHARED).get("rich_text_value"),
        private=_value(values, ids.NOTES_PRIVATE).get("rich_text_value"),
    )
    body = notes_modal(notes, rows, _names(deps, notes), before=meta, typed=typed)
    deps.client.views_update(view_id=view["id"], hash=view.get("hash"), view=body)


def _typed_row(key: str, values: Values, saved: dict[str, Any], default_owner: str) -> ItemRow:
    item = saved.get(key)
    owner = (_value(values, f"{ids.ITEM_OWNER}:{key}").get("selected_option") or {}).get("value")
    due = _value(values, f"{ids.ITEM_DUE}:{key}").get("selected_date")
    return ItemRow(
        key=key,
        text=_value(values, f"{ids.ITEM_TEXT}:{key}").get("value") or "",
        owner_id=owner or (item.owner_id if item else default_owner),
        due_date=_due(due),
        done=bool(item and item.done),
    )


def _due(picked: object) -> date | None:
    """A due date as picked; one that does not exist (a forged "2027-02-30") is none."""
    try:
        return payload_date(picked)
    except ValueError:
        return None


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
        return payload_id(value)
    except NotAllowed as error:
        raise NotAllowed(NOT_ON_AGENDA) from error


def mentioned_names(deps: Deps, values: Values) -> dict[str, str]:
    """How Slack shows the people mentioned in the two notes fields (call it with no
    transaction open: someone the bot doesn't know is looked up)."""
    mentioned = [
        *users_in(_value(values, ids.NOTES_SHARED).get("rich_text_value")),
        *users_in(_value(values, ids.NOTES_PRIVATE).get("rich_text_value")),
    ]
    return names_of(deps, list(dict.fromkeys(mentioned)))


def submitted(
    view: dict[str, Any], values: Values, names: Mapping[str, str]
) -> tuple[int, NotesInput]:
    """The meeting and the modal's values as a save request, each person mentioned in the
    notes by their name (`names`, from mentioned_names); a too-long item is refused next to
    its field."""
    meta = opened(view)
    items = []
    for key in meta.rows:
        row = _typed_row(key, values, {}, "")
        if len(row.text.strip()) > ITEM_MAX:
            raise RowError(
                f"{ids.ITEM_TEXT}:{key}",
                _("Keep an action item under {limit} characters.").format(limit=ITEM_MAX),
            )
        shown = _shown_prints(meta.saved.get(key))
        changed = _changed_fields(shown, row)
        if not changed:
            continue  # untouched: keep what the other person may have saved meanwhile
        items.append(
            ItemInput(
                id=payload_id(key[1:]) if key.startswith("i") else None,
                text=row.text,
                owner_id=row.owner_id,
                due_date=row.due_date,
                key=key,
                changed=changed,
                shown=shown,
            )
        )
    shared = to_plain(_value(values, ids.NOTES_SHARED).get("rich_text_value"), names)
    return meta.meeting_id, NotesInput(
        form=str(view.get("id") or ""),
        shown_points=frozenset(meta.points),
        ticked_before=frozenset(meta.ticked),
        discussed=_ticked(values),
        shared_notes=None if fingerprint(shared) == meta.shared_hash else shared,
        private_notes=to_plain(_value(values, ids.NOTES_PRIVATE).get("rich_text_value"), names),
        base_version=meta.version,
        items=items,
        removed_items=frozenset(meta.removed),
    )


def _shown_prints(saved: str | None) -> tuple[str, ...] | None:
    """The per-field hashes a saved row was shown with (None: a new row, or an old form)."""
    parts = tuple((saved or "").split("."))
    return parts if len(parts) == len(ITEM_FIELDS) else None


def _changed_fields(shown: tuple[str, ...] | None, row: ItemRow) -> frozenset[str]:
    """The fields of a row the person changed (all of them for a new row with text)."""
    if shown is None:
        return (
            frozenset(ITEM_FIELDS) if row.text.strip() or row.key.startswith("i") else frozenset()
        )
    now = item_prints(row.text, row.owner_id, row.due_date)
    return frozenset(
        name for name, was, is_ in zip(ITEM_FIELDS, shown, now, strict=True) if was != is_
    )


def after_save(deps: Deps, saved: SavedNotes) -> None:
    """After the ack: re-time new reminders to each owner's Slack time zone, post the
    summary (or update it in place) and show the ticks on the posted agendas."""
    people = (saved.pair.manager_id, saved.pair.report_id)
    known = {p: person.tz for p in people if (person := look_up(deps, p)) is not None}
    meeting_id = saved.meeting.id or 0
    if not saved.shared_changed:  # only private notes or points: nothing the other sees moves
        deps.refresh_homes(saved.pair, only=deps.actor.user_id)
        return
    with deps.db() as session:
        retime_reminders(session, saved.reminded_items, known, now=deps.now())
        work_id = request_summary(session, meeting_id, now=deps.now())
    if work_id is not None:  # someone else posting it right now catches up with this save
        deliver(deps.db, deps.clients, work_id, now=deps.now(), interactive=True)
    else:
        update_summary(deps, meeting_id)
    deps.refresh_agenda(meeting_id, *sorted(saved.moved_points_of))
    deps.refresh_homes(saved.pair)


def update_summary(deps: Deps, meeting_id: int) -> None:
    """Bring a posted summary up to date (notes, action items)."""
    with deps.db.read() as session:
        posted = posted_summary(session, meeting_id)
        locale = meeting_locale(session, meeting_id)  # the group DM's language
    if posted is not None:
        channel, ts, summary = posted
        with reading(locale):
            body = summary_message(summary)
        deps.client.chat_update(channel=channel, ts=ts, **body)


def not_met(deps: Deps, meeting_id: int) -> dict[str, Any]:
    """ "We didn't meet", on the question a summary with nothing in it asks: the message
    says so (for either of the two; nothing is stored: the meeting is not held anyway)."""
    with deps.db.read() as session:
        summary = summary_for(session, deps.actor, meeting_id, now=deps.now())
        locale = meeting_locale(session, meeting_id)  # it replaces a group DM message
    with reading(locale):
        body = not_met_message(summary, deps.actor.user_id)
    return {"replace_original": True, **body}
