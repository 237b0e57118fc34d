"""Due work that deletes and posts nothing (ERASE: an ended 1:1's history once its grace
period passed; FORGET: a departed person's private data once the retention passed), and
noticing that someone left the workspace.

Never a transaction open while Slack is called: read, close, call Slack, record."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from store.db import SessionFactory, checkpoint_wal
from store.deletion import (
    ERASED,
    FORGOTTEN,
    Post,
    begin_erase,
    delete_history,
    forget_person,
    forget_posts,
    history_posts,
    mark_left,
    pair_of_erase,
    pair_people,
    private_posts,
    still_departed,
)
from store.due_work import CANCELLED, Claim
from store.files import forget_uploaded_files, uploaded_file_ids
from store.models import WorkKind

log = logging.getLogger(__name__)

SWEEPS = frozenset({WorkKind.ERASE, WorkKind.FORGET})  # due work that deletes, posts nothing
ORPHANED = "orphaned"
GONE = "gone"  # the outcome of a post to someone Slack no longer knows: they left
# Slack refusing a person's id: they left the workspace (or were deactivated).
LEFT_ERRORS = frozenset({"user_not_found", "account_inactive", "user_disabled"})
# chat.delete of a message that is no longer there (or a conversation that is gone): done.
ALREADY_GONE = frozenset({"message_not_found", "channel_not_found", "is_archived"})
FILE_GONE = frozenset({"file_not_found", "file_deleted"})  # files.delete of a file gone already


def delete_posts(db: SessionFactory, client: WebClient, posts: Iterable[Post]) -> None:
    """chat.delete each post (one that is gone already counts as deleted), then forget the
    records of those deleted, in a short transaction of its own."""
    deleted = []
    for post in posts:
        try:
            client.chat_delete(channel=post.channel, ts=post.ts)
        except SlackApiError as error:
            if error.response.get("error") not in ALREADY_GONE:
                raise
        deleted.append(post)
    if deleted:
        with db() as session:
            forget_posts(session, deleted)
            session.commit()


def delete_files(
    db: SessionFactory,
    client: WebClient,
    team_id: str,
    user_ids: list[str],
    *,
    kinds: list[str] | None = None,
) -> None:
    """files.delete every file the bot uploaded for these people (their exports and .ics
    files: they hold what is being deleted), or those of `kinds`, then forget the records,
    in a short transaction of its own."""
    with db.read() as session:
        file_ids = uploaded_file_ids(session, team_id, user_ids, kinds=kinds)
    deleted = []
    for file_id in file_ids:
        try:
            client.files_delete(file=file_id)
        except SlackApiError as error:
            if error.response.get("error") not in FILE_GONE:
                raise
        deleted.append(file_id)
    if deleted:
        with db() as session:
            forget_uploaded_files(session, team_id, deleted)
            session.commit()


# --- someone left ----------------------------------------------------------------------------


def left_workspace(db: SessionFactory, team_id: str, user_id: str, *, now: datetime) -> int:
    """`user_change` with `deleted`, or Slack refused their id: their series end and each
    other person is told (due work); their private data goes after the retention. Returns
    how many series ended."""
    with db() as session:
        ended = mark_left(session, team_id, user_id, now=now)
    if ended:
        log.info("a person left team %s: %s series ended", team_id, len(ended))
    return len(ended)


def refused_person(error: Exception) -> bool:
    """Slack answered that the person is no longer there."""
    return isinstance(error, SlackApiError) and error.response.get("error") in LEFT_ERRORS


# --- due work that deletes -------------------------------------------------------------------


def sweep(db: SessionFactory, client: WebClient, taken: Claim, *, now: datetime) -> str:
    """Do one piece of deleting due work; returns its outcome (deliver() records it)."""
    if taken.kind == WorkKind.ERASE:
        return _erase(db, client, taken, now=now)
    return _forget(db, client, taken)


def _erase(db: SessionFactory, client: WebClient, taken: Claim, *, now: datetime) -> str:
    """The grace period passed with no objection: delete the 1:1's posts, then its rows."""
    pair_id = pair_of_erase(taken.key)
    if pair_id is None:
        return ORPHANED
    with db() as session:
        stop = begin_erase(session, pair_id, now=now)
    if stop is not None:
        return stop
    with db.read() as session:
        posts = history_posts(session, pair_id)
        people = pair_people(session, pair_id)
    delete_posts(db, client, posts)
    delete_files(db, client, taken.team_id, people)  # exports holding this history
    with db() as session:
        delete_history(session, pair_id)
        session.commit()
    checkpoint_wal(db.engine)
    return ERASED


def _forget(db: SessionFactory, client: WebClient, taken: Claim) -> str:
    """A departed person's retention passed: their prompts, then their private rows."""
    if not taken.user_id:
        return ORPHANED
    with db.read() as session:
        if not still_departed(session, taken.team_id, taken.user_id):
            return CANCELLED  # they came back before it ran: nothing of theirs is deleted
        posts = private_posts(session, taken.team_id, taken.user_id)
    delete_posts(db, client, posts)
    delete_files(db, client, taken.team_id, [taken.user_id])
    with db() as session:
        forget_person(session, taken.team_id, taken.user_id)
        session.commit()
    checkpoint_wal(db.engine)
    return FORGOTTEN
