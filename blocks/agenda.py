"""The agenda of a 1:1: posted in the pair's group DM, and shown to one person on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blocks import ids
from blocks.checkin import checkin_blocks
from blocks.format import (
    LIST_SECTIONS_MAX,
    NOTE_MAX,
    TEXT_BUDGET,
    done_line,
    follow_up_line,
    list_sections,
    more_note,
    point_line,
    point_text,
    slack_date,
    text_size,
)
from blocks.i18n import N_, _, ngettext
from blocks.kit import (
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    Block,
    actions,
    button,
    divider,
    header,
    message,
    plain,
    section,
)
from blocks.text import escape
from blocks.when import for_day
from store.health_views import STUCK_CARRIES, MeetingCheckIns
from store.questions import Question
from store.views import (
    HELD,
    SHARED,
    AgendaView,
    FollowUpView,
    ItemView,
    StandingView,
    may_see,
)

POINT_MAX = 2_800  # a talking point in its own section (room left for its byline)
FOLLOW_UPS_MAX_CHARS = 3_000
DONE_MAX_CHARS = 1_500  # the "Done since last time" list
FOLLOW_UP_BUTTONS_MAX = 10  # open action items shown with a "Done" button; the rest are listed
SKIPPED = frozenset({"skipped", "cancelled"})
STANDING_SHOWN_MAX = 10  # a series has at most 10 (store.standing)


# --- the agenda ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Talking points under one heading ("Carried over", "New from @X")."""

    title: str
    items: list[ItemView]
    bylines: bool  # whether each point names its author


def agenda_message(
    agenda: AgendaView,
    *,
    suggestion: Question | None = None,
    checkins: MeetingCheckIns | None = None,
) -> dict[str, Any]:
    """The agenda posted in the pair's group DM: shared items only, each with a tick box;
    the two people's check-ins at the top."""
    if agenda.status in SKIPPED:
        return _skipped_message(agenda)
    if agenda.outcome is not None:
        return _over_message(agenda)
    groups = _groups(
        agenda,
        [i for i in agenda.carried if may_see(SHARED, i.author_id, i.is_private)],
        [i for i in agenda.new if may_see(SHARED, i.author_id, i.is_private)],
    )
    head = [*_head(agenda), *checkin_blocks(checkins)]
    follow = [*_follow_up_blocks(agenda.follow_ups, agenda.done_since), *_standing(agenda)]
    tail = [_buttons(agenda)]
    room = MESSAGE_BLOCKS_MAX - len(head) - len(follow) - len(tail)
    chars = TEXT_BUDGET - text_size([*head, *follow, *tail])
    if not groups:
        body = _nudge(agenda, suggestion, empty=not (agenda.follow_ups or agenda.standing))
    else:
        body = _tick_blocks(groups, agenda.meeting_id, room=room, chars=chars)
    return message(_fallback(agenda), [*head, *follow, *body, *tail])


def agenda_ephemeral(agenda: AgendaView, viewer_id: str) -> dict[str, Any]:
    """The agenda for one person (`/oneonone agenda`): shared items plus their private ones."""
    carried = [i for i in agenda.carried if _visible(i, viewer_id)]
    new = [i for i in agenda.new if _visible(i, viewer_id)]
    head = _head(agenda)
    follow = _follow_up_blocks(agenda.follow_ups, agenda.done_since)
    if agenda.status not in SKIPPED:
        follow += _standing_list(agenda)
    tail = [] if agenda.status in SKIPPED else [_buttons(agenda)]
    chars = TEXT_BUDGET - text_size([*head, *follow, *tail])
    groups = _groups(agenda, carried, new)
    if agenda.status in SKIPPED:
        body = [section(_skipped_text(agenda))]
    elif groups:
        body = _list_blocks(groups, chars=chars)
    else:
        body = [section(_("No talking points yet."))]
    return message(_fallback(agenda), [*head, *follow, *body, *tail])


def _visible(item: ItemView, viewer_id: str) -> bool:
    return may_see(viewer_id, item.author_id, item.is_private)


def _fallback(agenda: AgendaView) -> str:
    when = slack_date(agenda.starts_at)
    people = f"<@{agenda.manager_id}> & <@{agenda.report_id}>"
    return _("1:1 agenda: {people}, {when}").format(people=people, when=when)


def _head(agenda: AgendaView) -> list[Block]:
    when = slack_date(agenda.starts_at)
    people = f"<@{agenda.manager_id}> & <@{agenda.report_id}>"
    return [
        header(_("🗓️ 1:1 agenda")),
        section(
            _("{people}  ·  {when}  ·  {minutes} min").format(
                people=people, when=when, minutes=agenda.duration_minutes
            )
        ),
    ]


def _follow_up_blocks(follow_ups: list[FollowUpView], done: list[FollowUpView]) -> list[Block]:
    """Open action items, always present: a "Done" button on the first few, then a list;
    then what was done since the last 1:1, so that the other person sees it too."""
    title = _("*Open action items*")
    if not follow_ups:
        return [
            divider(),
            section(_("*Open action items*\nNo open action items.")),
            *_done_blocks(done),
            divider(),
        ]
    blocks = [section(title)]
    left = FOLLOW_UPS_MAX_CHARS - len(title) - NOTE_MAX
    for item in follow_ups[:FOLLOW_UP_BUTTONS_MAX]:
        block = _done_section(item)
        if text_size(block) > left:
            break
        blocks.append(block)
        left -= text_size(block)
    lines = [follow_up_line(item) for item in follow_ups[len(blocks) - 1 :]]
    listed, shown = list_sections(lines, max_sections=1, max_chars=left)
    return [
        divider(),
        *blocks,
        *listed,
        *more_note(len(lines) - shown, "open action items"),
        *_done_blocks(done),
        divider(),
    ]


def _done_blocks(done: list[FollowUpView]) -> list[Block]:
    """ "Done since last time": one list section, folded with "…and N more"."""
    if not done:
        return []
    lines = [done_line(item) for item in done]
    title = _("*Done since last time*")
    listed, shown = list_sections(
        lines, title=title, max_sections=1, max_chars=DONE_MAX_CHARS - NOTE_MAX
    )
    return [*listed, *more_note(len(lines) - shown, "done action items")]


def _done_section(item: FollowUpView) -> Block:
    """An open action item on one line, with its "Done" button."""
    return section(follow_up_line(item), accessory=button(_("Done"), ids.ITEM_DONE, str(item.id)))


def _standing(agenda: AgendaView) -> list[Block]:
    """The standing items of this 1:1, each with its own "Discussed" box (this meeting's)."""
    if not agenda.standing:
        return []
    blocks = [section(_("*Standing items*"))]
    for item in agenda.standing[:STANDING_SHOWN_MAX]:
        value = f"{agenda.meeting_id}:{item.id}"
        option = {"text": plain(_("Discussed")), "value": value}
        box: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": ids.STANDING_TICK,
            "options": [option],
        }
        if item.ticked:
            box["initial_options"] = [option]
        text = f"📌 {_standing_text(item)}"
        blocks.append(section(text, accessory=box, block_id=f"{ids.STANDING_TICK}:{value}"))
    return [*blocks, divider()]


def _standing_list(agenda: AgendaView) -> list[Block]:
    """The standing items for one person's look at the agenda: a list, ticks shown."""
    if not agenda.standing:
        return []
    lines = [
        f"{'☑' if item.ticked else '📌'} {_standing_text(item)}"
        for item in agenda.standing[:STANDING_SHOWN_MAX]
    ]
    return [section(_("*Standing items*") + "\n" + "\n".join(lines)), divider()]


def _standing_text(item: StandingView) -> str:
    """ "Career — monthly": the text, and how often unless it is every 1:1."""
    how = {
        "every_2nd": _("every 2nd 1:1"),
        "monthly": _("monthly"),
    }.get(item.cadence)
    text = escape(item.text)
    return _("{item} — _{how}_").format(item=text, how=how) if how else text


def _groups(agenda: AgendaView, carried: list[ItemView], new: list[ItemView]) -> list[Group]:
    """Carried-over points, then new ones by author (manager, report, anyone else): ≤4 groups."""
    pair = (agenda.manager_id, agenda.report_id)
    groups = [Group(_("*Carried over*"), carried, True)] if carried else []
    for author in pair:
        items = [i for i in new if i.author_id == author]
        if items:
            title = _("*New from {person}*").format(person=f"<@{author}>")
            groups.append(Group(title, items, False))
    others = [i for i in new if i.author_id not in pair]
    if others:
        groups.append(Group(_("*New*"), others, True))
    return groups


def _tick_blocks(groups: list[Group], meeting_id: int, *, room: int, chars: int) -> list[Block]:
    """A section with a tick box per point; when not all fit, each group folds its rest."""
    sections = [[_tick_section(i, meeting_id, byline=g.bylines) for i in g.items] for g in groups]
    full = [
        b for g, ticks in zip(groups, sections, strict=True) for b in [section(g.title), *ticks]
    ]
    if len(full) <= room and text_size(full) <= chars:
        return full
    # Each group keeps its heading, a folded list section and its "…and N more" note.
    fold_chars = min(chars // 3, 2 * SECTION_TEXT_MAX)
    notes = sum(len(g.title) + NOTE_MAX for g in groups)
    quotas = _fair_quotas(sections, room=room - 3 * len(groups), chars=chars - fold_chars - notes)
    kept = [[section(g.title), *t[:q]] for g, t, q in zip(groups, sections, quotas, strict=True)]
    left = chars - text_size(kept) - NOTE_MAX * len(groups)  # what the folded lists may use
    blocks: list[Block] = []
    for index, (group, quota) in enumerate(zip(groups, quotas, strict=True)):
        share = min(left // (len(groups) - index), SECTION_TEXT_MAX)
        folded = _folded(group, quota, max_chars=share)
        left -= text_size(folded[:1])
        blocks += kept[index] + folded
    return blocks


def _fair_quotas(sections: list[list[Block]], *, room: int, chars: int) -> list[int]:
    """How many leading points of each group get a tick box: one group at a time, in turn."""
    quotas = [0] * len(sections)
    stopped = [not ticks for ticks in sections]
    used_blocks = used_chars = 0
    while not all(stopped):
        for index, ticks in enumerate(sections):
            if stopped[index]:
                continue
            size = text_size(ticks[quotas[index]])
            if used_blocks + 1 > room or used_chars + size > chars:
                stopped[index] = True  # later points of the group fold, to keep its order
                continue
            quotas[index] += 1
            used_blocks, used_chars = used_blocks + 1, used_chars + size
            stopped[index] = quotas[index] == len(ticks)
    return quotas


def _folded(group: Group, quota: int, *, max_chars: int) -> list[Block]:
    """A group's points past its quota: compact lines without tick boxes, then "…and N more"."""
    lines = [point_line(item, author=group.bylines) for item in group.items[quota:]]
    if not lines:
        return []
    blocks, shown = list_sections(lines, max_sections=1, max_chars=max_chars)
    return blocks + more_note(len(lines) - shown, "talking points")


def _tick_section(item: ItemView, meeting_id: int, *, byline: bool) -> Block:
    """A talking point with its "Discussed" tick box (ticked when it was)."""
    option = {"text": plain(_("Discussed")), "value": f"{meeting_id}:{item.id}"}
    box: dict[str, Any] = {"type": "checkboxes", "action_id": ids.TICK_POINT, "options": [option]}
    if item.discussed:
        box["initial_options"] = [option]
    text = point_text(item, POINT_MAX)
    marks = [f"<@{item.author_id}>"] if byline else []
    if item.carried_count >= STUCK_CARRIES:
        marks.append(
            _("🔁 carried {count}× — discuss it, or drop it").format(count=item.carried_count)
        )
    elif item.carried_count:
        marks.append(_("carried {count}×").format(count=item.carried_count))
    if marks:
        text += f"\n_{' · '.join(marks)}_"
    # The block_id names the point too: unticking sends no selected option to tell which.
    return section(text, accessory=box, block_id=f"{ids.TICK_POINT}:{option['value']}")


def _list_blocks(groups: list[Group], *, chars: int) -> list[Block]:
    """Every group as list sections (no tick boxes), sharing the text budget fairly."""
    blocks: list[Block] = []
    for index, group in enumerate(groups):
        lines = [point_line(item, author=group.bylines) for item in group.items]
        share = (chars - text_size(blocks)) // (len(groups) - index) - 100
        shown_blocks, shown = list_sections(
            lines, title=group.title, max_sections=LIST_SECTIONS_MAX, max_chars=share
        )
        blocks += shown_blocks + more_note(len(lines) - shown, "talking points")
    return blocks


def _buttons(agenda: AgendaView) -> Block:
    return actions(
        button(_("Add a talking point"), ids.ADD_POINT, str(agenda.pair_id), style="primary"),
        button(_("Take notes"), ids.TAKE_NOTES, str(agenda.meeting_id)),
        button(_("Skip"), ids.SKIP, str(agenda.meeting_id)),
        button(_("Reschedule"), ids.RESCHEDULE, str(agenda.meeting_id)),
    )


def _nudge(agenda: AgendaView, suggestion: Question | None, *, empty: bool) -> list[Block]:
    """No talking points yet: say so kindly and offer a question to start with."""
    if empty:
        text = _("*Nothing on the agenda yet.* What would make this 1:1 worth the time?")
    elif not agenda.follow_ups:
        text = _("*No talking points yet.* Anything to talk about besides the standing items?")
    elif not agenda.standing:
        text = _("*No talking points yet.* Anything to talk about besides the open action items?")
    else:
        text = _(
            "*No talking points yet.* Anything to talk about besides the open action items and "
            "standing items?"
        )
    blocks = [section(text)]
    if suggestion:
        blocks.append(suggestion_section(agenda.pair_id, suggestion))
    return blocks


def suggestion_section(pair_id: int, question: Question) -> Block:
    """The suggested question ("💡 Suggested: …") with an "Add this" button."""
    add = button(_("Add this"), ids.ADD_QUESTION, f"{pair_id}:{question.key}")
    text = _("💡 *Suggested:* {question}").format(question=escape(_(question.text)))
    return section(text, accessory=add)


SKIPPED_TEXTS = {
    "skipped": N_("⏭️ This 1:1 was skipped. Open talking points move to the next one."),
    "cancelled": N_("⏭️ This 1:1 was cancelled. Open talking points move to the next one."),
}
OUTCOMES = {
    "skipped": N_("1:1 skipped"),
    "cancelled": N_("1:1 cancelled"),
    HELD: N_("1:1 held"),
    "not held": N_("1:1 not held"),
}


def _skipped_text(agenda: AgendaView) -> str:
    return _(SKIPPED_TEXTS.get(agenda.status, SKIPPED_TEXTS["skipped"]))


def _outcome(status: str | None) -> str:
    return _(OUTCOMES[status]) if status in OUTCOMES else f"1:1 {escape(status or '')}"


def _skipped_message(agenda: AgendaView) -> dict[str, Any]:
    return message(_outcome(agenda.status), [*_head(agenda), section(_skipped_text(agenda))])


def _over_message(agenda: AgendaView) -> dict[str, Any]:
    """The agenda once the 1:1 is over: what became of it, nothing left to tick or move."""
    discussed = [
        i
        for i in [*agenda.carried, *agenda.new]
        if i.discussed and may_see(SHARED, i.author_id, i.is_private)
    ]
    if agenda.outcome == HELD:
        text = _("✅ *Held* · the summary is below.")
        if discussed:
            text = ngettext(
                "✅ *Held* · the summary is below. {count} talking point discussed.",
                "✅ *Held* · the summary is below. {count} talking points discussed.",
                len(discussed),
            ).format(count=len(discussed))
        blocks = [section(text)]
    else:
        blocks = [
            section(
                _(
                    "*Not held* · nothing was recorded for it. Open talking points moved to "
                    "the next 1:1."
                )
            ),
            # Over: the next 1:1 is another one, so the button names this one's date.
            actions(button(_past_notes(agenda), ids.TAKE_NOTES, str(agenda.meeting_id))),
        ]
    return message(_outcome(agenda.outcome), [*_head(agenda), *blocks])


def _past_notes(agenda: AgendaView) -> str:
    return for_day(N_("Take notes for {day}"), agenda.starts_at, agenda.timezone)
