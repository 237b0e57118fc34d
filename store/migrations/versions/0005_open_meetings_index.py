"""a partial index of each pair's meetings that are still to come (scheduled, not closed):
the Home tab and the next meeting read them without touching the pair's history

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'scheduled' AND closed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_meeting_pair_open",
        "meeting",
        ["pair_id", "starts_at"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_meeting_pair_open", table_name="meeting")
