"""Rendering and sending what people see: due-work posts (which carry message metadata naming
their work, so a post whose answer was lost is found instead of repeated), and DMs.

Nothing here opens a database session: callers read first and record afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from blocks.agenda import agenda_message
from blocks.deletion import person_left_notice
from blocks.digest import digest_message
from blocks.follow_ups import huddle_message, reminder_message
from blocks.messages import duplicate_ended_notice
from blocks.prompt import prompt_message
from blocks.summary import summary_message
from store.health_views import DigestView
from store.views import (
    AgendaPost,
    Content,
    DuplicateEnded,
    HuddleOffer,
    PersonLeft,
    PromptPost,
    ReminderPost,
    SummaryView,
)

EVENT_TYPE = "oneonone_due_work"  # message metadata of every due-work post
CLOCK_SKEW = timedelta(minutes=2)  # Slack's clock and ours may disagree this much
HISTORY_PAGE = 15  # Slack's page for apps outside the Marketplace (SLACK.md §4.1)
HISTORY_PAGES_MAX = 20


def render(content: Content) -> dict[str, Any]:
    """The chat.postMessage body of a due-work post."""
    if isinstance(content, PromptPost):
        return prompt_message(
            agenda=content.agenda,
            viewer_id=content.viewer_id,
            suggestion=content.suggestion,
            series=content.series,
            zone=content.zone,
            moved_from=content.moved_from,
            reminders=content.reminders,
            today=content.today,
            health=content.health,
        )
    if isinstance(content, AgendaPost):
        return agenda_message(
            content.agenda, suggestion=content.suggestion, checkins=content.checkins
        )
    if isinstance(content, DigestView):
        return digest_message(content)
    if isinstance(content, SummaryView):
        return summary_message(content)
    if isinstance(content, ReminderPost):
        return reminder_message(content.item, today=content.today)
    if isinstance(content, DuplicateEnded):
        return duplicate_ended_notice(other_id=content.other_id)
    if isinstance(content, PersonLeft):
        return person_left_notice(other_id=content.other_id)
    if isinstance(content, HuddleOffer):
        return huddle_message(
            content.follow_up_id,
            content.manager_id,
            content.report_id,
            content.minutes,
            saved=content.saved,
        )
    raise TypeError(f"nothing renders {type(content).__name__}")


def work_metadata(key: str, also: tuple[str, ...] = ()) -> dict[str, Any]:
    """The message metadata that names a post's piece of due work (and the work that went
    out inside it: `also`, space-separated, since payload values are flat)."""
    payload = {"work": key} | ({"also": " ".join(also)} if also else {})
    return {"event_type": EVENT_TYPE, "event_payload": payload}


def post(
    client: WebClient, channel: str, body: dict[str, Any], *, key: str, also: tuple[str, ...] = ()
) -> tuple[str, str]:
    """Post a due-work message carrying its key; returns (channel, ts)."""
    response = client.chat_postMessage(channel=channel, metadata=work_metadata(key, also), **body)
    return response["channel"], response["ts"]


def open_group_dm(client: WebClient, people: tuple[str, str]) -> str:
    """The group DM of the bot and both people (Slack returns the existing one)."""
    return str(client.conversations_open(users=list(people))["channel"]["id"])


def open_dm(client: WebClient, user_id: str) -> str:
    """The bot's DM with one person."""
    return str(client.conversations_open(users=[user_id])["channel"]["id"])


def post_to_user(client: WebClient, user_id: str, body: dict[str, Any]) -> tuple[str, str]:
    """Post a message in the bot's DM with a person; returns (channel, ts)."""
    response = client.chat_postMessage(channel=user_id, **body)
    return response["channel"], response["ts"]


def find_post(
    client: WebClient, channel: str, *, key: str, since: datetime, until: datetime
) -> str | None:
    """The ts of the bot's own post of this work in the channel between `since` and `until`
    (the narrow window of an attempt whose outcome is unknown), or None."""
    cursor = None
    for _ in range(HISTORY_PAGES_MAX):
        page = client.conversations_history(
            channel=channel,
            oldest=_slack_ts(since - CLOCK_SKEW),
            latest=_slack_ts(until + CLOCK_SKEW),
            inclusive=True,
            limit=HISTORY_PAGE,
            include_all_metadata=True,
            cursor=cursor,
        )
        for message in page.get("messages") or []:
            if _names_work(message, key):
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not (page.get("has_more") and cursor):
            return None
    return None


def _names_work(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return False
    return payload.get("work") == key or key in str(payload.get("also") or "").split()


def _slack_ts(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"
