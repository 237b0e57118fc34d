"""The "Add to 1:1 agenda" message shortcut: the add modal, pre-filled with the message."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.messages import notice
from handlers.context import Deps, deps_from, refusal_text
from handlers.points import open_add_modal, text_from_slack
from store.access import Invalid, NotAllowed
from store.point_text import Source, shorten

log = logging.getLogger(__name__)

QUOTE_MAX = 200  # characters of a shared message taken into its talking point


def register(app: App) -> None:
    """Bind the message shortcut."""
    app.shortcut(ids.SHORTCUT_ADD_TO_AGENDA)(handle_add_to_agenda)


def handle_add_to_agenda(ack: Ack, shortcut: dict, respond: Respond, context: dict) -> None:
    """Open the add-a-talking-point modal with the message's opening words and its source."""
    ack()
    deps = deps_from(context)
    deps.after_ack(
        lambda: _open_add_modal(deps, shortcut, respond),
        tell=lambda text: respond(response_type="ephemeral", **notice(text)),
    )


def _open_add_modal(deps: Deps, shortcut: dict, respond: Respond) -> None:
    message = shortcut.get("message") or {}
    channel = shortcut.get("channel") or {}
    link = _permalink(deps.client, channel.get("id"), message.get("ts"))
    # The message stays where it is, a click away: the point is its opening words.
    text = shorten(text_from_slack(deps, message.get("text") or ""), QUOTE_MAX)
    source = Source.of(link, channel.get("name"))
    try:
        open_add_modal(deps, shortcut["trigger_id"], pair_id=None, initial_text=text, source=source)
    except (Invalid, NotAllowed) as error:
        respond(response_type="ephemeral", **notice(refusal_text(error)))


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not (channel and ts):
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error)
        return None
