"""The plain data every surface renders: what store operations return and blocks/ draws.

No SQL here: blocks/ imports these types, never the store modules that query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from store.health_views import (
    AgendaShare,
    CheckInView,
    DigestView,
    MeetingCheckIns,
    PromptHealth,
)
from store.questions import Question

ITEM_MAX = 500  # characters of one action item
# The one table of weekday names (datetime.weekday() order); not calendar.day_name, which
# follows the process's locale.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


ITEM_FIELDS = ("text", "owner", "due")  # the fields of an action item a notes form edits


def fingerprint(text: str) -> str:
    """A short hash of text (notes, an item's field), to tell whether someone changed it."""
    return hashlib.sha256(text.strip().encode()).hexdigest()[:16]


def item_prints(text: str, owner_id: str, due: date | None) -> tuple[str, str, str]:
    """Short hashes of an action item's text, owner and due date, field by field."""
    shown = (text, owner_id, due.isoformat() if due else "")
    return tuple(fingerprint(value)[:6] for value in shown)  # type: ignore[return-value]


@dataclass(frozen=True)
class SeriesTime:
    """When a series' 1:1s are: its cadence and zone, and one actual occurrence of its
    regular time (UTC), from which each reader's weekday and clock time are read."""

    cadence: str
    timezone: str
    slot: datetime
    nth: int | None = None  # monthly: which weekday of the month (1..4, -1 for the last)


SHARED: None = None  # the viewer of a shared surface (the pair's group DM): nobody in person


def may_see(viewer_id: str | None, author_id: str, is_private: bool) -> bool:
    """The one privacy rule, for talking points and notes alike: shared content is for both
    people of the pair, private content for its author alone; a shared surface (`viewer_id`
    SHARED) never shows private content. Who is in the pair is store/access.py's rule.
    Its SQL twin is store/privacy.py."""
    return not is_private or (viewer_id is not None and author_id == viewer_id)


@dataclass(frozen=True)
class ItemView:
    """One talking point as a viewer may see it (text in store.point_text's stored form)."""

    id: int
    author_id: str
    text: str
    is_private: bool
    discussed: bool
    carried_count: int
    source_url: str | None = None  # the message it was made from, and where that was
    source_channel: str | None = None


@dataclass(frozen=True)
class StandingView:
    """A standing item of the series (store/standing.py); `ticked`: discussed in the meeting
    it is shown for (each meeting has its own ticks)."""

    id: int
    text: str
    cadence: str
    ticked: bool = False


@dataclass(frozen=True)
class FollowUpView:
    """An action item of the pair on an agenda: open, or done since the last 1:1."""

    id: int
    owner_id: str
    text: str
    due_date: str | None
    done_by: str | None = None  # who marked it done (None while it is open)


@dataclass(frozen=True)
class AgendaView:
    """A meeting's agenda for one viewer (or for the shared channel when viewer is None)."""

    meeting_id: int
    pair_id: int
    manager_id: str
    report_id: str
    starts_at: datetime
    duration_minutes: int
    status: str
    follow_ups: list[FollowUpView]
    carried: list[ItemView]
    new: list[ItemView]
    outcome: str | None = None  # once it is over: HELD or NOT_HELD (None while it is to come)
    done_since: list[FollowUpView] = field(default_factory=list)  # done since the last 1:1
    timezone: str = "UTC"  # the series' zone: dates in plain text read on its clock
    standing: list[StandingView] = field(default_factory=list)  # due at this meeting

    @property
    def is_empty(self) -> bool:
        """Nothing to talk about yet."""
        return not (self.follow_ups or self.carried or self.new)


HELD = "held"
NOT_HELD = "not held"


@dataclass(frozen=True)
class ActionItemView:
    """An action item as either of the pair's two people sees it."""

    id: int
    pair_id: int
    meeting_id: int | None
    owner_id: str
    other_id: str  # the pair's other person, seen from the owner
    text: str
    due_date: date | None
    done: bool
    created_at: datetime


@dataclass(frozen=True)
class SummaryView:
    """The shared record of one meeting (never a private note or a private point)."""

    meeting_id: int
    pair_id: int
    manager_id: str
    report_id: str
    starts_at: datetime
    duration_minutes: int
    unscheduled: bool
    notes_saved: bool
    discussed: list[ItemView]
    carried: list[ItemView]  # not discussed: they move to the next meeting
    shared_notes: str
    action_items: list[ActionItemView]  # decided in this meeting
    follow_ups: list[ActionItemView]  # earlier items: done since the last meeting, or open
    next_starts_at: datetime | None
    timezone: str = "UTC"  # the series' zone: dates in plain text read on its clock
    viewer_id: str | None = None  # who opened it, when one person did (None: the group DM)


@dataclass(frozen=True)
class Square:
    """One meeting in the overview's row: held, rescheduled (and held), skipped, upcoming.

    A meeting counts as held when it was not skipped and its notes were saved or a talking
    point was ticked as discussed; a past meeting without either shows as not held ("missed").
    """

    meeting_id: int
    kind: str  # "held" | "rescheduled" | "skipped" | "missed" | "upcoming"
    starts_at: datetime


@dataclass(frozen=True)
class OneOnOne:
    """One of the viewer's 1:1s as their Home tab shows it."""

    pair_id: int
    other_id: str
    role: str  # the viewer's role in the pair: "manager" or "report"
    paused_until: date | None
    next_meeting_id: int | None
    next_starts_at: datetime | None
    agenda: list[ItemView]  # the next meeting's shared points and the viewer's private ones
    open_items: list[ActionItemView]
    last_meeting_id: int | None
    last_starts_at: datetime | None
    squares: list[Square]  # oldest first
    streak: int  # held meetings in a row, up to the latest past one
    series: SeriesTime | None = None  # the series' regular time, from its next occurrence
    notes_starts_at: datetime | None = None  # the meeting "Take notes" opens (store.notes)
    share: AgendaShare | None = None  # who wrote the last meetings' shared points


@dataclass(frozen=True)
class HomeData:
    """One person's 1:1s, soonest first."""

    viewer_id: str
    one_on_ones: list[OneOnOne]
    digest_off: bool = False  # the viewer turned their weekly digest off (store.digest)

    @property
    def reports(self) -> list[OneOnOne]:
        """The 1:1s where the viewer is the manager (the overview's rows)."""
        return [o for o in self.one_on_ones if o.role == "manager"]


@dataclass(frozen=True)
class NotesView:
    """What one person sees in a meeting's notes modal."""

    meeting_id: int
    pair_id: int
    manager_id: str
    report_id: str
    viewer_id: str
    starts_at: datetime
    duration_minutes: int
    unscheduled: bool
    points: list[ItemView]  # shared ones and the viewer's private ones
    moved_on: frozenset[int]  # those carried on to the next meeting (ticking brings them back)
    shared_notes: str
    shared_version: int  # 0 while there are none
    private_notes: str
    action_items: list[ActionItemView]  # decided in this meeting
    default_due: date | None  # the next meeting's date
    checkins: MeetingCheckIns | None = None  # both people's answers (store.checkins)


@dataclass(frozen=True)
class MeetingFor:
    """Which 1:1 a modal is for and which of its meetings, as one of its two people sees
    it: the other person, and the meeting's start (None when there is none yet)."""

    pair_id: int
    other_id: str
    meeting_id: int | None
    starts_at: datetime | None
    timezone: str  # the series' zone
    unscheduled: bool = False  # a huddle recorded outside the series


@dataclass(frozen=True)
class Profile:
    """A Slack user as users.info (or `user_change`) last described them."""

    user_id: str
    name: str
    tz: str
    locale: str | None
    is_bot: bool
    deleted: bool
    home_team_id: str | None


@dataclass(frozen=True)
class PromptPost:
    """The DM before a 1:1: the agenda so far as this person may see it, and a question."""

    viewer_id: str
    agenda: AgendaView
    suggestion: Question
    series: SeriesTime | None = None
    zone: str | None = None  # the viewer's Slack time zone, when it is known
    # The series' time on the viewer's clock at the occurrence they were last told about,
    # when daylight saving time has moved it since (they are told once, in this prompt).
    moved_from: datetime | None = None
    # The viewer's items whose reminders fell due with this prompt: shown with "Done" buttons
    # instead of a reminder of their own; `today` is the date on the viewer's clock.
    reminders: tuple[ActionItemView, ...] = ()
    today: date | None = None
    health: PromptHealth | None = None  # the check-in and the nudges (store.health)


@dataclass(frozen=True)
class ReminderPost:
    """The reminder of an action item to its owner (`today`: the date on their clock)."""

    item: ActionItemView
    today: date | None = None


@dataclass(frozen=True)
class AgendaPost:
    """The shared agenda in the pair's group DM (a suggested question while it is empty)."""

    agenda: AgendaView
    suggestion: Question | None
    checkins: MeetingCheckIns | None = None  # both people's check-ins (store.checkins)


@dataclass(frozen=True)
class NotesSaved:
    """A meeting that has notes both people may see (shared notes, items or ticks)."""

    meeting_id: int
    starts_at: datetime
    unscheduled: bool


@dataclass(frozen=True)
class HuddleOffer:
    """The offer to take notes after the pair's huddle (`saved`: its meeting has them)."""

    follow_up_id: int
    manager_id: str
    report_id: str
    minutes: int
    saved: NotesSaved | None = None


@dataclass(frozen=True)
class DuplicateEnded:
    """To one of two people who had two series with each other: the newer one was ended."""

    reader_id: str
    other_id: str


@dataclass(frozen=True)
class PersonLeft:
    """To one of a pair's two people: the other left the workspace, so their 1:1 ended."""

    reader_id: str
    other_id: str


@dataclass(frozen=True)
class PrivateCounts:
    """What "delete my data" deletes: one person's private talking points, private notes and
    check-in answers, and across how many of their 1:1s."""

    points: int
    notes: int
    pairs: int
    checkins: int = 0

    @property
    def empty(self) -> bool:
        """Nothing private to delete."""
        return not (self.points or self.notes or self.checkins)


@dataclass(frozen=True)
class HistoryDeletionView:
    """A requested deletion of an ended 1:1's history, as its two people are told of it."""

    pair_id: int
    requested_by: str
    other_id: str  # the pair's other person, who may export or object until `due_at`
    due_at: datetime
    objected_by: str | None = None


Content = (
    PromptPost
    | AgendaPost
    | SummaryView
    | ReminderPost
    | HuddleOffer
    | DuplicateEnded
    | PersonLeft
    | DigestView
)


@dataclass(frozen=True)
class Delivery:
    """What one piece of due work posts, and where: in the bot's DM with `dm_user`, or in
    the pair's group DM (`channel`; None until it has been opened for `people`)."""

    key: str
    kind: str
    team_id: str
    pair_id: int | None
    people: tuple[str, str]  # the pair's manager and report
    dm_user: str | None
    channel: str | None
    content: Content
    also: tuple[str, ...] = ()  # keys of work that goes out inside this post (store.bursts)
    locale: str | None = None  # the reader's (a DM) or the pair's (the group DM) language


@dataclass(frozen=True)
class ExportedPair:
    """One of the reader's 1:1s in their export (ended ones too: it is their history)."""

    pair_id: int
    manager_id: str
    report_id: str
    other_id: str  # the pair's other person, seen from the reader
    started_at: datetime
    ended_at: datetime | None
    standing: tuple[StandingView, ...] = ()  # the series' standing items now


EXPORT_UPCOMING = "upcoming"  # a meeting still to come, in an export (else HELD, NOT_HELD, …)
EXPORT_OPEN = "on"  # started, not over yet


@dataclass(frozen=True)
class ExportedMeeting:
    """One meeting of an export as its reader may see it: shared points and notes, the
    reader's own private points and notes, and the items decided in it."""

    meeting_id: int
    pair_id: int
    starts_at: datetime
    duration_minutes: int
    state: str  # HELD, NOT_HELD, "skipped", "cancelled", EXPORT_UPCOMING or EXPORT_OPEN
    unscheduled: bool
    points: list[ItemView]
    shared_notes: str
    private_notes: str  # the reader's own ("" when none)
    action_items: list[ActionItemView]
    checkins: tuple[CheckInView, ...] = ()  # both people's check-ins (store.checkins)
    standing_ticked: list[str] = field(default_factory=list)  # standing items discussed


@dataclass(frozen=True)
class ExportPage:
    """One page of a 1:1's meetings, oldest first; `after` continues it (None: the last)."""

    meetings: list[ExportedMeeting]
    after: tuple[datetime, int] | None


@dataclass(frozen=True)
class UploadedFileView:
    """A file the bot uploaded for a person (an export), so that it can be deleted later."""

    file_id: str
    channel_id: str
    filename: str
    kind: str
    created_at: datetime
