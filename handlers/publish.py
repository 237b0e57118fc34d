"""Sending what people see: prompts, agenda posts (updated in place) and notices.

Shared by the listeners and by due work; every function takes the session it reads from.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from blocks.agenda import agenda_message
from blocks.follow_ups import huddle_message, reminder_message
from blocks.prompt import prompt_message
from blocks.summary import summary_message
from store.actions import item_view
from store.agenda import agenda_view
from store.huddles import huddle_minutes, set_follow_up_post
from store.models import ActionItem, HuddleFollowUp, Meeting, Pair, PostedMessage
from store.schedule import set_channel
from store.suggestions import suggest_question
from store.summary import claim_summary, is_posted, set_summary_ts, summary_view

log = logging.getLogger(__name__)


def pair_channel(client: WebClient, session: Session, pair: Pair) -> str:
    """The group DM of the bot and both people, opened once and remembered."""
    if pair.channel_id:
        return pair.channel_id
    response = client.conversations_open(users=[pair.manager_id, pair.report_id])
    channel_id = response["channel"]["id"]
    set_channel(session, pair, channel_id)
    return channel_id


def post_to_user(client: WebClient, user_id: str, body: dict[str, Any]) -> tuple[str, str]:
    """Post a message in the bot's DM with a person; returns (channel, ts)."""
    response = client.chat_postMessage(channel=user_id, **body)
    return response["channel"], response["ts"]


def send_prompt(
    client: WebClient,
    session: Session,
    meeting: Meeting,
    pair: Pair,
    user_id: str,
    *,
    now: datetime,
) -> str:
    """DM one person the agenda so far, a suggested question and the add buttons."""
    question = suggest_question(session, pair, meeting, user_id, now=now)
    view = agenda_view(session, meeting, pair, user_id)
    channel, ts = post_to_user(
        client, user_id, prompt_message(agenda=view, viewer_id=user_id, suggestion=question)
    )
    remember_post(
        session, meeting, pair, channel=channel, ts=ts, kind="prompt", user_id=user_id, now=now
    )
    return ts


def post_agenda(
    client: WebClient, session: Session, meeting: Meeting, pair: Pair, *, now: datetime
) -> str:
    """Post the agenda in the pair's group DM and remember where, to update it later."""
    channel = pair_channel(client, session, pair)
    body = _agenda_body(session, meeting, pair, now=now)
    response = client.chat_postMessage(channel=channel, **body)
    meeting.agenda_channel_id = response["channel"]
    meeting.agenda_ts = response["ts"]
    session.add(meeting)
    remember_post(
        session,
        meeting,
        pair,
        channel=response["channel"],
        ts=response["ts"],
        kind="agenda",
        now=now,
    )
    return response["ts"]


def refresh_agenda(
    client: WebClient, session: Session, meeting: Meeting, pair: Pair, *, now: datetime
) -> None:
    """Update the posted agenda in place (no-op before it is posted)."""
    if not (meeting.agenda_ts and meeting.agenda_channel_id):
        return
    body = _agenda_body(session, meeting, pair, now=now)
    try:
        client.chat_update(channel=meeting.agenda_channel_id, ts=meeting.agenda_ts, **body)
    except SlackApiError as error:
        log.warning("could not update agenda of meeting %s: %s", meeting.id, error)


def _agenda_body(session: Session, meeting: Meeting, pair: Pair, *, now: datetime) -> dict:
    view = agenda_view(session, meeting, pair, None)
    suggestion = (
        suggest_question(session, pair, meeting, pair.manager_id, now=now)
        if view.is_empty
        else None
    )
    return agenda_message(view, suggestion=suggestion)


def publish_summary(
    client: WebClient, session: Session, meeting: Meeting, pair: Pair, *, now: datetime
) -> bool:
    """Post the meeting's summary in the group DM once; later calls update it in place.

    While one call posts it, another returns False at once: the poster renders the summary
    again once posted and updates it when it changed meanwhile.
    """
    body = summary_message(summary_view(session, meeting, pair))
    channel = pair_channel(client, session, pair)
    if is_posted(meeting.summary_ts):
        client.chat_update(channel=channel, ts=meeting.summary_ts, **body)
        return True
    if not claim_summary(session, meeting, now=now):
        return False
    try:
        response = client.chat_postMessage(channel=channel, **body)
    except Exception:
        set_summary_ts(session, meeting, None)
        raise
    set_summary_ts(session, meeting, response["ts"])
    remember_post(
        session,
        meeting,
        pair,
        channel=response["channel"],
        ts=response["ts"],
        kind="summary",
        now=now,
    )
    session.expire_all()  # see what other sessions saved while we posted
    again = summary_message(summary_view(session, meeting, pair))
    if again != body:
        client.chat_update(channel=response["channel"], ts=response["ts"], **again)
    return True


def send_reminder(
    client: WebClient, session: Session, item: ActionItem, pair: Pair, *, now: datetime
) -> None:
    """DM an open action item's owner on its due date."""
    post_to_user(client, item.owner_id, reminder_message(item_view(item, pair)))
    item.reminded_at = now
    session.add(item)
    session.commit()


def post_huddle_follow_up(
    client: WebClient, session: Session, follow_up: HuddleFollowUp, pair: Pair
) -> None:
    """Offer to capture notes after the pair's huddle, in their group DM."""
    minutes = huddle_minutes(follow_up.started_at, follow_up.ended_at)
    body = huddle_message(follow_up.id, pair.manager_id, pair.report_id, minutes)  # type: ignore[arg-type]
    response = client.chat_postMessage(channel=pair_channel(client, session, pair), **body)
    set_follow_up_post(session, follow_up, response["channel"], response["ts"])


def remember_post(
    session: Session,
    meeting: Meeting,
    pair: Pair,
    *,
    channel: str,
    ts: str,
    kind: str,
    now: datetime,
    user_id: str | None = None,
) -> None:
    """Record a posted message so replies in its thread find their 1:1."""
    session.add(
        PostedMessage(
            team_id=pair.team_id,
            channel_id=channel,
            ts=ts,
            kind=kind,
            pair_id=pair.id,
            meeting_id=meeting.id,
            user_id=user_id,
            created_at=now,
        )
    )
    session.commit()
