"""What the bot needs to know about a Slack user: their time zone, and whether they can meet."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

DEFAULT_TZ = "UTC"


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
    """users.info for one user; None when Slack does not know them."""
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
