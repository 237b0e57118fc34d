"""Claims on due work: one conditional UPDATE each, so two runners never do the same work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from store.models import DueWork

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
FIRST_BACKOFF = timedelta(minutes=1)
CANCELLED = "cancelled"  # the outcome of work that was no longer wanted


@dataclass(frozen=True)
class Claim:
    """Due work this runner owns until it finishes it or the lease runs out."""

    work_id: int
    token: str
    key: str
    kind: str
    meeting_id: int | None
    action_item_id: int | None
    user_id: str | None
    expires_at: datetime | None
    attempts: int


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        col(DueWork.done_at).is_(None),
        col(DueWork.next_attempt_at) <= now,
        or_(col(DueWork.claimed_at).is_(None), col(DueWork.claimed_at) < now - LEASE),
    )


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
    was cancelled is wanted again: it is reopened)."""
    work = session.exec(select(DueWork).where(DueWork.key == key)).first()
    if work is None:
        work = DueWork(
            team_id=team_id,
            key=key,
            kind=kind,
            meeting_id=meeting_id,
            action_item_id=action_item_id,
            user_id=user_id,
            next_attempt_at=due_at,
        )
    elif work.outcome == CANCELLED:
        work.done_at = work.outcome = work.claimed_at = work.claim_token = None
        work.attempts = 0
    elif work.done_at is not None:
        return work
    work.next_attempt_at = due_at
    work.expires_at = expires_at
    session.add(work)
    return work


def claimable_ids(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Ids of work due at `now` that nobody holds (oldest first); claim each before doing it."""
    query = (
        select(DueWork.id)
        .where(_claimable(now))
        .order_by(col(DueWork.next_attempt_at))
        .limit(limit)
    )
    return [work_id for work_id in session.exec(query).all() if work_id is not None]


def claim(session: Session, *, work_id: int, now: datetime) -> Claim | None:
    """Take the work with one conditional UPDATE; None when another runner has it or it's done."""
    token = uuid.uuid4().hex
    result = session.execute(
        update(DueWork)
        .where(col(DueWork.id) == work_id, _claimable(now))
        .values(claimed_at=now, claim_token=token, attempts=DueWork.attempts + 1)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    work = session.get(DueWork, work_id)
    assert work is not None
    session.refresh(work)
    return Claim(
        work_id=work_id,
        token=token,
        key=work.key,
        kind=work.kind,
        meeting_id=work.meeting_id,
        action_item_id=work.action_item_id,
        user_id=work.user_id,
        expires_at=work.expires_at,
        attempts=work.attempts,
    )


def finish(session: Session, claim: Claim, *, outcome: str, now: datetime) -> bool:
    """Mark claimed work done (sent, expired, cancelled, …); False if the claim was lost."""
    result = session.execute(
        update(DueWork)
        .where(col(DueWork.id) == claim.work_id, col(DueWork.claim_token) == claim.token)
        .values(done_at=now, outcome=outcome)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_after_failure(session: Session, claim: Claim, *, error: str, now: datetime) -> bool:
    """Give the work back for a later tick with exponential backoff; give up after MAX_ATTEMPTS.

    Returns True when the work will be tried again.
    """
    retry = claim.attempts < MAX_ATTEMPTS
    values: dict[str, object] = {"claimed_at": None, "claim_token": None, "last_error": error[:500]}
    if retry:
        values["next_attempt_at"] = now + FIRST_BACKOFF * 2 ** (claim.attempts - 1)
    else:
        values.update(done_at=now, outcome="failed")
    session.execute(
        update(DueWork)
        .where(col(DueWork.id) == claim.work_id, col(DueWork.claim_token) == claim.token)
        .values(**values)
    )
    session.commit()
    return retry
