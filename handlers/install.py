"""What Slack tells about installations: the app removed (app_uninstalled), tokens revoked,
and an org-wide installation gaining or losing workspaces (team_access_granted/revoked).

In single-workspace mode there are no installations to keep: these are only logged."""

from __future__ import annotations

import logging

from slack_bolt import App

from handlers.context import Installs

log = logging.getLogger(__name__)

# Sent only to org-ready apps: `oneonone manifest` (org-wide installs allowed) subscribes
# them; manifest.yml, for one workspace in Socket Mode, does not.
ORG_EVENTS = ("team_access_granted", "team_access_revoked")


def register(app: App) -> None:
    """Enterprise Grid's events (app_uninstalled and tokens_revoked are bound in events.py,
    which calls `uninstalled` and `tokens_revoked` below)."""
    granted, revoked = ORG_EVENTS
    app.event(granted)(handle_team_access_granted)
    app.event(revoked)(handle_team_access_revoked)


def _installs(context: dict) -> Installs | None:
    installs: Installs | None = context.get("installs")
    return installs


def uninstalled(body: dict, context: dict) -> None:
    """The app was removed from a workspace (or an org): its installation goes, its due work
    stops at once, and its data is deleted after the retention unless it is installed again."""
    installs = _installs(context)
    if installs is None:
        log.warning(
            "app uninstalled from team %s; its pairs stay in the database", body.get("team_id")
        )
        return
    teams = installs.uninstalled(context)
    log.warning("app uninstalled from %s: due work stopped, retention started", teams)


def tokens_revoked(event: dict, body: dict, context: dict) -> None:
    """Tokens were revoked: the bot token goes, and the workspace's due work waits for a
    reinstall."""
    installs = _installs(context)
    if installs is None:
        log.warning("tokens revoked in team %s: %s", body.get("team_id"), event.get("tokens"))
        return
    teams = installs.tokens_revoked(event, context)
    if teams:
        log.warning("bot token revoked in %s: due work suspended", teams)


def _org_teams(event: dict) -> list[str]:
    return [str(t) for t in event.get("team_ids") or [] if isinstance(t, str) and t]


def handle_team_access_granted(event: dict, context: dict) -> None:
    """An org-wide installation may now serve these workspaces."""
    installs = _installs(context)
    if installs is not None:
        installs.access_granted(context.get("enterprise_id"), _org_teams(event))


def handle_team_access_revoked(event: dict, context: dict) -> None:
    """An org-wide installation lost these workspaces: as if uninstalled from each."""
    installs = _installs(context)
    if installs is not None:
        installs.access_revoked(context.get("enterprise_id"), _org_teams(event))
