"""Events API deduplication: each event_id is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from store.db import execute_dml
from store.models import ProcessedEvent

KEEP_EVENTS_FOR = timedelta(days=1)


def record_event(session: Session, *, event_id: str, team_id: str, now: datetime) -> bool:
    """Record an event as handled; False when it was already recorded (a retry)."""
    session.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def prune_events(session: Session, *, now: datetime) -> int:
    """Forget events older than a day (Slack stops retrying long before); returns how many."""
    result = execute_dml(
        session,
        delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < now - KEEP_EVENTS_FOR),
    )
    session.commit()
    return result.rowcount or 0
