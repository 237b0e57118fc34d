"""Shared fixtures: databases (SQLite and PostgreSQL), the fake Slack API, a running bot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from handlers import people
from tests.db_fixtures import engine_for
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, RunningBot, start_bot, stop_bot

# The people of the scenarios and their Slack time zones.
PEOPLE = {
    "U_MANAGER": "America/New_York",
    "U_REPORT": "Europe/Berlin",
    "U_REPORT2": "Asia/Kolkata",
    "U_BOSS": "America/Los_Angeles",
    "U_STRANGER": "America/New_York",
}


@pytest.fixture(autouse=True)
def no_profiles_from_earlier_tests() -> Iterator[None]:
    """The process-wide profile cache is keyed by the Slack URL: a later test's fake Slack may
    get an earlier one's port, and must not see that test's people."""
    people.clear_cache()
    yield
    people.clear_cache()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database: every test using it runs on SQLite and on PostgreSQL."""
    yield from engine_for(request.param, tmp_path)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Engine]:
    """PostgreSQL only, for races between two sessions: SQLite takes its write lock at a
    writing transaction's first statement, so two writers can never interleave there."""
    yield from engine_for("postgres", tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    """The bot's injected clock (Monday 2026-11-30 12:00 UTC unless a test moves it)."""
    return FakeClock()


@pytest.fixture
def fake_slack(clock: FakeClock) -> Iterator[FakeSlack]:
    """The fake Slack Web API; every Block Kit payload it received must have been valid."""
    with FakeSlack(clock=clock) as fake:
        for user_id, tz in PEOPLE.items():
            fake.add_user(user_id, tz=tz)
        yield fake
        assert fake.block_errors == []


@pytest.fixture
def bot(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[RunningBot]:
    """The bot serving signed requests on 127.0.0.1 over a fresh SQLite database."""
    running = start_bot(fake_slack, tmp_path, clock)
    yield running
    stop_bot(running)


@pytest.fixture
def db_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock, engine: Engine
) -> Iterator[RunningBot]:
    """The bot on each database (SQLite and PostgreSQL)."""
    running = start_bot(fake_slack, tmp_path, clock, engine=engine)
    yield running
    stop_bot(running)
