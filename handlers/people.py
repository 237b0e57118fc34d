"""What the bot needs to know about a Slack user: their time zone, and whether they can meet."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

DEFAULT_TZ = "UTC"
# Names and time zones rarely change; a short cache keeps modals inside the 3 s trigger window
# when one person has many 1:1s (one users.info per pair otherwise).
CACHE_SECONDS = 300.0
_cache: dict[tuple[str, str], tuple[float, Person | None]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Person:
    """A Slack user as users.info describes them."""

    id: str
    name: str
    tz: str
    is_bot: bool
    deleted: bool
    team_id: str | None


def look_up(client: WebClient, user_id: str) -> Person | None:
    """users.info for one user (cached for a few minutes); None when Slack does not know them."""
    key = (client.base_url, user_id)
    with _cache_lock:
        cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    person = _users_info(client, user_id)
    with _cache_lock:
        _cache[key] = (time.monotonic(), person)
    return person


def _users_info(client: WebClient, user_id: str) -> Person | None:
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "user_not_visible"):
            return None
        raise
    return Person(
        id=user["id"],
        name=_name(user),
        tz=user.get("tz") or DEFAULT_TZ,
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        team_id=user.get("team_id"),
    )


def time_zone(client: WebClient, user_id: str) -> str:
    """The user's Slack time zone (UTC when unknown)."""
    person = look_up(client, user_id)
    return person.tz if person else DEFAULT_TZ


def _name(user: dict) -> str:
    profile = user.get("profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )


def display_name(client: WebClient, user_id: str) -> str:
    """How Slack shows the person, for plain-text places where mentions don't render."""
    person = look_up(client, user_id)
    return person.name if person else user_id
