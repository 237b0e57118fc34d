"""deletion: a 1:1's history can be deleted after a grace period in which the other person
may object (history_deletion); a person who left the workspace is remembered with when
(person.left_at), so their private data is deleted once the retention has passed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from store.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_deletion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("objected_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("objected_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", name="uq_history_deletion_pair"),
    )
    # A nullable column with no default: SQLite adds it in place, no rebuild of the table.
    op.add_column("person", sa.Column("left_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("left_at")
    op.drop_table("history_deletion")
