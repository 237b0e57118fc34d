"""Every table of the domain. Times are UTC and timezone-aware; every row carries its team."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.db import UTCDateTime

# Ids of items and points travel in modals and buttons; SQLite would hand a deleted row's id
# to the next insert unless the table says AUTOINCREMENT (PostgreSQL never reuses them).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def utc_column(*, nullable: bool = True, index: bool = False) -> Column[Any]:
    """A timezone-aware UTC timestamp column."""
    return Column(UTCDateTime(), nullable=nullable, index=index)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    """The id of a row that was flushed (the database set it); the models say `int | None`
    only because a row has none before its INSERT."""
    assert row.id is not None, f"{type(row).__name__} has no id: it was never flushed"
    return row.id


def people_key(one: str, other: str) -> str:
    """The two people of a pair in order, the same whoever manages."""
    return ":".join(sorted((one, other)))


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class StandingCadence(StrEnum):
    """How often a standing item is on the agenda (store/standing.py says exactly when)."""

    EVERY = "every"  # every meeting
    EVERY_2ND = "every_2nd"  # every other meeting that happens
    MONTHLY = "monthly"  # the first meeting that happens in each month


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    SKIPPED = "skipped"
    HELD = "held"
    CANCELLED = "cancelled"


NOT_HAPPENING = (MeetingStatus.SKIPPED, MeetingStatus.CANCELLED)


class WorkKind(StrEnum):
    PROMPT = "prompt"
    AGENDA = "agenda"
    SUMMARY = "summary"
    REMINDER = "reminder"
    HUDDLE = "huddle"
    NOTICE = "notice"  # a one-off DM: a duplicate series was ended, or the other one left
    ERASE = "erase"  # a 1:1's history is deleted, once its grace period passed unobjected
    FORGET = "forget"  # a person who left: their private data, once the retention passed
    DIGEST = "digest"  # a manager's weekly digest (Friday 16:00 on their clock)
    CALENDAR = "calendar"  # a series' .ics file to one of its two people (store/calendar.py)


# One manager and one report in one workspace, with their recurrence.
class Pair(SQLModel, table=True):
    __table_args__ = (
        Index("ix_pair_team_manager", "team_id", "manager_id"),
        Index("ix_pair_team_report", "team_id", "report_id"),
        Index(
            "uq_pair_active",
            "team_id",
            "manager_id",
            "report_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(  # one active pair per two people, whichever of them manages
            "uq_pair_people_active",
            "team_id",
            "people_key",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    manager_id: str = Field(max_length=32)
    report_id: str = Field(max_length=32)
    people_key: str = Field(max_length=65)  # the two people in order: see people_key()
    channel_id: str | None = Field(default=None, max_length=32)
    cadence: str = Field(default=Cadence.WEEKLY, max_length=16)
    weekday: int = Field(ge=0, le=6)
    local_time: time
    timezone: str = Field(max_length=64)
    first_date: date
    duration_minutes: int = Field(default=30)
    prompt_lead_minutes: int = Field(default=24 * 60)
    agenda_lead_minutes: int = Field(default=30)
    paused_until: date | None = None
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=utc_column())
    # The series' settings (store/settings.py): who is asked the weekly check-in, and the
    # language of the pair's group DM (None: the manager's Slack language).
    checkins_report: bool = Field(default=True)
    checkins_manager: bool = Field(default=False)
    group_language: str | None = Field(default=None, max_length=8)
    # What calendars show of the series (store/calendar.py): the SEQUENCE of its .ics files
    # and a fingerprint of their content, so a change that shows nothing sends nothing.
    calendar_sequence: int = Field(default=0)
    calendar_print: str | None = Field(default=None, max_length=64)


# One occurrence of a pair (scheduled, or recorded after an unscheduled huddle).
class Meeting(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("pair_id", "slot_at", name="uq_meeting_pair_slot"),
        Index("ix_meeting_pair_starts", "pair_id", "starts_at"),
        # Meetings still to come (scheduled, not closed), overall and per pair: with the
        # status and closed_at columns in the index, both databases range-scan them even
        # with bound parameters (a partial index would need the literal values in the query).
        Index("ix_meeting_open_starts", "status", "closed_at", "starts_at"),
        Index("ix_meeting_pair_open", "pair_id", "status", "closed_at", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    slot_at: datetime = Field(sa_column=utc_column(nullable=False))
    starts_at: datetime = Field(sa_column=utc_column(nullable=False))
    duration_minutes: int = Field(default=30)
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=16)
    unscheduled: bool = Field(default=False)
    agenda_channel_id: str | None = Field(default=None, max_length=32)
    agenda_ts: str | None = Field(default=None, max_length=32)
    summary_ts: str | None = Field(default=None, max_length=32)
    notes_saved_at: datetime | None = Field(default=None, sa_column=utc_column())
    closed_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


# Something one person wants to talk about in one meeting.
class TalkingPoint(SQLModel, table=True):
    __tablename__ = "talking_point"
    __table_args__ = (
        Index("ix_talking_point_meeting", "meeting_id", "position"),
        UniqueConstraint("team_id", "origin_key", name="uq_talking_point_origin"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    meeting_id: int = Field(foreign_key="meeting.id")
    author_id: str = Field(max_length=32)
    text: str = Field(max_length=4000)
    is_private: bool = Field(default=False)
    discussed: bool = Field(default=False)
    carried_count: int = Field(default=0)
    position: int = Field(default=0)
    origin_key: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    # The message it was made from (the message shortcut): shown as "(from #general)".
    source_url: str | None = Field(default=None, max_length=1000)
    source_channel: str | None = Field(default=None, max_length=100)
    # Its author chose to keep it after it was carried over three times (store/health.py):
    # their prompt stops asking "discuss it this week, or drop it?".
    kept_at: datetime | None = Field(default=None, sa_column=utc_column())


# A talking point was carried out of a meeting undiscussed: that meeting's summary lists it
# as carried over, and its notes can still tick it (which brings it back and drops the row).
class PointCarry(SQLModel, table=True):
    __tablename__ = "point_carry"
    __table_args__ = (
        UniqueConstraint("point_id", "from_meeting_id", name="uq_point_carry"),
        Index("ix_point_carry_from", "from_meeting_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    point_id: int = Field(foreign_key="talking_point.id")
    from_meeting_id: int = Field(foreign_key="meeting.id")


# One person's answer to "How are you doing this week?" before one meeting (store/checkins.py):
# a mood from 1 (😣) to 5 (😄) and an optional line. Both people of the pair see it; it is
# its author's own data (deleted with their private data).
class CheckIn(SQLModel, table=True):
    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_check_in_meeting_user"),
        Index("ix_check_in_pair_user", "pair_id", "user_id", "answered_at"),
        Index("ix_check_in_team_user", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: str = Field(max_length=32)
    mood: int = Field(ge=1, le=5)
    text: str = Field(default="", max_length=300)
    answered_at: datetime = Field(sa_column=utc_column(nullable=False))


# Shared notes of a meeting (owner_id "") or one person's private notes (owner_id = author).
class Note(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("meeting_id", "is_private", "owner_id", name="uq_note_meeting_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    meeting_id: int = Field(foreign_key="meeting.id")
    is_private: bool = Field(default=False)
    owner_id: str = Field(default="", max_length=32)
    text: str = Field(default="", max_length=20000)
    version: int = Field(default=1)
    updated_by: str = Field(max_length=32)
    updated_at: datetime = Field(sa_column=utc_column(nullable=False))


# A commitment of one of the two people, followed up until done.
class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_item_pair_open", "pair_id", "done_at"),
        Index("ix_action_item_owner_open", "team_id", "owner_id", "done_at"),
        Index("ix_action_item_due", "done_at", "due_date"),
        UniqueConstraint("team_id", "origin_key", name="uq_action_item_origin"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    owner_id: str = Field(max_length=32)
    text: str = Field(max_length=1000)
    due_date: date | None = None
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=utc_column())
    done_by: str | None = Field(default=None, max_length=32)
    reminded_at: datetime | None = Field(default=None, sa_column=utc_column())
    origin_key: str | None = Field(default=None, max_length=255)  # the form row it came from


# A piece of due work (prompt, agenda post, summary, reminder), claimed before it is done.
class DueWork(SQLModel, table=True):
    __tablename__ = "due_work"
    __table_args__ = (
        UniqueConstraint("key", name="uq_due_work_key"),
        Index("ix_due_work_pending", "done_at", "next_attempt_at"),
        Index("ix_due_work_meeting", "meeting_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    key: str = Field(max_length=255)
    kind: str = Field(max_length=16)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    action_item_id: int | None = Field(default=None, foreign_key="action_item.id")
    user_id: str | None = Field(default=None, max_length=32)
    next_attempt_at: datetime = Field(sa_column=utc_column(nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column())
    claim_token: str | None = Field(default=None, max_length=64)
    attempts: int = Field(default=0)
    done_at: datetime | None = Field(default=None, sa_column=utc_column())
    outcome: str | None = Field(default=None, max_length=16)
    last_error: str | None = Field(default=None, max_length=500)
    # An attempt whose outcome is unknown (lost answer, lease run out) started at or after
    # this: before posting again, the bot looks for its own message since then.
    uncertain_since: datetime | None = Field(default=None, sa_column=utc_column())
    posted_channel_id: str | None = Field(default=None, max_length=32)
    posted_ts: str | None = Field(default=None, max_length=32)


# A message the bot posted (prompt, agenda, summary, …), to update it or map replies to it.
class PostedMessage(SQLModel, table=True):
    __tablename__ = "posted_message"
    __table_args__ = (
        UniqueConstraint("channel_id", "ts", name="uq_posted_message_channel_ts"),
        Index("ix_posted_message_meeting", "meeting_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    pair_id: int | None = Field(default=None, foreign_key="pair.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


# Which bank question was suggested to whom, so a pair sees each once per round.
class SuggestedQuestion(SQLModel, table=True):
    __tablename__ = "suggested_question"
    __table_args__ = (Index("ix_suggested_question_pair", "pair_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: str = Field(max_length=32)
    question_key: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


# An Events API event_id already handled (retries are dropped); pruned after a day.
class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(max_length=32)
    received_at: datetime = Field(sa_column=utc_column(nullable=False, index=True))


# A huddle state change of a paired person (`user_huddle_changed`), pruned after a day.
class HuddleEvent(SQLModel, table=True):
    __tablename__ = "huddle_event"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "event_ts", name="uq_huddle_event_user_ts"),
        Index("ix_huddle_event_received", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    call_id: str | None = Field(default=None, max_length=64)  # None: not in a huddle
    event_ts: str = Field(max_length=32)
    at: datetime = Field(sa_column=utc_column(nullable=False))
    received_at: datetime = Field(sa_column=utc_column(nullable=False))


# One huddle of a pair's two people, followed up once in their group DM.
class HuddleFollowUp(SQLModel, table=True):
    __tablename__ = "huddle_follow_up"
    __table_args__ = (UniqueConstraint("pair_id", "call_id", name="uq_huddle_follow_up_call"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    call_id: str = Field(max_length=64)
    started_at: datetime = Field(sa_column=utc_column(nullable=False))
    ended_at: datetime = Field(sa_column=utc_column(nullable=False))
    channel_id: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    dismissed_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


# A Slack user as the bot last saw them, so that due work never asks Slack per post;
# refreshed on `user_change` and when stale. `home_opened_at`: they have a Home tab to keep.
class Person(SQLModel, table=True):
    __tablename__ = "person"

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    known: bool = Field(default=True)  # False: Slack said user_not_found
    name: str = Field(default="", max_length=255)
    tz: str = Field(default="UTC", max_length=64)
    locale: str | None = Field(default=None, max_length=32)
    home_team_id: str | None = Field(default=None, max_length=32)
    is_bot: bool = Field(default=False)
    deleted: bool = Field(default=False)
    dm_channel_id: str | None = Field(default=None, max_length=32)
    # When they left the workspace (`user_change` deleted, or Slack refused their id): their
    # private data is deleted ONEONONE_RETENTION_DAYS later (store/deletion.py).
    left_at: datetime | None = Field(default=None, sa_column=utc_column())
    fetched_at: datetime | None = Field(default=None, sa_column=utc_column())
    home_opened_at: datetime | None = Field(default=None, sa_column=utc_column())
    digest_off: bool = Field(default=False)  # a manager turned their weekly digest off


# One of a pair's two people asked to delete the history of their ended 1:1: it is deleted
# at `due_at` (due work ERASE) unless someone objects first; once `started_at`, it goes on.
class HistoryDeletion(SQLModel, table=True):
    __tablename__ = "history_deletion"
    __table_args__ = (UniqueConstraint("pair_id", name="uq_history_deletion_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    requested_by: str = Field(max_length=32)
    requested_at: datetime = Field(sa_column=utc_column(nullable=False))
    due_at: datetime = Field(sa_column=utc_column(nullable=False))
    objected_by: str | None = Field(default=None, max_length=32)
    objected_at: datetime | None = Field(default=None, sa_column=utc_column())
    started_at: datetime | None = Field(default=None, sa_column=utc_column())


# The posting budget of one workspace and Slack method, shared by every bot process: the
# time (epoch seconds) from which the next call is within the budget.
class SendBudget(SQLModel, table=True):
    __tablename__ = "send_budget"

    team_id: str = Field(primary_key=True, max_length=32)
    method: str = Field(primary_key=True, max_length=64)
    next_at: float = Field(default=0.0)


# A file the bot uploaded for a person (their export, a series' .ics), kept so that deleting
# their data can delete the file from Slack too (files.delete).
class UploadedFile(SQLModel, table=True):
    __tablename__ = "uploaded_file"
    __table_args__ = (
        UniqueConstraint("team_id", "file_id", name="uq_uploaded_file"),
        Index("ix_uploaded_file_user", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)  # whose file it is (the person it was made for)
    file_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # "export" or "calendar"
    filename: str = Field(max_length=255)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))


# A workspace served in OAuth mode (single-workspace mode has none: no row = served). Its due
# work stops while `suspended_at` (Slack refused its token) or `uninstalled_at` (the retention
# clock: its data is deleted ONEONONE_RETENTION_DAYS later) is set; a working token or a
# reinstall clears them. `enterprise_id`/`org_install`: the installation that serves it.
class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"

    team_id: str = Field(primary_key=True, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    org_install: bool = Field(default=False)
    installer_id: str | None = Field(default=None, max_length=32)
    installed_at: datetime | None = Field(default=None, sa_column=utc_column())
    suspended_at: datetime | None = Field(default=None, sa_column=utc_column())
    suspended_reason: str | None = Field(default=None, max_length=64)
    failed_token: str | None = Field(default=None, max_length=64)  # a hash, never the token
    probed_at: datetime | None = Field(default=None, sa_column=utc_column())
    uninstalled_at: datetime | None = Field(default=None, sa_column=utc_column())
    purged_at: datetime | None = Field(default=None, sa_column=utc_column())
    scope_notice_at: datetime | None = Field(default=None, sa_column=utc_column())


# Who rotates an installation's token right now (Slack revokes a refresh token once used, so
# one process at a time): a lease, taken with one conditional UPDATE.
class TokenRotation(SQLModel, table=True):
    __tablename__ = "token_rotation"

    installation: str = Field(primary_key=True, max_length=80)
    holder: str | None = Field(default=None, max_length=32)
    since: datetime | None = Field(default=None, sa_column=utc_column())


def _register_slack_tables() -> None:
    """slack_sdk's installation and OAuth state tables, on the app's metadata: the migrations
    create them (0013), and they are checked against it like every other table."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    metadata = SQLModel.metadata
    if "slack_bots" in metadata.tables:
        return
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")


_register_slack_tables()


# Something the pair talks about on every agenda, or every 2nd, or monthly ("Career").
# A removed one keeps its row (removed_at) while meetings it was ticked in remember it.
class StandingItem(SQLModel, table=True):
    __tablename__ = "standing_item"
    __table_args__ = (Index("ix_standing_item_pair", "pair_id", "position"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    pair_id: int = Field(foreign_key="pair.id")
    text: str = Field(max_length=200)
    cadence: str = Field(default=StandingCadence.EVERY, max_length=16)
    position: int = Field(default=0)
    # The meeting it counts from: the upcoming one when it was added or its cadence last
    # changed (its start, wherever that meeting moves); `anchor_at` when there was none.
    anchor_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    anchor_at: datetime = Field(sa_column=utc_column(nullable=False))
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    removed_at: datetime | None = Field(default=None, sa_column=utc_column())


# A standing item ticked as discussed in one meeting (never carried to the next).
class StandingTick(SQLModel, table=True):
    __tablename__ = "standing_tick"
    __table_args__ = (
        UniqueConstraint("item_id", "meeting_id", name="uq_standing_tick"),
        Index("ix_standing_tick_meeting", "meeting_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    item_id: int = Field(foreign_key="standing_item.id")
    meeting_id: int = Field(foreign_key="meeting.id")
    ticked_by: str = Field(max_length=32)
    ticked_at: datetime = Field(sa_column=utc_column(nullable=False))


# A person's secret calendar feed (GET /calendar/<token>.ics): only the token's SHA-256 is
# kept; a new link revokes the old one.
class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feed"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_calendar_feed_token"),
        Index("ix_calendar_feed_user", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    token_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column())
    read_at: datetime | None = Field(default=None, sa_column=utc_column())  # a calendar polled it
