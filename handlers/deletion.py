"""Deleting people's data from Slack's side: "delete my data" (a confirmation modal with
the counts, the export offered first), asking to delete an ended 1:1's history (7 days' grace
for the other person) and objecting to it. The due work that deletes is handlers/sweeps.py.

Never a transaction open while Slack is called: read, close, call Slack, record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blocks.deletion import (
    delete_my_data_modal,
    history_requested_message,
    objected_message,
    private_deleted_message,
)
from blocks.i18n import reading
from handlers.context import Deps
from handlers.notes import update_summary
from handlers.people import locale_of
from handlers.publish import post_to_user
from handlers.sweeps import delete_files, delete_posts
from store.db import checkpoint_wal
from store.deletion import (
    delete_private,
    object_to_deletion,
    private_counts,
    private_meetings,
    private_posts,
    request_history_deletion,
)
from store.files import EXPORT

# --- delete my data --------------------------------------------------------------------------


def open_delete_modal(deps: Deps, trigger_id: str) -> None:
    """The confirmation: what will go, counted, with the export first."""
    with deps.db.read() as session:
        counts = private_counts(session, deps.actor.team_id, deps.actor.user_id)
    deps.client.views_open(trigger_id=trigger_id, view=delete_my_data_modal(counts))


def delete_my_data(deps: Deps) -> Callable[[], None]:
    """Confirmed: the rows go now (before the ack); after it, the prompts that listed them
    are deleted from Slack, the posted agendas and summaries re-rendered, and the person told."""
    team_id, user_id = deps.actor.team_id, deps.actor.user_id
    with deps.db() as session:
        posts = private_posts(session, team_id, user_id)
        meetings = private_meetings(session, team_id, user_id)
        counts = delete_private(session, team_id, user_id)
        session.commit()
    checkpoint_wal(deps.db.engine)

    def after() -> None:
        delete_posts(deps.db, deps.client, posts)
        # exports hold them too (a series' .ics holds nothing private)
        delete_files(deps.db, deps.client, team_id, [user_id], kinds=[EXPORT])
        deps.refresh_agenda(*meetings)
        for meeting_id in meetings:
            update_summary(deps, meeting_id)
        if deps.homes is not None:
            deps.homes.request(team_id, [user_id])
        post_to_user(deps.client, user_id, private_deleted_message(counts))

    return after


# --- an ended 1:1's history ------------------------------------------------------------------


def request_history(deps: Deps, pair_id: int) -> dict[str, Any]:
    """One of the two asks to delete the 1:1's history (ending it if need be): the other is
    told, with the export and an objection offered; returns the asker's confirmation."""
    with deps.db() as session:
        request, new = request_history_deletion(session, deps.actor, pair_id, now=deps.now())
    if new:
        with reading(locale_of(deps, request.other_id)):
            body = history_requested_message(request, request.other_id)
        post_to_user(deps.client, request.other_id, body)
        if deps.homes is not None:
            deps.homes.request(deps.actor.team_id, [request.requested_by, request.other_id])
    return history_requested_message(request, request.requested_by)


def object_to(deps: Deps, pair_id: int) -> dict[str, Any]:
    """Either of the two cancels the deletion: both are told."""
    with deps.db() as session:
        request = object_to_deletion(session, deps.actor, pair_id, now=deps.now())
    other = request.other_id if deps.actor.user_id == request.requested_by else request.requested_by
    with reading(locale_of(deps, other)):
        body = objected_message(request)
    post_to_user(deps.client, other, body)
    return objected_message(request)
