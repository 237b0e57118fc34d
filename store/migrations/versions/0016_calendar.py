"""calendars: the SEQUENCE and a fingerprint of what a series' .ics files show, and each
person's secret calendar feed (its token hashed)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pair") as batch:
        batch.add_column(
            sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("calendar_print", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feed_token"),
    )
    op.create_index("ix_calendar_feed_user", "calendar_feed", ["team_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_calendar_feed_user", table_name="calendar_feed")
    op.drop_table("calendar_feed")
    with op.batch_alter_table("pair") as batch:
        batch.drop_column("calendar_print")
        batch.drop_column("calendar_sequence")
