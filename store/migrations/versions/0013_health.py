"""keeping 1:1s healthy: the weekly check-in (one answer per person and meeting), and a
talking point's author keeping it after it was carried over three times

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_check_in_meeting_user"),
    )
    op.create_index("ix_check_in_pair_user", "check_in", ["pair_id", "user_id", "answered_at"])
    op.create_index("ix_check_in_team_user", "check_in", ["team_id", "user_id"])
    # A nullable column with no default: SQLite adds it in place, no rebuild of the table.
    op.add_column("talking_point", sa.Column("kept_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    sequence = _sqlite_sequence()
    # SQLite rebuilds the table: keep it AUTOINCREMENT and its sequence (ids of deleted
    # points travel in old buttons and must never be handed out again).
    with op.batch_alter_table(
        "talking_point", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("kept_at")
    if sequence is not None:
        op.execute(
            sa.text(
                "UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = 'talking_point'"
            ).bindparams(seq=sequence)
        )
    op.drop_index("ix_check_in_team_user", table_name="check_in")
    op.drop_index("ix_check_in_pair_user", table_name="check_in")
    op.drop_table("check_in")


def _sqlite_sequence() -> int | None:
    if op.get_bind().dialect.name != "sqlite":
        return None
    found = (
        op.get_bind()
        .execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'talking_point'"))
        .scalar()
    )
    return int(found) if found is not None else None
