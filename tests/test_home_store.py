"""The Home tab's data: only the viewer's 1:1s, squares and streaks, constant query count."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.access import Actor
from store.agenda import add_talking_point
from store.home import home_data
from store.models import ActionItem, Meeting, MeetingStatus, Pair, TalkingPoint
from store.schedule import PairRequest, create_pair

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def pair_with(session: Session, report_id: str, manager: Actor = MANAGER) -> Pair:
    request = PairRequest(
        report_id=report_id, weekday=1, local_time=time(10, 0), timezone="America/New_York"
    )
    pair, _meeting = create_pair(session, manager, request, now=NOW)
    return pair


def add_history(session: Session, pair: Pair, weeks: int) -> None:
    """`weeks` past meetings, each with points and a done and an open action item."""
    statuses = [MeetingStatus.HELD, MeetingStatus.HELD, MeetingStatus.SKIPPED]
    for week in range(1, weeks + 1):
        start = datetime(2026, 11, 24, 15, 0, tzinfo=UTC) - timedelta(weeks=week - 1)
        meeting = Meeting(
            team_id=pair.team_id,
            pair_id=pair.id,  # type: ignore[arg-type]
            slot_at=start,
            starts_at=start,
            status=statuses[week % 3],
            closed_at=start + timedelta(hours=1),
            created_at=start,
        )
        session.add(meeting)
        session.flush()
        for n in range(3):
            session.add(
                TalkingPoint(
                    team_id=pair.team_id,
                    meeting_id=meeting.id,  # type: ignore[arg-type]
                    author_id=pair.report_id,
                    text=f"point {week}.{n}",
                    discussed=True,
                    created_at=start,
                )
            )
        for done in (True, False):
            session.add(
                ActionItem(
                    team_id=pair.team_id,
                    pair_id=pair.id,  # type: ignore[arg-type]
                    meeting_id=meeting.id,
                    owner_id=pair.report_id,
                    text=f"item {week}",
                    due_date=date(2026, 11, 1),
                    created_by=pair.manager_id,
                    created_at=start,
                    done_at=start + timedelta(days=1) if done else None,
                )
            )
    session.commit()


def test_building_a_home_view_takes_the_same_queries_for_1_and_100_meetings(
    engine: Engine, session: Session
) -> None:
    small, large = pair_with(session, "UREP"), pair_with(session, "UREP2")
    add_history(session, small, 1)
    add_history(session, large, 100)
    with counted(engine) as one, Session(engine) as fresh:
        home_data(fresh, Actor("T1", "UREP"), now=NOW)
    with counted(engine) as hundred, Session(engine) as fresh:
        data = home_data(fresh, Actor("T1", "UREP2"), now=NOW)
    assert len(one) == len(hundred) <= 11
    (view,) = data.one_on_ones
    assert len(view.squares) == 8 and view.squares[-1].kind == "upcoming"
    assert len(view.open_items) == 100
    with counted(engine) as manager, Session(engine) as fresh:
        both = home_data(fresh, MANAGER, now=NOW)
    assert len(manager) == len(one)
    assert {o.other_id for o in both.reports} == {"UREP", "UREP2"}


def test_squares_and_streak_follow_held_skipped_and_rescheduled(session: Session) -> None:
    pair = pair_with(session, "UREP")
    kinds = [
        (MeetingStatus.SKIPPED, 0),
        (MeetingStatus.HELD, 0),
        (MeetingStatus.SCHEDULED, 0),  # over, with no notes and nothing ticked: not held
        (MeetingStatus.HELD, 2),  # held two hours after its slot: rescheduled
        (MeetingStatus.HELD, 0),
    ]
    first = datetime(2026, 10, 27, 15, 0, tzinfo=UTC)
    for week, (status, moved) in enumerate(kinds):
        slot = first + timedelta(weeks=week)
        session.add(
            Meeting(
                team_id="T1",
                pair_id=pair.id,  # type: ignore[arg-type]
                slot_at=slot,
                starts_at=slot + timedelta(hours=moved),
                status=status,
                closed_at=slot + timedelta(hours=3),
                created_at=slot,
            )
        )
    session.commit()
    (view,) = home_data(session, REPORT, now=NOW).one_on_ones
    assert [s.kind for s in view.squares] == [
        "skipped",
        "held",
        "missed",
        "rescheduled",
        "held",
        "upcoming",
    ]
    assert view.streak == 2
    assert view.role == "report" and view.other_id == "UMGR"


def test_private_points_show_only_to_their_author(session: Session) -> None:
    pair = pair_with(session, "UREP")
    add_talking_point(session, REPORT, pair.id, "my raise", private=True, now=NOW)  # type: ignore[arg-type]
    add_talking_point(session, MANAGER, pair.id, "reorg", private=True, now=NOW)  # type: ignore[arg-type]
    add_talking_point(session, MANAGER, pair.id, "roadmap", now=NOW)  # type: ignore[arg-type]
    (mine,) = home_data(session, REPORT, now=NOW).one_on_ones
    (theirs,) = home_data(session, MANAGER, now=NOW).one_on_ones
    assert [p.text for p in mine.agenda] == ["my raise", "roadmap"]
    assert [p.text for p in theirs.agenda] == ["reorg", "roadmap"]


def test_a_stranger_and_another_workspace_see_nothing(session: Session) -> None:
    pair_with(session, "UREP")
    assert home_data(session, Actor("T1", "UOTHER"), now=NOW).one_on_ones == []
    assert home_data(session, Actor("T2", "UMGR"), now=NOW).one_on_ones == []
