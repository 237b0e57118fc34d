"""Bolt listeners: each module turns Slack payloads into store calls and Slack responses."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    actions,
    checkins,
    commands,
    digest,
    events,
    install,
    settings,
    shortcuts,
    views,
)


def register(app: App) -> None:
    """Bind every listener of every kind to the app."""
    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
    shortcuts.register(app)
    checkins.register(app)
    digest.register(app)
    install.register(app)
    settings.register(app)
