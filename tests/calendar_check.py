"""Reading .ics files back as a calendar app would (icalendar parses, recurring_ical_events
expands the RRULE with its EXDATEs and RECURRENCE-ID overrides in the VTIMEZONE's zone), and
the store's own answer to compare them with."""

from __future__ import annotations

from datetime import UTC, datetime

import recurring_ical_events
from icalendar import Calendar, Event
from sqlmodel import Session

from store.meetings import next_start
from store.models import Pair


def parse(data: bytes | str) -> Calendar:
    """The file as icalendar reads it (raises on anything it cannot read)."""
    return Calendar.from_ical(data if isinstance(data, bytes) else data.encode())


def events(calendar: Calendar) -> list[Event]:
    return list(calendar.walk("VEVENT"))


def occurrences(
    calendar: Calendar, start: datetime, end: datetime, *, uid: str | None = None
) -> list[tuple[datetime, int]]:
    """(start in UTC, minutes) of every occurrence from `start` to `end`, soonest first."""
    found = recurring_ical_events.of(calendar).between(start, end)
    return sorted(
        (
            event["DTSTART"].dt.astimezone(UTC),
            int((event["DTEND"].dt - event["DTSTART"].dt).total_seconds() // 60),
        )
        for event in found
        if uid is None or str(event["UID"]) == uid
    )


def store_starts(session: Session, pair: Pair, start: datetime, end: datetime) -> list[datetime]:
    """The store's next 1:1s after `start` up to `end` (store.meetings.next_start: skipped
    and cancelled left out, moved ones at their new time, none during a pause)."""
    found: list[datetime] = []
    after = start
    while True:
        nxt = next_start(session, pair, after=after)
        if nxt is None or nxt >= end:
            return found
        found.append(nxt)
        after = nxt
