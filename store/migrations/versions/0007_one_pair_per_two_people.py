"""one active pair per two people, whichever of them manages (a schedules b while b
schedules a, at the same moment): pairs that already exist both ways keep the older one;
the other ends, and both people get a note saying so

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from store.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE = sa.text("ended_at IS NULL")
PAIR = sa.table(
    "pair",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.String),
    sa.column("manager_id", sa.String),
    sa.column("report_id", sa.String),
    sa.column("people_key", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("ended_at", UTCDateTime()),
)
MEETING = sa.table(
    "meeting",
    sa.column("pair_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("starts_at", UTCDateTime()),
)
DUE_WORK = sa.table(
    "due_work",
    sa.column("team_id", sa.String),
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("user_id", sa.String),
    sa.column("next_attempt_at", UTCDateTime()),
    sa.column("attempts", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("pair") as batch_op:
        batch_op.add_column(
            sa.Column("people_key", sqlmodel.sql.sqltypes.AutoString(length=65), nullable=True)
        )
    bind = op.get_bind()
    rows = bind.execute(sa.select(PAIR.c.id, PAIR.c.manager_id, PAIR.c.report_id)).all()
    for pair_id, manager, report in rows:
        key = ":".join(sorted((manager, report)))
        bind.execute(PAIR.update().where(PAIR.c.id == pair_id).values(people_key=key))
    _end_duplicates(datetime.now(UTC))
    with op.batch_alter_table("pair") as batch_op:
        batch_op.alter_column(
            "people_key",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=65),
            nullable=False,
        )
    op.create_index(
        "uq_pair_people_active",
        "pair",
        ["team_id", "people_key"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def _end_duplicates(now: datetime) -> None:
    """Keep the older active pair of two people; end the others, cancel their coming
    meetings, and leave both people a note (due work: the bot posts it)."""
    bind = op.get_bind()
    active = bind.execute(
        sa.select(PAIR.c.id, PAIR.c.team_id, PAIR.c.manager_id, PAIR.c.report_id, PAIR.c.people_key)
        .where(PAIR.c.ended_at.is_(None))
        .order_by(PAIR.c.created_at, PAIR.c.id)
    ).all()
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pair_id, team, manager, report, key in active:
        seen[(team, key)].append(pair_id)
        if len(seen[(team, key)]) == 1:
            continue
        bind.execute(PAIR.update().where(PAIR.c.id == pair_id).values(ended_at=now))
        bind.execute(
            MEETING.update()
            .where(MEETING.c.pair_id == pair_id, MEETING.c.status == "scheduled")
            .where(MEETING.c.starts_at > now)
            .values(status="cancelled")
        )
        for person in (manager, report):
            bind.execute(
                DUE_WORK.insert().values(
                    team_id=team,
                    key=f"notice:duplicate:{pair_id}:{person}",
                    kind="notice",
                    user_id=person,
                    next_attempt_at=now,
                    attempts=0,
                )
            )


def downgrade() -> None:
    op.drop_index("uq_pair_people_active", table_name="pair")
    with op.batch_alter_table("pair") as batch_op:
        batch_op.drop_column("people_key")
