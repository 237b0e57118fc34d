"""`oneonone manifest`: manifest.yml turned into the manifest of HTTP/OAuth mode (request
URLs, the OAuth redirect URL, Socket Mode off), so the two never drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.http import SLACK_PATH
from bot.oauth import MANIFEST, REDIRECT_PATH
from handlers.install import ORG_EVENTS

HEADER = (
    "# oneonone's Slack app manifest for HTTP/OAuth mode, generated from manifest.yml by\n"
    "# `oneonone manifest --url {url}`. Create the app from it: api.slack.com/apps → Create\n"
    "# New App → From a manifest.\n"
)


def http_manifest(url: str, path: Path = MANIFEST) -> dict[str, Any]:
    """manifest.yml with every request URL at `url` (one URL for events, commands and
    interactivity), the redirect URL of the install flow, Socket Mode off, and org-wide
    installs allowed (Enterprise Grid) with the events that tell an org-wide installation
    which workspaces it serves."""
    manifest: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = url.rstrip("/")
    events = f"{base}{SLACK_PATH}"
    for command in manifest["features"].get("slash_commands", []):
        command["url"] = events
    manifest["oauth_config"]["redirect_urls"] = [f"{base}{REDIRECT_PATH}"]
    settings = manifest["settings"]
    settings["event_subscriptions"]["request_url"] = events
    bot_events = settings["event_subscriptions"]["bot_events"]
    bot_events += [event for event in ORG_EVENTS if event not in bot_events]
    settings["interactivity"]["request_url"] = events
    settings["socket_mode_enabled"] = False
    settings["org_deploy_enabled"] = True
    return manifest


def render(url: str, path: Path = MANIFEST) -> str:
    """The manifest as YAML, headed by how it was made."""
    body = yaml.safe_dump(http_manifest(url, path), sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(url=url) + body
