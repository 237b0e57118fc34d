"""Bulk seeding for the benchmarks: a workspace of pairs with years of weekly history, written
straight into the tables of store/models.py (SQLAlchemy Core executemany on SQLite, COPY on
PostgreSQL), never through the bot.

The shape is deterministic (no randomness): pair p (0-based) is report `UR{p:06d}` of manager
`UM{p // reports_per_manager:05d}`; every pair has one upcoming scheduled meeting and
`meetings / pairs` past weekly ones before it, each with the due work the bot creates for a
meeting (two prompts, one agenda post, one summary: store/meetings.py schedule_meeting_work),
talking points spread evenly over all meetings, and an action item for every other held
meeting (the last two of each pair still open). Every person has a fresh stored profile, so
the bot never asks Slack for one while it is measured.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection, Engine

from store.due_work import CANCELLED, SENT
from store.models import (
    ActionItem,
    DueWork,
    Meeting,
    MeetingStatus,
    Pair,
    Person,
    TalkingPoint,
    WorkKind,
    people_key,
)

TEAM = "T0001"  # the team tests/slack_requests.py and tests/fake_slack.py use by default
BATCH = 50_000
WEEK = timedelta(weeks=1)
DURATION = timedelta(minutes=30)
PROMPT_LEAD = timedelta(hours=24)
AGENDA_LEAD = timedelta(minutes=30)
SUMMARY_AFTER = DURATION + timedelta(hours=1)
DONE_BEFORE = timedelta(minutes=5)  # upcoming work due longer ago than this was done already
Row = tuple[Any, ...]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Shape:
    """How much to seed, and around which instant."""

    pairs: int
    meetings: int  # past meetings in all (each pair also has one upcoming meeting)
    points: int
    now: datetime
    reports_per_manager: int = 100
    busy_monday: bool = False  # `now` is a Monday 10:00 with a few thousand pieces due

    @property
    def total_meetings(self) -> int:
        """Past meetings plus one upcoming meeting per pair."""
        return self.meetings + self.pairs


def manager_of(pair: int, shape: Shape) -> str:
    """The manager's user id of pair `pair` (0-based)."""
    return f"UM{pair // shape.reports_per_manager:05d}"


def report_of(pair: int) -> str:
    """The report's user id of pair `pair` (0-based): each report is in exactly one pair."""
    return f"UR{pair:06d}"


def upcoming_start(pair: int, shape: Shape) -> datetime:
    """The start of the pair's next meeting (always after `now`).

    Busy Monday: 12 % of pairs meet Tuesday 10:00 (both prompts due now) and 6 % Monday 10:30
    (agenda post due now); the rest spread over the week's working hours. Otherwise every
    meeting is two to seven days away, so no due work falls due within the planner's look-ahead
    (nothing runs in the background while the bot is measured)."""
    midnight = shape.now.replace(hour=0, minute=0, second=0, microsecond=0)
    bucket = pair % 100
    if shape.busy_monday and bucket < 12:
        return midnight + timedelta(days=1, hours=10)
    if shape.busy_monday and bucket < 18:
        return midnight + timedelta(hours=10, minutes=30)
    if shape.busy_monday:
        start = midnight + timedelta(days=pair % 7, hours=8 + pair % 9, minutes=30 * (pair % 2))
        return start if start > shape.now else start + WEEK
    return midnight + timedelta(days=2 + pair % 5, hours=8 + pair % 9, minutes=30 * (pair % 2))


def history_lengths(shape: Shape) -> list[int]:
    """Past meetings per pair: `meetings` spread evenly (the first pairs get the remainder)."""
    base, extra = divmod(shape.meetings, shape.pairs)
    return [base + (1 if p < extra else 0) for p in range(shape.pairs)]


def past_status(pair: int, week: int) -> tuple[str, bool]:
    """(status, rescheduled) of the meeting `week` weeks before the upcoming one: 84 % held
    (5 % of those moved by a day), 8 % skipped, 5 % not held, 3 % cancelled."""
    roll = (pair * 7919 + week * 104729) % 100
    if roll < 84:
        return MeetingStatus.HELD, roll < 4
    if roll < 92:
        return MeetingStatus.SKIPPED, False
    if roll < 97:
        return MeetingStatus.SCHEDULED, False  # closed without notes: "not held"
    return MeetingStatus.CANCELLED, False


def columns(names: str) -> list[str]:
    """Column names, written as one string."""
    return names.split()


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One seeded meeting."""

    id: int
    pair: int
    slot: datetime
    starts: datetime
    status: str
    past: bool


@dataclass
class Plan:
    """The seeded meetings in id order: each pair's past ones, then every upcoming one."""

    meetings: list[Planned]


PAIR_COLUMNS = columns(
    "id team_id manager_id report_id channel_id cadence weekday local_time timezone first_date "
    "duration_minutes prompt_lead_minutes agenda_lead_minutes paused_until created_at ended_at "
    "people_key"
)


def pair_rows(shape: Shape, lengths: list[int]) -> Iterator[Row]:
    for p in range(shape.pairs):
        start = upcoming_start(p, shape)
        first = start - WEEK * lengths[p]
        yield (
            p + 1, TEAM, manager_of(p, shape), report_of(p), f"G{p:08d}", "weekly",
            start.weekday(), clock_time(start.hour, start.minute), "UTC", first.date(),
            30, 24 * 60, 30, None, first - timedelta(days=1), None,
            people_key(manager_of(p, shape), report_of(p)),
        )  # fmt: skip


def plan_meetings(shape: Shape, lengths: list[int]) -> Plan:
    """Every meeting's id, pair, start and status; past ones first by pair, then upcoming."""
    meetings: list[Planned] = []
    for p in range(shape.pairs):
        upcoming = upcoming_start(p, shape)
        for week in range(lengths[p], 0, -1):
            status, moved = past_status(p, week)
            slot = upcoming - WEEK * week
            starts = slot + timedelta(days=1) if moved else slot
            meetings.append(Planned(len(meetings) + 1, p, slot, starts, status, True))
    for p in range(shape.pairs):
        start = upcoming_start(p, shape)
        meetings.append(Planned(len(meetings) + 1, p, start, start, MeetingStatus.SCHEDULED, False))
    return Plan(meetings)


MEETING_COLUMNS = columns(
    "id team_id pair_id slot_at starts_at duration_minutes status unscheduled agenda_channel_id "
    "agenda_ts summary_ts notes_saved_at closed_at created_at"
)


def meeting_rows(plan: Plan) -> Iterator[Row]:
    for m in plan.meetings:
        held = m.status == MeetingStatus.HELD
        closed = m.starts + DURATION if m.past and m.status != MeetingStatus.CANCELLED else None
        stamp = int(m.starts.timestamp())
        yield (
            m.id, TEAM, m.pair + 1, m.slot, m.starts, 30, m.status, False, f"G{m.pair:08d}",
            f"{stamp - 1800}.000100" if m.past else None,
            f"{stamp + 1900}.000200" if held else None,
            m.starts + DURATION if held else None, closed, m.slot - WEEK,
        )  # fmt: skip


DUE_COLUMNS = columns(
    "id team_id key kind meeting_id action_item_id user_id next_attempt_at expires_at "
    "claimed_at claim_token attempts done_at outcome last_error uncertain_since "
    "posted_channel_id posted_ts"
)


def due_rows(plan: Plan, shape: Shape) -> Iterator[Row]:
    """Per meeting: a prompt for each person, the agenda post and the summary."""
    work_id = 1
    for m in plan.meetings:
        for key, kind, who, due, expires in meeting_work(m, shape):
            done = due < shape.now - DONE_BEFORE
            outcome = _outcome(m.status) if done else None
            sent = outcome == SENT
            yield (
                work_id, TEAM, key, kind, m.id, None, who, due, expires,
                due if done else None, None, 1 if done else 0, due if done else None, outcome,
                None, None, f"G{m.pair:08d}" if sent else None,
                f"{int(due.timestamp())}.000300" if sent else None,
            )  # fmt: skip
            work_id += 1


def meeting_work(
    m: Planned, shape: Shape
) -> list[tuple[str, str, str | None, datetime, datetime | None]]:
    """(key, kind, user, due, expires) of a meeting's due work, as schedule_meeting_work."""
    people = (manager_of(m.pair, shape), report_of(m.pair))
    prompt_at, agenda_at = m.starts - PROMPT_LEAD, m.starts - AGENDA_LEAD
    work: list[tuple[str, str, str | None, datetime, datetime | None]] = [
        (f"{WorkKind.PROMPT}:{m.id}:{who}", WorkKind.PROMPT, who, prompt_at, m.starts)
        for who in people
    ]
    work.append((f"{WorkKind.AGENDA}:{m.id}", WorkKind.AGENDA, None, agenda_at, m.starts))
    work.append(
        (f"{WorkKind.SUMMARY}:{m.id}", WorkKind.SUMMARY, None, m.starts + SUMMARY_AFTER, None)
    )
    return work


def _outcome(status: str) -> str:
    """Work of a skipped or cancelled meeting was cancelled; the rest was sent."""
    return CANCELLED if status in (MeetingStatus.SKIPPED, MeetingStatus.CANCELLED) else SENT


POINT_COLUMNS = columns(
    "id team_id meeting_id author_id text is_private discussed carried_count position "
    "origin_key created_at"
)

TOPICS = (
    "How is the launch going", "Feedback on the design review", "Career growth and next steps",
    "Workload this sprint", "Hiring loop for the new role", "Blockers on the migration",
    "Team offsite plans", "Conference talk proposal", "On-call rotation", "Quarterly goals",
)  # fmt: skip


def point_rows(plan: Plan, shape: Shape) -> Iterator[Row]:
    """`points` talking points spread evenly over all meetings, authors alternating."""
    base, extra = divmod(shape.points, len(plan.meetings))
    point_id = 1
    for index, m in enumerate(plan.meetings):
        people = (manager_of(m.pair, shape), report_of(m.pair))
        held = m.past and m.status == MeetingStatus.HELD
        for position in range(1, base + (1 if index < extra else 0) + 1):
            yield (
                point_id, TEAM, m.id, people[position % 2],
                f"{TOPICS[point_id % len(TOPICS)]} (#{point_id})", point_id % 20 == 0,
                held and position % 5 != 0, 0, position,
                None, m.starts - timedelta(days=1, minutes=position),
            )  # fmt: skip
            point_id += 1


ITEM_COLUMNS = columns(
    "id team_id pair_id meeting_id owner_id text due_date created_by created_at done_at "
    "done_by reminded_at"
)


def item_rows(plan: Plan, shape: Shape, lengths: list[int]) -> Iterator[Row]:
    """An action item for every other held meeting; those of the last two weeks still open."""
    item_id = 1
    first = 0
    for p in range(shape.pairs):
        manager = manager_of(p, shape)
        for offset, m in enumerate(plan.meetings[first : first + lengths[p]]):
            if m.status != MeetingStatus.HELD or m.id % 2:
                continue
            owner = (manager, report_of(p))[item_id % 2]
            done = lengths[p] - offset > 2  # more than two weeks ago
            due = (m.starts + WEEK).date()
            yield (
                item_id, TEAM, p + 1, m.id, owner, f"Follow up on item {item_id}", due,
                manager, m.starts + DURATION, m.starts + timedelta(days=3) if done else None,
                owner if done else None,
                datetime.combine(due, clock_time(9), UTC) if done else None,
            )  # fmt: skip
            item_id += 1
        first += lengths[p]


PERSON_COLUMNS = columns(
    "team_id user_id known name tz locale home_team_id is_bot deleted dm_channel_id fetched_at "
    "home_opened_at"
)


def person_rows(shape: Shape, fetched_at: datetime) -> Iterator[Row]:
    managers = sorted({manager_of(p, shape) for p in range(shape.pairs)})
    for user_id in managers + [report_of(p) for p in range(shape.pairs)]:
        yield (
            TEAM, user_id, True, f"Person {user_id}", "UTC", "en-US", TEAM, False, False,
            f"D{user_id}", fetched_at, None,
        )  # fmt: skip


# --- writing --------------------------------------------------------------------------------


def batches(rows: Iterable[Row], size: int = BATCH) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_sqlite(
    connection: Connection, table: Table, columns: list[str], rows: Iterable[Row]
) -> int:
    """executemany in batches of BATCH rows, values in the text forms SQLAlchemy stores."""
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    count = 0
    for batch in batches(rows):
        connection.exec_driver_sql(statement, [tuple(map(sqlite_value, row)) for row in batch])
        count += len(batch)
    return count


def sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types (and store.db.UTCDateTime) store for `value`."""
    kind = value.__class__
    if kind is datetime:
        v = value.astimezone(UTC)
        return (
            f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
        )
    if kind is clock_time:
        return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    if kind is date:
        return value.isoformat()
    return value


def write_postgres(
    connection: Connection, table: Table, columns: list[str], rows: Iterable[Row]
) -> int:
    """COPY … FROM STDIN through psycopg."""
    count = 0
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def seed(engine: Engine, shape: Shape, progress: Progress = print) -> None:
    """Write the whole shape into an empty, migrated database, then ANALYZE it."""
    lengths = history_lengths(shape)
    plan = plan_meetings(shape, lengths)
    write = write_postgres if engine.dialect.name == "postgresql" else write_sqlite
    tables: list[tuple[str, Any, list[str], Iterable[Row]]] = [
        ("pairs", Pair, PAIR_COLUMNS, pair_rows(shape, lengths)),
        ("people", Person, PERSON_COLUMNS, person_rows(shape, shape.now)),
        ("meetings", Meeting, MEETING_COLUMNS, meeting_rows(plan)),
        ("due work", DueWork, DUE_COLUMNS, due_rows(plan, shape)),
        ("talking points", TalkingPoint, POINT_COLUMNS, point_rows(plan, shape)),
        ("action items", ActionItem, ITEM_COLUMNS, item_rows(plan, shape, lengths)),
    ]
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # outside a transaction, on this connection only; undone below
            _pragmas(connection, synchronous="OFF", cache_size="-1000000")
        with connection.begin():
            for label, model, columns, rows in tables:
                started = time.perf_counter()
                count = write(connection, model.__table__, columns, rows)
                progress(f"  seeded {count:>9,} {label} in {time.perf_counter() - started:.1f} s")
            if not sqlite:
                for name in ("pair", "meeting", "due_work", "talking_point", "action_item"):
                    sequence = f"pg_get_serial_sequence('{name}', 'id')"
                    connection.execute(text(f"SELECT setval({sequence}, max(id)) FROM {name}"))
        if sqlite:
            _pragmas(connection, synchronous="FULL", cache_size="-2000")
    analyze(engine, progress)


def _pragmas(connection: Connection, **values: str) -> None:
    raw = connection.connection.driver_connection
    for name, value in values.items():
        raw.execute(f"PRAGMA {name}={value}")  # type: ignore[union-attr]


def analyze(engine: Engine, progress: Progress = print) -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map a live database gets
    from autovacuum: VACUUM ANALYZE)."""
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    progress(f"  ANALYZE in {time.perf_counter() - started:.1f} s")
