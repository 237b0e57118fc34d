"""meetings still to come, found by range scans whatever the query's parameters: the index
of status and start gains closed_at, and the per-pair index of open meetings becomes a
composite one (SQLite uses a partial index only when the query spells its values out)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_meeting_status_starts", table_name="meeting")
    op.drop_index("ix_meeting_pair_open", table_name="meeting")
    op.create_index("ix_meeting_open_starts", "meeting", ["status", "closed_at", "starts_at"])
    op.create_index(
        "ix_meeting_pair_open", "meeting", ["pair_id", "status", "closed_at", "starts_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_meeting_pair_open", table_name="meeting")
    op.drop_index("ix_meeting_open_starts", table_name="meeting")
    open_meetings = sa.text("status = 'scheduled' AND closed_at IS NULL")
    op.create_index(
        "ix_meeting_pair_open",
        "meeting",
        ["pair_id", "starts_at"],
        sqlite_where=open_meetings,
        postgresql_where=open_meetings,
    )
    op.create_index("ix_meeting_status_starts", "meeting", ["status", "starts_at"])
