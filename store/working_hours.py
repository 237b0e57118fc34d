"""When a nudge may reach a person: on a working day (Monday to Friday) between 08:00 and
19:00 on their own clock. Prompts and action-item reminders are timed by this one rule.

A post whose natural time falls outside working hours moves back to the latest working moment
before it: 18:00 on the last working day before (an hour before the day ends, so that pacing
never pushes it past 19:00). A prompt 24 hours before a Monday 09:00 meeting goes out on
Friday at 18:00. When that moment has already passed, the post goes out at the next working
moment instead (08:00 on the next working day, or at once during working hours), unless that
is later than the post's `latest` (a prompt: an hour before its meeting): then it is not sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_START = time(8, 0)
DAY_END = time(19, 0)
LATEST_SEND = time(18, 0)  # where a post moved back lands
WORK_DAYS = frozenset(range(5))  # Monday to Friday
MERGE_WINDOW = timedelta(minutes=1)  # posts to one conversation this close are one message


def is_working(moment: datetime, zone: str) -> bool:
    """Whether the moment is on a working day between 08:00 and 19:00 on `zone`'s clock."""
    local = moment.astimezone(ZoneInfo(zone))
    return local.weekday() in WORK_DAYS and DAY_START <= local.time() < DAY_END


def latest_working(moment: datetime, zone: str) -> datetime:
    """The moment itself when it is a working one, else 18:00 on the last working day before
    it (the same day when that is a working day after 19:00)."""
    if is_working(moment, zone):
        return moment
    local = moment.astimezone(ZoneInfo(zone))
    day = local.date() if local.time() >= DAY_END else local.date() - timedelta(days=1)
    while day.weekday() not in WORK_DAYS:
        day -= timedelta(days=1)
    return _at(day, LATEST_SEND, zone)


def earliest_working(moment: datetime, zone: str) -> datetime:
    """The moment itself when it is a working one, else 08:00 on the next working day (the
    same day when that is a working day before 08:00)."""
    if is_working(moment, zone):
        return moment
    local = moment.astimezone(ZoneInfo(zone))
    day = local.date() if local.time() < DAY_START else local.date() + timedelta(days=1)
    while day.weekday() not in WORK_DAYS:
        day += timedelta(days=1)
    return _at(day, DAY_START, zone)


def send_time(
    natural: datetime, zone: str, *, now: datetime, latest: datetime | None = None
) -> datetime | None:
    """When a post whose natural time is `natural` goes out to a reader in `zone`: the latest
    working moment at or before it (and not after `latest`), else the next working moment
    after `now` (not after `latest`); None when there is none."""
    target = max(min(natural, latest) if latest else natural, now)
    back = latest_working(target, zone)
    chosen = back if back >= now else earliest_working(target, zone)
    if latest is not None and chosen > latest:
        return None
    return chosen


def _at(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
