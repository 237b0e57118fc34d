"""A person's 1:1s as iCalendar (RFC 5545), written with `icalendar`: each series one event in
its own zone's wall-clock time (TZID and VTIMEZONE, so DST never moves it), its recurrence an
RRULE, skipped, cancelled and paused-over occurrences EXDATEs, moved ones overriding
instances with a RECURRENCE-ID. A pure function of plain data (store/calendar_views.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from blocks.i18n import _
from store.calendar_views import CalendarReader, CalendarSeries, Instance

PRODID = "-//oneonone//1:1s//EN"
PUBLISH = "PUBLISH"
CANCEL = "CANCEL"
FEED_REFRESH = timedelta(hours=1)  # how often a subscribed calendar should poll the feed
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ZONES_UNTIL = 2038  # VTIMEZONE rules written at least until then (zoneinfo's own horizon)


def series_file(series: CalendarSeries, reader: CalendarReader, *, now: datetime) -> bytes:
    """The .ics of one series for one of its two people: METHOD:PUBLISH while it runs,
    METHOD:CANCEL (every part STATUS:CANCELLED) once it has ended, and for the manager who
    handed it over."""
    calendar = _calendar(CANCEL if _cancelled(series, reader) else PUBLISH)
    for event in series_events(series, reader, now=now):
        calendar.add_component(event)
    return _finish(calendar, [series], now)


def feed(
    series: Sequence[CalendarSeries],
    reader: CalendarReader,
    *,
    now: datetime,
    subscribed: bool = True,
) -> bytes:
    """All of a person's running series: the feed calendars poll (`subscribed`: named, with
    how often to poll it), or one file of them all to import."""
    calendar = _calendar(PUBLISH)
    if subscribed:
        calendar.add("x-wr-calname", _("1:1s"))
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", FEED_REFRESH)
    for one in series:
        for event in series_events(one, reader, now=now):
            calendar.add_component(event)
    return _finish(calendar, series, now)


def file_name(pair_id: int, sequence: int) -> str:
    """The name of a series' .ics file at one SEQUENCE (unique in the reader's DM)."""
    return f"oneonone-{pair_id}-{sequence}.ics"


def file_title(series: CalendarSeries, reader: CalendarReader) -> str:
    """What Slack shows as the file's title."""
    return _("1:1s with {name}").format(name=_other_name(series, reader))


def file_comment(series: CalendarSeries, reader: CalendarReader, *, first: bool = False) -> str:
    """The one line that goes with the file in the reader's DM (`first`: no earlier file of
    the series reached them, e.g. the new manager after a handover)."""
    name = _other_name(series, reader)
    if not series.includes(reader.user_id):
        manager = reader.names.get(series.manager_id) or _("their new manager")
        return _(
            "📅 You handed your 1:1s with {name} to {manager}: open this file to remove them "
            "from your calendar."
        ).format(name=name, manager=manager)
    if series.ended:
        return _(
            "📅 Your 1:1s with {name} have ended: open this file to remove them from your calendar."
        ).format(name=name)
    if first or series.sequence == 0:
        return _("📅 Add it to your calendar: your 1:1s with {name}.").format(name=name)
    return _(
        "📅 Your 1:1s with {name} changed: open this file to update them in your calendar."
    ).format(name=name)


def all_file_name() -> str:
    """The name of the file of all of a person's 1:1s."""
    return "oneonone-1on1s.ics"


def slack_link(team_id: str, channel_id: str | None) -> str:
    """The web link to the pair's group DM (the workspace when it is not known yet)."""
    if channel_id is None:
        return f"https://app.slack.com/client/{team_id}"
    return f"https://app.slack.com/client/{team_id}/{channel_id}"


def series_events(series: CalendarSeries, reader: CalendarReader, *, now: datetime) -> list[Event]:
    """The series' event with its rule, then one event per moved or extra meeting."""
    zone = ZoneInfo(series.timezone)
    main = _event(series, reader, series.uid, now=now)
    start = datetime.combine(series.first_date, series.local_time, tzinfo=zone)
    main.add("dtstart", start)
    main.add("duration", timedelta(minutes=series.minutes))
    main.add("rrule", _rule(series))
    if series.excluded:
        main.add("exdate", [slot.astimezone(zone) for slot in sorted(series.excluded)])
    events = [main]
    for moved in sorted(series.moved, key=lambda m: m.starts_at):
        events.append(_instance(series, reader, moved, zone, now=now))
    return events


def _instance(
    series: CalendarSeries,
    reader: CalendarReader,
    moved: Instance,
    zone: ZoneInfo,
    *,
    now: datetime,
) -> Event:
    uid = series.uid if moved.slot is not None else f"{moved.meeting_id}.{series.uid}"
    event = _event(series, reader, uid, now=now)
    if moved.slot is not None:
        event.add("recurrence-id", moved.slot.astimezone(zone))
    event.add("dtstart", moved.starts_at.astimezone(zone))
    event.add("duration", timedelta(minutes=moved.minutes))
    return event


def _event(series: CalendarSeries, reader: CalendarReader, uid: str, *, now: datetime) -> Event:
    name = _other_name(series, reader)
    link = slack_link(series.team_id, series.channel_id)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", series.sequence)
    event.add("status", "CANCELLED" if _cancelled(series, reader) else "CONFIRMED")
    event.add("summary", _("1:1 with {name}").format(name=name))
    event.add(
        "description",
        _(
            "Your 1:1 with {name}. The agenda, notes and action items are in Slack: {link}\n"
            "Add a talking point: /oneonone add"
        ).format(name=name, link=link),
    )
    event.add("url", link)
    event.add("transp", "OPAQUE")
    return event


def _rule(series: CalendarSeries) -> dict[str, Any]:
    day = WEEKDAYS[series.weekday]
    if series.cadence == "monthly":
        return {"freq": "MONTHLY", "byday": f"{series.nth or 1}{day}", "wkst": "MO"}
    interval = 2 if series.cadence == "biweekly" else 1
    return {"freq": "WEEKLY", "interval": interval, "byday": day, "wkst": "MO"}


def _cancelled(series: CalendarSeries, reader: CalendarReader) -> bool:
    """Ended, or no longer the reader's: a manager who handed it over."""
    return series.ended or not series.includes(reader.user_id)


def _other_name(series: CalendarSeries, reader: CalendarReader) -> str:
    """The report for their manager (or their former one), the manager for the report."""
    if reader.user_id != series.report_id:
        return reader.names.get(series.report_id) or _("your report")
    return reader.names.get(series.manager_id) or _("your manager")


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _finish(calendar: Calendar, series: Sequence[CalendarSeries], now: datetime) -> bytes:
    """Add the VTIMEZONE of every zone used, covering every series from its first date."""
    first = min((s.first_date for s in series), default=now.date())
    last = date(max(ZONES_UNTIL, now.year + 12), 1, 1)
    calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=last)
    return bytes(calendar.to_ical())
