"""The "Add to 1:1 agenda" message shortcut: the add modal, pre-filled with the message."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.messages import notice
from handlers.context import Deps, deps_from
from handlers.parsing import plain_from_slack
from handlers.points import open_add_modal
from store.access import Invalid, NotAllowed

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Bind the message shortcut."""
    app.shortcut(ids.SHORTCUT_ADD_TO_AGENDA)(handle_add_to_agenda)


def handle_add_to_agenda(ack: Ack, shortcut: dict, respond: Respond, context: dict) -> None:
    """Open the add-a-talking-point modal with the message's text and a link to it."""
    ack()
    deps = deps_from(context)
    deps.after_ack(
        lambda: _open(deps, shortcut, respond),
        tell=lambda text: respond(response_type="ephemeral", **notice(text)),
    )


def _open(deps: Deps, shortcut: dict, respond: Respond) -> None:
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    link = _permalink(deps.client, channel, message.get("ts"))
    text = plain_from_slack(message.get("text") or "")
    if link:
        text = f"{text}\n{link}" if text else link
    try:
        open_add_modal(deps, shortcut["trigger_id"], pair_id=None, initial_text=text, link=link)
    except (Invalid, NotAllowed) as error:
        respond(response_type="ephemeral", **notice(str(error)))


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not (channel and ts):
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error)
        return None
