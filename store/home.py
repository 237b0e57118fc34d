"""Everything one person's Home tab shows, read in a constant number of queries.

Every query covers all of the person's pairs at once (no query per pair or per meeting),
so a manager with 60 reports and years of history costs the same eight queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from store.access import Actor, list_active_pairs, other_person
from store.actions import item_view
from store.agenda import point_view
from store.models import ActionItem, Meeting, MeetingStatus, Pair, TalkingPoint, id_of
from store.views import ActionItemView, HomeData, ItemView, OneOnOne, Square

SQUARES = 8  # the overview's row: the last 7 meetings and the next one


def home_data(session: Session, actor: Actor, *, now: datetime) -> HomeData:
    """The actor's Home tab data: their own 1:1s only."""
    pairs = list_active_pairs(session, actor)
    pair_ids = [id_of(p) for p in pairs]
    upcoming = _upcoming(session, pair_ids, now)
    agendas = _agendas(session, actor, [id_of(m) for m in upcoming.values()])
    items = _open_items(session, pairs)
    recent = _recent(session, pair_ids, now)
    streaks = _streaks(session, pair_ids, now)
    last = _last_meetings(session, pair_ids, now)
    views = []
    for pair in pairs:
        pair_id = id_of(pair)
        meeting = upcoming.get(pair_id)
        views.append(
            OneOnOne(
                pair_id=pair_id,
                other_id=other_person(pair, actor.user_id),
                role="manager" if pair.manager_id == actor.user_id else "report",
                paused_until=pair.paused_until,
                next_meeting_id=meeting.id if meeting else None,
                next_starts_at=meeting.starts_at if meeting else None,
                agenda=agendas.get(id_of(meeting), []) if meeting else [],
                open_items=items.get(pair_id, []),
                last_meeting_id=last[pair_id].id if pair_id in last else None,
                last_starts_at=last[pair_id].starts_at if pair_id in last else None,
                squares=_squares(recent.get(pair_id, []), meeting),
                streak=streaks.get(pair_id, 0),
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    views.sort(key=lambda o: (o.next_starts_at or far, o.pair_id))
    return HomeData(viewer_id=actor.user_id, one_on_ones=views)


def _upcoming(session: Session, pair_ids: list[int], now: datetime) -> dict[int, Meeting]:
    """Each pair's scheduled meeting that has not ended (the current one, else the next)."""
    query = (
        select(Meeting)
        .where(col(Meeting.pair_id).in_(pair_ids), Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.closed_at).is_(None))
        .order_by(col(Meeting.starts_at))
    )
    upcoming: dict[int, Meeting] = {}
    for meeting in session.exec(query):
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        if ends > now and meeting.pair_id not in upcoming:
            upcoming[meeting.pair_id] = meeting
    return upcoming


def _agendas(session: Session, actor: Actor, meeting_ids: list[int]) -> dict[int, list[ItemView]]:
    query = (
        select(TalkingPoint)
        .where(col(TalkingPoint.meeting_id).in_(meeting_ids))
        .where(
            or_(
                col(TalkingPoint.is_private).is_(False),
                col(TalkingPoint.author_id) == actor.user_id,
            )
        )
        .order_by(col(TalkingPoint.meeting_id), col(TalkingPoint.position), col(TalkingPoint.id))
    )
    agendas: dict[int, list[ItemView]] = defaultdict(list)
    for point in session.exec(query):
        agendas[point.meeting_id].append(point_view(point))
    return agendas


def _open_items(session: Session, pairs: list[Pair]) -> dict[int, list[ActionItemView]]:
    by_id = {p.id: p for p in pairs}
    query = (
        select(ActionItem)
        .where(col(ActionItem.pair_id).in_(list(by_id)), col(ActionItem.done_at).is_(None))
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    )
    items: dict[int, list[ActionItemView]] = defaultdict(list)
    for item in session.exec(query):
        items[item.pair_id].append(item_view(item, by_id[item.pair_id]))
    return items


def _past_scheduled(pair_ids: list[int], now: datetime) -> ColumnElement[bool]:
    """Scheduled-series meetings that are over (closed) or were skipped."""
    return and_(
        col(Meeting.pair_id).in_(pair_ids),
        col(Meeting.unscheduled).is_(False),
        col(Meeting.starts_at) <= now,
        or_(
            col(Meeting.status).in_((MeetingStatus.HELD, MeetingStatus.SKIPPED)),
            and_(
                col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.closed_at).is_not(None)
            ),
        ),
    )


def _recent(session: Session, pair_ids: list[int], now: datetime) -> dict[int, list[Meeting]]:
    """The last SQUARES - 1 past meetings of every pair (the last square is the upcoming)."""
    recent: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in _latest_per_pair(session, _past_scheduled(pair_ids, now), count=SQUARES - 1):
        recent[meeting.pair_id].append(meeting)
    return recent


def _latest_per_pair(session: Session, where: ColumnElement[bool], *, count: int) -> list[Meeting]:
    """Each pair's latest `count` meetings matching `where`, oldest first: one windowed query."""
    rank = (
        func.row_number()
        .over(partition_by=col(Meeting.pair_id), order_by=col(Meeting.starts_at).desc())
        .label("rank")
    )
    ranked = select(col(Meeting.id), rank).where(where).subquery()
    query = (
        select(Meeting)
        .join(ranked, ranked.c.id == Meeting.id)
        .where(ranked.c.rank <= count)
        .order_by(col(Meeting.starts_at))
    )
    return list(session.exec(query).all())


def _streaks(session: Session, pair_ids: list[int], now: datetime) -> dict[int, int]:
    """Held meetings since each pair's last skipped or not-held one, in one grouped query."""
    missed = or_(
        col(Meeting.status) == MeetingStatus.SKIPPED,
        and_(col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.closed_at).is_not(None)),
    )
    last_miss = (
        select(col(Meeting.pair_id).label("pair_id"), func.max(Meeting.starts_at).label("at"))
        .where(_past_scheduled(pair_ids, now), missed)
        .group_by(col(Meeting.pair_id))
        .subquery()
    )
    query = (
        select(Meeting.pair_id, func.count())
        .outerjoin(last_miss, last_miss.c.pair_id == Meeting.pair_id)
        .where(_past_scheduled(pair_ids, now), Meeting.status == MeetingStatus.HELD)
        .where(or_(last_miss.c.at.is_(None), col(Meeting.starts_at) > last_miss.c.at))
        .group_by(col(Meeting.pair_id))
    )
    return dict(session.exec(query).all())


def _last_meetings(session: Session, pair_ids: list[int], now: datetime) -> dict[int, Meeting]:
    """Each pair's latest meeting that took place (scheduled or a recorded huddle)."""
    took_place = or_(
        col(Meeting.status) == MeetingStatus.HELD,
        and_(col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.closed_at).is_not(None)),
    )
    where = and_(col(Meeting.pair_id).in_(pair_ids), col(Meeting.starts_at) <= now, took_place)
    return {m.pair_id: m for m in _latest_per_pair(session, where, count=1)}


def _squares(recent: list[Meeting], upcoming: Meeting | None) -> list[Square]:
    squares = [Square(id_of(m), _kind(m), m.starts_at) for m in recent]
    if upcoming is not None:
        squares.append(Square(id_of(upcoming), "upcoming", upcoming.starts_at))
    return squares[-SQUARES:]


def _kind(meeting: Meeting) -> str:
    if meeting.status == MeetingStatus.SKIPPED:
        return "skipped"
    if meeting.status != MeetingStatus.HELD:
        return "missed"
    return "rescheduled" if meeting.starts_at != meeting.slot_at else "held"
