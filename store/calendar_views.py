"""The plain data a series' calendar is written from (blocks/ics.py): no SQL here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True)
class Instance:
    """A meeting a calendar shows somewhere else than the rule puts it: moved (`slot`, UTC,
    is the occurrence it overrides: its RECURRENCE-ID), or one of its own (`slot` None: the
    series' time was changed after it, so the rule no longer has it)."""

    meeting_id: int
    slot: datetime | None
    starts_at: datetime  # UTC
    minutes: int


@dataclass(frozen=True)
class CalendarSeries:
    """One series as calendars show it: its rule in its own zone's wall-clock time, the
    occurrences left out (skipped, cancelled, paused over) and the ones moved."""

    pair_id: int
    uid: str  # stable for the life of the series
    team_id: str
    manager_id: str
    report_id: str
    channel_id: str | None  # the pair's group DM (the event links to it)
    cadence: str
    weekday: int
    local_time: time
    timezone: str
    first_date: date
    nth: int | None  # monthly: which weekday of the month (1..4, -1 for the last)
    minutes: int
    excluded: tuple[datetime, ...]  # UTC slots of the rule that do not happen
    moved: tuple[Instance, ...]
    ended: bool
    sequence: int

    def includes(self, user_id: str) -> bool:
        """Whether the person is one of the series' two (a former manager is not)."""
        return user_id in (self.manager_id, self.report_id)

    def fingerprint(self) -> str:
        """A hash of everything a calendar shows of the series' times (not its SEQUENCE,
        names or wording): equal fingerprints, nothing to send."""
        shown = (
            self.manager_id,  # a handover: the report's event now names the new manager
            self.cadence,
            self.weekday,
            self.local_time.isoformat(),
            self.timezone,
            self.first_date.isoformat(),
            self.nth,
            self.minutes,
            sorted(slot.isoformat() for slot in self.excluded),
            sorted(
                (
                    m.slot.isoformat() if m.slot else f"#{m.meeting_id}",
                    m.starts_at.isoformat(),
                    m.minutes,
                )
                for m in self.moved
            ),
            self.ended,
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()


@dataclass(frozen=True)
class CalendarReader:
    """Whom a calendar is written for: their id, their Slack locale, and the display names
    of the people in it."""

    user_id: str
    locale: str | None
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CalendarSend:
    """One series' .ics file for one of its two people, or its cancellation for the manager
    who handed it over (due work CALENDAR)."""

    team_id: str
    user_id: str
    series: CalendarSeries
    reader: CalendarReader
    first: bool = False  # no earlier file of the series reached them ("Add it …")


@dataclass(frozen=True)
class FeedLink:
    """A person's current calendar feed (its token is never stored, so never shown again)."""

    created_at: datetime
    read_at: datetime | None  # when a calendar last polled it
