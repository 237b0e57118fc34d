"""The Home tab: an overview of a manager's reports, then each 1:1 (paged), and summary modals."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from blocks import ids
from blocks.checkin import share_line
from blocks.deletion import privacy_footer
from blocks.digest import digest_switch
from blocks.follow_ups import due_text, item_text
from blocks.format import NOTE_MAX, day_text, point_line, slack_date
from blocks.i18n import N_, _, ngettext
from blocks.kit import (
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    section,
)
from blocks.modals import for_text, modal
from blocks.summary import summary_message
from blocks.when import for_day, recurring_time
from store.point_text import shorten
from store.views import ActionItemView, HomeData, ItemView, OneOnOne, Square, SummaryView

PAGE_SIZE = 8  # 1:1s per page: 8 × 9 blocks + dividers, overview, paging and schedule ≤ 97 blocks
OVERVIEW_SECTIONS_MAX = 4  # ~45 reports a section; more reports fold into "…and N more"
AGENDA_POINTS_MAX = 8  # talking points listed per 1:1 before "…and N more"
AGENDA_CHARS_MAX = 2_000
LINE_MAX = 150  # characters of a talking point or an action item on the Home tab
ITEM_BUTTONS_MAX = 3  # open action items shown with a "Done" button per 1:1
STREAK_MIN = 2  # "🔥 N in a row" from this many held 1:1s on
SQUARE_EMOJI = {
    "held": "🟩",
    "rescheduled": "🟨",
    "skipped": "⬜",
    "missed": "⬛",
    "upcoming": "▫️",
}
LEGEND = N_(
    "The last 7 1:1s and the next: 🟩 held (shared notes, an action item or a ticked point) · "
    "🟨 held, moved · ⬛ not held (nothing recorded) · ⬜ skipped · ▫️ upcoming"
)
WELCOME = N_(
    "*Weekly 1:1s that actually happen.*\n"
    "• You both add talking points during the week — shared, or private to you.\n"
    "• Before each 1:1 I post the agenda in a group DM with the two of you.\n"
    "• Afterwards, notes and action items are saved, and followed up the next week.\n"
    "Start by scheduling a 1:1 with someone you manage, or type `/oneonone` anywhere."
)


def home_view(
    data: HomeData,
    *,
    today: date,
    page: int = 0,
    zone: str | None = None,
    privacy_url: str | None = None,
) -> dict[str, Any]:
    """The viewer's Home tab (recurring times on the viewer's clock, `zone`); `page` picks
    which PAGE_SIZE 1:1s are shown in full; the footer links the privacy page."""
    pages = max(1, -(-len(data.one_on_ones) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    if not data.one_on_ones:
        blocks = _welcome()
    else:
        switch = digest_switch(data.reports, off=data.digest_off)
        blocks = [
            *_overview(data.reports, today, switch),
            *_one_on_ones(data, today, page, pages, zone),
        ]
    footer = privacy_footer(privacy_url)
    return {
        "type": "home",
        "blocks": [*blocks[: VIEW_BLOCKS_MAX - len(footer)], *footer],
        "private_metadata": json.dumps({"page": page}),
    }


def summary_modal(summary: SummaryView, *, zone: str | None = None) -> dict[str, Any]:
    """A meeting's summary, read-only, as the group DM showed it, under which 1:1 and
    which meeting it is (the title says what it is: the message's header is left out)."""
    blocks = summary_message(summary, zone=zone)["blocks"]
    if blocks and blocks[0]["type"] == "header":
        blocks = blocks[1:]
    return modal(
        ids.SUMMARY_MODAL, _("1:1 summary"), [_summary_for(summary), *blocks], close=_("Close")
    )


def _summary_for(summary: SummaryView) -> Block:
    what = "huddle" if summary.unscheduled else "1:1"
    if summary.viewer_id is None:  # nobody in particular: both people
        people = f"<@{summary.manager_id}> & <@{summary.report_id}>"
        when = slack_date(summary.starts_at)
        if summary.unscheduled:
            return context(_("Huddle of {people} · {when}").format(people=people, when=when))
        return context(_("1:1 of {people} · {when}").format(people=people, when=when))
    viewer_is_manager = summary.viewer_id == summary.manager_id
    other = summary.report_id if viewer_is_manager else summary.manager_id
    return context(for_text(other, summary.starts_at, what=what))


# --- no 1:1s yet ---------------------------------------------------------------------------


def _welcome() -> list[Block]:
    schedule = button(_("Schedule a 1:1"), ids.SCHEDULE_OPEN, style="primary")
    return [
        header(_("👋 Welcome to 1:1s")),
        section(_(WELCOME)),
        actions(schedule),
        context(_("You have no 1:1s yet. When someone schedules one with you, it shows up here.")),
    ]


# --- the overview of a manager's reports ---------------------------------------------------


def _overview(reports: list[OneOnOne], today: date, switch: list[Block]) -> list[Block]:
    """One compact line per report, packed into as few sections as fit, then the digest's
    `switch` (the digest is about these reports)."""
    if not reports:
        return []
    lines = [_overview_line(o, today) for o in reports]
    texts = _pack(lines, SECTION_TEXT_MAX)
    shown = sum(t.count("\n") + 1 for t in texts[:OVERVIEW_SECTIONS_MAX])
    left = len(lines) - shown
    more = ngettext("_…and {count} more report._", "_…and {count} more reports._", left)
    note = [context(more.format(count=left))] if left else []
    return [
        header(_("Your reports")),
        context(_(LEGEND)),
        *(section(t) for t in texts[:OVERVIEW_SECTIONS_MAX]),
        *note,
        *switch,
        divider(),
    ]


def _overview_line(o: OneOnOne, today: date) -> str:
    """A report's row: "<@R>  🟩🟩🟨⬜▫️  · 🔥 3 in a row · 2 open · ⚠️ 1 overdue"."""
    squares = "".join(_square(s) for s in o.squares) or _("_no 1:1s yet_")
    marks = []
    if _paused(o, today):
        marks.append(_("⏸️ paused until {day}").format(day=_day(o.paused_until)))
    if o.streak >= STREAK_MIN:
        marks.append(_("🔥 {count} in a row").format(count=o.streak))
    if o.open_items:
        marks.append(_open_count(len(o.open_items)))
    overdue = _overdue_count(o, today)
    if overdue:
        marks.append(_("⚠️ {count} overdue").format(count=overdue))
    return "  ".join([f"<@{o.other_id}>", squares, *(["· " + " · ".join(marks)] if marks else [])])


def _open_count(count: int) -> str:
    text = ngettext("{count} open action item", "{count} open action items", count)
    return text.format(count=count)


def _square(square: Square) -> str:
    return SQUARE_EMOJI.get(square.kind, "⬜")


# --- each 1:1 ------------------------------------------------------------------------------


def _one_on_ones(
    data: HomeData, today: date, page: int, pages: int, zone: str | None
) -> list[Block]:
    """The "Your 1:1s" list: this page's 1:1s, divided, then the page buttons."""
    total = len(data.one_on_ones)
    first = page * PAGE_SIZE
    shown = data.one_on_ones[first : first + PAGE_SIZE]
    blocks: list[Block] = [header(_("Your 1:1s"))]
    if pages > 1:
        showing = _("Showing 1:1s {first}–{last} of {total}")
        blocks.append(
            context(showing.format(first=first + 1, last=first + len(shown), total=total))
        )
    for index, o in enumerate(shown):
        if index:
            blocks.append(divider())
        blocks += _one_on_one(o, data.viewer_id, today, zone)
    if pages > 1:
        blocks += [divider(), *_page_buttons(page, pages)]
    export_all = button(_("Export my data"), ids.EXPORT)  # value "": every 1:1
    blocks += [divider(), actions(button(_("Schedule a 1:1"), ids.SCHEDULE_OPEN), export_all)]
    return blocks


def _one_on_one(o: OneOnOne, viewer_id: str, today: date, zone: str | None) -> list[Block]:
    """Who and when, the agenda so far, open action items, buttons and the last 1:1."""
    blocks = [section(f"{_who(o, zone)}\n{_when(o, today)}"), _agenda(o)]
    share = share_line(o.share, viewer_id)
    if share:
        blocks.append(context(f"✍️ {share}"))
    blocks += _open_items(o, today)
    if o.last_meeting_id is not None and o.last_starts_at is not None:
        summary = button(_("Summary"), ids.SHOW_SUMMARY, str(o.last_meeting_id))
        last = _("Last 1:1: {when}").format(when=slack_date(o.last_starts_at))
        blocks.append(section(last, accessory=summary))
    return [*blocks, _buttons(o, zone)]


def _who(o: OneOnOne, zone: str | None) -> str:
    role = _("you manage them") if o.role == "manager" else _("your manager")
    when = f" · {recurring_time(o.series, zone)}" if o.series else ""
    return f"*<@{o.other_id}>* · {role}{when}"


def _when(o: OneOnOne, today: date) -> str:
    if _paused(o, today):
        until = _day(o.paused_until)
        if o.next_starts_at:
            return _("⏸️ Paused until {day} · then {when}").format(
                day=until, when=slack_date(o.next_starts_at)
            )
        return _("⏸️ Paused until {day}").format(day=until)
    if o.next_starts_at is None:
        return _("No upcoming 1:1")
    return _("Next: {when}").format(when=slack_date(o.next_starts_at))


def _agenda(o: OneOnOne) -> Block:
    """The next 1:1's talking points the viewer may see, cut with "…and N more"."""
    title = _("*Agenda so far*")
    if not o.agenda:
        return section(_("*Agenda so far*\n_No talking points yet._"))
    lines = [point_line(_short(p)) for p in o.agenda[:AGENDA_POINTS_MAX]]
    (text, *_rest) = _pack([title, *lines], AGENDA_CHARS_MAX - NOTE_MAX)
    left = len(o.agenda) - text.count("\n")
    more = ngettext("_…and {count} more_", "_…and {count} more_", left).format(count=left)
    return section(text + (f"\n{more}" if left else ""))


def _open_items(o: OneOnOne, today: date) -> list[Block]:
    """The first open action items with a "Done" button each, then how many more."""
    blocks = [
        section(_item_text(item, today), accessory=button(_("Done"), ids.ITEM_DONE, str(item.id)))
        for item in o.open_items[:ITEM_BUTTONS_MAX]
    ]
    left = len(o.open_items) - len(blocks)
    if left:
        more = ngettext(
            "_…and {count} more open action item (`/oneonone actions`)_",
            "_…and {count} more open action items (`/oneonone actions`)_",
            left,
        )
        blocks.append(context(more.format(count=left)))
    return blocks


def _item_text(item: ActionItemView, today: date) -> str:
    """An open item: "☐ text — @owner, due Thu Dec 3 · ⚠️ overdue"."""
    facts = {"text": item_text(item, LINE_MAX), "owner": f"<@{item.owner_id}>"}
    if not item.due_date:
        return "☐ {text} — {owner}".format(**facts)
    facts["day"] = due_text(item.due_date)
    if item.due_date < today:
        return _("☐ {text} — {owner}, due {day} · ⚠️ overdue").format(**facts)
    return _("☐ {text} — {owner}, due {day}").format(**facts)


def _buttons(o: OneOnOne, zone: str | None) -> Block:
    pair = str(o.pair_id)
    elements = [
        button(_("Add a talking point"), ids.ADD_POINT, pair, style="primary"),
        button(_notes_label(o, zone), ids.PAIR_NOTES, pair),
    ]
    if o.next_meeting_id is not None:
        meeting = str(o.next_meeting_id)
        elements += [
            button(_("Skip"), ids.SKIP, meeting),
            button(_("Reschedule"), ids.RESCHEDULE, meeting),
        ]
    settings = button(_("Settings"), ids.SETTINGS_OPEN, pair)
    return actions(*elements, settings, button(_("Export"), ids.EXPORT, pair))


def _notes_label(o: OneOnOne, zone: str | None) -> str:
    """ "Take notes", with the date when they are for another meeting than the next one (a
    past one whose notes are still open)."""
    notes_at = o.notes_starts_at
    if notes_at is None or notes_at == o.next_starts_at:
        return _("Take notes")
    zone = zone or (o.series.timezone if o.series else "UTC")
    return for_day(N_("Take notes for {day}"), notes_at, zone)


def _page_buttons(page: int, pages: int) -> list[Block]:
    """The "◀ Previous" and "Show more ▶" buttons, one actions block each.

    Both use ids.HOME_PAGE, and Slack wants action_ids unique within a block.
    """
    blocks = []
    if page > 0:
        blocks.append(actions(button(_("◀ Previous"), ids.HOME_PAGE, str(page - 1))))
    if page < pages - 1:
        blocks.append(actions(button(_("Show more ▶"), ids.HOME_PAGE, str(page + 1))))
    return blocks


# --- small helpers -------------------------------------------------------------------------


def _short(point: ItemView) -> ItemView:
    """The point with its text on one line, cut to LINE_MAX (before escaping)."""
    return replace(point, text=shorten(" ".join(point.text.split()), LINE_MAX))


def _paused(o: OneOnOne, today: date) -> bool:
    return o.paused_until is not None and o.paused_until > today


def _day(day: date | None) -> str:
    return day_text(day.isoformat()) if day else ""


def _overdue_count(o: OneOnOne, today: date) -> int:
    return sum(1 for i in o.open_items if i.due_date and i.due_date < today)


def _pack(lines: list[str], limit: int) -> list[str]:
    """Lines joined into as few texts of ≤ `limit` characters as possible (in order).

    Length is counted in UTF-16 units, which is never less than characters: emoji-heavy
    lines stay within Slack's limit however it counts.
    """
    texts: list[str] = []
    current = ""
    for line in lines:
        joined = f"{current}\n{line}" if current else line
        if current and _size(joined) > limit:
            texts.append(current)
            current = line
        else:
            current = joined
    return [*texts, current] if current else texts


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
