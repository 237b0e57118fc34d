"""Databases for tests: a fresh SQLite file, and a fresh schema on TEST_DATABASE_URL."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from store.db import create_db_engine
from store.migrate import upgrade

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def sqlite_engine(tmp_path: Path) -> Engine:
    """A migrated SQLite database in a temporary file (the one there, opened again, if a
    test made it before). A new one is a copy of one this process migrated: migrating
    takes 0.1-0.4 s, half of a store test; a copy, a millisecond."""
    path = tmp_path / "oneonone.db"
    if path.exists():
        engine = create_db_engine(f"sqlite:///{path}")
        upgrade(engine)
        return engine
    shutil.copyfile(_migrated_sqlite(), path)
    return create_db_engine(f"sqlite:///{path}")


@functools.cache
def _migrated_sqlite() -> Path:
    """A SQLite file migrated to the head, made once per process (and removed by it: a
    forked child, e.g. one of mutmut's, inherits it and leaves it alone)."""
    folder = Path(tempfile.mkdtemp(prefix="oneonone-schema-"))
    engine = create_db_engine(f"sqlite:///{folder / 'migrated.db'}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    creator = os.getpid()
    atexit.register(lambda: os.getpid() == creator and shutil.rmtree(folder, ignore_errors=True))
    return folder / "migrated.db"


def postgres_engine() -> Engine:
    """A migrated, empty PostgreSQL schema (fails loudly when the server does not answer)."""
    engine = create_db_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def unordered_selects_reversed(engine: Engine) -> Engine:
    """On SQLite, every later SELECT without an ORDER BY returns its rows in reverse, so a
    test fails when a query relies on the order rows happen to be stored or indexed in (as
    PostgreSQL may return them in any order)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _reverse_unordered_selects)
    return engine


def _reverse_unordered_selects(connection: sqlite3.Connection, _record: object) -> None:
    connection.execute("PRAGMA reverse_unordered_selects = ON")


def engine_for(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """Yield a migrated engine of one kind, disposed afterwards."""
    if kind == "postgres" and not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set (.ci/run sets it to a real PostgreSQL)")
    engine = postgres_engine() if kind == "postgres" else sqlite_engine(tmp_path)
    yield engine
    engine.dispose()
