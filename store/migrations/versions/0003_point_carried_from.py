"""talking points remember the meeting they were last carried out of

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talking_point") as batch:
        batch.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_talking_point_carried_from", "meeting", ["carried_from_id"], ["id"]
        )
        batch.create_index("ix_talking_point_carried_from", ["carried_from_id"])


def downgrade() -> None:
    with op.batch_alter_table("talking_point") as batch:
        batch.drop_index("ix_talking_point_carried_from")
        batch.drop_constraint("fk_talking_point_carried_from", type_="foreignkey")
        batch.drop_column("carried_from_id")
