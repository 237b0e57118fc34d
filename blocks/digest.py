"""A manager's weekly digest (a DM on Fridays at 16:00 their time), and its switch on the Home
tab."""

from __future__ import annotations

from typing import Any

from blocks.format import day_text, list_sections, one_line
from blocks.i18n import _, ngettext
from blocks.kit import Block, actions, button, context, divider, header, message, section
from store.health_views import (
    DIGEST_HELD,
    DIGEST_NOT_HELD,
    DIGEST_SKIPPED,
    DIGEST_UPCOMING,
    DigestMeeting,
    DigestView,
    StuckPoint,
)
from store.views import OneOnOne

# action_ids (with blocks/ids.py's); no value: it is always the clicker's own digest
DIGEST_OFF = "digest_off"
DIGEST_ON = "digest_on"

LIST_CHARS = 2_800
STUCK_SHOWN = 10
OWNERS_SHOWN = 30
STATE_MARKS = {DIGEST_HELD: "✅", DIGEST_SKIPPED: "⏭️", DIGEST_NOT_HELD: "⬛", DIGEST_UPCOMING: "▫️"}


def digest_message(view: DigestView) -> dict[str, Any]:
    """The digest: this week's 1:1s, quiet reports, open items by owner, stuck points."""
    week = day_text(view.week_of.isoformat())
    blocks: list[Block] = [
        header(_("📋 Your 1:1s this week")),
        context(
            ngettext(
                "Week of {day} · {count} report",
                "Week of {day} · {count} reports",
                len(view.reports),
            ).format(day=week, count=len(view.reports))
        ),
        *_week(view.week),
        divider(),
        section(_quiet(view)),
        *_items(view),
        *_stuck(view),
        actions(button(_("Turn off the weekly digest"), DIGEST_OFF)),
        context(_("Only you get this digest. You can turn it back on from the Home tab.")),
    ]
    fallback = _("Your 1:1s this week: {summary}").format(summary=_counts(view.week))
    return message(fallback, blocks)


def _counts(week: tuple[DigestMeeting, ...]) -> str:
    """ "8 held · 2 skipped · 1 not held · 1 to come" (what there is of them)."""
    count = {state: sum(1 for m in week if m.state == state) for state in STATE_MARKS}
    parts = [
        _("{n} held").format(n=count[DIGEST_HELD]),
        _("{n} skipped").format(n=count[DIGEST_SKIPPED]),
        _("{n} not held").format(n=count[DIGEST_NOT_HELD]),
    ]
    if count[DIGEST_UPCOMING]:
        parts.append(_("{n} to come").format(n=count[DIGEST_UPCOMING]))
    return " · ".join(parts)


def _week(week: tuple[DigestMeeting, ...]) -> list[Block]:
    if not week:
        return [section(_("*This week:* no 1:1s were scheduled."))]
    titles = {
        DIGEST_HELD: _("Held: {people}"),
        DIGEST_SKIPPED: _("Skipped: {people}"),
        DIGEST_NOT_HELD: _("Not held: {people}"),
        DIGEST_UPCOMING: _("Still to come: {people}"),
    }
    lines = [_("*This week:* {counts}").format(counts=_counts(week))]
    for state, title in titles.items():
        people = list(dict.fromkeys(f"<@{m.report_id}>" for m in week if m.state == state))
        if people:
            lines.append(f"{STATE_MARKS[state]} " + title.format(people=", ".join(people)))
    blocks, _shown = list_sections(lines, max_sections=2, max_chars=LIST_CHARS * 2)
    return blocks


def _quiet(view: DigestView) -> str:
    if not view.quiet:
        return _("Every report had a held 1:1 in the last two weeks. 🎉")
    people = ", ".join(f"<@{r}>" for r in view.quiet)
    return _("*No held 1:1 in the last two weeks:* {people}").format(people=people)


def _items(view: DigestView) -> list[Block]:
    if not view.items:
        return [section(_("*Open action items:* none."))]
    lines = []
    mine = [o for o in view.items if o.owner_id == view.manager_id]
    others = [o for o in view.items if o.owner_id != view.manager_id]
    for owner in [*mine, *others][:OWNERS_SHOWN]:
        if owner.owner_id == view.manager_id:
            line = ngettext("• You: {n} open", "• You: {n} open", owner.open).format(n=owner.open)
        else:
            line = ngettext("• <@{owner}>: {n} open", "• <@{owner}>: {n} open", owner.open).format(
                owner=owner.owner_id, n=owner.open
            )
        if owner.overdue:
            line += " · " + _("⚠️ {n} overdue").format(n=owner.overdue)
        lines.append(line)
    title = _("*Open action items by owner*")
    blocks, shown = list_sections(lines, title=title, max_sections=1, max_chars=LIST_CHARS)
    return blocks + _more(len(view.items) - shown)


def _stuck(view: DigestView) -> list[Block]:
    if not view.stuck:
        return []
    lines = [_stuck_line(p, view.manager_id) for p in view.stuck[:STUCK_SHOWN]]
    title = _("*Carried over three times or more*")
    blocks, shown = list_sections(lines, title=title, max_sections=1, max_chars=LIST_CHARS)
    return blocks + _more(len(view.stuck) - shown)


def _stuck_line(point: StuckPoint, manager_id: str) -> str:
    """ "• Promotion — <@R>'s point · carried 4×", or "— your point, 1:1 with <@R>"."""
    if point.author_id == manager_id:
        line = _("• {point} — your point, 1:1 with <@{report}> · carried {count}×")
    else:
        line = _("• {point} — <@{author}>'s point · carried {count}×")
    return line.format(
        point=one_line(point.text),
        author=point.author_id,
        report=point.report_id,
        count=point.carried_count,
    )


def _more(count: int) -> list[Block]:
    if count <= 0:
        return []
    text = ngettext("_…and {n} more._", "_…and {n} more._", count).format(n=count)
    return [context(text)]


def digest_switch(reports: list[OneOnOne], *, off: bool) -> list[Block]:
    """The Home tab's switch of the weekly digest, for someone who manages a series."""
    if not reports:
        return []
    if off:
        text = _("📋 Your weekly digest is off.")
        toggle = button(_("Turn it on"), DIGEST_ON)
    else:
        text = _("📋 A weekly digest of your 1:1s reaches you on Fridays at 16:00 your time.")
        toggle = button(_("Turn it off"), DIGEST_OFF)
    return [section(text, accessory=toggle)]
