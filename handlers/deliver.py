"""Doing one piece of due work, exactly once: claim it, read what it posts, close the
transaction, call Slack, record the outcome in a new short transaction.

Before posting again after an attempt whose outcome is unknown (an answer that never came,
a 5xx, a claim taken over from a runner that died), the bot looks for its own message in
the conversation and records it instead of posting a second one.
"""

from __future__ import annotations

import http.client
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from blocks.i18n import reading
from handlers.calendar import send_calendar
from handlers.context import Clients, NotInstalled, TokenRefused
from handlers.people import bot_dm
from handlers.publish import find_post, open_group_dm, post, render
from handlers.sweeps import GONE, SWEEPS, left_workspace, refused_person, sweep
from store.db import SessionFactory
from store.deliveries import Later, current_content, prepare, record, set_pair_channel
from store.due_work import (
    FOUND,
    SENT,
    Claim,
    claim,
    finish,
    release,
    release_after_failure,
    release_along,
    release_uncertain,
)
from store.models import WorkKind
from store.views import Delivery

log = logging.getLogger(__name__)

RETRY = "retry"
WAITING = "waiting"  # given back to go out with a post due just after it (store.bursts)
UNKNOWN = "unknown"
NOT_SENT = "not_sent"
SUSPENDED = "suspended"  # Slack refused the workspace's token: the work waits for a working one
# ok: false errors after which Slack may have done the work anyway
MAYBE_DONE = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


class NotRecorded(Exception):
    """Slack has the post but recording it failed: the next attempt looks for it."""


@dataclass(frozen=True)
class Done:
    """What became of one claimed piece of due work."""

    kind: str
    outcome: str  # sent, found, cancelled, expired, done, retry, unknown, not_sent, failed
    due_at: datetime
    taken_over: bool
    team_id: str
    people: tuple[str, str] | None  # the pair whose Home tabs may show it
    merged: tuple[str, ...] = ()  # keys of the work that went out inside its post


def deliver(
    db: SessionFactory,
    clients: Clients,
    work_id: int,
    *,
    now: datetime,
    interactive: bool = False,
    due_by: datetime | None = None,
) -> Done | None:
    """Claim and do one piece of work (due by `due_by`, default now); None when someone
    else has it or it is done."""
    with db() as session:
        taken = claim(session, work_id=work_id, now=now, due_by=due_by)
    if taken is None:
        return None
    client = clients.posting(taken.team_id, interactive=interactive)
    people = None
    plan: Delivery | Later | str | None = None
    try:
        if taken.kind in SWEEPS:
            plan = sweep(db, client, taken, now=now)
        elif taken.kind == WorkKind.CALENDAR:
            plan = send_calendar(db, client, taken, now=now)
        else:
            with db() as session:
                plan = prepare(session, taken, now=now)
        if isinstance(plan, Later):
            with db() as session:
                release(session, taken, not_before=plan.at)
            outcome = WAITING
        elif isinstance(plan, str):
            with db() as session:
                finish(session, taken, outcome=plan, now=now)
            outcome = plan
        else:
            people = plan.people
            outcome = _carry_out(db, client, plan, taken, now)
    except Exception as error:  # every failure is recorded on the work
        if isinstance(error, TokenRefused | NotInstalled):
            outcome = _suspended(db, taken, plan)
        elif isinstance(plan, Delivery) and plan.dm_user and refused_person(error):
            outcome = _left(db, taken, plan, now)
        else:
            outcome = give_back(db, taken, error, now, plan=plan)
    merged = plan.also if isinstance(plan, Delivery) and outcome in (SENT, FOUND) else ()
    return Done(taken.kind, outcome, taken.due_at, taken.taken_over, taken.team_id, people, merged)


def _suspended(db: SessionFactory, taken: Claim, plan: object) -> str:
    """Slack refused the workspace's token (the client suspended the workspace's due work):
    the work is given back as not attempted, to go out once a working token comes."""
    if isinstance(plan, Delivery) and plan.also:
        with db() as session:
            release_along(session, taken, plan.also, uncertain=False)
    with db() as session:
        release(session, taken)
    return SUSPENDED


def _left(db: SessionFactory, taken: Claim, plan: Delivery, now: datetime) -> str:
    """Slack refused the person the post was for: they left. Their series end (the other
    person is told); the work is done, never retried."""
    assert plan.dm_user is not None
    if plan.also:
        with db() as session:
            release_along(session, taken, plan.also, uncertain=False)
    left_workspace(db, plan.team_id, plan.dm_user, now=now)
    with db() as session:
        finish(session, taken, outcome=GONE, now=now)
    return GONE


def _carry_out(
    db: SessionFactory, client: WebClient, plan: Delivery, taken: Claim, now: datetime
) -> str:
    channel = plan.channel or _open_group_dm(db, client, plan)
    if taken.uncertain_since is not None:
        found = _look_for_post(db, client, plan, taken, now)
        if found is not None:
            with db() as session:
                record(session, taken, plan, channel=found[0], ts=found[1], now=now, outcome=FOUND)
            return FOUND
    with reading(plan.locale):
        body = render(plan.content)
    posted_channel, ts = post(client, channel, body, key=plan.key, also=plan.also)
    try:
        with db() as session:
            record(session, taken, plan, channel=posted_channel, ts=ts, now=now)
    except Exception as error:
        raise NotRecorded(f"posted as {ts}, but not recorded: {error}") from error
    try:
        _catch_up(db, client, plan, body, posted_channel, ts, now)
    except Exception:  # the post is out and recorded; a later change updates it again
        log.exception("could not bring %s up to date", plan.key)
    return SENT


def post_claimed(
    db: SessionFactory,
    client: WebClient,
    taken: Claim,
    plan: Delivery,
    body: dict[str, Any],
    *,
    now: datetime,
    outcome: str,
) -> None:
    """Post `body` (a message that carries the claimed work: the welcome with the first
    prompt) in the work's DM and record the work as done with `outcome`; on failure the work
    is given back as deliver() would, and the error raised."""
    try:
        channel, ts = post(client, plan.channel or "", body, key=plan.key, also=plan.also)
        try:
            with db() as session:
                record(session, taken, plan, channel=channel, ts=ts, now=now, outcome=outcome)
        except Exception as error:
            raise NotRecorded(f"posted as {ts}, but not recorded: {error}") from error
    except Exception as error:
        give_back(db, taken, error, now, plan=plan)
        raise


def _open_group_dm(db: SessionFactory, client: WebClient, plan: Delivery) -> str:
    channel = open_group_dm(client, plan.people)
    with db() as session:
        set_pair_channel(session, plan.pair_id or 0, channel)
    return channel


def _look_for_post(
    db: SessionFactory, client: WebClient, plan: Delivery, taken: Claim, now: datetime
) -> tuple[str, str] | None:
    """The post an earlier attempt may have made, in the narrow window since that attempt."""
    assert taken.uncertain_since is not None
    channel = plan.channel
    if plan.dm_user is not None:
        channel = bot_dm(db, client, plan.team_id, plan.dm_user)
    if channel is None:
        return None
    ts = find_post(client, channel, key=plan.key, since=taken.uncertain_since, until=now)
    return (channel, ts) if ts else None


def _catch_up(
    db: SessionFactory,
    client: WebClient,
    plan: Delivery,
    body: dict[str, Any],
    channel: str,
    ts: str,
    now: datetime,
) -> None:
    """An agenda or summary may have changed while it was being posted (a refresh then found
    nothing to update): bring the message up to date."""
    with db() as session:
        content = current_content(session, plan, now=now)
    if content is None:
        return
    with reading(plan.locale):
        again = render(content)
    if again != body:
        client.chat_update(channel=channel, ts=ts, **again)


def give_back(
    db: SessionFactory, taken: Claim, error: Exception, now: datetime, *, plan: object = None
) -> str:
    """Record a failed attempt on the work, and on the work that was to go out inside its
    post (`plan`'s), by what Slack may or may not have done."""
    kind = failure_kind(error)
    if isinstance(plan, Delivery) and plan.also:
        with db() as session:
            release_along(session, taken, plan.also, uncertain=kind == UNKNOWN)
    with db() as session:
        if kind == NOT_SENT:
            release(session, taken, not_before=now + _retry_after(error))
            return NOT_SENT
        if kind == UNKNOWN:
            log.warning(
                "%s: outcome unknown (%s); will look before posting again", taken.key, error
            )
            again = release_uncertain(session, taken, error=str(error), now=now)
            return UNKNOWN if again else "failed"
        log.warning("%s failed (attempt %s): %s", taken.key, taken.attempts, error)
        again = release_after_failure(session, taken, error=str(error), now=now)
        return RETRY if again else "failed"


def failure_kind(error: Exception) -> str:
    """NOT_SENT (Slack did nothing: 429, or the call was never made), UNKNOWN (it may have
    posted: no answer, a timeout, a 5xx) or RETRY (Slack refused it, or a bug)."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        if status == 429 or error.response.get("error") == "ratelimited":
            return NOT_SENT
        if status >= 500 or error.response.get("error") in MAYBE_DONE:
            return UNKNOWN
        return RETRY
    if isinstance(error, SlackClientError):  # refused before any request was sent
        return NOT_SENT
    if isinstance(error, NotRecorded):
        return UNKNOWN
    if isinstance(error, OSError | http.client.HTTPException | TimeoutError):
        return UNKNOWN
    return RETRY


def _retry_after(error: Exception) -> timedelta:
    if isinstance(error, SlackApiError):
        headers = error.response.headers or {}
        value = headers.get("Retry-After") or headers.get("retry-after")
        if isinstance(value, list):
            value = value[0] if value else None
        if value and str(value).isdigit():
            return timedelta(seconds=int(value))
    return timedelta(0)
