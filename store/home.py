"""Everything one person's Home tab shows, read in a constant number of queries.

Every query covers all of the person's pairs at once (no query per pair or per meeting),
so a manager with 60 reports and years of history costs the same eleven queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Executable, and_, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from store.access import Actor, list_active_pairs, other_person
from store.actions import item_view
from store.db import UTCDateTime
from store.digest import digest_is_off
from store.health import agenda_shares
from store.meetings import held_clause, is_open
from store.models import (
    NOT_HAPPENING,
    ActionItem,
    Meeting,
    MeetingStatus,
    Pair,
    TalkingPoint,
    id_of,
)
from store.notes import EARLY, still_for_notes
from store.privacy import points_visible_to
from store.series import series_time
from store.views import ActionItemView, HomeData, ItemView, OneOnOne, Square

SQUARES = 8  # the overview's row: the last 7 meetings and the next one

# The per-pair walks below are built once (building one costs more than running it): the
# moment, "now + EARLY" and the pair ids are bound when they run (_bounds).
NOW = bindparam("now", type_=UTCDateTime())
SOON = bindparam("soon", type_=UTCDateTime())
PAIR_IDS: BindParameter[list[int]] = bindparam("pair_ids", expanding=True)


def _bounds(pair_ids: list[int], now: datetime) -> dict[str, Any]:
    return {"pair_ids": pair_ids, "now": now, "soon": now + EARLY}


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "since forever", for a pair with fewer meetings


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
    for_notes = _notes_meetings(session, pair_ids, now)
    shares = agenda_shares(session, pairs)
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
                series=series_time(pair, meeting.slot_at) if meeting else None,
                notes_starts_at=for_notes.get(pair_id, meeting.starts_at if meeting else None),
                share=shares.get(pair_id),
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    views.sort(key=lambda o: (o.next_starts_at or far, o.pair_id))
    digest_off = digest_is_off(session, actor)
    return HomeData(viewer_id=actor.user_id, one_on_ones=views, digest_off=digest_off)


def _upcoming(session: Session, pair_ids: list[int], now: datetime) -> dict[int, Meeting]:
    """Each pair's meeting open for talking points (the current one, else the next)."""
    query = (
        select(Meeting)
        .where(col(Meeting.pair_id).in_(pair_ids), Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.closed_at).is_(None))
        # per pair: the (pair, status, closed, starts) index, not every open meeting's
        .order_by(col(Meeting.pair_id), col(Meeting.starts_at))
    )
    upcoming: dict[int, Meeting] = {}
    for meeting in session.exec(query):
        if is_open(meeting, now) and meeting.pair_id not in upcoming:
            upcoming[meeting.pair_id] = meeting
    return upcoming


def _agendas(session: Session, actor: Actor, meeting_ids: list[int]) -> dict[int, list[ItemView]]:
    """The talking points of these meetings the actor may see (read as columns)."""
    shown = (
        TalkingPoint.id,
        TalkingPoint.author_id,
        TalkingPoint.text,
        TalkingPoint.is_private,
        TalkingPoint.discussed,
        TalkingPoint.carried_count,
        TalkingPoint.source_url,
        TalkingPoint.source_channel,
    )
    query = (
        sa_select(col(TalkingPoint.meeting_id), *(col(c) for c in shown))
        .where(col(TalkingPoint.meeting_id).in_(meeting_ids))
        .where(points_visible_to(actor.user_id))
        .order_by(col(TalkingPoint.meeting_id), col(TalkingPoint.position), col(TalkingPoint.id))
    )
    agendas: dict[int, list[ItemView]] = defaultdict(list)
    for meeting_id, *point in session.execute(query).all():
        agendas[meeting_id].append(ItemView(*point))
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


def _past_scheduled(meeting: Any) -> ColumnElement[bool]:
    """Scheduled-series meetings that are over: skipped, closed, or started with their notes
    saved by NOW (of `meeting`: the Meeting entity or an alias of it)."""
    return and_(
        col(meeting.unscheduled).is_(False),
        col(meeting.starts_at) <= NOW,
        or_(
            col(meeting.status).in_((MeetingStatus.HELD, MeetingStatus.SKIPPED)),
            and_(
                col(meeting.status) == MeetingStatus.SCHEDULED,
                or_(col(meeting.closed_at).is_not(None), col(meeting.notes_saved_at).is_not(None)),
            ),
        ),
    )


@dataclass(frozen=True)
class _Past:
    """What the overview needs of a past meeting (read as columns: no ORM object each)."""

    id: int
    pair_id: int
    starts_at: datetime
    slot_at: datetime
    status: str
    notes_saved_at: datetime | None
    duration_minutes: int


def _recent(session: Session, pair_ids: list[int], now: datetime) -> dict[int, list[_Past]]:
    """The last SQUARES - 1 past meetings of every pair (the last square is the upcoming)."""
    recent: dict[int, list[_Past]] = defaultdict(list)
    for meeting in _latest_per_pair(session, pair_ids, now, _past_scheduled, SQUARES - 1):
        recent[meeting.pair_id].append(meeting)
    return recent


def _latest_per_pair(
    session: Session,
    pair_ids: list[int],
    now: datetime,
    matching: Callable[[Any], ColumnElement[bool]],
    count: int,
) -> list[_Past]:
    """Each pair's latest `count` meetings `matching` (a module-level function of the
    Meeting entity or an alias, reading NOW/SOON), oldest first."""
    kept: dict[int, list[_Past]] = defaultdict(list)
    for row in session.execute(_latest_query(matching, count), _bounds(pair_ids, now)).all():
        kept[row.pair_id].append(_Past(*row))
    return sorted(
        (m for meetings in kept.values() for m in meetings[-count:]),
        key=lambda m: (m.starts_at, m.id),
    )


@cache
def _latest_query(matching: Callable[[Any], ColumnElement[bool]], count: int) -> Executable:
    """One query that reads only those meetings: per pair, the start of its count-th latest
    (a short backward walk of the (pair, starts) index), then the meetings from there on."""
    inner = aliased(Meeting)
    nth_start = (
        select(inner.starts_at)
        .where(col(inner.pair_id) == col(Pair.id), matching(inner))
        .order_by(col(inner.starts_at).desc())
        .limit(1)
        .offset(count - 1)
        .scalar_subquery()
    )
    since = (  # materialized: each pair's walk runs once, not once per meeting row
        select(col(Pair.id).label("pair_id"), func.coalesce(nth_start, EPOCH).label("since"))
        .where(col(Pair.id).in_(PAIR_IDS))
        .cte("since")
        .prefix_with("MATERIALIZED")
    )
    columns = (
        Meeting.id,
        Meeting.pair_id,
        Meeting.starts_at,
        Meeting.slot_at,
        Meeting.status,
        Meeting.notes_saved_at,
        Meeting.duration_minutes,
    )
    return (
        sa_select(*(col(c) for c in columns))
        .join(since, since.c.pair_id == col(Meeting.pair_id))
        .where(matching(Meeting))
        .where(col(Meeting.starts_at) >= since.c.since)  # a plain bound: an index range
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )


def _streaks(session: Session, pair_ids: list[int], now: datetime) -> dict[int, int]:
    """Held meetings since each pair's last skipped or not-held one."""
    rows = session.execute(_streaks_query(), _bounds(pair_ids, now)).all()
    return {pair_id: count for pair_id, count in rows}


def _missed(meeting: Any) -> ColumnElement[bool]:
    return or_(
        col(meeting.status) == MeetingStatus.SKIPPED,
        and_(
            col(meeting.status) == MeetingStatus.SCHEDULED,
            col(meeting.closed_at).is_not(None),
            col(meeting.notes_saved_at).is_(None),
        ),
    )


@cache
def _streaks_query() -> Executable:
    """Per pair, a backward walk to its last miss, then a count of what was held after it."""
    inner = aliased(Meeting)
    last_miss = (
        select(inner.starts_at)
        .where(col(inner.pair_id) == col(Pair.id), _past_scheduled(inner), _missed(inner))
        .order_by(col(inner.starts_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    since = (
        select(col(Pair.id).label("pair_id"), func.coalesce(last_miss, EPOCH).label("at"))
        .where(col(Pair.id).in_(PAIR_IDS))
        .cte("last_miss")
        .prefix_with("MATERIALIZED")
    )
    return (
        sa_select(col(Meeting.pair_id), func.count())
        .join(since, since.c.pair_id == col(Meeting.pair_id))
        .where(_past_scheduled(Meeting), held_clause(Meeting, NOW))
        .where(col(Meeting.starts_at) > since.c.at)
        .group_by(col(Meeting.pair_id))
    )


def _last_meetings(session: Session, pair_ids: list[int], now: datetime) -> dict[int, _Past]:
    """Each pair's latest held meeting (scheduled or a recorded huddle)."""
    latest = _latest_per_pair(session, pair_ids, now, _held, 1)
    return {m.pair_id: m for m in latest}


def _held(meeting: Any) -> ColumnElement[bool]:
    return held_clause(meeting, NOW)


def _begun(meeting: Any) -> ColumnElement[bool]:
    return and_(col(meeting.status).not_in(NOT_HAPPENING), col(meeting.starts_at) <= SOON)


def _notes_meetings(session: Session, pair_ids: list[int], now: datetime) -> dict[int, datetime]:
    """The start of each pair's meeting that "Take notes" opens when it is one that has
    begun (store.notes.notes_meeting; the others open their upcoming one)."""
    latest = _latest_per_pair(session, pair_ids, now, _begun, 1)
    return {
        m.pair_id: m.starts_at
        for m in latest
        if still_for_notes(m.starts_at, m.duration_minutes, m.notes_saved_at, now=now)
    }


def _squares(recent: list[_Past], upcoming: Meeting | None) -> list[Square]:
    squares = [Square(m.id, _kind(m), m.starts_at) for m in recent]
    if upcoming is not None:
        squares.append(Square(id_of(upcoming), "upcoming", upcoming.starts_at))
    return squares[-SQUARES:]


def _kind(meeting: _Past) -> str:
    if meeting.status == MeetingStatus.SKIPPED:
        return "skipped"
    if meeting.status != MeetingStatus.HELD and meeting.notes_saved_at is None:
        return "missed"
    return "rescheduled" if meeting.starts_at != meeting.slot_at else "held"
