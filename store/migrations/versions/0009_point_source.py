"""a talking point made from a message (the message shortcut) remembers that message: its
permalink and channel, shown as "(from #general)" instead of a URL pasted into the text

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns with no default: SQLite adds them in place, no rebuild of the table.
    op.add_column(
        "talking_point",
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    )
    op.add_column(
        "talking_point",
        sa.Column("source_channel", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    )


def downgrade() -> None:
    sequence = _sqlite_sequence()
    # SQLite rebuilds the table: keep it AUTOINCREMENT and its sequence (ids of deleted
    # points travel in old buttons and must never be handed out again).
    with op.batch_alter_table(
        "talking_point", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("source_channel")
        batch_op.drop_column("source_url")
    if sequence is not None:
        op.execute(
            sa.text(
                "UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = 'talking_point'"
            ).bindparams(seq=sequence)
        )


def _sqlite_sequence() -> int | None:
    if op.get_bind().dialect.name != "sqlite":
        return None
    found = (
        op.get_bind()
        .execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'talking_point'"))
        .scalar()
    )
    return int(found) if found is not None else None
