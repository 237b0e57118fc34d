"""The planner starts a fan-out early just enough that no post is more than LATE_OK late,
and the dispatcher gives back what it held when it stops (SQLite and PostgreSQL)."""

from __future__ import annotations

import time as wall
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.planner import LATE_OK, Dispatcher, Planner, plan, release_times
from store.access import Actor
from store.db import SessionFactory, session_factory
from store.due_work import Planned, claim
from store.models import DueWork, WorkKind
from store.schedule import PairRequest, create_pair
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, clients_for

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday
T = NOW + timedelta(hours=1)  # when the prompts of the pairs below fall due
SECOND = timedelta(seconds=1)


def piece(work_id: int, due: datetime = T, channel: str = "", team: str = "T1") -> Planned:
    return Planned(work_id, team, due, channel or f"D{work_id}")


def pace(releases: dict[int, datetime], order: Iterable[int], interval: float) -> datetime:
    """When the last piece goes out if each is sent at its release, one per `interval`."""
    sent: datetime | None = None
    for work_id in order:
        at = releases[work_id]
        sent = at if sent is None else max(at, sent + timedelta(seconds=interval))
    assert sent is not None
    return sent


# --- release_times ----------------------------------------------------------------------------


def test_work_with_no_backlog_is_released_when_it_is_due() -> None:
    work = [piece(1, T), piece(2, T + timedelta(minutes=5)), piece(3, T + timedelta(hours=1))]
    releases = release_times(work, interval=0.2, channel_interval=1.0)
    assert releases == {1: T, 2: T + timedelta(minutes=5), 3: T + timedelta(hours=1)}


def test_a_backlog_starts_just_early_enough_that_the_last_is_at_most_late_ok_late() -> None:
    interval, count = 1.0, 100
    releases = release_times(
        [piece(n) for n in range(count)], interval=interval, channel_interval=1.0
    )
    early = timedelta(seconds=(count - 1) * interval) - LATE_OK
    assert min(releases.values()) == T - early
    assert max(releases.values()) == T
    assert pace(releases, sorted(releases, key=releases.__getitem__), interval) == T + LATE_OK


def test_posts_to_one_conversation_are_released_a_channel_interval_apart() -> None:
    same = [piece(n, channel="D_MANAGER") for n in range(3)]
    releases = release_times(
        same, interval=0.2, channel_interval=10.0, late_ok=timedelta(seconds=5)
    )
    assert releases == {2: T, 1: T - 5 * SECOND, 0: T - 15 * SECOND}
    apart = release_times(
        [piece(n) for n in range(3)], interval=0.2, channel_interval=10.0, late_ok=5 * SECOND
    )
    assert set(apart.values()) == {T}


def test_work_due_long_after_a_backlog_is_not_pulled_early_by_it() -> None:
    later = T + timedelta(hours=1)
    work = [piece(n) for n in range(100)] + [piece(100, later)]
    releases = release_times(work, interval=1.0, channel_interval=1.0)
    assert releases[100] == later
    assert min(releases.values()) == T - 54 * SECOND  # as without it: 99 s of posts - 45


# --- plan -------------------------------------------------------------------------------------


def test_plan_paces_each_workspace_on_its_own_and_returns_what_is_released_by_now() -> None:
    one = [piece(n, team="T1") for n in range(100)]
    two = [piece(n, team="T2") for n in range(100, 200)]
    now = T - 50 * SECOND
    released = plan(one + two, now=now, interval=1.0, channel_interval=1.0)
    alone = release_times(one, interval=1.0, channel_interval=1.0)
    assert [work_id for _, _, work_id in released if work_id < 100] == sorted(
        (n for n, at in alone.items() if at <= now), key=alone.__getitem__
    )
    assert len(released) == 2 * 5  # T - 54 s … T - 50 s in each workspace
    assert [at for at, _, _ in released] == sorted(at for at, _, _ in released)
    assert all(at <= now and due == T for at, due, _ in released)


# --- Planner.run_once -------------------------------------------------------------------------


class Offered(Dispatcher):
    """A dispatcher without workers that records what it was offered."""

    def __init__(self, db: SessionFactory, fake_slack: FakeSlack) -> None:
        super().__init__(db, clients_for(fake_slack), lambda: NOW, workers=0)
        self.offered: list[tuple[datetime, datetime, int]] = []

    def offer(self, released: Iterable[tuple[datetime, datetime, int]]) -> int:
        entries = list(released)
        self.offered += entries
        return len(entries)


def pairs(db: SessionFactory, count: int) -> None:
    """`count` pairs meeting Tuesday 13:00 UTC: two prompts each due at T."""
    with db() as session:
        for n in range(count):
            request = PairRequest(f"U_R{n}", weekday=1, local_time=clock_time(13), timezone="UTC")
            create_pair(session, Actor("T0001", f"U_M{n}"), request, now=NOW)
        # Each person's .ics is due at once: sent already, it is not what these tests pace.
        session.execute(delete(DueWork).where(col(DueWork.kind) == WorkKind.CALENDAR))
        session.commit()


def planner(db: SessionFactory, dispatcher: Dispatcher, clock: FakeClock) -> Planner:
    return Planner(db, dispatcher, clock, interval=10.0, channel_interval=1.0)


def test_run_once_starts_a_backlog_early(engine: Engine, fake_slack: FakeSlack) -> None:
    db = session_factory(engine)
    pairs(db, 5)  # ten prompts at 10 s each: 90 s of posts, the first 45 s before T
    dispatcher, clock = Offered(db, fake_slack), FakeClock(NOW)
    run_once = planner(db, dispatcher, clock).run_once
    assert run_once() == 0
    clock.now = T - 20 * SECOND
    assert run_once() == 3  # T - 45 s, T - 35 s, T - 25 s
    assert [at for at, _, _ in dispatcher.offered] == [T - s * SECOND for s in (45, 35, 25)]
    assert {due for _, due, _ in dispatcher.offered} == {T}


def test_run_once_releases_nothing_early_without_a_backlog(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    db = session_factory(engine)
    pairs(db, 1)
    dispatcher, clock = Offered(db, fake_slack), FakeClock(T - SECOND)
    run_once = planner(db, dispatcher, clock).run_once
    assert run_once() == 0
    clock.now = T
    assert run_once() == 2


# --- Dispatcher.stop --------------------------------------------------------------------------


def prompts(db: SessionFactory) -> list[DueWork]:
    with db.read() as session:
        query = select(DueWork).where(DueWork.kind == "prompt").order_by(col(DueWork.id))
        return list(session.exec(query).all())


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (real time: for threads, not for domain time) until `condition()` is true."""
    deadline = wall.monotonic() + timeout
    while not condition():
        assert wall.monotonic() < deadline, "timed out"
        wall.sleep(0.01)


@pytest.fixture
def db_after_stop(engine: Engine, fake_slack: FakeSlack) -> Iterator[SessionFactory]:
    """One worker posting the first of two prompts (held by Slack) when the dispatcher
    stops; the second prompt was queued, never started."""
    db = session_factory(engine)
    with db() as session:
        request = PairRequest("U_REPORT", weekday=1, local_time=clock_time(10), timezone="UTC")
        create_pair(session, Actor("T0001", "U_MANAGER"), request, now=NOW)  # prompts due now
    dispatcher = Dispatcher(db, clients_for(fake_slack), FakeClock(NOW), workers=1)
    hold = fake_slack.hold("chat.postMessage")
    try:
        dispatcher.offer([(w.next_attempt_at, w.next_attempt_at, w.id or 0) for w in prompts(db)])
        hold.wait_held()
        dispatcher.stop(grace=0.1)
        yield db
    finally:
        hold.release()
        wait_until(dispatcher.idle)


def test_stop_gives_back_work_in_flight_at_once_as_uncertain(
    db_after_stop: SessionFactory,
) -> None:
    in_flight, _ = prompts(db_after_stop)
    assert in_flight.claimed_at is None
    assert in_flight.uncertain_since == NOW  # the next runner looks for the post first
    with db_after_stop() as session:  # another runner, now: no lease to wait out
        taken = claim(session, work_id=in_flight.id or 0, now=NOW + SECOND)
    assert taken is not None
    assert taken.uncertain_since == NOW
    assert not taken.taken_over


def test_stop_leaves_queued_work_that_never_started_unclaimed(
    db_after_stop: SessionFactory,
) -> None:
    _, queued = prompts(db_after_stop)
    assert (queued.claimed_at, queued.attempts, queued.uncertain_since) == (None, 0, None)
