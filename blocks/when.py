"""Recurring 1:1 times as each reader reads them, on their own clock: "Sundays 20:30 your time
(Mondays 10:00 in Kolkata)". Read from an actual occurrence, so that daylight saving time and
the date line come out right. Every weekday and clock time a person reads as words is
formatted here, one way (24-hour "HH:MM", English names), so that it can be localised in one
place; single instants in mrkdwn are Slack date tokens instead (blocks.format.slack_date)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from store.views import WEEKDAY_NAMES, SeriesTime

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WORK_START = time(8, 0)
WORK_END = time(19, 0)
WORK_HOURS = "08:00–19:00"
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def clock(moment: datetime) -> str:
    """A wall-clock time as people read it here: "09:05"."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def weekday(moment: datetime, *, plural: bool = False) -> str:
    """The moment's weekday by name: "Monday" ("Mondays" with `plural`)."""
    name = WEEKDAY_NAMES[moment.weekday()]
    return f"{name}s" if plural else name


def short_day(moment: datetime, zone: str) -> str:
    """The moment's date on `zone`'s calendar, as plain text: "Dec 1"."""
    local = on_clock(moment, zone)
    return f"{MONTH_NAMES[local.month - 1]} {local.day}"


def for_day(label: str, moment: datetime, zone: str) -> str:
    """A button's text naming a meeting's date (plain text: no date token there):
    "Take notes for Dec 1", on the reader's calendar (`zone`) or else the series'."""
    return f"{label} for {short_day(moment, zone)}"


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
    at = clock(local)
    if series.cadence == "biweekly":
        return f"every other {weekday(local)} {at}"
    if series.cadence == "monthly":
        nth = _nth(series, local)
        if nth is None:
            return f"monthly on a {weekday(local)}, {at}"
        return f"the {nth} {weekday(local)} of each month, {at}"
    return f"{weekday(local, plural=True)} {at}"


def recurring_time(series: SeriesTime, reader_zone: str | None) -> str:
    """The series' time for one reader, on their own clock, with the series' own where it
    differs: "Sundays 20:30 your time (Mondays 10:00 in Kolkata)"; "Mondays 10:00" when the
    clocks agree; "Mondays 10:00 in Kolkata" when the reader's zone is unknown."""
    home = series.timezone
    where = zone_name(home, series.slot)
    if reader_zone is None:
        return f"{series_phrase(series, home)} in {where}"
    if same_clock(series.slot, reader_zone, home):
        return series_phrase(series, home)
    return f"{series_phrase(series, reader_zone)} your time ({_aside(series)} in {where})"


def off_hours(start: datetime, minutes: int, zone: str) -> list[str]:
    """Why a meeting is outside someone's working week on their clock: "on a Sunday",
    "outside 08:00–19:00" (start to end); empty when it is within it."""
    begin = on_clock(start, zone)
    end = on_clock(start + timedelta(minutes=minutes), zone)
    reasons = []
    if begin.weekday() >= 5:
        reasons.append(f"on a {weekday(begin)}")
    if begin.time() < WORK_START or end.date() != begin.date() or end.time() > WORK_END:
        reasons.append(f"outside {WORK_HOURS}")
    return reasons


def due_phrase(due: date | None, today: date | None) -> str:
    """An item's due date as its owner reads it today: "Due today", "Due tomorrow", "Due
    Mon Dec 7", "Overdue since Thu Dec 3" (reminders move to working days, so not every one
    goes out on its due date); "Due today" when either date is unknown."""
    if due is None or today is None or due == today:
        return "Due today"
    if due == today + timedelta(days=1):
        return "Due tomorrow"
    day = f"{due:%a %b} {due.day}"
    return f"Due {day}" if due > today else f"Overdue since {day}"


def dst_heads_up(series: SeriesTime, before: datetime, zone: str) -> str:
    """The one-time note that daylight saving time moved the series on the reader's clock."""
    now, was = on_clock(series.slot, zone), on_clock(before, zone)
    if now.weekday() == was.weekday():
        new, old = f"at {clock(now)}", f"at {clock(was)}"
    else:
        new = f"on {weekday(now, plural=True)} at {clock(now)}"
        old = f"on {weekday(was, plural=True)} at {clock(was)}"
    return (
        f"⏰ *Heads-up:* because of daylight saving time, your 1:1s are {new} your time "
        f"from now on (they were {old})."
    )


def _aside(series: SeriesTime) -> str:
    """The series on its own clock, short, for the parenthesis after a reader's time."""
    local = on_clock(series.slot, series.timezone)
    if series.cadence == "weekly":
        return f"{weekday(local, plural=True)} {clock(local)}"
    nth = _nth(series, local) if series.cadence == "monthly" else None
    return f"{f'the {nth} ' if nth else ''}{weekday(local)} {clock(local)}"


def _nth(series: SeriesTime, local: datetime) -> str | None:
    """ "first" … "last": which weekday of the month, where `local`'s date is the series' own."""
    home = on_clock(series.slot, series.timezone)
    if local.date() != home.date():
        return None
    nth = series.nth if series.nth is not None else _nth_of(home.day)
    return ORDINALS.get(nth)


def _nth_of(day: int) -> int:
    nth = (day - 1) // 7 + 1
    return -1 if nth == 5 else nth
