"""Huddle events: each person's state changes, and the `huddle_thread` of a group DM."""

from __future__ import annotations

import logging
from typing import Any

from handlers.context import Deps
from store.huddles import HuddleChange, record_huddle_change, record_huddle_room

log = logging.getLogger(__name__)

IN_A_HUDDLE = "in_a_huddle"


def huddle_changed(deps: Deps, event: dict[str, Any]) -> None:
    """Keep a paired person's change; a huddle both left gets its follow-up on the next tick."""
    user = event.get("user") or {}
    profile = user.get("profile") or {}
    in_huddle = profile.get("huddle_state") == IN_A_HUDDLE
    # The installation's team: on Enterprise Grid, user.team_id is the person's home
    # workspace, not always the one their 1:1s were scheduled in.
    change = HuddleChange(
        team_id=deps.actor.team_id,
        user_id=str(user.get("id") or ""),
        call_id=(profile.get("huddle_state_call_id") or None) if in_huddle else None,
        event_ts=str(event.get("event_ts") or ""),
    )
    if not change.user_id or not change.event_ts:
        return
    with deps.db() as session:
        ended = record_huddle_change(session, change, now=deps.now())
    if ended:
        log.info("huddle of pair(s) %s ended", [f.pair_id for f in ended])


def huddle_thread(deps: Deps, channel_id: str, message: dict[str, Any]) -> None:
    """Slack's own huddle message in a pair's group DM: its room confirms who was there."""
    room = message.get("room") or {}
    with deps.db() as session:
        record_huddle_room(session, deps.actor.team_id, channel_id, room, now=deps.now())
