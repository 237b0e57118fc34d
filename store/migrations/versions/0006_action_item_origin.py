"""an action item remembers the notes form row it came from, once: a form sent twice (a
double click, or again after Slack's timeout) adds its items once

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sequence = _sqlite_sequence()
    # SQLite rebuilds the table: keep it AUTOINCREMENT, and keep its sequence (ids of items
    # deleted before travel in old buttons and forms: they must never be handed out again).
    with op.batch_alter_table(
        "action_item", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column("origin_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.create_unique_constraint("uq_action_item_origin", ["team_id", "origin_key"])
    if sequence is not None:
        op.execute(
            sa.text(
                "UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = 'action_item'"
            ).bindparams(seq=sequence)
        )


def _sqlite_sequence() -> int | None:
    if op.get_bind().dialect.name != "sqlite":
        return None
    found = (
        op.get_bind()
        .execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'action_item'"))
        .scalar()
    )
    return int(found) if found is not None else None


def downgrade() -> None:
    with op.batch_alter_table(
        "action_item", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint("uq_action_item_origin", type_="unique")
        batch_op.drop_column("origin_key")
