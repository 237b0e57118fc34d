"""After a 1:1 (or a huddle): the summary in the pair's group DM, and `/oneonone history`."""

from __future__ import annotations

from typing import Any

from blocks import ids
from blocks.follow_ups import item_line
from blocks.format import (
    LIST_SECTIONS_MAX,
    MORE,
    NOTE_MAX,
    TEXT_BUDGET,
    clip,
    list_sections,
    more_note,
    point_line,
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
    context,
    divider,
    header,
    message,
    section,
)
from blocks.text import escape
from blocks.when import for_day
from store.views import SHARED, ItemView, SummaryView, may_see

NOTES_MAX = 6_000  # escaped characters of shared notes in a summary
NOTES_CUT = N_("_…the notes go on: the button below opens them in full._")
EXCERPT_MAX = 400  # characters of notes per meeting in the history
HISTORY_MEETINGS_MAX = (MESSAGE_BLOCKS_MAX - 2) // 2  # a section and a divider each


# --- the summary ---------------------------------------------------------------------------


def summary_message(summary: SummaryView, *, zone: str | None = None) -> dict[str, Any]:
    """The shared record of a meeting: discussed, notes, action items, what carries over;
    for a meeting with nothing recorded, the question whether it took place. Its buttons
    name the meeting's date (it is not the next one) on `zone`'s calendar, else the series'."""
    if _nothing_recorded(summary):
        return did_you_meet(summary, zone=zone)
    head = _head(summary)
    notes_button = _notes_button(summary, zone)
    tail = [divider(), section(_("*Next 1:1*\n{when}").format(when=_next_text(summary)))]
    tail.append(notes_button)
    notes = summary.shared_notes.strip()
    lists = [
        (_("*Discussed*"), [point_line(p) for p in _shared(summary.discussed)], "talking points"),
        (_("*Action items*"), [item_line(i) for i in summary.action_items], "action items"),
        (
            _("*Action items from before*"),
            [item_line(i) for i in summary.follow_ups],
            "from before",
        ),
        (_("*Carries over*"), [point_line(p) for p in _shared(summary.carried)], "talking points"),
    ]
    wants = [_notes_want(notes), *(_list_want(title, lines) for title, lines, _ in lists)]
    notes_share, *shares = _shares(wants, TEXT_BUDGET - text_size([*head, *tail]))
    discussed, *others = [
        _list_part(*part, max_chars=share) for part, share in zip(lists, shares, strict=True)
    ]
    body = [*discussed, *_notes_blocks(notes, notes_share), *(b for part in others for b in part)]
    return message(_fallback(summary), [*head, *body, *tail])


def _nothing_recorded(summary: SummaryView) -> bool:
    """No shared notes, no action item, no ticked shared point (not held, so far), and no
    earlier action item done since the last 1:1 either: nothing a summary could tell."""
    return not (
        summary.notes_saved
        or summary.shared_notes.strip()
        or summary.action_items
        or _shared(summary.discussed)
        or any(item.done for item in summary.follow_ups)
    )


def did_you_meet(summary: SummaryView, *, zone: str | None = None) -> dict[str, Any]:
    """Instead of a summary of nothing: did the 1:1 take place? Notes, or "we didn't"."""
    when = slack_date(summary.starts_at)
    question = _("*Did you meet on {when}?* Nothing was recorded for this 1:1 yet.").format(
        when=when
    )
    take = notes_label(summary, N_("Take notes for {day}"), zone)
    buttons = actions(
        button(take, ids.TAKE_NOTES, str(summary.meeting_id), style="primary"),
        button(_("We didn't meet"), ids.NOT_MET, str(summary.meeting_id)),
    )
    blocks = [section(f"<@{summary.manager_id}> & <@{summary.report_id}> · {question}"), buttons]
    fallback = _("Did you meet on {when}?").format(when=when)
    return message(fallback, [*blocks, *_carried_note(summary)])


def not_met_message(summary: SummaryView, actor_id: str) -> dict[str, Any]:
    """The question answered: the 1:1 did not take place (notes can still be taken); the
    summary instead when notes were saved meanwhile."""
    if not _nothing_recorded(summary):
        return summary_message(summary)
    when = slack_date(summary.starts_at)
    text = _("{person} noted that you didn't meet on {when}.").format(
        person=f"<@{actor_id}>", when=when
    )
    anyway = notes_label(summary, N_("Take notes anyway for {day}"), None)
    blocks = [
        section(f"{text} {_next_sentence(summary)}"),
        actions(button(anyway, ids.TAKE_NOTES, str(summary.meeting_id))),
    ]
    return message(_("You didn't meet on {when}.").format(when=when), blocks)


def _carried_note(summary: SummaryView) -> list[Block]:
    count = len(_shared(summary.carried))
    if not count:
        return []
    text = ngettext(
        "{count} open talking point carries over to the next 1:1.",
        "{count} open talking points carry over to the next 1:1.",
        count,
    )
    return [context(text.format(count=count))]


def _next_sentence(summary: SummaryView) -> str:
    if summary.next_starts_at is None:
        return _("No next 1:1 is scheduled.")
    return _("The next 1:1 is {when}.").format(when=slack_date(summary.next_starts_at))


def _shared(points: list[ItemView]) -> list[ItemView]:
    """The summary goes to the group DM: a private point never belongs in it."""
    return [p for p in points if may_see(SHARED, p.author_id, p.is_private)]


def _fallback(summary: SummaryView) -> str:
    people = f"<@{summary.manager_id}> & <@{summary.report_id}>"
    return _("1:1 summary: {people}, {when}").format(
        people=people, when=slack_date(summary.starts_at)
    )


def _head(summary: SummaryView) -> list[Block]:
    title = _("📝 Huddle notes") if summary.unscheduled else _("📝 1:1 summary")
    people = f"<@{summary.manager_id}> & <@{summary.report_id}>"
    when = _("{when} · {minutes} min").format(
        when=slack_date(summary.starts_at), minutes=summary.duration_minutes
    )
    blocks = [header(title), section(f"{people} · {when}")]
    if not summary.notes_saved:
        blocks.append(
            section(
                _(
                    "✏️ *No notes were saved yet.* Capture what you discussed and decided "
                    "while it's fresh."
                )
            )
        )
    return [*blocks, divider()]


def _next_text(summary: SummaryView) -> str:
    if summary.next_starts_at is None:
        return _("No next 1:1 is scheduled.")
    return slack_date(summary.next_starts_at)


def notes_label(summary: SummaryView, label: str, zone: str | None) -> str:
    """A notes button's text with the meeting's date: "Take notes for Dec 1" (`label` is a
    catalog message with a {day} placeholder)."""
    return for_day(label, summary.starts_at, zone or summary.timezone)


def _notes_button(summary: SummaryView, zone: str | None) -> Block:
    meeting = str(summary.meeting_id)
    if summary.notes_saved:
        edit = notes_label(summary, N_("Edit notes for {day}"), zone)
        return actions(button(edit, ids.TAKE_NOTES, meeting))
    take = notes_label(summary, N_("Take notes for {day}"), zone)
    return actions(button(take, ids.TAKE_NOTES, meeting, style="primary"))


# --- fitting the parts into the text budget ------------------------------------------------


def _list_want(title: str, lines: list[str]) -> int:
    """The characters a list would use in full (0 when empty; it is left out then)."""
    if not lines:
        return 0
    full = len(title) + sum(1 + len(line) for line in lines)
    return min(full, LIST_SECTIONS_MAX * SECTION_TEXT_MAX) + NOTE_MAX


def _notes_want(notes: str) -> int:
    if not notes:
        return 0
    return len(_("*Notes*\n")) + min(len(escape(notes)), NOTES_MAX)


def _shares(wants: list[int], total: int) -> list[int]:
    """Split `total` characters fairly: smaller wants are met in full, big ones share the rest."""
    shares = [0] * len(wants)
    left = total
    order = sorted(range(len(wants)), key=lambda i: wants[i])
    for done, index in enumerate(order):
        shares[index] = min(wants[index], left // (len(wants) - done))
        left -= shares[index]
    return shares


def _list_part(title: str, lines: list[str], what: str, *, max_chars: int) -> list[Block]:
    """A titled list within `max_chars`, folding its rest into "…and N more"."""
    if not lines:
        return []
    blocks, shown = list_sections(
        lines, title=title, max_sections=LIST_SECTIONS_MAX, max_chars=max_chars - NOTE_MAX
    )
    return blocks + more_note(len(lines) - shown, what)


def _notes_blocks(notes: str, max_chars: int) -> list[Block]:
    """The shared notes, escaped, lines kept, over sections of ≤3000 characters."""
    if not notes:
        return []
    title = _("*Notes*\n")
    room = min(max_chars - len(title), NOTES_MAX)
    full = escape(notes)
    if len(full) <= room:
        return [section(piece) for piece in _split(title + full, SECTION_TEXT_MAX)]
    note = _(NOTES_CUT)
    cut = clip(notes, max(room - len(note), 1))
    return [
        *(section(piece) for piece in _split(title + cut, SECTION_TEXT_MAX)),
        context(note),
    ]


def _split(text: str, size: int) -> list[str]:
    """Escaped text in pieces of ≤`size`: at line ends, else spaces, never inside an entity."""
    pieces: list[str] = []
    while len(text) > size:
        cut = _cut_at(text, size)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    pieces.append(text.rstrip())
    return [piece for piece in pieces if piece.strip()]


def _cut_at(text: str, size: int) -> int:
    """Where the first piece of ≤`size` characters ends: a line end or space in its second half."""
    for mark in ("\n", " "):
        found = text.rfind(mark, size // 2, size + 1)
        if found != -1:
            return found + 1
    amp = text.rfind("&", size - 4, size)  # "&amp;" is 5 long: never cut inside one
    return amp if amp != -1 and ";" not in text[amp:size] else size


# --- `/oneonone history` -------------------------------------------------------------------


def history_message(summaries: list[SummaryView], other_id: str) -> dict[str, Any]:
    """The viewer's last 1:1s with `other_id`, newest first, one compact section each."""
    if not summaries:
        text = _("No past 1:1s with {person} yet.").format(person=f"<@{other_id}>")
        return message(text, [section(text)])
    title = _("*Your last 1:1s with {person}*").format(person=f"<@{other_id}>")
    newest = sorted(summaries, key=lambda s: s.starts_at, reverse=True)
    shown = newest[:HISTORY_MEETINGS_MAX]
    each = min((TEXT_BUDGET - len(title) - NOTE_MAX) // len(shown), SECTION_TEXT_MAX)
    blocks: list[Block] = [section(title)]
    for summary in shown:
        blocks += [divider(), section(_history_text(summary, each))]
    blocks += more_note(len(newest) - len(shown), "earlier 1:1s")
    return message(_("Your last 1:1s with {person}").format(person=f"<@{other_id}>"), blocks)


def _history_text(summary: SummaryView, max_chars: int) -> str:
    """Date, length, points discussed; a notes excerpt; action items (folded past the room)."""
    discussed = len(_shared(summary.discussed))
    facts = {
        "when": slack_date(summary.starts_at),
        "minutes": summary.duration_minutes,
        "count": discussed,
    }
    if summary.unscheduled:
        head = _("*🎧 Huddle · {when}* · {minutes} min · {count} discussed").format(**facts)
    else:
        head = _("*{when}* · {minutes} min · {count} discussed").format(**facts)
    lines = [head]
    items = [item_line(i) for i in summary.action_items]
    notes = " ".join(summary.shared_notes.split())
    room = max_chars - len(head) - NOTE_MAX
    excerpt = min(EXCERPT_MAX, room // 2 if items else room) - len("\n📝 ")
    if notes and excerpt > 0:
        lines.append(f"📝 {clip(notes, excerpt)}")
    if not notes and not items:
        lines.append(_("_No notes or action items._"))
    room = max_chars - NOTE_MAX - len("\n".join(lines))
    shown = 0
    for line in items:
        if len(line) + 1 > room:
            break
        lines.append(line)
        room -= len(line) + 1
        shown += 1
    if len(items) > shown:
        lines.append(MORE["action items"](len(items) - shown).format(count=len(items) - shown))
    return "\n".join(lines)
