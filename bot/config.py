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
}


class ConfigError(Exception):
    """Configuration is missing or invalid; the message says what and where to find it."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    port: int
    tick_seconds: int
    posts_per_minute: int = 300
    retention_days: int = DEFAULT_RETENTION_DAYS  # a departed person's private data is kept
    privacy_url: str | None = None  # the privacy page the Home tab links to
    public_url: str | None = None  # the bot's public base URL (calendar feeds)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is configured, else HTTP mode."""
        return bool(self.app_token)


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
    problems = _missing_tokens(env) + _invalid_numbers(env) + _invalid_urls(env)
    if problems:
        raise ConfigError(_explain(problems))
    return Settings(
        bot_token=env["SLACK_BOT_TOKEN"].strip(),
        signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
        app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
        api_url=env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL,
        database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        port=int(env.get("PORT") or 3000),
        tick_seconds=int(env.get("ONEONONE_TICK_SECONDS") or 30),
        posts_per_minute=int(env.get("ONEONONE_POSTS_PER_MINUTE") or 300),
        retention_days=int(env.get("ONEONONE_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS),
        privacy_url=env.get("ONEONONE_PRIVACY_URL", "").strip() or None,
        public_url=env.get("ONEONONE_PUBLIC_URL", "").strip() or None,
    )


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
        problems.append(f"SLACK_BOT_TOKEN is missing — {WHERE_TO_FIND['SLACK_BOT_TOKEN']}")
    socket_mode = bool(env.get("SLACK_APP_TOKEN", "").strip())
    if not socket_mode and not env.get("SLACK_SIGNING_SECRET", "").strip():
        problems.append(
            "SLACK_SIGNING_SECRET is missing (needed in HTTP mode) — "
            f"{WHERE_TO_FIND['SLACK_SIGNING_SECRET']}; or set SLACK_APP_TOKEN for Socket Mode — "
            f"{WHERE_TO_FIND['SLACK_APP_TOKEN']}"
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
    for name in ("ONEONONE_PRIVACY_URL", "ONEONONE_PUBLIC_URL"):
        value = env.get(name, "").strip()
        if value and not (value.startswith(("https://", "http://")) and " " not in value):
            problems.append(f"{name}={value!r} is not an http(s) URL")
    return problems


def _explain(problems: list[str]) -> str:
    lines = ["oneonone cannot start: its configuration is incomplete."]
    lines += [f"  • {p}" for p in problems]
    lines.append("Set these in the environment or in a .env file (see README → Configuration).")
    return "\n".join(lines)
