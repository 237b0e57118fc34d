"""The signals of healthy 1:1s on every surface: the check-in ("How are you doing this
week?") in the prompt, its answers on the agenda and in the notes form, who fills the agenda,
and the question about a point carried over three times."""

from __future__ import annotations

from typing import Any

from blocks.format import clip
from blocks.i18n import _, ngettext
from blocks.kit import Block, actions, button, context, section
from blocks.modals import input_block, modal
from store.health_views import (
    MOOD_MAX,
    MOOD_MIN,
    AgendaShare,
    CheckInView,
    MeetingCheckIns,
    PromptHealth,
    StuckPoint,
)

# action_ids (with blocks/ids.py's): the five moods are "checkin_1" … "checkin_5" (value:
# meeting id) — one action_id per button, as Slack wants them unique within a block.
CHECKIN_PREFIX = "checkin_"
CHECKIN_NOTE = "checkin_note"  # value: meeting id -> the modal for the optional line
KEEP_POINT = "keep_point"  # value: talking point id (its author keeps it on the agenda)
DROP_STUCK = "drop_stuck_point"  # value: talking point id (its author drops it)
CHECKIN_MODAL = "checkin_modal"  # private_metadata: meeting id
CHECKIN_TEXT = "checkin_text"  # its input block

MOODS = {1: "😣", 2: "😕", 3: "😐", 4: "🙂", 5: "😄"}
HISTORY_SHOWN = 3  # "last weeks: 😐 🙂 🙂"
LINE_SHOWN = 300
POINT_SHOWN = 300


def checkin_action(mood: int) -> str:
    """The action_id of one mood's button."""
    return f"{CHECKIN_PREFIX}{mood}"


def mood_of(action_id: str) -> int:
    """The mood a button's action_id names; ValueError for anything else."""
    mood = int(action_id.removeprefix(CHECKIN_PREFIX))
    if not MOOD_MIN <= mood <= MOOD_MAX:
        raise ValueError(action_id)
    return mood


# --- the prompt ------------------------------------------------------------------------------


def prompt_health_blocks(
    health: PromptHealth, *, viewer_is_manager: bool, other_id: str
) -> list[Block]:
    """What a prompt shows first: the low check-in nudge (to the manager), the check-in
    question (saying that `other_id` sees the answer too), the nudge about who fills the
    agenda, points carried over three times."""
    blocks: list[Block] = []
    if health.report_low is not None:
        blocks.append(section(low_line(health.report_low.user_id)))
    if health.ask_checkin:
        blocks += checkin_question(health.meeting_id, health.mine, other_id=other_id)
    blocks += share_nudge(health.share, viewer_is_manager=viewer_is_manager)
    for point in health.stuck:
        blocks += stuck_blocks(point)
    return blocks


def checkin_question(meeting_id: int, mine: CheckInView | None, *, other_id: str) -> list[Block]:
    """ "How are you doing this week?" with five buttons (the chosen one marked) and, once
    answered, a button for an optional line; then who else sees the answer."""
    value = str(meeting_id)
    moods = [
        button(
            emoji,
            checkin_action(mood),
            value,
            style="primary" if mine and mine.mood == mood else None,
        )
        for mood, emoji in MOODS.items()
    ]
    text = _("*How are you doing this week?*")
    if mine is not None:
        text += "\n" + _("You said {mood} — tap another to change it.").format(
            mood=MOODS[mine.mood]
        )
        if mine.text:
            text += "\n> " + clip(mine.text, LINE_SHOWN)
        label = _("Edit your line") if mine.text else _("Add a line")
        moods.append(button(label, CHECKIN_NOTE, value))
    seen_by = _("Only you and <@{other}> see it, at the top of the agenda.").format(other=other_id)
    return [section(text), actions(*moods), context(seen_by)]


def share_nudge(share: AgendaShare | None, *, viewer_is_manager: bool) -> list[Block]:
    """When the manager wrote more than half of the last meetings' points: the report is
    encouraged to lead, the manager to leave room."""
    if share is None or not share.manager_leads:
        return []
    if viewer_is_manager:
        text = _(
            "You wrote most of the talking points lately — maybe leave room for <@{report}> "
            "to bring theirs first."
        ).format(report=share.report_id)
    else:
        text = _(
            "<@{manager}> wrote most of the last talking points — this is your meeting, "
            "bring yours first."
        ).format(manager=share.manager_id)
    return [section(f"💬 {text}")]


def stuck_blocks(point: StuckPoint) -> list[Block]:
    """A point of the reader's carried over three times: discuss it this week, or drop it?"""
    text = ngettext(
        "🔁 *{point}* has been carried over {count} time — discuss it this week, or drop it?",
        "🔁 *{point}* has been carried over {count} times — discuss it this week, or drop it?",
        point.carried_count,
    ).format(point=clip(" ".join(point.text.split()), POINT_SHOWN), count=point.carried_count)
    value = str(point.id)
    return [
        section(text),
        actions(
            button(_("Keep it"), KEEP_POINT, value, style="primary"),
            button(_("Drop it"), DROP_STUCK, value),
        ),
    ]


def low_line(report_id: str) -> str:
    """The gentle line for the manager when the report's check-in dropped."""
    return "💛 " + _("<@{person}>'s check-in is lower than usual — maybe start there.").format(
        person=report_id
    )


# --- the agenda and the notes form -----------------------------------------------------------


def checkin_line(answer: CheckInView) -> str:
    """ "<@R> · Check-in: 🙂 · last weeks: 😐 🙂 🙂", and their line quoted."""
    line = _("<@{person}> · Check-in: {mood}").format(
        person=answer.user_id, mood=MOODS[answer.mood]
    )
    shown = answer.earlier[-HISTORY_SHOWN:]
    if shown:
        line += " · " + _("last weeks: {moods}").format(moods=" ".join(MOODS[m] for m in shown))
    if answer.text:
        line += "\n> " + clip(answer.text, LINE_SHOWN)
    return line


def checkin_blocks(checkins: MeetingCheckIns | None) -> list[Block]:
    """The top of the agenda: each answer. (The gentle line when the report's dropped is the
    manager's alone, in their prompt: the report reads the agenda too.)"""
    if checkins is None or not checkins.answers:
        return []
    return [section("\n".join(checkin_line(a) for a in checkins.answers))]


def checkin_context(checkins: MeetingCheckIns | None) -> list[Block]:
    """The check-ins in the notes form: one context line (no line of text: it is short)."""
    if checkins is None or not checkins.answers:
        return []
    lines = [checkin_line(a).split("\n")[0] for a in checkins.answers]
    return [context(" · ".join(lines) if len(lines) == 1 else "\n".join(lines))]


def share_line(share: AgendaShare | None, viewer_id: str) -> str | None:
    """ "<@R> wrote 3 of the last 20 points" (shared points of the last 8 meetings); to the
    report themselves, "You wrote 3 of the last 20 points"."""
    if share is None or not share.total:
        return None
    if viewer_id == share.report_id:
        return ngettext(
            "You wrote {mine} of the last {total} talking point",
            "You wrote {mine} of the last {total} talking points",
            share.total,
        ).format(mine=share.by_report, total=share.total)
    return ngettext(
        "<@{report}> wrote {mine} of the last {total} talking point",
        "<@{report}> wrote {mine} of the last {total} talking points",
        share.total,
    ).format(report=share.report_id, mine=share.by_report, total=share.total)


# --- the modal for the optional line ---------------------------------------------------------


def checkin_modal(meeting_id: int, text: str) -> dict[str, Any]:
    """A one-line form: anything to add to this week's check-in (optional)."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "max_length": LINE_SHOWN,
        "placeholder": {"type": "plain_text", "text": _("A few words, if you like")},
    }
    if text:
        element["initial_value"] = text
    field = input_block(
        CHECKIN_TEXT,
        _("Anything to add?"),
        element,
        optional=True,
        hint=_("Both of you see it at the top of the agenda."),
    )
    return modal(
        CHECKIN_MODAL,
        _("Check-in"),
        [field],
        submit=_("Save"),
        private_metadata=str(meeting_id),
    )
