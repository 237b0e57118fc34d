"""due work remembers where it posted and when its outcome became unknown; people's
profiles and Home tabs are kept; a posting budget shared by every bot process; the
summary's old "pending:" lease is gone (its claim is the due work's)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("due_work") as batch_op:
        batch_op.add_column(sa.Column("uncertain_since", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("posted_channel_id", _string(32)))
        batch_op.add_column(sa.Column("posted_ts", _string(32)))
    op.create_table(
        "person",
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("user_id", _string(32), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("name", _string(255), nullable=False),
        sa.Column("tz", _string(64), nullable=False),
        sa.Column("locale", _string(32), nullable=True),
        sa.Column("home_team_id", _string(32), nullable=True),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("dm_channel_id", _string(32), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("home_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "send_budget",
        sa.Column("team_id", _string(32), nullable=False),
        sa.Column("method", _string(64), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "method"),
    )
    op.execute("UPDATE meeting SET summary_ts = NULL WHERE summary_ts LIKE 'pending:%'")


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_table("person")
    with op.batch_alter_table("due_work") as batch_op:
        batch_op.drop_column("posted_ts")
        batch_op.drop_column("posted_channel_id")
        batch_op.drop_column("uncertain_since")
