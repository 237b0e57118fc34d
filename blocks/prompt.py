"""What each person gets in their DM: the series intro, and the prompt before each 1:1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from blocks import ids
from blocks.agenda import suggestion_section
from blocks.checkin import prompt_health_blocks
from blocks.follow_ups import ITEM_MAX, item_text
from blocks.format import (
    LIST_SECTIONS_MAX,
    TEXT_BUDGET,
    follow_up_line,
    list_sections,
    more_note,
    point_line,
    slack_date,
    text_size,
)
from blocks.i18n import _
from blocks.kit import Block, actions, button, context, divider, message, section
from blocks.when import dst_heads_up, due_phrase, recurring_time
from store.health_views import PromptHealth
from store.questions import Question
from store.views import ActionItemView, AgendaView, ItemView, PromptPost, SeriesTime, may_see

# The prompt's agenda is a preview: a few sections at most, the rest counted.
PREVIEW_MAX_CHARS = TEXT_BUDGET // 2
DROP_MAX = 10  # the viewer's carried-over points shown with a "Remove" button
DROP_MAX_CHARS = 2_000
REMINDERS_MAX = 5  # items due with the prompt, each with "Done" (more stay in the list)


def prompt_message(
    *,
    agenda: AgendaView,
    viewer_id: str,
    suggestion: Question | None,
    series: SeriesTime | None = None,
    zone: str | None = None,
    moved_from: datetime | None = None,
    reminders: tuple[ActionItemView, ...] = (),
    today: date | None = None,
    health: PromptHealth | None = None,
) -> dict[str, Any]:
    """The DM before a 1:1: when it is (and the series' time on the viewer's clock, `zone`,
    with a note when daylight saving time moved it from `moved_from`), the viewer's items
    whose reminders fell due with it (`reminders`, each with "Done"), the agenda so far, a
    suggested question, add buttons; with `health`, the check-in and the nudges first."""
    other = agenda.report_id if viewer_id == agenda.manager_id else agenda.manager_id
    when = slack_date(agenda.starts_at)
    ask = _("Your 1:1 with {person} is {when} — what do you want to talk about?").format(
        person=f"<@{other}>", when=when
    )
    head = f"👋 {ask}"
    if series is not None:
        head += "\n" + _("Your 1:1s: {when}.").format(when=recurring_time(series, zone))
    blocks = [section(head)]
    if series is not None and zone is not None and moved_from is not None:
        blocks.append(section(dst_heads_up(series, moved_from, zone)))
    blocks += [divider(), *_health(health, agenda, viewer_id), *_due_sections(reminders, today)]
    blocks += _agenda_so_far(agenda, viewer_id, shown={r.id for r in reminders}, health=health)
    if suggestion is not None:
        blocks.append(suggestion_section(agenda.pair_id, suggestion))
    blocks.append(actions(_add_button(agenda.pair_id)))
    blocks.append(context(_("Reply in this thread to add a talking point.")))
    return message(ask, blocks)


def _health(health: PromptHealth | None, agenda: AgendaView, viewer_id: str) -> list[Block]:
    if health is None:
        return []
    is_manager = viewer_id == agenda.manager_id
    other = agenda.report_id if is_manager else agenda.manager_id
    blocks = prompt_health_blocks(health, viewer_is_manager=is_manager, other_id=other)
    return [*blocks, divider()] if blocks else []


def _due_sections(reminders: tuple[ActionItemView, ...], today: date | None) -> list[Block]:
    """The items whose reminders this message carries: when each is due, and "Done"."""
    return [
        section(
            f"⏰ *{due_phrase(item.due_date, today)}:* {item_text(item, ITEM_MAX)}",
            accessory=button(_("Done"), ids.ITEM_DONE, str(item.id), style="primary"),
        )
        for item in reminders[:REMINDERS_MAX]
    ]


def _agenda_so_far(
    agenda: AgendaView, viewer_id: str, *, shown: set[int], health: PromptHealth | None = None
) -> list[Block]:
    """Open action items (but those `shown` above), then the talking points this person may
    see, as short lists. The viewer's own carried-over points come first, each with a "Remove"
    button; those asked about above ("Keep it" or "Drop it") are not listed again."""
    points = [i for i in [*agenda.carried, *agenda.new] if _mine_or_shared(i, viewer_id)]
    asked = {p.id for p in health.stuck} if health else set()
    droppable = _drop_sections(
        [i for i in agenda.carried if i.author_id == viewer_id and i.id not in asked]
    )
    rest = [point_line(p) for p in points if p.id not in droppable and p.id not in asked]
    follow_ups = [follow_up_line(f) for f in agenda.follow_ups if f.id not in shown]
    blocks, hidden = _preview_list(_("*Open action items*"), follow_ups)
    title = _("*Talking points so far*")
    if droppable:
        blocks += [section(title), *droppable.values()]
        title = ""
    elif not points:
        blocks.append(section(_("*Talking points so far*\nNothing yet — be the first to add one.")))
    listed, rest_hidden = _preview_list(title, rest)
    return blocks + listed + more_note(hidden + rest_hidden, "items")


def _preview_list(title: str, lines: list[str]) -> tuple[list[Block], int]:
    """A short list for the preview; returns its blocks and how many lines it left out."""
    if not lines:
        return [], 0
    blocks, shown = list_sections(
        lines, title=title, max_sections=LIST_SECTIONS_MAX, max_chars=PREVIEW_MAX_CHARS // 2
    )
    return blocks, len(lines) - shown


def _drop_sections(mine: list[ItemView]) -> dict[int, Block]:
    """The viewer's carried-over points (a few at most), by id, each with a "Remove" button."""
    blocks: dict[int, Block] = {}
    left = DROP_MAX_CHARS
    for item in mine[:DROP_MAX]:
        remove = button(_("Remove"), ids.DROP_POINT, str(item.id))
        block = section(point_line(item), accessory=remove)
        if text_size(block) > left:
            break
        blocks[item.id] = block
        left -= text_size(block)
    return blocks


def _mine_or_shared(item: ItemView, viewer_id: str) -> bool:
    return may_see(viewer_id, item.author_id, item.is_private)


def _add_button(pair_id: int) -> dict[str, Any]:
    return button(_("Add a talking point"), ids.ADD_POINT, str(pair_id), style="primary")


def intro_message(
    *,
    manager_id: str,
    pair_id: int,
    series: SeriesTime,
    zone: str | None,
    starts_at: datetime,
    duration_minutes: int,
    prompt: PromptPost | None = None,
) -> dict[str, Any]:
    """The DM to the report introducing a series: who, when on their own clock (`zone`), how
    long, and the first one. With `prompt` (the first one is so soon that its prompt falls due
    now), it also asks what they want to talk about, as that prompt would, in one message."""
    when = recurring_time(series, zone)
    manager = f"<@{manager_id}>"
    blocks = [
        section(
            _(
                "👋 *{person} set up a recurring 1:1 with you:* {when}, {minutes} minutes.\n"
                "The first one is *{first}*."
            ).format(
                person=manager, when=when, minutes=duration_minutes, first=slack_date(starts_at)
            )
        ),
        section(
            _(
                "Before each 1:1 I'll ask you both what you'd like to talk about, and post the "
                "agenda in your group DM. Open action items come first; talking points you "
                "don't get to carry over. A talking point can be private: only you see it."
            )
        ),
    ]
    if prompt is not None:
        blocks += _first_prompt(prompt)
    blocks += [
        actions(_add_button(pair_id), button(_("Decline"), ids.END, str(pair_id))),
        context(
            _(
                "Write to me here any time to add a talking point. Not for you? Decline it, "
                "and {person} is told."
            ).format(person=manager)
        ),
    ]
    fallback = _("{person} set up a recurring 1:1 with you: {when}.")
    return message(fallback.format(person=manager, when=when), blocks)


def _first_prompt(prompt: PromptPost) -> list[Block]:
    """The first prompt inside the welcome: the question, the agenda so far, a suggestion."""
    blocks = [
        divider(),
        *_health(prompt.health, prompt.agenda, prompt.viewer_id),
        section(_("*What do you want to talk about in the first one?*")),
        *_due_sections(prompt.reminders, prompt.today),
        *_agenda_so_far(
            prompt.agenda,
            prompt.viewer_id,
            shown={r.id for r in prompt.reminders},
            health=prompt.health,
        ),
    ]
    if prompt.suggestion is not None:
        blocks.append(suggestion_section(prompt.agenda.pair_id, prompt.suggestion))
    return blocks
