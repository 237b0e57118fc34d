"""The plain data of a series' settings: what the settings modal shows and what a change did.

No SQL here: blocks/ imports these types (store/settings.py reads and writes them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from store.views import SeriesTime, StandingView

# The settings only the manager changes; the report sees them read-only.
MANAGER_ONLY = frozenset(
    {
        "weekday",
        "local_time",
        "cadence",
        "duration_minutes",
        "prompt_lead_minutes",
        "agenda_lead_minutes",
    }
)
WHEN = frozenset({"weekday", "local_time", "cadence", "duration_minutes"})  # the report is told
LANGUAGES = ("en", "de")  # a group DM's language ("" or None: the manager's)


@dataclass(frozen=True)
class SettingsView:
    """One series' settings as one of its two people (`viewer_id`) sees them."""

    pair_id: int
    viewer_id: str
    manager_id: str
    report_id: str
    cadence: str
    weekday: int
    local_time: time
    timezone: str
    duration_minutes: int
    prompt_lead_minutes: int
    agenda_lead_minutes: int
    checkins_report: bool
    checkins_manager: bool
    group_language: str | None
    standing: tuple[StandingView, ...]
    series: SeriesTime | None  # the regular time, read at the next occurrence

    @property
    def is_manager(self) -> bool:
        """The viewer manages the series (and may change its time)."""
        return self.viewer_id == self.manager_id

    @property
    def other_id(self) -> str:
        """The series' other person, seen from the viewer."""
        return self.report_id if self.is_manager else self.manager_id


@dataclass(frozen=True)
class Moved:
    """One upcoming meeting the new time moved."""

    meeting_id: int
    before: datetime
    after: datetime


@dataclass(frozen=True)
class SettingsChanged:
    """What one settings change did (for the notices, and for hooks such as calendars)."""

    pair_id: int
    actor_id: str
    manager_id: str
    report_id: str
    fields: frozenset[str]  # the Pair settings that changed (names as in SettingsChange)
    moved: tuple[Moved, ...] = ()  # upcoming meetings at a new time
    standing: tuple[str, ...] = ()  # "added", "edited", "removed", "reordered"
    handed_from: str | None = None  # the manager before a handover (manager_id: the new one)
    next_starts_at: datetime | None = None
    series: SeriesTime | None = None  # the series' time after the change
    duration_minutes: int = 30
    meetings: tuple[int, ...] = field(default=())  # upcoming meetings whose agenda may change

    @property
    def retimed(self) -> bool:
        """The 1:1s are at another time, day, cadence or length: the report is told."""
        return bool(self.fields & WHEN)

    @property
    def nothing(self) -> bool:
        """Nothing changed at all."""
        return not (self.fields or self.standing or self.handed_from)
