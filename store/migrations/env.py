"""Alembic environment: runs on the engine handed in by store.migrate (or sqlalchemy.url)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers every table on SQLModel.metadata)
from store.db import create_db_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_db_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection, target_metadata=target_metadata, render_as_batch=sqlite
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                _foreign_keys(connection, on=True)


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    """Batch mode rebuilds a SQLite table by dropping it, which foreign keys would refuse
    while rows point at it. SQLite ignores this pragma inside a transaction, so it goes to
    the driver's connection directly, between transactions."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    broken = driver.execute("PRAGMA foreign_key_check").fetchall() if on else []
    if broken:
        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")


run_migrations_online()
