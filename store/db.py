"""Engine and sessions; SQLite gets WAL, foreign keys, a busy timeout, secure deletes, and
reads that never take the write lock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, CursorResult, Engine, make_url
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 15_000

READ_ONLY = "oneonone_read_only"  # execution option of the engine that read sessions use


class UTCDateTime(TypeDecorator[datetime]):
    """Stores datetimes in UTC and returns them timezone-aware, on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass timezone-aware times")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if _is_sqlite(dialect) else utc

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _is_sqlite(dialect: object) -> bool:
    return getattr(dialect, "name", "") == "sqlite"


def create_db_engine(database_url: str) -> Engine:
    """Build the engine for DATABASE_URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(
        url,
        hide_parameters=True,  # errors are logged without their values: people's notes
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Deleted rows are overwritten with zeros, so deleted text does not linger in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writing transaction takes the write lock at its first statement, so two processes never
    # both read-then-write stale rows; a reading one (db.read()) takes no lock at all (WAL).
    reading = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class SessionFactory:
    """Opens sessions on one engine: `db()` for a short writing transaction, `db.read()` for
    one that only reads. Objects stay usable after commit; a session is never kept open while
    Slack is called."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})

    def __call__(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def read(self) -> Session:
        """A session for reads only (on SQLite it never waits for, or blocks, a writer)."""
        return Session(self._reader, expire_on_commit=False)


def execute_dml(session: Session, statement: Executable) -> CursorResult[Any]:
    """Run an INSERT, UPDATE or DELETE; its result tells how many rows it matched (rowcount)."""
    return cast(CursorResult[Any], session.execute(statement))


def session_factory(engine: Engine) -> SessionFactory:
    """The sessions of one engine."""
    return SessionFactory(engine)


def checkpoint_wal(engine: Engine) -> bool:
    """After a deletion, on SQLite: copy the WAL into the database file and truncate it, so
    the deleted text is in neither file (secure_delete zeroed it in the pages). Returns
    False when a reader kept it from completing (the next deletion, or SQLite's own
    checkpoints, finish it); PostgreSQL needs nothing here (see README → Privacy)."""
    if not _is_sqlite(engine.dialect):
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        busy = cursor.fetchone()[0]
    finally:
        raw.close()
    return not busy


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds (used by /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
