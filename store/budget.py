"""A posting budget per workspace and Slack method, shared by every bot process through the
database: each call takes the next slot (a GCRA, in epoch seconds), so two processes post
at the budget's rate together, not each."""

from __future__ import annotations

import contextlib

from sqlalchemy import ColumnElement, and_, case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from store.models import SendBudget


def reserve_slot(
    session: Session, *, team_id: str, method: str, now: float, interval: float, burst: int
) -> float:
    """Take one slot; returns the epoch second from which the call is within the budget."""
    _ensure(session, team_id, method)
    later = case((col(SendBudget.next_at) > now, SendBudget.next_at), else_=now)
    result = session.execute(
        update(SendBudget)
        .where(_row(team_id, method))
        .values(next_at=later + interval)
        .returning(col(SendBudget.next_at))
    )
    next_at = float(result.scalar_one())
    session.commit()
    return max(now, next_at - burst * interval)


def push_back(session: Session, *, team_id: str, method: str, until: float) -> None:
    """Slack answered 429: no slot before `until`, for every process."""
    _ensure(session, team_id, method)
    later = case((col(SendBudget.next_at) > until, SendBudget.next_at), else_=until)
    session.execute(update(SendBudget).where(_row(team_id, method)).values(next_at=later))
    session.commit()


def _row(team_id: str, method: str) -> ColumnElement[bool]:
    return and_(col(SendBudget.team_id) == team_id, col(SendBudget.method) == method)


def _ensure(session: Session, team_id: str, method: str) -> None:
    if session.get(SendBudget, (team_id, method)) is None:
        with contextlib.suppress(IntegrityError), session.begin_nested():
            session.add(SendBudget(team_id=team_id, method=method, next_at=0.0))
