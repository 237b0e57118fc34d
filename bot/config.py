"""Configuration from the environment (and `.env` when present), read once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///oneonone.db"
DEFAULT_RETENTION_DAYS = 30

WHERE_TO_FIND = {
    "SLACK_BOT_TOKEN": "api.slack.com/apps → your app → OAuth & Permissions → "
    "Bot User OAuth Token (xoxb-…)",
    "SLACK_SIGNING_SECRET": "api.slack.com/apps → your app → Basic Information → "
    "App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": "api.slack.com/apps → your app → Basic Information → "
    "App-Level Tokens (xapp-…, scope connections:write)",
    "SLACK_CLIENT_ID": "api.slack.com/apps → your app → Basic Information → "
    "App Credentials → Client ID",
    "SLACK_CLIENT_SECRET": "api.slack.com/apps → your app → Basic Information → "
    "App Credentials → Client Secret",
}
OAUTH_VARIABLES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


class ConfigError(Exception):
    """Configuration is missing or invalid; the message says what and where to find it."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    bot_token: str  # "" in OAuth mode: each workspace's token comes from its installation
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    port: int
    tick_seconds: int
    posts_per_minute: int = 300
    retention_days: int = DEFAULT_RETENTION_DAYS  # a departed person's private data is kept
    privacy_url: str | None = None  # the privacy page the Home tab links to
    client_id: str | None = None  # OAuth mode (with client_secret): many workspaces
    client_secret: str | None = None
    redirect_uri: str | None = None
    public_url: str | None = None  # the bot's public base URL (manifest, calendar feeds)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is configured, else HTTP mode."""
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        """OAuth mode: installed into many workspaces through /slack/install."""
        return bool(self.client_id)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a simple KEY=VALUE `.env` file (comments, blank lines, optional quotes)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Build Settings from `.env` (if any) overlaid by the environment; raise ConfigError."""
    env = _environment(environ, dotenv)
    oauth = any(env.get(name, "").strip() for name in OAUTH_VARIABLES)
    tokens = _oauth_problems(env) if oauth else _missing_tokens(env)
    problems = tokens + _invalid_numbers(env) + _invalid_urls(env)
    if problems:
        raise ConfigError(_explain(problems))
    return Settings(
        bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
        signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
        app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
        api_url=env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL,
        database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        port=int(env.get("PORT") or 3000),
        tick_seconds=int(env.get("ONEONONE_TICK_SECONDS") or 30),
        posts_per_minute=int(env.get("ONEONONE_POSTS_PER_MINUTE") or 300),
        retention_days=int(env.get("ONEONONE_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS),
        privacy_url=env.get("ONEONONE_PRIVACY_URL", "").strip() or None,
        client_id=env.get("SLACK_CLIENT_ID", "").strip() or None,
        client_secret=env.get("SLACK_CLIENT_SECRET", "").strip() or None,
        redirect_uri=env.get("SLACK_REDIRECT_URI", "").strip() or None,
        public_url=env.get("ONEONONE_PUBLIC_URL", "").strip().rstrip("/") or None,
    )


def load_public_url(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> str | None:
    """ONEONONE_PUBLIC_URL alone (for `oneonone manifest`, which needs no Slack tokens)."""
    env = _environment(environ, dotenv)
    return env.get("ONEONONE_PUBLIC_URL", "").strip().rstrip("/") or None


def load_database_url(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> str:
    """DATABASE_URL alone (for `oneonone db upgrade`, which needs no Slack tokens)."""
    env = _environment(environ, dotenv)
    return env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def _environment(environ: Mapping[str, str] | None, dotenv: Path | None) -> dict[str, str]:
    """`.env` values overlaid by the real environment (the environment wins)."""
    return {
        **(read_dotenv(dotenv) if dotenv else {}),
        **(os.environ if environ is None else environ),
    }


def _missing_tokens(env: Mapping[str, str]) -> list[str]:
    problems = []
    if not env.get("SLACK_BOT_TOKEN", "").strip():
        problems.append(
            f"SLACK_BOT_TOKEN is missing — {WHERE_TO_FIND['SLACK_BOT_TOKEN']} (or, to install "
            "into many workspaces, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: OAuth mode)"
        )
    socket_mode = bool(env.get("SLACK_APP_TOKEN", "").strip())
    if not socket_mode and not env.get("SLACK_SIGNING_SECRET", "").strip():
        problems.append(
            "SLACK_SIGNING_SECRET is missing (needed in HTTP mode) — "
            f"{WHERE_TO_FIND['SLACK_SIGNING_SECRET']}; or set SLACK_APP_TOKEN for Socket Mode — "
            f"{WHERE_TO_FIND['SLACK_APP_TOKEN']}"
        )
    return problems


def _oauth_problems(env: Mapping[str, str]) -> list[str]:
    """OAuth mode: both client credentials and the signing secret; no single-workspace token
    and no Socket Mode (Slack's install flow ends at an HTTP redirect URL)."""
    problems = [
        f"{name} is missing (OAuth mode needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) — "
        f"{WHERE_TO_FIND[name]}"
        for name in OAUTH_VARIABLES
        if not env.get(name, "").strip()
    ]
    if not env.get("SLACK_SIGNING_SECRET", "").strip():
        problems.append(
            "SLACK_SIGNING_SECRET is missing (OAuth mode serves HTTP) — "
            f"{WHERE_TO_FIND['SLACK_SIGNING_SECRET']}"
        )
    if env.get("SLACK_BOT_TOKEN", "").strip():
        problems.append(
            "SLACK_BOT_TOKEN is set as well as SLACK_CLIENT_ID: in OAuth mode each workspace's "
            "token comes from its installation — unset SLACK_BOT_TOKEN, or unset "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for single-workspace mode"
        )
    if env.get("SLACK_APP_TOKEN", "").strip():
        problems.append(
            "SLACK_APP_TOKEN is set as well as SLACK_CLIENT_ID: OAuth mode serves HTTP, not "
            "Socket Mode — unset SLACK_APP_TOKEN"
        )
    return problems


def _invalid_numbers(env: Mapping[str, str]) -> list[str]:
    problems = []
    for name, low, high in (
        ("PORT", 1, 65535),
        ("ONEONONE_TICK_SECONDS", 1, 86400),
        ("ONEONONE_POSTS_PER_MINUTE", 1, 100_000),
        ("ONEONONE_RETENTION_DAYS", 0, 3650),
    ):
        value = env.get(name, "").strip()
        if value and not (value.isdigit() and low <= int(value) <= high):
            problems.append(f"{name}={value!r} is not a whole number from {low} to {high}")
    return problems


def _invalid_urls(env: Mapping[str, str]) -> list[str]:
    problems = []
    for name in ("ONEONONE_PRIVACY_URL", "SLACK_REDIRECT_URI", "ONEONONE_PUBLIC_URL"):
        value = env.get(name, "").strip()
        if value and not (value.startswith(("https://", "http://")) and " " not in value):
            problems.append(f"{name}={value!r} is not an http(s) URL")
    return problems


def _explain(problems: list[str]) -> str:
    lines = ["oneonone cannot start: its configuration is incomplete."]
    lines += [f"  • {p}" for p in problems]
    lines.append("Set these in the environment or in a .env file (see README → Configuration).")
    return "\n".join(lines)
