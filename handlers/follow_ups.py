"""After the meeting: action items done or snoozed, points dropped, history, huddles."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from blocks.follow_ups import (
    actions_list_message,
    huddle_dismissed_message,
    item_done_message,
    item_snoozed_message,
)
from blocks.home import summary_modal
from blocks.i18n import _, reading
from blocks.messages import notice
from blocks.summary import history_message
from handlers.context import Deps
from handlers.notes import update_summary
from handlers.people import time_zone
from store.access import find_pair_with, other_person
from store.actions import complete_item, get_item, item_view, open_items_owned, snooze_item
from store.agenda import agenda_posted_at, drop_talking_point
from store.huddles import dismiss_follow_up, huddle_minutes, meeting_for_huddle
from store.meetings import upcoming_meeting
from store.models import Pair, id_of
from store.people import pair_locale
from store.summary import history, summary_for

log = logging.getLogger(__name__)


def actions_list(deps: Deps) -> dict[str, Any]:
    """`/oneonone actions`: the caller's open action items, oldest first."""
    with deps.db.read() as session:
        items = open_items_owned(session, deps.actor)
    return actions_list_message(items, today=deps.local_today())


def history_of(deps: Deps, person: str | None) -> dict[str, Any]:
    """`/oneonone history [@person]`: the last meetings' summaries."""
    with deps.db() as session:
        pair = find_pair_with(session, deps.actor, person)
        summaries = history(session, deps.actor, id_of(pair), now=deps.now())
    return history_message(summaries, other_person(pair, deps.actor.user_id))


def done(deps: Deps, item_id: int, *, clicked_ts: str | None = None) -> tuple[dict[str, Any], Pair]:
    """Mark an item done; the upcoming agenda, and the posted agenda it was clicked on, are
    updated in place."""
    with deps.db() as session:
        item, pair, _changed = complete_item(session, deps.actor, item_id, now=deps.now())
        upcoming = upcoming_meeting(session, pair, deps.now())
        clicked = agenda_posted_at(session, pair, clicked_ts) if clicked_ts else None
    deps.refresh_agenda(upcoming.id if upcoming else None, clicked.id if clicked else None)
    deps.refresh_homes(pair)
    _update_summary_of(deps, item.meeting_id)  # the summary it was decided in shows it done
    return item_done_message(item_view(item, pair), item.done_by or deps.actor.user_id), pair


def snooze(deps: Deps, item_id: int) -> dict[str, Any]:
    """Move an item's due date a week on (its owner's time zone decides "today")."""
    with deps.db.read() as session:
        owner = get_item(session, deps.actor, item_id)[0].owner_id
    zone = time_zone(deps, owner)  # users.info, if at all, outside the transaction
    with deps.db() as session:
        item, pair = snooze_item(session, deps.actor, item_id, now=deps.now(), timezone=zone)
        upcoming = upcoming_meeting(session, pair, deps.now())
    deps.refresh_agenda(upcoming.id if upcoming else None)
    deps.refresh_homes(pair)
    _update_summary_of(deps, item.meeting_id)  # ... and its new due date
    return item_snoozed_message(item_view(item, pair))


def _update_summary_of(deps: Deps, meeting_id: int | None) -> None:
    """Bring the summary an item was decided in up to date; the item changed anyway."""
    if meeting_id is None:
        return
    try:
        update_summary(deps, meeting_id)
    except SlackApiError as error:
        log.warning(
            "summary of meeting %s not updated: %s", meeting_id, error.response.get("error")
        )


def drop_point(deps: Deps, point_id: int) -> dict[str, Any]:
    """The author drops one of their open talking points."""
    with deps.db() as session:
        meeting, pair = drop_talking_point(session, deps.actor, point_id)
    deps.refresh_agenda(meeting.id)
    deps.refresh_homes(pair)
    return notice(_("Removed that talking point from your next 1:1."))


def open_summary(deps: Deps, trigger_id: str, meeting_id: int) -> None:
    """One meeting's summary in a read-only modal."""
    with deps.db.read() as session:
        summary = summary_for(session, deps.actor, meeting_id, now=deps.now())
    zone = time_zone(deps, deps.actor.user_id)  # the buttons' dates on the reader's calendar
    deps.client.views_open(trigger_id=trigger_id, view=summary_modal(summary, zone=zone))


def huddle_meeting(deps: Deps, follow_up_id: int) -> int:
    """The meeting a huddle's notes go to."""
    with deps.db() as session:
        meeting = meeting_for_huddle(session, deps.actor, follow_up_id, now=deps.now())
        return id_of(meeting)


def dismiss_huddle(deps: Deps, follow_up_id: int) -> None:
    """Nothing to capture: the offer is replaced by a one-line note."""
    with deps.db() as session:
        follow_up, pair = dismiss_follow_up(session, deps.actor, follow_up_id, now=deps.now())
        locale = pair_locale(session, pair)  # the offer is in the pair's group DM
    if not (follow_up.channel_id and follow_up.ts):
        return
    minutes = huddle_minutes(follow_up.started_at, follow_up.ended_at)
    with reading(locale):
        body = huddle_dismissed_message(minutes, deps.actor.user_id)
    try:
        deps.client.chat_update(channel=follow_up.channel_id, ts=follow_up.ts, **body)
    except SlackApiError as error:
        log.warning("could not update huddle follow-up %s: %s", follow_up.id, error)
