"""many workspaces (OAuth mode): slack_sdk's installation and OAuth state tables, each
workspace's status (suspended, uninstalled: the retention clock) and the token rotation lease

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from store.db import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _bot_columns() -> list[sa.Column]:
    """The columns slack_bots and slack_installations share (slack_sdk 3.x's tables)."""
    return [
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
    ]


def _token_columns() -> list[sa.Column]:
    return [
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime()),
    ]


def _slack_tables() -> None:
    op.create_table(
        "slack_bots",
        _id(),
        *_bot_columns(),
        *_token_columns(),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"]
    )
    op.create_table(
        "slack_installations",
        _id(),
        *_bot_columns(),
        sa.Column("enterprise_url", sa.String(200)),
        *_token_columns(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("user_token", sa.String(200)),
        sa.Column("user_scopes", sa.String(1000)),
        sa.Column("user_refresh_token", sa.String(200)),
        sa.Column("user_token_expires_at", sa.DateTime()),
        sa.Column("incoming_webhook_url", sa.String(200)),
        sa.Column("incoming_webhook_channel", sa.String(200)),
        sa.Column("incoming_webhook_channel_id", sa.String(200)),
        sa.Column("incoming_webhook_configuration_url", sa.String(200)),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", sa.String(32)),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
    )
    op.create_table(
        "slack_oauth_states",
        _id(),
        sa.Column("state", sa.String(200), nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
    )


def upgrade() -> None:
    _slack_tables()
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "workspace",
        sa.Column("team_id", text(length=32), nullable=False),
        sa.Column("enterprise_id", text(length=32), nullable=True),
        sa.Column("org_install", sa.Boolean(), nullable=False),
        sa.Column("installer_id", text(length=32), nullable=True),
        sa.Column("installed_at", UTCDateTime(), nullable=True),
        sa.Column("suspended_at", UTCDateTime(), nullable=True),
        sa.Column("suspended_reason", text(length=64), nullable=True),
        sa.Column("failed_token", text(length=64), nullable=True),
        sa.Column("probed_at", UTCDateTime(), nullable=True),
        sa.Column("uninstalled_at", UTCDateTime(), nullable=True),
        sa.Column("purged_at", UTCDateTime(), nullable=True),
        sa.Column("scope_notice_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_table(
        "token_rotation",
        sa.Column("installation", text(length=80), nullable=False),
        sa.Column("holder", text(length=32), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("installation"),
    )


def downgrade() -> None:
    op.drop_table("token_rotation")
    op.drop_table("workspace")
    op.drop_table("slack_oauth_states")
    op.drop_index("slack_installations_idx", table_name="slack_installations")
    op.drop_table("slack_installations")
    op.drop_index("slack_bots_idx", table_name="slack_bots")
    op.drop_table("slack_bots")
