"""When a pair's 1:1s happen: a recurrence in local wall-clock time, its slots in UTC.

Pure functions: no database, no clock; the instant to count from is passed in.

Wall-clock times that a daylight-saving change makes odd are resolved the way zoneinfo
resolves fold=0: a time inside a spring-forward gap is read with the offset from before
the gap, so it lands after the gap (02:30 on the US change day becomes 03:30 local); a
time that a fall-back repeats is its first occurrence (still on the summer offset).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from dateutil.rrule import weekday as rrule_weekday

from store.models import Cadence
from store.views import WEEKDAY_NAMES

_CADENCES = frozenset(cadence.value for cadence in Cadence)
_WEEKS_BETWEEN = {Cadence.WEEKLY: 1, Cadence.BIWEEKLY: 2}


@dataclass(frozen=True)
class Recurrence:
    """A pair's schedule: a cadence on one weekday at a wall-clock time in a named zone."""

    cadence: str
    weekday: int
    local_time: time
    timezone: str
    first_date: date

    def __post_init__(self) -> None:
        """Reject a schedule that cannot produce consistent slots."""
        if self.cadence not in _CADENCES:
            raise ValueError(f"Unknown cadence {self.cadence!r}: use weekly, biweekly or monthly.")
        _check_weekday(self.weekday)
        _check_wall_clock(self.local_time)
        _zone(self.timezone)
        if self.first_date.weekday() != self.weekday:
            raise ValueError(
                f"The first date {self.first_date.isoformat()} is a "
                f"{WEEKDAY_NAMES[self.first_date.weekday()]}, "
                f"not a {WEEKDAY_NAMES[self.weekday]}."
            )


def first_date_on_or_after(day: date, weekday: int) -> date:
    """The first date with `weekday` (0=Monday) on or after `day`."""
    _check_weekday(weekday)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def nth_weekday_of_month(day: date) -> int:
    """Which of its month's weekdays `day` is: 1..4, or -1 for a 5th (always the last)."""
    nth = (day.day - 1) // 7 + 1
    # Not every month has a 5th, so "monthly on the 5th Tuesday" means the last Tuesday.
    return -1 if nth == 5 else nth


def slots_after(rec: Recurrence, after: datetime, count: int = 1) -> list[datetime]:
    """The next `count` start times strictly after `after`, as aware UTC datetimes."""
    _check_aware(after, "after")
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}.")
    zone = _zone(rec.timezone)
    # Start a day early: a slot in a DST gap lands later than its wall time; the filter is exact.
    since = after.astimezone(zone).date() - timedelta(days=1)
    slots = (_to_utc(day, rec.local_time, zone) for day in _dates_from(rec, since))
    return list(islice((slot for slot in slots if slot > after), count))


def slots_through(rec: Recurrence, until: datetime) -> list[datetime]:
    """Every start time from the first one up to and including `until`, as aware UTC."""
    _check_aware(until, "until")
    zone = _zone(rec.timezone)
    last = until.astimezone(zone).date() + timedelta(days=1)  # a gap's slot lands later
    rule = _rule(rec).between(
        datetime.combine(rec.first_date, time()), datetime.combine(last, time()), inc=True
    )
    slots = (_to_utc(day.date(), rec.local_time, zone) for day in rule)
    return [slot for slot in slots if slot <= until]


def next_slot(rec: Recurrence, after: datetime) -> datetime:
    """The next start time strictly after `after`, as an aware UTC datetime."""
    return slots_after(rec, after, 1)[0]


def local_start(slot_utc: datetime, timezone: str) -> datetime:
    """The same instant as `slot_utc`, on the wall clock of `timezone`."""
    _check_aware(slot_utc, "slot_utc")
    return slot_utc.astimezone(_zone(timezone))


def slot_from_local(day: date, at: time, timezone: str) -> datetime:
    """A one-off local date and wall-clock time in `timezone`, as an aware UTC datetime."""
    _check_wall_clock(at)
    return _to_utc(day, at, _zone(timezone))


def _dates_from(rec: Recurrence, since: date) -> Iterator[date]:
    """The recurrence's local dates on or after `since` (never before first_date: dtstart)."""
    start = datetime.combine(since, time())
    return (occurrence.date() for occurrence in _rule(rec).xafter(start, inc=True))


def _rule(rec: Recurrence) -> rrule:
    """The rrule of the recurrence's local dates, counted from first_date."""
    # Naive local midnights: rrule only picks the days; the wall-clock time and the zone
    # are attached per day afterwards, so DST never shifts the local time.
    dtstart = datetime.combine(rec.first_date, time())
    if rec.cadence == Cadence.MONTHLY:
        nth = nth_weekday_of_month(rec.first_date)
        return rrule(MONTHLY, dtstart=dtstart, byweekday=rrule_weekday(rec.weekday, nth))
    weeks = _WEEKS_BETWEEN[Cadence(rec.cadence)]
    return rrule(WEEKLY, dtstart=dtstart, interval=weeks, byweekday=rec.weekday)


def _to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`day` at wall-clock `at` in `zone`, as UTC (fold=0 for gaps and repeats)."""
    return datetime.combine(day, at.replace(fold=0), tzinfo=zone).astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`, or ValueError."""
    try:
        return ZoneInfo(name)
    # A bad key surfaces as not-found, a malformed path, a directory ("America") or a non-str.
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise ValueError(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Berlin."
        ) from None


def _check_weekday(weekday: int) -> None:
    """Raise ValueError unless `weekday` is 0 (Monday) to 6 (Sunday)."""
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}.")


def _check_wall_clock(at: time) -> None:
    """Raise ValueError if `at` carries its own zone (the zone is named separately)."""
    if at.tzinfo is not None:
        raise ValueError("The local time must not carry a time zone; name the zone instead.")


def _check_aware(moment: datetime, name: str) -> None:
    """Raise ValueError if `moment` is naive (it could be any instant)."""
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware.")
