"""Benchmark: the store's hot reads on a large database — selecting due work and building a
manager's Home tab.

Run by hand (not part of the tests):

    .venv/bin/python bench/scale.py [--meetings 1000000] [--points 5000000] [--pairs 10000]
                                    [--runs 50] [--database-url URL] [--keep] [--explain]

It seeds (bulk inserts: executemany in batches on SQLite, COPY on PostgreSQL; then ANALYZE)
`--pairs` pairs, 100 reports per manager, with `--meetings` meetings in all — weekly over
years, most closed and held, each with its due work as the bot creates it (two prompts, an
agenda post, a summary; the past ones done) — and `--points` talking points spread over them.
The clock stands at a busy Monday 10:00 UTC: 12 % of the pairs meet Tuesday 10:00 (their
prompts fall due now) and 6 % at 10:30 today (their agenda posts fall due now), so a few
thousand pieces of work are due and more within the planner's two-hour look-ahead.

Then, each run with a fresh read session (as the bot opens them) on a warm database (the
cache is warmed by the first runs, which are not counted), it times:

- store.due_work.claimable_ids(session, now=NOW, limit=100)
- store.due_work.planned(session, now=NOW, until=NOW + 2 h)
- store.home.home_data(session, Actor(team, manager with 100 reports), now=NOW)
- housekeeping's reads of every tick: store.meetings.pairs_to_roll(session, now=NOW),
  store.digest.managers_without_digest(session) and store.people.stale_people(...)

and prints the median and p95 of each; the target is p95 < 50 ms for each.
With --keep the seeded SQLite file (or PostgreSQL database) is kept and reused next time.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from benchlib import (
    Spread,
    cached_sqlite_url,
    prepared_database,
    shape_key,
    sqlite_url,
    wait_for_quiet,
)
from seeding import TEAM, Shape, manager_of, seed
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.due import PROFILES_PER_TICK
from bot.runtime import settle_memory
from store.access import Actor
from store.db import session_factory
from store.digest import managers_without_digest
from store.due_work import claimable_ids, planned, waiting
from store.home import home_data
from store.meetings import pairs_to_roll
from store.people import stale_people

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
LOOKAHEAD = timedelta(hours=2)  # bot/planner.py LOOKAHEAD
TARGET_MS = 50.0
WARM_RUNS = 3


@dataclass(frozen=True)
class Case:
    """One measured call: its name, the call, and how to describe what it returned."""

    name: str
    call: Callable[[Session], Any]
    size: Callable[[Any], str]


def cases(shape: Shape) -> list[Case]:
    manager = Actor(TEAM, manager_of(0, shape))
    return [
        Case(
            "claimable_ids",
            lambda s: claimable_ids(s, now=NOW, limit=100),
            lambda ids: f"{len(ids)} ids",
        ),
        Case(
            "planned",
            lambda s: planned(s, now=NOW, until=NOW + LOOKAHEAD),
            lambda work: f"{len(work):,} pieces due by +2 h",
        ),
        Case(
            "home_data",
            lambda s: home_data(s, manager, now=NOW),
            lambda home: f"{len(home.one_on_ones)} 1:1s of {manager.user_id}",
        ),
        Case("pairs_to_roll", lambda s: pairs_to_roll(s, now=NOW), lambda p: f"{len(p)} pairs"),
        Case(
            "digests_to_plan",
            managers_without_digest,
            lambda managers: f"{len(managers)} managers",
        ),
        Case(
            "stale_people",
            lambda s: stale_people(s, now=NOW, limit=PROFILES_PER_TICK),
            lambda people: f"{len(people)} people",
        ),
    ]


@dataclass(frozen=True)
class Timing:
    case: Case
    spread: Spread
    statements: list[str]
    size: str


def time_case(engine: Engine, case: Case, runs: int) -> Timing:
    """`runs` timed calls, each in a fresh read session, after WARM_RUNS untimed ones."""
    reads = session_factory(engine).read
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    seconds = []
    result: Any = None
    for run in range(WARM_RUNS + runs):
        if run == WARM_RUNS:
            event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        with reads() as session:
            result = case.call(session)
        if run >= WARM_RUNS:
            seconds.append(time.perf_counter() - started)
    event.remove(engine, "before_cursor_execute", count)
    per_run = statements[: len(statements) // runs]
    return Timing(case, Spread.of(seconds), per_run, case.size(result))


def explain(engine: Engine, statement: str, parameters: Any = None) -> list[str]:
    """The query plan of one statement, as the database tells it."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters or ()).all()
    return [" | ".join(str(v) for v in row) for row in rows]


def explain_case(engine: Engine, case: Case) -> None:
    """Print the plans of the statements one call of `case` makes."""
    captured: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    with session_factory(engine).read() as session:
        case.call(session)
    event.remove(engine, "before_cursor_execute", keep)
    for statement, parameters in captured:
        if statement.lstrip().upper().startswith("SELECT"):
            print(f"    {' '.join(statement.split())[:160]}…")
            for line in explain(engine, statement, parameters):
                print(f"      {line}")


def describe_due(engine: Engine) -> str:
    with session_factory(engine).read() as session:
        due, _oldest = waiting(session, now=NOW)
        total = session.execute(text("SELECT count(*) FROM due_work")).scalar()
    return f"{due:,} of {total:,} pieces of due work are due at {NOW:%a %Y-%m-%d %H:%M} UTC"


def quiet(dialect: str) -> str:
    """Wait until no other process is busy (PostgreSQL's are ours on PostgreSQL)."""

    def ours(pid: int, name: str) -> str | None:
        if pid == os.getpid():
            return "bench"
        return "postgres" if dialect == "postgresql" and name.startswith("postgres") else None

    look = wait_for_quiet(ours)
    return f"before measuring: {look.describe()}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=1_000_000, help="meetings in all (1000000)")
    parser.add_argument(
        "--points", type=int, default=5_000_000, help="talking points in all (5000000)"
    )
    parser.add_argument("--pairs", type=int, default=10_000, help="pairs (10000)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each call (50)")
    parser.add_argument(
        "--database-url",
        default="",
        help="default: SQLite in a temp dir; a PostgreSQL database whose name contains "
        "'bench' is dropped and created again (unless --keep finds it seeded)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded database and reuse it next time"
    )
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    shape = Shape(
        pairs=args.pairs,
        meetings=args.meetings - args.pairs,  # plus one upcoming meeting per pair
        points=args.points,
        now=NOW,
        busy_monday=True,
    )
    key = shape_key("scale", shape)
    with TemporaryDirectory() as folder:
        url = args.database_url or (
            cached_sqlite_url("scale", key) if args.keep else sqlite_url(Path(folder), "scale.db")
        )
        print(
            f"{shape.pairs:,} pairs, {shape.total_meetings:,} meetings, {shape.points:,} "
            f"talking points in {url}"
        )
        engine = prepared_database(url, key, lambda e: seed(e, shape), keep=args.keep)
        dialect = engine.dialect.name
        print(describe_due(engine))
        settle_memory()  # as the bot does once it has started (bot/runtime.py)
        print(quiet(dialect))
        timings = [time_case(engine, case, args.runs) for case in cases(shape)]
        for timing in timings:
            s = timing.spread
            print(
                f"  {timing.case.name:<13} median {s.p50:6.1f} ms  p95 {s.p95:6.1f} ms  "
                f"max {s.worst:6.1f} ms  ({len(timing.statements)} statements, {timing.size})"
            )
            if args.explain:
                explain_case(engine, timing.case)
        engine.dispose()
    print(summary(timings, dialect, args.runs))


def summary(timings: list[Timing], dialect: str, runs: int) -> str:
    parts = [
        f"{t.case.name} median {t.spread.p50:.1f} ms p95 {t.spread.p95:.1f} ms" for t in timings
    ]
    met = all(t.spread.p95 < TARGET_MS for t in timings)
    verdict = "targets met" if met else "TARGETS MISSED"
    return (
        f"SUMMARY scale {dialect}: " + "; ".join(parts) + f" ({runs} warm runs each; "
        f"target p95 < {TARGET_MS:.0f} ms) — {verdict}"
    )


if __name__ == "__main__":
    main()
