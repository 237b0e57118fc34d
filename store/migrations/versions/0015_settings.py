"""standing items of a series (on every agenda, every 2nd, or monthly) and their ticks, one
per meeting

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "standing_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _text(32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("text", _text(200), nullable=False),
        sa.Column("cadence", _text(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("anchor_meeting_id", sa.Integer(), nullable=True),
        sa.Column("anchor_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", _text(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["anchor_meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_standing_item_pair", "standing_item", ["pair_id", "position"])
    op.create_table(
        "standing_tick",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", _text(32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("ticked_by", _text(32), nullable=False),
        sa.Column("ticked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["standing_item.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "meeting_id", name="uq_standing_tick"),
    )
    op.create_index("ix_standing_tick_meeting", "standing_tick", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_standing_tick_meeting", table_name="standing_tick")
    op.drop_table("standing_tick")
    op.drop_index("ix_standing_item_pair", table_name="standing_item")
    op.drop_table("standing_item")
