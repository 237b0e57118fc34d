"""Shared fixtures: databases (SQLite and PostgreSQL), the fake Slack API, a running bot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.db_fixtures import engine_for


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database: every test using it runs on SQLite and on PostgreSQL."""
    yield from engine_for(request.param, tmp_path)
