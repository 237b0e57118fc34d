"""Events API listeners: one per event type the manifest subscribes to."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App

from blocks.messages import notice
from handlers import install, people
from handlers.context import Deps, deps_from
from handlers.dm import handle_direct_message
from handlers.huddles import huddle_changed, huddle_thread
from store.access import Actor

log = logging.getLogger(__name__)

# Event types as Bolt matches them; `message` covers manifest's message.im and message.mpim.
SUBSCRIBED_EVENTS = (
    "app_home_opened",
    "message",
    "user_huddle_changed",
    "user_change",
    "app_uninstalled",
    "tokens_revoked",
)


def register(app: App) -> None:
    """Bind every subscribed event, so Slack never gets a 404 (and never retries for it)."""
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("message")(handle_message)
    app.event("user_huddle_changed")(handle_user_huddle_changed)
    app.event("user_change")(handle_user_change)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)


def handle_app_home_opened(event: dict, context: dict) -> None:
    """A person opened the app's Home tab: publish it fresh."""
    deps = deps_from(context)
    homes = deps.homes
    if event.get("tab") == "home" and homes is not None and event.get("user"):
        opener = Actor(deps.actor.team_id, event["user"])
        deps.after_ack(lambda: homes.publish_now(opener, opened=True))


def handle_message(event: dict, context: dict) -> None:
    """Every message event and subtype in the bot's DMs and group DMs.

    Only what a person wrote to the bot in its DM becomes a talking point; edits, deletions,
    bot posts and group-DM chatter are acknowledged and ignored.
    """
    deps = deps_from(context)
    is_person = event.get("user") and not event.get("bot_id") and not event.get("subtype")
    if event.get("channel_type") == "im" and is_person:
        deps.after_ack(lambda: handle_direct_message(deps, event), tell=_in_thread(deps, event))
        return
    # Slack's huddle message, as posted or as updated when the huddle ends.
    edited = event.get("subtype") == "message_changed"
    changed = (event.get("message") or {}) if edited else event
    if changed.get("subtype") == "huddle_thread":
        deps.after_ack(lambda: huddle_thread(deps, event.get("channel") or "", changed))


def _in_thread(deps: Deps, event: dict) -> Callable[[str], None]:
    """Tell the person in the thread of the DM they wrote."""

    def tell(text: str) -> None:
        thread = event.get("thread_ts") or event["ts"]
        deps.client.chat_postMessage(channel=event["channel"], thread_ts=thread, **notice(text))

    return tell


def handle_user_huddle_changed(event: dict, context: dict) -> None:
    """Someone in the workspace joined or left a huddle."""
    deps = deps_from(context)
    deps.after_ack(lambda: huddle_changed(deps, event))


def handle_user_change(event: dict, context: dict) -> None:
    """A profile changed (name, time zone, …): keep it if the bot keeps that person's."""
    deps = deps_from(context)
    user = event.get("user") or {}
    if user.get("id"):
        now = deps.now()
        deps.after_ack(
            lambda: people.changed(deps.db, deps.client, deps.actor.team_id, user, now=now)
        )


def handle_app_uninstalled(body: dict, context: dict) -> None:
    """The app was removed from a workspace: nothing can be posted there any more."""
    install.uninstalled(body, context)


def handle_tokens_revoked(event: dict, body: dict, context: dict) -> None:
    """Tokens were revoked for a workspace."""
    install.tokens_revoked(event, body, context)
