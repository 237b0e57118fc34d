"""The plain data of the signals that tell whether a pair's 1:1s are working: check-ins, who
fills the agenda, points carried over and over, and a manager's weekly digest.

No SQL here (blocks/ imports these types); store/checkins.py, store/health.py and
store/digest.py read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

MOOD_MIN, MOOD_MAX = 1, 5  # 😣 … 😄
LOW_DROP = 2  # a drop of this many steps below the mean of the last answers is "low"
LOW_WINDOW = 4  # how many earlier answers that mean is taken over
STUCK_CARRIES = 3  # a point carried over this often is asked about ("discuss or drop?")
SHARE_MEETINGS = 8  # who fills the agenda: over this many meetings
SHARE_MIN_POINTS = 3  # fewer shared points than this say nothing about who leads


@dataclass(frozen=True)
class CheckInView:
    """One person's answer for one meeting, with their earlier answers in the same series
    (oldest first, at most LOW_WINDOW) and whether it is lower than usual."""

    user_id: str
    mood: int
    text: str
    earlier: tuple[int, ...]

    @property
    def low(self) -> bool:
        """Two steps or more below the mean of the earlier answers."""
        if not self.earlier:
            return False
        return self.mood <= sum(self.earlier) / len(self.earlier) - LOW_DROP


@dataclass(frozen=True)
class MeetingCheckIns:
    """The check-ins of one meeting, the report's first; both people of the pair see them."""

    report_id: str
    manager_id: str
    answers: tuple[CheckInView, ...]

    @property
    def report_low(self) -> CheckInView | None:
        """The report's answer when it is lower than usual (the manager is nudged)."""
        return next((a for a in self.answers if a.user_id == self.report_id and a.low), None)


@dataclass(frozen=True)
class AgendaShare:
    """Who wrote the shared talking points of a series' last SHARE_MEETINGS meetings
    (private points never count: nobody may learn that they exist)."""

    report_id: str
    manager_id: str
    by_report: int
    total: int

    @property
    def manager_leads(self) -> bool:
        """The manager wrote more than half of enough points to tell."""
        return self.total >= SHARE_MIN_POINTS and (self.total - self.by_report) * 2 > self.total


@dataclass(frozen=True)
class StuckPoint:
    """A shared or own talking point carried over STUCK_CARRIES times or more."""

    id: int
    author_id: str
    text: str
    carried_count: int
    report_id: str = ""  # in a digest: whose 1:1 it is on


@dataclass(frozen=True)
class PromptHealth:
    """What a prompt adds for its reader: the check-in (when the series asks them), the
    report's low check-in (to the manager), who fills the agenda, and the reader's own points
    carried over three times (each with "Keep" and "Drop")."""

    meeting_id: int
    ask_checkin: bool
    mine: CheckInView | None
    report_low: CheckInView | None
    share: AgendaShare | None
    stuck: tuple[StuckPoint, ...]


DIGEST_HELD, DIGEST_SKIPPED, DIGEST_NOT_HELD, DIGEST_UPCOMING = (
    "held",
    "skipped",
    "not held",
    "upcoming",
)


@dataclass(frozen=True)
class DigestMeeting:
    """One of this week's 1:1s of a manager's series (the week on the manager's clock)."""

    report_id: str
    starts_at: datetime
    state: str  # DIGEST_HELD, DIGEST_SKIPPED, DIGEST_NOT_HELD or DIGEST_UPCOMING


@dataclass(frozen=True)
class OwnerItems:
    """Open action items of the manager's series by owner, and how many are overdue."""

    owner_id: str
    open: int
    overdue: int


@dataclass(frozen=True)
class DigestView:
    """A manager's weekly digest: their active series (as manager) this week."""

    manager_id: str
    week_of: date  # the Monday of the week, on the manager's clock
    reports: tuple[str, ...]
    week: tuple[DigestMeeting, ...]
    quiet: tuple[str, ...]  # reports with no held 1:1 in the last two weeks
    items: tuple[OwnerItems, ...]
    stuck: tuple[StuckPoint, ...]
