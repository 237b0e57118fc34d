"""point_carry records which meetings a talking point was carried out of (back-filled
where it can be inferred); SQLite never reuses ids of talking points and action items;
meetings scheduled before 0002 get their summary due work; a summary claim left behind
by the old marker is released

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 13:30:00
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

from store.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The meeting columns this revision reads, as they are at 0002.
MEETING = sa.table(
    "meeting",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.String),
    sa.column("pair_id", sa.Integer),
    sa.column("starts_at", UTCDateTime()),
    sa.column("duration_minutes", sa.Integer),
    sa.column("status", sa.String),
    sa.column("unscheduled", sa.Boolean),
    sa.column("closed_at", UTCDateTime()),
)


def upgrade() -> None:
    op.create_table(
        "point_carry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("from_meeting_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["from_meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["point_id"], ["talking_point.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("point_id", "from_meeting_id", name="uq_point_carry"),
    )
    op.create_index("ix_point_carry_from", "point_carry", ["from_meeting_id"])
    _never_reuse_ids()
    _back_fill_carries()
    _add_summary_work()
    op.execute("UPDATE meeting SET summary_ts = NULL WHERE summary_ts = 'pending'")


def _never_reuse_ids() -> None:
    """Rebuild the two tables as AUTOINCREMENT on SQLite (env.py turns foreign keys off)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in ("talking_point", "action_item"):
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def _back_fill_carries() -> None:
    """A point carried before this revision was carried, at least, out of its pair's last
    finished meeting before the one it is on now: record that carry."""
    point = sa.table(
        "talking_point",
        sa.column("id", sa.Integer),
        sa.column("meeting_id", sa.Integer),
        sa.column("carried_count", sa.Integer),
    )
    carry = sa.table(
        "point_carry", sa.column("point_id", sa.Integer), sa.column("from_meeting_id", sa.Integer)
    )
    bind = op.get_bind()
    finished = bind.execute(
        sa.select(MEETING.c.pair_id, MEETING.c.starts_at, MEETING.c.id)
        .where(MEETING.c.status.in_(("scheduled", "held")), MEETING.c.closed_at.is_not(None))
        .where(MEETING.c.unscheduled.is_(False))
        .order_by(MEETING.c.pair_id, MEETING.c.starts_at)
    ).all()
    by_pair: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for pair_id, starts_at, meeting_id in finished:
        by_pair[pair_id].append((starts_at, meeting_id))
    carried = bind.execute(
        sa.select(point.c.id, MEETING.c.pair_id, MEETING.c.starts_at)
        .join(MEETING, MEETING.c.id == point.c.meeting_id)
        .where(point.c.carried_count > 0)
    ).all()
    rows = []
    for point_id, pair_id, starts_at in carried:
        earlier = [m for m in by_pair[pair_id] if m[0] < starts_at]
        if earlier:
            rows.append({"point_id": point_id, "from_meeting_id": earlier[-1][1]})
    if rows:
        op.bulk_insert(carry, rows)


def _add_summary_work() -> None:
    """Open meetings scheduled before 0002 have no "summary" due work (the nudge an hour after
    the end when nobody saved notes): add it, keyed as the app keys it."""
    due_work = sa.table(
        "due_work",
        sa.column("team_id", sa.String),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("meeting_id", sa.Integer),
        sa.column("next_attempt_at", UTCDateTime()),
        sa.column("attempts", sa.Integer),
    )
    bind = op.get_bind()
    have = set(
        bind.execute(sa.select(due_work.c.key).where(due_work.c.kind == "summary")).scalars()
    )
    open_meetings = bind.execute(
        sa.select(MEETING).where(MEETING.c.status == "scheduled", MEETING.c.closed_at.is_(None))
    ).all()
    rows = [
        {
            "team_id": m.team_id,
            "key": f"summary:{m.id}",
            "kind": "summary",
            "meeting_id": m.id,
            "next_attempt_at": m.starts_at + timedelta(minutes=m.duration_minutes + 60),
            "attempts": 0,
        }
        for m in open_meetings
        if f"summary:{m.id}" not in have
    ]
    if rows:
        op.bulk_insert(due_work, rows)


def downgrade() -> None:
    # Ids stay AUTOINCREMENT on SQLite: harmless for 0002.
    op.drop_index("ix_point_carry_from", table_name="point_carry")
    op.drop_table("point_carry")
