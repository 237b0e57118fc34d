"""the series' settings: who is asked the weekly check-in, the group DM's language; and a
manager's choice to receive no weekly digest

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pair") as batch:
        batch.add_column(
            sa.Column("checkins_report", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("checkins_manager", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("group_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("digest_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("digest_off")
    with op.batch_alter_table("pair") as batch:
        batch.drop_column("group_language")
        batch.drop_column("checkins_manager")
        batch.drop_column("checkins_report")
