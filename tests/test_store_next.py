"""When the next 1:1 is: from the series' recurrence, whatever rows exist yet (SQLite, PG)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.meetings import add_meeting, next_start
from store.models import Meeting, MeetingStatus, Pair
from store.schedule import create_pair, end_pair, pause_pair, reschedule_meeting, skip_meeting
from store.summary import summary_view
from tests.test_store_schedule import MANAGER, NOW, REPORT, tuesday_at_ten

TUE_1 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesdays 10:00 in New York
TUE_8 = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
TUE_15 = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)


@pytest.fixture
def session(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


def weekly(session: Session) -> tuple[Pair, Meeting]:
    return create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)


def test_the_next_1_1_exists_before_its_row_does(session: Session) -> None:
    pair, first = weekly(session)
    assert next_start(session, pair, after=NOW) == TUE_1
    assert next_start(session, pair, after=first.starts_at) == TUE_8  # no row for Dec 8 yet


def test_a_skipped_occurrence_is_passed_over(session: Session) -> None:
    pair, first = weekly(session)
    second = add_meeting(session, pair, TUE_8, now=NOW)
    session.commit()
    skip_meeting(session, MANAGER, second.id, now=NOW)  # type: ignore[arg-type]
    assert next_start(session, pair, after=first.starts_at) == TUE_15


def test_a_moved_occurrence_counts_at_its_new_time(session: Session) -> None:
    pair, first = weekly(session)
    reschedule_meeting(
        session,
        REPORT,
        first.id,
        day=date(2026, 12, 3),
        at=time(9, 0),
        now=NOW,  # type: ignore[arg-type]
    )
    assert next_start(session, pair, after=NOW) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert next_start(session, pair, after=datetime(2026, 12, 3, 14, 0, tzinfo=UTC)) == TUE_8


def test_a_pause_pushes_the_next_1_1_past_it(session: Session) -> None:
    pair, _ = weekly(session)
    pause_pair(session, MANAGER, pair.id, until=date(2026, 12, 10), now=NOW)  # type: ignore[arg-type]
    assert next_start(session, pair, after=NOW) == TUE_15


def test_a_pause_ending_before_the_next_1_1_leaves_it(session: Session) -> None:
    pair, _ = weekly(session)
    pause_pair(session, MANAGER, pair.id, until=date(2026, 12, 1), now=NOW)  # type: ignore[arg-type]
    assert next_start(session, pair, after=NOW) == TUE_1


def test_an_ended_series_has_no_next_1_1(session: Session) -> None:
    pair, _ = weekly(session)
    end_pair(session, REPORT, pair.id, now=NOW)  # type: ignore[arg-type]
    assert next_start(session, pair, after=NOW) is None


def test_the_summary_names_the_next_1_1_from_the_recurrence(session: Session) -> None:
    pair, first = weekly(session)
    second = add_meeting(session, pair, TUE_8, now=NOW)
    session.commit()
    skip_meeting(session, MANAGER, second.id, now=NOW)  # type: ignore[arg-type]
    first.status = MeetingStatus.HELD
    session.add(first)
    session.commit()
    view = summary_view(session, first, pair)
    assert view.next_starts_at == TUE_15
    assert view.next_starts_at - view.starts_at == timedelta(weeks=2)
