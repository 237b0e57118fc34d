"""Databases for tests: a fresh SQLite file, and a fresh schema on TEST_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from store.db import create_db_engine
from store.migrate import upgrade

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def sqlite_engine(tmp_path: Path) -> Engine:
    """A migrated SQLite database in a temporary file."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'oneonone.db'}")
    upgrade(engine)
    return engine


def postgres_engine() -> Engine:
    """A migrated, empty PostgreSQL schema (fails loudly when the server does not answer)."""
    engine = create_db_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def engine_for(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """Yield a migrated engine of one kind, disposed afterwards."""
    if kind == "postgres" and not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set (.ci/run sets it to a real PostgreSQL)")
    engine = postgres_engine() if kind == "postgres" else sqlite_engine(tmp_path)
    yield engine
    engine.dispose()
