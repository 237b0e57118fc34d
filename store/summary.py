"""A meeting's summary: what was discussed, decided and carried over; shared items only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from store.access import Actor, get_meeting, get_pair
from store.actions import item_view
from store.agenda import point_view
from store.carry import carried_out_of
from store.meetings import follow_ups_since, held_clause, meeting_points, next_start
from store.models import ActionItem, Meeting, Note, Pair, PostedMessage, WorkKind, id_of
from store.privacy import notes_visible_to
from store.views import SHARED, SummaryView, may_see

HISTORY_MAX = 5


def summary_view(session: Session, meeting: Meeting, pair: Pair) -> SummaryView:
    """The summary as posted in the pair's group DM."""
    points = [
        p for p in meeting_points(session, meeting) if may_see(SHARED, p.author_id, p.is_private)
    ]
    carried = [point_view(p) for p in points if not p.discussed]
    carried += [
        point_view(p)
        for p in carried_out_of(session, meeting)
        if may_see(SHARED, p.author_id, p.is_private)
    ]
    shared = session.exec(
        select(Note.text).where(Note.meeting_id == meeting.id, notes_visible_to(SHARED))
    ).first()
    return SummaryView(
        meeting_id=id_of(meeting),
        pair_id=id_of(pair),
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        unscheduled=meeting.unscheduled,
        notes_saved=meeting.notes_saved_at is not None,
        discussed=[point_view(p) for p in points if p.discussed],
        carried=carried,
        shared_notes=shared or "",
        action_items=[item_view(i, pair) for i in _items(session, meeting, own=True)],
        follow_ups=[item_view(i, pair) for i in _items(session, meeting, own=False)],
        next_starts_at=next_start(session, pair, after=meeting.starts_at),
        timezone=pair.timezone,
    )


def _end(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def _items(session: Session, meeting: Meeting, *, own: bool) -> list[ActionItem]:
    query = select(ActionItem).order_by(col(ActionItem.created_at), col(ActionItem.id))
    if own:
        return list(session.exec(query.where(ActionItem.meeting_id == meeting.id)).all())
    since = follow_ups_since(session, meeting)
    query = query.where(
        ActionItem.pair_id == meeting.pair_id,
        or_(col(ActionItem.meeting_id).is_(None), col(ActionItem.meeting_id) != meeting.id),
        col(ActionItem.created_at) < _end(meeting),
        or_(col(ActionItem.done_at).is_(None), col(ActionItem.done_at) >= since),
    )
    return list(session.exec(query).all())


def summary_for(session: Session, actor: Actor, meeting_id: int, *, now: datetime) -> SummaryView:
    """One meeting's summary, for one of the pair's two people."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    return replace(summary_view(session, meeting, pair), viewer_id=actor.user_id)


def history(
    session: Session, actor: Actor, pair_id: int, *, now: datetime, limit: int = HISTORY_MAX
) -> list[SummaryView]:
    """The pair's last held meetings (newest first), as their summaries."""
    pair = get_pair(session, actor, pair_id)
    meetings = session.exec(
        select(Meeting)
        .where(Meeting.pair_id == pair.id, held_clause(Meeting, now))
        .order_by(col(Meeting.starts_at).desc())
        .limit(limit)
    ).all()
    return [summary_view(session, m, pair) for m in meetings]


def summary_channel(session: Session, meeting: Meeting, pair: Pair) -> str | None:
    """Where the meeting's summary was posted: the group DM of the two people then, which a
    handover to another manager has replaced since (the pair's group DM now, for a summary
    recorded before posts were)."""
    if not meeting.summary_ts:
        return None
    query = select(PostedMessage.channel_id).where(
        PostedMessage.meeting_id == meeting.id,
        PostedMessage.kind == WorkKind.SUMMARY,
        PostedMessage.ts == meeting.summary_ts,
    )
    return session.exec(query).first() or pair.channel_id
