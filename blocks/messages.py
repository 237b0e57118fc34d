"""Short replies and notices: confirmations, the list of 1:1s, what changed and who did it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blocks import ids
from blocks.format import day_text, point_text, slack_date
from blocks.i18n import N_, _, ngettext
from blocks.kit import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    message,
    section,
)
from blocks.text import escape
from blocks.when import (
    clock,
    off_hours,
    on_clock,
    recurring_time,
    same_clock,
    series_phrase,
    weekday,
    zone_name,
)
from store.views import ItemView, SeriesTime

QUOTE_MAX = 2_000
CADENCE_WORDS = {
    "weekly": N_("Every week"),
    "biweekly": N_("Every 2 weeks"),
    "monthly": N_("Monthly"),
}


def notice(text: str) -> dict[str, Any]:
    """A one-section message; `text` is mrkdwn the caller already escaped."""
    return message(text, [section(text)])


def point_added(*, point: ItemView, other_id: str, starts_at: datetime) -> dict[str, Any]:
    """Confirms a talking point: where it went, the point quoted as the agenda shows it (its
    links live), and whether it is private."""
    head = _("Added to your 1:1 with {person} ({when}):").format(
        person=f"<@{other_id}>", when=slack_date(starts_at)
    )
    shown = point_text(point, QUOTE_MAX)
    quoted = "\n".join(f">{line}" for line in shown.splitlines() or [""])
    blocks = [section(f"✅ {head}\n{quoted}")]
    if point.is_private:
        blocks.append(context(_("🔒 Private: only you can see it.")))
    return message(head, blocks)


def choose_pair_message(
    *, pairs: list[tuple[int, str]], channel_id: str, ts: str
) -> dict[str, Any]:
    """Asks which 1:1 a DM to the bot is for: one button per 1:1, labelled with the person."""
    # One button per actions block: Slack wants action_ids unique within a block.
    shown = pairs[: MESSAGE_BLOCKS_MAX - 2]
    blocks = [section(_("Which 1:1 is this for?"))]
    blocks += [
        actions(button(label, ids.CHOOSE_PAIR, f"{pair_id}:{channel_id}:{ts}"))
        for pair_id, label in shown
    ]
    if len(pairs) > len(shown):
        more = _("_…and {count} more: use `/oneonone add @person`._")
        blocks.append(context(more.format(count=len(pairs) - len(shown))))
    return message(_("Which 1:1 is this for?"), blocks)


@dataclass(frozen=True)
class PairRow:
    """One of the viewer's 1:1s as the list shows it."""

    pair_id: int
    other_id: str
    role: str  # "manager" when the viewer manages the other person, else "report"
    cadence: str
    starts_at: datetime | None
    meeting_id: int | None
    paused_until: str | None  # ISO date
    series: SeriesTime | None = None  # the series' time, from its next occurrence


def pair_list(*, viewer_id: str, rows: list[PairRow], zone: str | None = None) -> dict[str, Any]:
    """The viewer's 1:1s (rows seen from `viewer_id`, their times on the viewer's clock,
    `zone`), each with its next date and buttons."""
    if not rows:
        blocks: list[Block] = [
            section(_("You have no 1:1s yet. Start one with someone you manage:")),
            actions(button(_("Schedule a 1:1"), ids.SCHEDULE_OPEN, style="primary")),
        ]
        return message(_("You have no 1:1s yet."), blocks)
    shown = rows[: (MESSAGE_BLOCKS_MAX - 2) // 3]
    blocks = [section(_("*Your 1:1s*"))]
    for row in shown:
        blocks += [divider(), section(_row_text(row, zone)), _row_buttons(row)]
    if len(rows) > len(shown):
        more = ngettext("_…and {count} more._", "_…and {count} more._", len(rows) - len(shown))
        blocks.append(context(more.format(count=len(rows) - len(shown))))
    fallback = ngettext("You have {count} 1:1.", "You have {count} 1:1s.", len(rows))
    return message(fallback.format(count=len(rows)), blocks)


def _row_text(row: PairRow, zone: str | None) -> str:
    if row.series is not None:
        cadence = recurring_time(row.series, zone)
    elif row.cadence in CADENCE_WORDS:
        cadence = _(CADENCE_WORDS[row.cadence])
    else:
        cadence = escape(row.cadence)
    if row.paused_until:
        until = day_text(row.paused_until, year=True)
        if row.starts_at:
            when = _("⏸️ Paused until {day} · next {when}").format(
                day=until, when=slack_date(row.starts_at)
            )
        else:
            when = _("⏸️ Paused until {day}").format(day=until)
    elif row.starts_at:
        when = _("Next: {when}").format(when=slack_date(row.starts_at))
    else:
        when = _("No 1:1 scheduled yet")
    person = f"<@{row.other_id}>"
    if row.role == "manager":
        return _("*{person}* (you manage) · {cadence}\n{when}").format(
            person=person, cadence=cadence, when=when
        )
    return _("*{person}* (your manager) · {cadence}\n{when}").format(
        person=person, cadence=cadence, when=when
    )


def _row_buttons(row: PairRow) -> Block:
    buttons = []
    if row.meeting_id is not None:
        buttons.append(button(_("Reschedule"), ids.RESCHEDULE, str(row.meeting_id)))
        buttons.append(button(_("Skip"), ids.SKIP, str(row.meeting_id)))
    buttons.append(button(_("Pause"), ids.PAUSE, str(row.pair_id)))
    if row.role == "manager":
        buttons.append(button(_("End"), ids.END, str(row.pair_id)))
    return actions(*buttons)


def end_confirmation(*, pair_id: int, other_id: str) -> dict[str, Any]:
    """Asks before ending a series for good."""
    person = f"<@{other_id}>"
    text = _("End your recurring 1:1 with {person}? The history stays.").format(person=person)
    blocks = [
        section(text),
        actions(
            button(_("End it"), ids.END_CONFIRM, str(pair_id), style="danger"),
            button(_("End it and delete its history"), ids.DELETE_HISTORY, str(pair_id)),
            button(_("Keep it"), ids.END_CANCEL, str(pair_id)),
        ),
        context(
            _(
                "Deleting the history waits 7 days: {person} is told, can export it, "
                "or object (then it stays)."
            ).format(person=person)
        ),
    ]
    return message(text, blocks)


def schedule_confirmation(
    *,
    report_id: str,
    series: SeriesTime,
    manager_zone: str | None,
    report_zone: str | None,
    duration_minutes: int,
) -> dict[str, Any]:
    """To the manager: the series is set, at what time for each of the two (on their own
    clocks), the first date, and a warning when it falls outside either one's working week."""
    when = recurring_time(series, manager_zone)
    text = _("✅ Your 1:1 with {person} is scheduled: {when}, {minutes} minutes.").format(
        person=f"<@{report_id}>", when=when, minutes=duration_minutes
    )
    lines = [text]
    if report_zone is not None:
        lines.append(_their_time(report_id, series, manager_zone, report_zone))
    lines.append(_("The first one is *{when}*.").format(when=slack_date(series.slot)))
    blocks = [section("\n".join(lines))]
    warnings = _hours_warnings(
        report_id, series, duration_minutes, manager_zone or series.timezone, report_zone
    )
    if warnings:
        blocks.append(section("\n".join(warnings)))
    told = _("I've told {person}. Agendas go to your group DM with them.")
    blocks.append(context(told.format(person=f"<@{report_id}>")))
    return message(text, blocks)


def _their_time(
    report_id: str, series: SeriesTime, manager_zone: str | None, report_zone: str
) -> str:
    """The series on the report's clock, as the manager reads it."""
    person = f"<@{report_id}>"
    if same_clock(series.slot, report_zone, manager_zone or series.timezone):
        return _("It's the same time on {person}'s clock.").format(person=person)
    where = zone_name(report_zone, series.slot)
    return _("For {person} that's *{when}* ({place} time).").format(
        person=person, when=series_phrase(series, report_zone), place=where
    )


def _hours_warnings(
    report_id: str,
    series: SeriesTime,
    minutes: int,
    manager_zone: str,
    report_zone: str | None,
) -> list[str]:
    """⚠️ lines for whichever of the two the meeting falls outside their working week for."""
    people: list[tuple[str | None, str]] = [(None, manager_zone)]
    if report_zone is not None:
        people.append((f"<@{report_id}>", report_zone))
    warnings = []
    for who, zone in people:
        reasons = off_hours(series.slot, minutes, zone)
        if reasons:
            local = on_clock(series.slot, zone)
            warnings.append(_off_hours_warning(who, reasons, weekday(local), clock(local)))
    return warnings


def _off_hours_warning(who: str | None, reasons: list[str], day: str, at: str) -> str:
    """ "⚠️ For you it's on a Sunday (Sunday 20:00 your time)." (`who` None: the reader)."""
    facts = {"person": who, "weekday": day, "time": at, "reason": reasons[0]}
    if len(reasons) > 1:
        facts["other_reason"] = reasons[1]
        if who is None:
            text = _("⚠️ For you it's {reason} and {other_reason} ({weekday} {time} your time).")
        else:
            text = _(
                "⚠️ For {person} it's {reason} and {other_reason} ({weekday} {time} their time)."
            )
    elif who is None:
        text = _("⚠️ For you it's {reason} ({weekday} {time} your time).")
    else:
        text = _("⚠️ For {person} it's {reason} ({weekday} {time} their time).")
    return text.format(**facts)


def skipped_notice(
    *, actor_id: str, starts_at: datetime, next_starts_at: datetime | None
) -> dict[str, Any]:
    """To both: who skipped which 1:1, and when the next one is."""
    text = _("⏭️ {person} skipped the 1:1 planned for {when}.").format(
        person=f"<@{actor_id}>", when=slack_date(starts_at)
    )
    return message(text, [section(f"{text}\n{_next_line(next_starts_at)}")])


def rescheduled_notice(*, actor_id: str, starts_at: datetime) -> dict[str, Any]:
    """To both: who moved the 1:1, and to when."""
    text = _("📅 {person} moved your 1:1 to *{when}*.").format(
        person=f"<@{actor_id}>", when=slack_date(starts_at)
    )
    return message(text, [section(text)])


def paused_notice(*, actor_id: str, until: str, next_starts_at: datetime | None) -> dict[str, Any]:
    """To both: who paused the 1:1s, until when (ISO date), and when the next one is."""
    text = _("⏸️ {person} paused your 1:1s until {day}.").format(
        person=f"<@{actor_id}>", day=day_text(until, year=True)
    )
    return message(text, [section(f"{text}\n{_next_line(next_starts_at)}")])


def duplicate_ended_notice(*, other_id: str) -> dict[str, Any]:
    """To each of two people who had two series with each other (set up at the same moment
    by both): the older one stays, the newer one was ended."""
    text = _(
        "You and {person} had two recurring 1:1s with each other — you both set one up "
        "at the same moment. I kept the first one and ended the other; nothing else changes."
    ).format(person=f"<@{other_id}>")
    return message(text, [section(text)])


def ended_notice(*, actor_id: str, other_id: str, pair_id: int | None = None) -> dict[str, Any]:
    """To both: the series has ended; past agendas, notes and action items stay (with
    `pair_id`: either person may ask to delete them too)."""
    text = _("🏁 {person} ended the recurring 1:1 with {other}.").format(
        person=f"<@{actor_id}>", other=f"<@{other_id}>"
    )
    blocks = [section(text), context(_("Past agendas, notes and action items stay."))]
    if pair_id is not None:
        delete = button(_("Delete its history too"), ids.DELETE_HISTORY, str(pair_id))
        blocks.append(actions(delete))
    return message(text, blocks)


def _next_line(next_starts_at: datetime | None) -> str:
    if next_starts_at is None:
        return _("No next 1:1 is scheduled.")
    return _("Open talking points wait for the next one: *{when}*.").format(
        when=slack_date(next_starts_at)
    )
