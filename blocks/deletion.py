"""What people see of deletion: the confirmation of "delete my data" (counts, the export
first), a requested deletion of a 1:1's history and its objection, a person who left, and the
Home tab's privacy footer."""

from __future__ import annotations

from typing import Any

from blocks import ids
from blocks.format import slack_date
from blocks.i18n import N_, _, ngettext
from blocks.kit import Block, actions, button, context, message, section
from blocks.modals import modal
from store.views import HistoryDeletionView, PrivateCounts

PRIVACY_TEXT = N_("the *Privacy* section of oneonone's README")


def counts_text(counts: PrivateCounts) -> str:
    """ "N private talking points and M private notes, across K 1:1s", with the check-in
    answers when there are any."""
    points = ngettext(
        "{count} private talking point", "{count} private talking points", counts.points
    ).format(count=counts.points)
    notes = ngettext("{count} private note", "{count} private notes", counts.notes).format(
        count=counts.notes
    )
    pairs = ngettext("{count} 1:1", "{count} 1:1s", counts.pairs).format(count=counts.pairs)
    if counts.checkins:
        checkins = ngettext(
            "{count} check-in answer", "{count} check-in answers", counts.checkins
        ).format(count=counts.checkins)
        # TRANSLATORS: {points}: "3 private talking points", {notes}: "2 private notes",
        # {checkins}: "4 check-in answers", {pairs}: "2 1:1s".
        return _("{points}, {notes} and {checkins}, across {pairs}").format(
            points=points, notes=notes, checkins=checkins, pairs=pairs
        )
    # TRANSLATORS: {points}: "3 private talking points", {notes}: "2 private notes",
    # {pairs}: "2 1:1s".
    return _("{points} and {notes}, across {pairs}").format(points=points, notes=notes, pairs=pairs)


def export_button(label: str | None = None, pair_id: int | None = None) -> dict[str, Any]:
    """The export (the export's own flow): every 1:1 the clicker may see, or one."""
    text = label or _("Export my data first")
    return button(text, ids.EXPORT, "" if pair_id is None else str(pair_id))


def delete_my_data_modal(counts: PrivateCounts) -> dict[str, Any]:
    """Says exactly what will go, offers the export first, and deletes on submit."""
    if counts.empty:
        blocks = [
            section(
                _(
                    "You have no private talking points, private notes or check-in answers: "
                    "nothing to delete."
                )
            )
        ]
        return modal(ids.DELETE_MY_DATA_MODAL, _("Delete my data"), blocks, close=_("Close"))
    blocks = [
        section(
            _(
                "This deletes *{what}*, for good: from the database, from the messages I sent "
                "you that listed them, and the export files I sent you."
            ).format(what=counts_text(counts))
        ),
        section(_("Want a copy? Export first, download the files, then come back and delete.")),
        actions(export_button()),
        context(
            _(
                "Shared talking points, shared notes and action items stay: they belong to "
                "both people of a 1:1. Messages you wrote to me stay in Slack (only you can "
                "delete them)."
            )
        ),
    ]
    return modal(ids.DELETE_MY_DATA_MODAL, _("Delete my data"), blocks, submit=_("Delete"))


def private_deleted_message(counts: PrivateCounts) -> dict[str, Any]:
    """Confirms what was deleted."""
    text = _("🗑️ Deleted {what}.").format(what=counts_text(counts))
    return message(text, [section(text)])


def history_requested_message(request: HistoryDeletionView, reader_id: str) -> dict[str, Any]:
    """To both people: the 1:1 has ended and its history is to be deleted on a date; the
    other person may export it or object until then."""
    when = slack_date(request.due_at)
    if reader_id == request.requested_by:
        text = _(
            "🗑️ Your 1:1 with {person} has ended, and its history (agendas, notes, action "
            "items, summaries) will be deleted on {when}. I've told {person}: until then they "
            "can export it, or object — then it stays."
        ).format(person=f"<@{request.other_id}>", when=when)
        blocks = [section(text), actions(_object_button(request, _("Keep it after all")))]
        return message(text, blocks)
    text = _(
        "🗑️ {person} ended your 1:1 and asked to delete its history (agendas, notes — your "
        "private notes too —, action items, summaries) on {when}."
    ).format(person=f"<@{request.requested_by}>", when=when)
    blocks = [
        section(text),
        section(
            _(
                "Export it and download the files before then if you want a copy (the export "
                "files I sent are deleted with it); or object, and it stays."
            )
        ),
        actions(
            export_button(_("Export this 1:1"), request.pair_id),
            _object_button(request, _("Object")),
        ),
    ]
    return message(text, blocks)


def _object_button(request: HistoryDeletionView, label: str) -> dict[str, Any]:
    return button(label, ids.OBJECT_DELETION, str(request.pair_id))


def objected_message(request: HistoryDeletionView) -> dict[str, Any]:
    """To both: the deletion was cancelled, and by whom."""
    who = request.objected_by or request.other_id
    text = _("↩️ {person} objected: the history of the 1:1 of {first} and {second} stays.").format(
        person=f"<@{who}>", first=f"<@{request.requested_by}>", second=f"<@{request.other_id}>"
    )
    return message(text, [section(text)])


def person_left_notice(*, other_id: str) -> dict[str, Any]:
    """To the other person: someone left the workspace, so their 1:1 ended."""
    text = _(
        "👋 {person} has left the workspace, so your recurring 1:1 with them has ended. "
        "Its shared history stays with you; their private notes and points will be deleted."
    ).format(person=f"<@{other_id}>")
    return message(text, [section(text)])


def delete_history_button(pair_id: int, label: str | None = None) -> dict[str, Any]:
    """Ask to delete an ended 1:1's history (the other person is told first)."""
    text = label or _("Delete its history too")
    return button(text, ids.DELETE_HISTORY, str(pair_id), style="danger")


def privacy_footer(privacy_url: str | None) -> list[Block]:
    """The Home tab's footer: where to read who sees what, and "delete my data"."""
    if privacy_url:
        label = _("Privacy: who sees what")
        link = f"<{privacy_url}|{label}>"
        text = _("🔒 {link} · private points and notes are only ever shown to you.").format(
            link=link
        )
    else:
        text = _(
            "🔒 Who sees what: {where} · private points and notes are only ever shown to you."
        ).format(where=_(PRIVACY_TEXT))
    return [
        context(text),
        actions(button(_("Delete my private data"), ids.DELETE_MY_DATA)),
    ]
