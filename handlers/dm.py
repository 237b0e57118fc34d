"""Writing to the bot in its DM adds a talking point (to the prompt's 1:1, or the one chosen)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from blocks.i18n import N_, _
from blocks.messages import choose_pair_message, notice
from handlers.context import Deps, refusal_text
from handlers.people import display_name
from handlers.points import add_point, text_from_slack
from store.access import Invalid, NotAllowed, list_active_pairs, other_person
from store.deliveries import pair_posted_in
from store.models import Pair, id_of

log = logging.getLogger(__name__)

NO_PAIRS = N_(
    "You don't have any 1:1s yet, so I can't put this on an agenda. "
    "Start one with `/oneonone schedule @person tuesday 10:00`."
)


def handle_direct_message(deps: Deps, event: dict[str, Any]) -> None:
    """A person wrote to the bot: route the text to a 1:1's next agenda and confirm in thread."""
    channel, ts = event["channel"], event["ts"]
    text = text_from_slack(deps, event.get("text") or "")
    private, text = _private_prefix(text)
    thread = event.get("thread_ts")
    reply_ts = thread or ts
    try:
        with deps.db.read() as session:
            pair_id = (
                pair_posted_in(session, deps.actor.team_id, channel, thread) if thread else None
            )
            pairs = list_active_pairs(session, deps.actor) if pair_id is None else []
        if pair_id is None and len(pairs) == 1:
            pair_id = pairs[0].id
        if pair_id is None:
            _reply(deps, channel, reply_ts, _which_pair(deps, pairs, channel, ts))
            return
        body = add_point(
            deps, None, text, private=private, origin=f"dm:{channel}:{ts}", pair_id=pair_id
        )
    except (Invalid, NotAllowed) as error:
        body = notice(refusal_text(error))
    _reply(deps, channel, reply_ts, body)


def _which_pair(deps: Deps, pairs: list[Pair], channel: str, ts: str) -> dict[str, Any]:
    """No 1:1 yet, or several: say so, or ask which one the message is for."""
    if not pairs:
        return notice(_(NO_PAIRS))
    choices = [(id_of(p), display_name(deps, other_person(p, deps.actor.user_id))) for p in pairs]
    return choose_pair_message(pairs=choices, channel_id=channel, ts=ts)


def add_chosen_message(deps: Deps, pair_id: int, channel: str, ts: str) -> dict[str, Any]:
    """The person picked the 1:1 for a DM: fetch that message and add it there."""
    message = _fetch_message(deps, channel, ts)
    if message is None or message.get("user") != deps.actor.user_id:
        raise NotAllowed(N_("I can't find that message any more — please write it again."))
    private, text = _private_prefix(text_from_slack(deps, message.get("text") or ""))
    return add_point(
        deps, None, text, private=private, origin=f"dm:{channel}:{ts}", pair_id=pair_id
    )


def _fetch_message(deps: Deps, channel: str, ts: str) -> dict[str, Any] | None:
    try:
        response = deps.client.conversations_history(
            channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
    except SlackApiError as error:
        log.warning("could not read message %s in %s: %s", ts, channel, error)
        return None
    messages = response.get("messages") or []
    return messages[0] if messages and messages[0].get("ts") == ts else None


def _private_prefix(text: str) -> tuple[bool, str]:
    """`private: …` or `private …` at the start keeps the talking point to its author."""
    first, _space, rest = text.strip().partition(" ")
    if first.lower().rstrip(":") == "private" and rest.strip():
        return True, rest.strip()
    return False, text


def _reply(deps: Deps, channel: str, thread_ts: str, body: dict[str, Any]) -> None:
    deps.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **body)
