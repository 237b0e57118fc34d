"""Benchmark: building Home tabs and handling huddle events on a large workspace.

Run by hand (not part of the tests):

    .venv/bin/python bench/home_bench.py [--reports 60] [--weeks 100] [--database-url URL]

It creates a manager with N reports, each with W weeks of history (talking points, notes'
meetings, action items), then times `home_data` + `home_view` for the manager and for one
report, counts their SQL statements, and times `record_huddle_change` for a person in no
pair (the cost every workspace member's huddle event has).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from blocks.home import home_view
from store.access import Actor
from store.db import create_db_engine
from store.home import home_data
from store.huddles import HuddleChange, record_huddle_change
from store.migrate import upgrade
from store.models import ActionItem, Meeting, MeetingStatus, TalkingPoint
from store.schedule import PairRequest, create_pair

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MANAGER = Actor("T1", "UMGR")


def populate(engine: Engine, reports: int, weeks: int) -> None:
    """A manager with `reports` pairs, each with `weeks` past meetings."""
    with Session(engine) as session:
        for n in range(reports):
            request = PairRequest(
                report_id=f"UREP{n}",
                weekday=n % 5,
                local_time=clock_time(9 + n % 8, 0),
                timezone="America/New_York",
            )
            pair, _meeting = create_pair(session, MANAGER, request, now=NOW)
            for week in range(1, weeks + 1):
                start = NOW - timedelta(weeks=week, hours=n % 24)
                status = MeetingStatus.SKIPPED if week % 7 == 0 else MeetingStatus.HELD
                meeting = Meeting(
                    team_id="T1",
                    pair_id=pair.id,  # type: ignore[arg-type]
                    slot_at=start,
                    starts_at=start,
                    status=status,
                    closed_at=start + timedelta(hours=1),
                    created_at=start,
                )
                session.add(meeting)
                session.flush()
                session.add_all(
                    [
                        TalkingPoint(
                            team_id="T1",
                            meeting_id=meeting.id,  # type: ignore[arg-type]
                            author_id=pair.report_id,
                            text=f"point {week}.{k}",
                            discussed=True,
                            created_at=start,
                        )
                        for k in range(4)
                    ]
                )
                session.add(
                    ActionItem(
                        team_id="T1",
                        pair_id=pair.id,  # type: ignore[arg-type]
                        meeting_id=meeting.id,
                        owner_id=pair.report_id,
                        text=f"item {week}",
                        due_date=date(2026, 12, 8),
                        created_by="UMGR",
                        created_at=start,
                        done_at=None if week < 3 else start + timedelta(days=2),
                    )
                )
            session.commit()


def measure(engine: Engine, actor: Actor, runs: int) -> tuple[float, float, int, int]:
    """Median and max milliseconds of home_data + home_view, statements, blocks."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    timings = []
    blocks = 0
    for _ in range(runs):
        statements.clear()
        started = time.perf_counter()
        with Session(engine) as session:
            view = home_view(home_data(session, actor, now=NOW), today=NOW.date())
        timings.append((time.perf_counter() - started) * 1000)
        blocks = len(view["blocks"])
    event.remove(engine, "before_cursor_execute", count)
    return statistics.median(timings), max(timings), len(statements), blocks


def huddle_cost(engine: Engine, runs: int) -> float:
    """Median microseconds of a huddle event of someone in no pair."""
    timings = []
    with Session(engine) as session:
        for n in range(runs):
            change = HuddleChange("T1", "USOMEONE", "R1", f"{1796130000 + n}.000100")
            started = time.perf_counter()
            record_huddle_change(session, change, now=NOW)
            timings.append((time.perf_counter() - started) * 1_000_000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        engine = create_db_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        populate(engine, args.reports, args.weeks)
        with engine.begin() as connection:  # fresh statistics, as a live database has
            connection.exec_driver_sql("ANALYZE")
        print(
            f"{engine.dialect.name}: {args.reports} reports × {args.weeks} weeks "
            f"populated in {time.perf_counter() - started:.1f} s"
        )
        for who, actor in (("manager", MANAGER), ("one report", Actor("T1", "UREP0"))):
            median, worst, count, blocks = measure(engine, actor, args.runs)
            print(
                f"Home tab of {who}: median {median:.1f} ms, max {worst:.1f} ms, "
                f"{count} SQL statements, {blocks} blocks"
            )
        print(f"huddle event of someone in no pair: median {huddle_cost(engine, 200):.0f} µs")
        engine.dispose()


if __name__ == "__main__":
    main()
