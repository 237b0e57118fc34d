"""Claims on due work: one conditional UPDATE each, so two runners never do the same work,
and what a runner records when it gives the work back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.db import UTCDateTime, execute_dml
from store.models import DueWork
from store.workspaces import stopped_team_ids

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
FIRST_BACKOFF = timedelta(minutes=1)
LOOK_AGAIN = timedelta(seconds=10)  # after an unknown outcome: look for the post, soon
CANCELLED = "cancelled"  # the outcome of work that was no longer wanted
SENT = "sent"
FOUND = "found"  # an earlier attempt had posted it: recorded, not posted again
MERGED = "merged"  # went out inside another message to the same person in the same minute
TOO_LATE = "too_late"  # a prompt with no working moment left an hour before its meeting
REOPENED = (CANCELLED, TOO_LATE)  # outcomes of work never posted: wanted again, it reopens


@dataclass(frozen=True)
class Claim:
    """Due work this runner owns until it finishes it or the lease runs out."""

    work_id: int
    token: str
    key: str
    kind: str
    team_id: str
    meeting_id: int | None
    action_item_id: int | None
    user_id: str | None
    due_at: datetime
    expires_at: datetime | None
    attempts: int
    claimed_at: datetime
    uncertain_since: datetime | None  # an earlier attempt may have posted it since then
    taken_over: bool  # the claim of a runner that never finished (crashed) was taken over


@dataclass(frozen=True)
class Planned:
    """Work nobody holds that falls due soon: what the planner paces."""

    work_id: int
    team_id: str
    due_at: datetime
    channel_key: str  # posts with the same key go to the same conversation


def _open() -> ColumnElement[bool]:
    return col(DueWork.done_at).is_(None)


def _served() -> ColumnElement[bool]:
    """Work of a workspace whose due work runs (not suspended, not uninstalled)."""
    return col(DueWork.team_id).not_in(stopped_team_ids())


def add_work(
    session: Session,
    *,
    team_id: str,
    key: str,
    kind: str,
    due_at: datetime,
    expires_at: datetime | None = None,
    meeting_id: int | None = None,
    action_item_id: int | None = None,
    user_id: str | None = None,
) -> DueWork:
    """Add a piece of due work, or re-time the unfinished one with the same key (work that
    was cancelled is wanted again: it is reopened). Work another process adds with the same
    key meanwhile is that work, not an error."""
    work = session.exec(_with_key(key)).first()
    if work is None:
        new = DueWork(
            team_id=team_id,
            key=key,
            kind=kind,
            meeting_id=meeting_id,
            action_item_id=action_item_id,
            user_id=user_id,
            next_attempt_at=due_at,
            expires_at=expires_at,
        )
        try:
            with session.begin_nested():
                session.add(new)
            return new
        except IntegrityError:  # added by another process between the read and the insert
            work = session.exec(_with_key(key)).one()
    if work.outcome in REOPENED:
        work.done_at = work.outcome = work.claimed_at = work.claim_token = None
        work.attempts = 0
    elif work.done_at is not None:
        return work
    work.next_attempt_at = due_at
    work.expires_at = expires_at
    session.add(work)
    return work


def kind_of(key: str) -> str:
    """The kind of work a key names (every key starts with its kind: `prompt:…`)."""
    return key.partition(":")[0]


def _with_key(key: str) -> SelectOfScalar[DueWork]:
    return select(DueWork).where(DueWork.key == key)


def not_wanted(session: Session, work: DueWork, *, outcome: str, now: datetime) -> None:
    """Close unfinished work nobody holds without posting it (recorded with why, once)."""
    if work.done_at is None and work.claimed_at is None:
        work.done_at, work.outcome = now, outcome
        session.add(work)


def work_id_of(session: Session, key: str) -> int | None:
    """The id of the unfinished work with this key, if there is one."""
    query = select(DueWork.id).where(DueWork.key == key, _open())
    return session.exec(query).first()


def bring_forward(session: Session, key: str, *, now: datetime) -> int | None:
    """Make the unfinished work with this key due now (e.g. a summary once notes are saved);
    returns its id."""
    session.execute(
        update(DueWork)
        .where(col(DueWork.key) == key, _open(), col(DueWork.next_attempt_at) > now)
        .values(next_attempt_at=now)
    )
    session.commit()
    return work_id_of(session, key)


def claimable_ids(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Ids of work due at `now` that nobody holds (oldest first); claim each before doing it."""
    stale = now - LEASE
    query = (
        select(DueWork.id)
        .where(_open(), col(DueWork.next_attempt_at) <= now, _served())
        .where((col(DueWork.claimed_at).is_(None)) | (col(DueWork.claimed_at) < stale))
        .order_by(col(DueWork.next_attempt_at))
        .limit(limit)
    )
    return [work_id for work_id in session.exec(query).all() if work_id is not None]


def planned(
    session: Session, *, now: datetime, until: datetime, limit: int = 50_000
) -> list[Planned]:
    """Work nobody holds (or whose holder's lease ran out) due by `until`, soonest first."""
    # SQLModel's select() is typed for 4 columns at most: SQLAlchemy's (the same SQL), run
    # with execute(), rows as exec() gives them
    query = (
        select_columns(
            col(DueWork.id),
            col(DueWork.team_id),
            col(DueWork.next_attempt_at),
            col(DueWork.user_id),
            col(DueWork.meeting_id),
            col(DueWork.key),
        )
        .where(_open(), col(DueWork.next_attempt_at) <= until, _served())
        .where((col(DueWork.claimed_at).is_(None)) | (col(DueWork.claimed_at) < now - LEASE))
        .order_by(col(DueWork.next_attempt_at), col(DueWork.id))
        .limit(limit)
    )
    return [
        Planned(work_id, team, due, user or (f"meeting:{meeting}" if meeting else key))
        for work_id, team, due, user, meeting, key in session.execute(query).all()
        if work_id is not None
    ]


def waiting(session: Session, *, now: datetime) -> tuple[int, datetime | None]:
    """How much work is due and not done, and the oldest due time among it (a stopped
    workspace's work is not waiting: /metrics shows the stopped workspaces instead)."""
    count, oldest = session.execute(
        select(func.count(), func.min(DueWork.next_attempt_at)).where(
            _open(), col(DueWork.next_attempt_at) <= now, _served()
        )
    ).one()
    return int(count), oldest  # min() keeps the column's type: an aware UTC datetime


def claim(
    session: Session, *, work_id: int, now: datetime, due_by: datetime | None = None
) -> Claim | None:
    """Take the work with one conditional UPDATE (work due by `due_by`, default now); None
    when another runner has it or it is done. A claim left by a runner that did not finish
    within the lease is taken over, and its attempt counts as one whose outcome is unknown."""
    token = uuid.uuid4().hex
    due = and_(
        col(DueWork.id) == work_id,
        _open(),
        col(DueWork.next_attempt_at) <= (due_by or now),
        _served(),
    )
    values: dict[str, Any] = {
        "claimed_at": now,
        "claim_token": token,
        "attempts": DueWork.attempts + 1,
    }
    taken_over = False
    fresh = execute_dml(
        session, update(DueWork).where(due, col(DueWork.claimed_at).is_(None)).values(**values)
    )
    if fresh.rowcount != 1:
        values["uncertain_since"] = func.coalesce(DueWork.uncertain_since, DueWork.claimed_at)
        stale = execute_dml(
            session,
            update(DueWork).where(due, col(DueWork.claimed_at) < now - LEASE).values(**values),
        )
        taken_over = stale.rowcount == 1
        if not taken_over:
            session.commit()
            return None
    session.commit()
    work = session.get(DueWork, work_id)
    assert work is not None
    session.refresh(work)
    return _claim_of(work, token, now, taken_over=taken_over)


def _claim_of(work: DueWork, token: str, claimed_at: datetime, *, taken_over: bool) -> Claim:
    assert work.id is not None
    return Claim(
        work_id=work.id,
        token=token,
        key=work.key,
        kind=work.kind,
        team_id=work.team_id,
        meeting_id=work.meeting_id,
        action_item_id=work.action_item_id,
        user_id=work.user_id,
        due_at=work.next_attempt_at,
        expires_at=work.expires_at,
        attempts=work.attempts,
        claimed_at=claimed_at,
        uncertain_since=work.uncertain_since,
        taken_over=taken_over,
    )


def hold(session: Session, work: DueWork, *, token: str, now: datetime) -> None:
    """Claim work in the transaction that creates it (nobody else can have seen it yet)."""
    work.claimed_at, work.claim_token = now, token
    work.attempts += 1
    session.add(work)


def held_claim(session: Session, key: str, token: str) -> Claim | None:
    """The claim on unfinished work held with this token (taken with `hold`), if still held."""
    query = select(DueWork).where(DueWork.key == key, DueWork.claim_token == token, _open())
    work = session.exec(query).first()
    if work is None or work.claimed_at is None:
        return None
    return _claim_of(work, token, work.claimed_at, taken_over=False)


def claim_along(
    session: Session, *, work_id: int, token: str, now: datetime, due_before: datetime
) -> bool:
    """Take the work (due before `due_before`, held by nobody) under another claim's token:
    it goes out inside that claim's post, and is finished or given back with it."""
    taken = execute_dml(
        session,
        update(DueWork)
        .where(col(DueWork.id) == work_id, _open(), col(DueWork.next_attempt_at) < due_before)
        .where(col(DueWork.claimed_at).is_(None))
        .values(claimed_at=now, claim_token=token, attempts=DueWork.attempts + 1),
    )
    return taken.rowcount == 1


def finish_along(
    session: Session, claim: Claim, keys: tuple[str, ...], *, now: datetime, channel: str, ts: str
) -> None:
    """Work taken along with `claim` went out in its post: done, merged into it."""
    if keys:
        session.execute(
            update(DueWork)
            .where(col(DueWork.key).in_(keys), col(DueWork.claim_token) == claim.token, _open())
            .values(done_at=now, outcome=MERGED, posted_channel_id=channel, posted_ts=ts)
        )


def release_along(
    session: Session, claim: Claim, keys: tuple[str, ...], *, uncertain: bool
) -> None:
    """Give back work taken along with a claim whose post did not go out, or may have
    (`uncertain`: it then looks for that post, which names it, before posting on its own)."""
    if not keys:
        return
    values: dict[str, Any] = {"claimed_at": None, "claim_token": None}
    if uncertain:
        values["uncertain_since"] = func.coalesce(DueWork.uncertain_since, DueWork.claimed_at)
    else:
        values["attempts"] = DueWork.attempts - 1
    session.execute(
        update(DueWork)
        .where(col(DueWork.key).in_(keys), col(DueWork.claim_token) == claim.token, _open())
        .values(**values)
    )
    session.commit()


def _mine(claim: Claim) -> ColumnElement[bool]:
    return and_(col(DueWork.id) == claim.work_id, col(DueWork.claim_token) == claim.token)


def finish(
    session: Session,
    claim: Claim,
    *,
    outcome: str,
    now: datetime,
    channel: str | None = None,
    ts: str | None = None,
) -> bool:
    """Mark claimed work done (sent, found, expired, cancelled, …), with where it was posted;
    False if the claim was lost."""
    values: dict[str, Any] = {"done_at": now, "outcome": outcome}
    if ts is not None:
        values.update(posted_channel_id=channel, posted_ts=ts)
    result = execute_dml(session, update(DueWork).where(_mine(claim)).values(**values))
    session.commit()
    return result.rowcount == 1


def release(session: Session, claim: Claim, *, not_before: datetime | None = None) -> None:
    """Give back work that was not attempted (shutting down, or Slack asked to wait): it
    does not count as an attempt."""
    values: dict[str, Any] = {
        "claimed_at": None,
        "claim_token": None,
        "attempts": DueWork.attempts - 1,
    }
    if not_before is not None:
        later = col(DueWork.next_attempt_at) < not_before
        resume = literal(not_before, UTCDateTime())
        values["next_attempt_at"] = case((later, resume), else_=DueWork.next_attempt_at)
    session.execute(update(DueWork).where(_mine(claim)).values(**values))
    session.commit()


def release_uncertain(session: Session, claim: Claim, *, error: str, now: datetime) -> bool:
    """Give back work whose attempt may have reached Slack (no answer, a timeout, a 5xx): the
    next attempt looks for its post first. Returns True when it will be tried again."""
    since = claim.uncertain_since or claim.claimed_at
    return _give_back(session, claim, error=error, now=now, soon=True, uncertain_since=since)


def release_after_failure(session: Session, claim: Claim, *, error: str, now: datetime) -> bool:
    """Give the work back for a later tick with exponential backoff; give up after MAX_ATTEMPTS.

    Returns True when the work will be tried again.
    """
    return _give_back(session, claim, error=error, now=now, soon=False)


def _give_back(
    session: Session, claim: Claim, *, error: str, now: datetime, soon: bool, **extra: Any
) -> bool:
    retry = claim.attempts < MAX_ATTEMPTS
    values: dict[str, Any] = {"claimed_at": None, "claim_token": None, "last_error": error[:500]}
    values.update(extra)
    if retry:
        backoff = LOOK_AGAIN if soon else FIRST_BACKOFF * 2 ** (claim.attempts - 1)
        values["next_attempt_at"] = now + backoff
    else:
        values.update(done_at=now, outcome="failed")
    session.execute(update(DueWork).where(_mine(claim)).values(**values))
    session.commit()
    return retry


def abandon(session: Session, work_ids: list[int]) -> int:
    """Shutting down while these were being done: give them back at once (not after the
    lease), as attempts whose outcome is unknown. Returns how many were still held."""
    if not work_ids:
        return 0
    result = execute_dml(
        session,
        update(DueWork)
        .where(col(DueWork.id).in_(work_ids), _open(), col(DueWork.claimed_at).is_not(None))
        .values(
            claimed_at=None,
            claim_token=None,
            uncertain_since=func.coalesce(DueWork.uncertain_since, DueWork.claimed_at),
        ),
    )
    session.commit()
    return int(result.rowcount)
