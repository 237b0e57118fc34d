"""Carrying talking points on: when a meeting closes, off a skipped meeting, and the log
of which meetings each point was carried out of."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from store.meetings import (
    mark_held_if_closed,
    meeting_has_content,
    meeting_points,
    next_position,
    roll_forward,
    upcoming_meeting,
)
from store.models import Meeting, MeetingStatus, Pair, PointCarry, TalkingPoint, id_of


def move_open_items(session: Session, source: Meeting, target: Meeting) -> None:
    """Move the undiscussed points of a skipped or cancelled meeting to another (no count)."""
    _move_undiscussed(session, source, target, carried=False)


def close_finished_meetings(session: Session, *, now: datetime) -> list[Meeting]:
    """After a meeting ends, carry its undiscussed points to the next meeting (count +1);
    returns the meetings closed."""
    finished = session.exec(
        select(Meeting).where(
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.closed_at).is_(None),
            col(Meeting.starts_at) <= now,
        )
    ).all()
    closed: list[Meeting] = []
    for meeting in finished:
        if meeting.starts_at + timedelta(minutes=meeting.duration_minutes) > now:
            continue
        pair = session.get(Pair, meeting.pair_id)
        target = _carry_target(session, pair, now) if pair and not pair.ended_at else None
        if target is not None and target.id != meeting.id:
            _carry(session, meeting, target)
        meeting.closed_at = now
        if meeting_has_content(session, meeting):
            mark_held_if_closed(meeting)
        session.add(meeting)
        closed.append(meeting)
    session.commit()
    return closed


def _carry_target(session: Session, pair: Pair, now: datetime) -> Meeting | None:
    """The next meeting, created first when the bot missed the whole meeting."""
    target = upcoming_meeting(session, pair, now)
    if target is None:
        roll_forward(session, pair, now=now)
        target = upcoming_meeting(session, pair, now)
    return target


def _carry(session: Session, source: Meeting, target: Meeting) -> None:
    _move_undiscussed(session, source, target, carried=True)


def _move_undiscussed(session: Session, source: Meeting, target: Meeting, *, carried: bool) -> None:
    position = next_position(session, target)
    for offset, point in enumerate(p for p in meeting_points(session, source) if not p.discussed):
        if carried:
            carry_point(session, point, source, target, position=position + offset)
        else:
            point.meeting_id = id_of(target)
            point.position = position + offset
            session.add(point)


def carry_point(
    session: Session,
    point: TalkingPoint,
    source: Meeting,
    target: Meeting,
    *,
    position: int | None = None,
) -> None:
    """Carry one undiscussed point from a finished meeting to a later one (count +1)."""
    point.meeting_id = id_of(target)
    if carried_from(session, point, source) is None:
        session.add(PointCarry(point_id=id_of(point), from_meeting_id=id_of(source)))
    point.carried_count += 1
    point.position = position if position is not None else next_position(session, target)
    session.add(point)


def carried_from(session: Session, point: TalkingPoint, meeting: Meeting) -> PointCarry | None:
    """The record that the point was carried out of this meeting, if it was."""
    query = select(PointCarry).where(
        PointCarry.point_id == point.id, PointCarry.from_meeting_id == meeting.id
    )
    return session.exec(query).first()


def carried_out_of(session: Session, meeting: Meeting) -> list[TalkingPoint]:
    """The points carried out of this meeting undiscussed (private ones included: filter them),
    wherever they are now."""
    query = (
        select(TalkingPoint)
        .join(PointCarry, col(PointCarry.point_id) == col(TalkingPoint.id))
        .where(PointCarry.from_meeting_id == meeting.id, TalkingPoint.meeting_id != meeting.id)
        .order_by(col(TalkingPoint.position), col(TalkingPoint.id))
    )
    return list(session.exec(query).all())
