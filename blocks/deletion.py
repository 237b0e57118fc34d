"""What people see of deletion: the confirmation of "delete my data" (counts, the export
first), a requested deletion of a 1:1's history and its objection, a person who left, and the
Home tab's privacy footer."""

from __future__ import annotations

from typing import Any

from blocks import ids
from blocks.format import slack_date
from blocks.kit import Block, actions, button, context, message, section
from blocks.modals import modal
from store.views import HistoryDeletionView, PrivateCounts

PRIVACY_TEXT = "the *Privacy* section of oneonone's README"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def counts_text(counts: PrivateCounts) -> str:
    """ "N private talking points and M private notes, across K 1:1s"."""
    points = _plural(counts.points, "private talking point")
    notes = _plural(counts.notes, "private note")
    return f"{points} and {notes}, across {_plural(counts.pairs, '1:1')}"


def export_button(
    label: str = "Export my data first", pair_id: int | None = None
) -> dict[str, Any]:
    """The export (the export's own flow): every 1:1 the clicker may see, or one."""
    return button(label, ids.EXPORT, "" if pair_id is None else str(pair_id))


def delete_my_data_modal(counts: PrivateCounts) -> dict[str, Any]:
    """Says exactly what will go, offers the export first, and deletes on submit."""
    if counts.empty:
        blocks = [
            section("You have no private talking points or private notes: nothing to delete.")
        ]
        return modal(ids.DELETE_MY_DATA_MODAL, "Delete my data", blocks, close="Close")
    blocks = [
        section(
            f"This deletes *{counts_text(counts)}*, for good: from the database, from "
            "the messages I sent you that listed them, and the export files I sent you."
        ),
        section("Want a copy? Export first, download the files, then come back and delete."),
        actions(export_button()),
        context(
            "Shared talking points, shared notes and action items stay: they belong to both "
            "people of a 1:1. Messages you wrote to me stay in Slack (only you can delete them)."
        ),
    ]
    return modal(ids.DELETE_MY_DATA_MODAL, "Delete my data", blocks, submit="Delete")


def private_deleted_message(counts: PrivateCounts) -> dict[str, Any]:
    """Confirms what was deleted."""
    text = f"🗑️ Deleted {counts_text(counts)}."
    return message(text, [section(text)])


def history_requested_message(request: HistoryDeletionView, reader_id: str) -> dict[str, Any]:
    """To both people: the 1:1 has ended and its history is to be deleted on a date; the
    other person may export it or object until then."""
    when = slack_date(request.due_at)
    if reader_id == request.requested_by:
        text = (
            f"🗑️ Your 1:1 with <@{request.other_id}> has ended, and its history (agendas, "
            f"notes, action items, summaries) will be deleted on {when}. I've told "
            f"<@{request.other_id}>: until then they can export it, or object — then it stays."
        )
        blocks = [section(text), actions(_object_button(request, "Keep it after all"))]
        return message(text, blocks)
    text = (
        f"🗑️ <@{request.requested_by}> ended your 1:1 and asked to delete its history "
        f"(agendas, notes — your private notes too —, action items, summaries) on {when}."
    )
    blocks = [
        section(text),
        section(
            "Export it and download the files before then if you want a copy (the export files "
            "I sent are deleted with it); or object, and it stays."
        ),
        actions(
            export_button("Export this 1:1", request.pair_id), _object_button(request, "Object")
        ),
    ]
    return message(text, blocks)


def _object_button(request: HistoryDeletionView, label: str) -> dict[str, Any]:
    return button(label, ids.OBJECT_DELETION, str(request.pair_id))


def objected_message(request: HistoryDeletionView) -> dict[str, Any]:
    """To both: the deletion was cancelled, and by whom."""
    who = request.objected_by or request.other_id
    people = f"<@{request.requested_by}> and <@{request.other_id}>"
    text = f"↩️ <@{who}> objected: the history of the 1:1 of {people} stays."
    return message(text, [section(text)])


def person_left_notice(*, other_id: str) -> dict[str, Any]:
    """To the other person: someone left the workspace, so their 1:1 ended."""
    text = (
        f"👋 <@{other_id}> has left the workspace, so your recurring 1:1 with them has ended. "
        "Its shared history stays with you; their private notes and points will be deleted."
    )
    return message(text, [section(text)])


def delete_history_button(pair_id: int, label: str = "Delete its history too") -> dict[str, Any]:
    """Ask to delete an ended 1:1's history (the other person is told first)."""
    return button(label, ids.DELETE_HISTORY, str(pair_id), style="danger")


def privacy_footer(privacy_url: str | None) -> list[Block]:
    """The Home tab's footer: where to read who sees what, and "delete my data"."""
    where = f"<{privacy_url}|Privacy: who sees what>" if privacy_url else PRIVACY_TEXT
    lead = "🔒 " if privacy_url else "🔒 Who sees what: "
    return [
        context(f"{lead}{where} · private points and notes are only ever shown to you."),
        actions(button("Delete my private data", ids.DELETE_MY_DATA)),
    ]
