"""Action items and huddles in messages: the open-items list, due-date reminders, huddle nudges.

Also how an action item reads on one line, which the summary shares.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from blocks import ids
from blocks.format import (
    NOTE_MAX,
    TEXT_BUDGET,
    clip,
    day_text,
    more_note,
    one_line,
    slack_date,
    text_size,
)
from blocks.i18n import N_, _, ngettext
from blocks.kit import Block, actions, button, context, message, section
from blocks.when import due_phrase
from store.views import ActionItemView, NotesSaved

LIST_ITEMS_MAX = 45  # items with a "Done" button in `/oneonone actions` (title + note: 47 blocks)
ITEM_MAX = 1_000  # an item's escaped text where it stands alone (items are ≤500 characters)
NO_TEXT = N_("(no description)")


# --- how an action item reads --------------------------------------------------------------


def due_text(due: date) -> str:
    """A due date as "Thu Dec 3"."""
    return day_text(due.isoformat())


def item_text(item: ActionItemView, limit: int = 0) -> str:
    """An item's text on one line, escaped; cut to `limit` (default: a list line's length)."""
    folded = " ".join(item.text.split())
    if not folded:
        return _(NO_TEXT)
    return clip(folded, limit) if limit else one_line(folded)


def item_line(item: ActionItemView) -> str:
    """An item on one line of a list: "• text — @owner, due Thu Dec 3", or "✅ ~text~ — @owner"."""
    text, owner = item_text(item), f"<@{item.owner_id}>"
    if item.done:
        return f"✅ ~{text}~ — {owner}"
    if item.due_date:
        due = due_text(item.due_date)
        return _("• {text} — {owner}, due {day}").format(text=text, owner=owner, day=due)
    return f"• {text} — {owner}"


# --- `/oneonone actions` -------------------------------------------------------------------


def actions_list_message(items: list[ActionItemView], *, today: date) -> dict[str, Any]:
    """The caller's open action items (oldest first), each with a "Done" button."""
    if not items:
        text = _("You have no open action items. 🎉")
        return message(text, [section(text)])
    title = _("*Your open action items*")
    blocks: list[Block] = [section(title)]
    left = TEXT_BUDGET - len(title) - NOTE_MAX
    for item in items[:LIST_ITEMS_MAX]:
        block = _open_item_section(item, today)
        if text_size(block) > left:
            break
        blocks.append(block)
        left -= text_size(block)
    shown = len(blocks) - 1
    blocks += more_note(len(items) - shown, "open action items")
    count = ngettext(
        "You have {count} open action item.", "You have {count} open action items.", len(items)
    )
    return message(count.format(count=len(items)), blocks)


def _open_item_section(item: ActionItemView, today: date) -> Block:
    """The item over "_with @other · due Thu Dec 3 · ⚠️ overdue_", and a "Done" button."""
    marks = [_("with {person}").format(person=f"<@{item.other_id}>")]
    if item.due_date:
        marks.append(_("due {day}").format(day=due_text(item.due_date)))
        if item.due_date < today:
            marks.append(_("⚠️ overdue"))
    text = f"{item_text(item, ITEM_MAX)}\n_{' · '.join(marks)}_"
    return section(text, accessory=button(_("Done"), ids.ITEM_DONE, str(item.id)))


# --- the reminder on the due date, and what replaces it after a click ----------------------


def reminder_message(item: ActionItemView, *, today: date | None = None) -> dict[str, Any]:
    """The DM to the owner on (or, moved to a working day, near) the due date: the item, when
    it is due as of `today` on their clock, whose 1:1 it is from, Done / Snooze."""
    due = due_phrase(item.due_date, today)
    text = f"⏰ *{due}:* {item_text(item, ITEM_MAX)}"
    blocks = [
        section(text),
        context(_("From your 1:1 with {person}").format(person=f"<@{item.other_id}>")),
        actions(
            button(_("Done"), ids.ITEM_DONE, str(item.id), style="primary"),
            button(_("Snooze a week"), ids.ITEM_SNOOZE, str(item.id)),
        ),
    ]
    return message(f"{due}: {item_text(item)}", blocks)


def item_done_message(item: ActionItemView, done_by: str) -> dict[str, Any]:
    """The item struck through, with who marked it done."""
    text = _("✅ Done: ~{text}~ — marked by {person}").format(
        text=item_text(item, ITEM_MAX), person=f"<@{done_by}>"
    )
    told = context(_("Your next agenda shows it under “Done since last time”, for you both."))
    fallback = _("Done: {text}").format(text=item_text(item))
    return message(fallback, [section(text), told])


def item_snoozed_message(item: ActionItemView) -> dict[str, Any]:
    """The item with its new due date (the caller passes the item after snoozing)."""
    if item.due_date:
        snoozed = _("Snoozed: {text} — now due {day}")
        day = due_text(item.due_date)
    else:
        snoozed, day = _("Snoozed: {text}"), ""
    text = "💤 " + snoozed.format(text=item_text(item, ITEM_MAX), day=day)
    return message(snoozed.format(text=item_text(item), day=day), [section(text)])


# --- huddles -------------------------------------------------------------------------------


def huddle_message(
    follow_up_id: int,
    manager_id: str,
    report_id: str,
    minutes: int,
    *,
    saved: NotesSaved | None = None,
) -> dict[str, Any]:
    """In the pair's group DM after they huddled: offer to take notes, or, when the meeting
    has notes already, say so and offer to view or add to them."""
    people = {"person": f"<@{manager_id}>", "other": f"<@{report_id}>", "length": _about(minutes)}
    dismiss = button(_("Dismiss"), ids.HUDDLE_DISMISS, str(follow_up_id))
    if saved is None:
        text = _(
            "🎧 {person} and {other}, you two just had a huddle ({length}). "
            "Capture notes and action items?"
        ).format(**people)
        take = button(_("Take notes"), ids.HUDDLE_NOTES, str(follow_up_id), style="primary")
        return message(text, [section(text), actions(take, dismiss)])
    head = _("🎧 {person} and {other}, you two just had a huddle ({length}).").format(**people)
    text = f"{head} {_saved_text(saved)}"
    meeting = str(saved.meeting_id)
    buttons = actions(
        button(_("View notes"), ids.SHOW_SUMMARY, meeting),
        button(_("Add to notes"), ids.TAKE_NOTES, meeting, style="primary"),
        dismiss,
    )
    return message(text, [section(text), buttons])


def _saved_text(saved: NotesSaved) -> str:
    when = slack_date(saved.starts_at, "{date_short}")
    if saved.unscheduled:
        return _("Notes for your huddle of {when} are already saved.").format(when=when)
    return _("Notes for your 1:1 of {when} are already saved.").format(when=when)


def huddle_dismissed_message(minutes: int, dismissed_by: str) -> dict[str, Any]:
    """The huddle message once dismissed: no buttons, and who dismissed it."""
    text = _("🎧 Huddle ({length}) — dismissed by {person}.").format(
        length=_about(minutes), person=f"<@{dismissed_by}>"
    )
    return message(text, [section(text)])


def _about(minutes: int) -> str:
    return _("≈{minutes} min").format(minutes=max(minutes, 1))
