"""Recurring 1:1 times as each reader reads them, on their own clock: "Sundays 20:30 your time
(Mondays 10:00 in Kolkata)". Read from an actual occurrence, so that daylight saving time and
the date line come out right. Every weekday and clock time a person reads as words is
formatted here, one way (24-hour "HH:MM", English names), so that it can be localised in one
place; single instants in mrkdwn are Slack date tokens instead (blocks.format.slack_date)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_day_names

from blocks.i18n import N_, _, current_language
from store.views import SeriesTime

WORK_START = time(8, 0)
WORK_END = time(19, 0)
WORK_HOURS = "08:00–19:00"
# Weekdays said of every week ("on Mondays"), in datetime.weekday() order: Babel's CLDR data
# has no such form (German says "montags").
EVERY_WEEKDAY = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)


def clock(moment: datetime | time) -> str:
    """A wall-clock time as people read it here, 24-hour in the reader's locale: "09:05"."""
    return format_skeleton("Hm", moment, locale=current_language())


def weekday(moment: datetime, *, plural: bool = False) -> str:
    """The moment's weekday by name: "Monday" ("Mondays" with `plural`)."""
    if plural:
        return _(EVERY_WEEKDAY[moment.weekday()])
    return weekday_name(moment.weekday())


def weekday_name(index: int) -> str:
    """A weekday by its datetime.weekday() number (0: Monday), in the reader's language."""
    return str(get_day_names("wide", locale=current_language())[index])


def day_name(day: date) -> str:
    """A calendar date as plain text: "Thu Dec 3" (the reader's locale's order and names)."""
    # TRANSLATORS: a Unicode (CLDR) date pattern: EEE weekday, MMM month, d day.
    return format_date(day, _("EEE MMM d"), locale=current_language())


def day_name_with_year(day: date) -> str:
    """A calendar date with its year as plain text: "Thu Dec 3, 2026"."""
    # TRANSLATORS: a Unicode (CLDR) date pattern: EEE weekday, MMM month, d day, y year.
    return format_date(day, _("EEE MMM d, y"), locale=current_language())


def short_day(moment: datetime, zone: str) -> str:
    """The moment's date on `zone`'s calendar, as plain text: "Dec 1"."""
    # TRANSLATORS: a Unicode (CLDR) date pattern: MMM month, d day.
    return format_date(on_clock(moment, zone).date(), _("MMM d"), locale=current_language())


def for_day(label: str, moment: datetime, zone: str) -> str:
    """A button's text naming a meeting's date (plain text: no date token there):
    "Take notes for Dec 1", on the reader's calendar (`zone`) or else the series'. `label`
    is best a catalog message with a {day} placeholder, e.g. N_("Take notes for {day}")."""
    day = short_day(moment, zone)
    if "{day}" in label:
        return _(label).format(day=day)
    return _("{label} for {day}").format(label=label, day=day)


def on_clock(moment: datetime, zone: str) -> datetime:
    """The instant on `zone`'s wall clock (a naive moment is UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))


def zone_name(zone: str, at: datetime) -> str:
    """A zone as people say it: "Kolkata", "Los Angeles"; "UTC+05:30" for one with no city."""
    area, _, city = zone.rpartition("/")
    if area and area != "Etc":
        return city.replace("_", " ")
    offset = on_clock(at, zone).utcoffset() or timedelta()
    if not offset:
        return "UTC"
    minutes = abs(int(offset.total_seconds())) // 60
    sign = "+" if offset > timedelta() else "−"
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def same_clock(moment: datetime, zone: str, other_zone: str) -> bool:
    """Whether two zones' wall clocks show the same weekday and time at this moment."""
    here, there = on_clock(moment, zone), on_clock(moment, other_zone)
    return (here.weekday(), clock(here)) == (there.weekday(), clock(there))


def series_phrase(series: SeriesTime, zone: str) -> str:
    """The series on one zone's clock, its cadence included: "Mondays 10:00", "every other
    Monday 10:00", "the first Monday of each month, 10:00" ("monthly on a Sunday, 20:30" where
    that zone's date is not the series' own)."""
    local = on_clock(series.slot, zone)
    names = {"weekday": weekday(local), "weekdays": weekday(local, plural=True)}
    at = clock(local)
    if series.cadence == "biweekly":
        return _("every other {weekday} {time}").format(time=at, **names)
    if series.cadence == "monthly":
        nth = _nth(series, local)
        if nth is None:
            return _("monthly on a {weekday}, {time}").format(time=at, **names)
        return _(MONTHLY[nth]).format(time=at, **names)
    return _("{weekdays} {time}").format(time=at, **names)


MONTHLY = {
    1: N_("the first {weekday} of each month, {time}"),
    2: N_("the second {weekday} of each month, {time}"),
    3: N_("the third {weekday} of each month, {time}"),
    4: N_("the fourth {weekday} of each month, {time}"),
    -1: N_("the last {weekday} of each month, {time}"),
}
NTH_ASIDE = {
    1: N_("the first {weekday} {time}"),
    2: N_("the second {weekday} {time}"),
    3: N_("the third {weekday} {time}"),
    4: N_("the fourth {weekday} {time}"),
    -1: N_("the last {weekday} {time}"),
}


def recurring_time(series: SeriesTime, reader_zone: str | None) -> str:
    """The series' time for one reader, on their own clock, with the series' own where it
    differs: "Sundays 20:30 your time (Mondays 10:00 in Kolkata)"; "Mondays 10:00" when the
    clocks agree; "Mondays 10:00 in Kolkata" when the reader's zone is unknown."""
    home = series.timezone
    where = zone_name(home, series.slot)
    if reader_zone is None:
        return _("{when} in {place}").format(when=series_phrase(series, home), place=where)
    if same_clock(series.slot, reader_zone, home):
        return series_phrase(series, home)
    return _("{when} your time ({their_when} in {place})").format(
        when=series_phrase(series, reader_zone), their_when=_aside(series), place=where
    )


def off_hours(start: datetime, minutes: int, zone: str) -> list[str]:
    """Why a meeting is outside someone's working week on their clock: "on a Sunday",
    "outside 08:00–19:00" (start to end); empty when it is within it."""
    begin = on_clock(start, zone)
    end = on_clock(start + timedelta(minutes=minutes), zone)
    reasons = []
    if begin.weekday() >= 5:
        reasons.append(_("on a {weekday}").format(weekday=weekday(begin)))
    if begin.time() < WORK_START or end.date() != begin.date() or end.time() > WORK_END:
        hours = f"{clock(WORK_START)}–{clock(WORK_END)}"
        reasons.append(_("outside {hours}").format(hours=hours))
    return reasons


def due_phrase(due: date | None, today: date | None) -> str:
    """An item's due date as its owner reads it today: "Due today", "Due tomorrow", "Due
    Mon Dec 7", "Overdue since Thu Dec 3" (reminders move to working days, so not every one
    goes out on its due date); "Due today" when either date is unknown."""
    if due is None or today is None or due == today:
        return _("Due today")
    if due == today + timedelta(days=1):
        return _("Due tomorrow")
    day = day_name(due)
    if due > today:
        return _("Due {day}").format(day=day)
    return _("Overdue since {day}").format(day=day)


def dst_heads_up(series: SeriesTime, before: datetime, zone: str) -> str:
    """The one-time note that daylight saving time moved the series on the reader's clock."""
    now, was = on_clock(series.slot, zone), on_clock(before, zone)
    if now.weekday() == was.weekday():
        return _(
            "⏰ *Heads-up:* because of daylight saving time, your 1:1s are at {time} your "
            "time from now on (they were at {old_time})."
        ).format(time=clock(now), old_time=clock(was))
    return _(
        "⏰ *Heads-up:* because of daylight saving time, your 1:1s are on {weekdays} at "
        "{time} your time from now on (they were on {old_weekdays} at {old_time})."
    ).format(
        weekdays=weekday(now, plural=True),
        time=clock(now),
        old_weekdays=weekday(was, plural=True),
        old_time=clock(was),
    )


def _aside(series: SeriesTime) -> str:
    """The series on its own clock, short, for the parenthesis after a reader's time."""
    local = on_clock(series.slot, series.timezone)
    names = {"weekday": weekday(local), "weekdays": weekday(local, plural=True)}
    if series.cadence == "weekly":
        return _("{weekdays} {time}").format(time=clock(local), **names)
    nth = _nth(series, local) if series.cadence == "monthly" else None
    if nth is not None:
        return _(NTH_ASIDE[nth]).format(time=clock(local), **names)
    return _("{weekday} {time}").format(time=clock(local), **names)


def _nth(series: SeriesTime, local: datetime) -> int | None:
    """1 … 4, or -1 for the last: which weekday of the month, where `local`'s date is the
    series' own."""
    home = on_clock(series.slot, series.timezone)
    if local.date() != home.date():
        return None
    nth = series.nth if series.nth is not None else _nth_of(home.day)
    return nth if nth in MONTHLY else None


def _nth_of(day: int) -> int:
    nth = (day - 1) // 7 + 1
    return -1 if nth == 5 else nth
