"""Talking points: add, tick, carry over, and the agenda as each person may see it."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Executable, Table, bindparam, delete, func, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.access import (
    N_,
    NOT_ON_AGENDA,
    Actor,
    Invalid,
    NotAllowed,
    get_active_pair,
    get_meeting,
    get_pair,
    other_person,
)
from store.meetings import (
    follow_ups_since,
    mark_held_if_closed,
    meeting_points,
    next_meeting,
    outcome,
    upcoming_meeting,
)
from store.models import (
    ActionItem,
    Meeting,
    Pair,
    PointCarry,
    TalkingPoint,
    id_of,
)
from store.point_text import Source
from store.standing import standing_for
from store.views import AgendaView, FollowUpView, ItemView, MeetingFor, may_see

TEXT_MAX = 2000


def clean_text(text: str) -> str:
    """A talking point's text, trimmed; Invalid when empty or over 2,000 characters."""
    text = text.strip()
    if not text:
        raise Invalid(N_("A talking point needs some text."), field="text")
    if len(text) > TEXT_MAX:
        raise Invalid(
            N_(
                "That talking point is {length} characters long; the limit is {limit}. "
                "Shorten it or split it in two."
            ),
            field="text",
            length=len(text),
            limit=TEXT_MAX,
        )
    return text


def add_talking_point(
    session: Session,
    actor: Actor,
    pair_id: int,
    text: str,
    *,
    private: bool = False,
    now: datetime,
    origin_key: str | None = None,
    source: Source | None = None,
) -> tuple[TalkingPoint, Meeting]:
    """Add the actor's talking point (text in store.point_text's stored form) to the pair's
    upcoming meeting, with the message it was made from, if any.

    `origin_key` makes retries idempotent: the same key adds the point once.
    """
    text = clean_text(text)
    meeting = next_meeting(session, actor, pair_id, now=now)
    if origin_key:
        existing = _by_origin(session, actor.team_id, origin_key)
        if existing is not None:
            return existing, session.get_one(Meeting, existing.meeting_id)
    point = TalkingPoint(
        team_id=actor.team_id,
        meeting_id=id_of(meeting),
        author_id=actor.user_id,
        text=text,
        is_private=private,
        discussed=False,
        carried_count=0,
        origin_key=origin_key,
        created_at=now,
        source_url=source.url if source else None,
        source_channel=source.channel if source else None,
    )
    if origin_key is None:  # nothing to race for: no savepoint
        _insert_last(session, point)
        session.commit()
        return point, meeting
    try:
        with session.begin_nested():
            _insert_last(session, point)
    except IntegrityError:  # the same retry, added by another request a moment ago
        existing = _by_origin(session, actor.team_id, origin_key)
        if existing is None:
            raise
        session.commit()
        return existing, session.get_one(Meeting, existing.meeting_id)
    session.commit()
    return point, meeting


def _insert_last(session: Session, point: TalkingPoint) -> None:
    """Insert the point after the meeting's last one, in one statement (the position is
    computed by the database; `point` gets its id and position, and is not in the session:
    adding points is the busiest write there is, and the ORM's flush is its dearest part)."""
    values = point.model_dump(exclude={"id", "position"}) | {"of_meeting": point.meeting_id}
    point.id, point.position = session.execute(_insert_last_statement(), values).one()


@cache
def _insert_last_statement() -> Executable:
    """Built once; the point's columns and its meeting are bound when it runs. On the table,
    not the entity: the ORM's bulk-insert path costs more than the statement itself."""
    of_meeting: BindParameter[int] = bindparam("of_meeting")
    table: Table = TalkingPoint.__table__  # type: ignore[attr-defined]  # SQLModel sets it
    last = (
        select(func.coalesce(func.max(table.c.position), 0) + 1)
        .where(table.c.meeting_id == of_meeting)
        .scalar_subquery()
    )
    return insert(table).values(position=last).returning(table.c.id, table.c.position)


def _by_origin(session: Session, team_id: str, origin_key: str) -> TalkingPoint | None:
    query = select(TalkingPoint).where(
        TalkingPoint.team_id == team_id, TalkingPoint.origin_key == origin_key
    )
    return session.exec(query).first()


def set_discussed(
    session: Session, actor: Actor, point_ids: list[int], discussed: bool, *, meeting_id: int
) -> Meeting:
    """Tick (or untick) talking points of one meeting; another's private point is refused."""
    meeting, _pair = get_meeting(session, actor, meeting_id)
    points = session.exec(select(TalkingPoint).where(col(TalkingPoint.id).in_(point_ids))).all()
    if len(points) != len(set(point_ids)):
        raise NotAllowed(NOT_ON_AGENDA)
    for point in points:
        if point.meeting_id != meeting.id or not may_see(
            actor.user_id, point.author_id, point.is_private
        ):
            raise NotAllowed(NOT_ON_AGENDA)
        point.discussed = discussed
        session.add(point)
    if discussed:
        mark_held_if_closed(meeting)
        session.add(meeting)
    session.commit()
    return meeting


def drop_talking_point(session: Session, actor: Actor, point_id: int) -> tuple[Meeting, Pair]:
    """Remove one of the actor's own open talking points (e.g. one carried over too often)."""
    point = session.get(TalkingPoint, point_id)
    if point is None or point.author_id != actor.user_id:
        raise NotAllowed(N_("You can only drop your own talking points."))
    meeting, pair = get_meeting(session, actor, point.meeting_id)
    if point.discussed or meeting.closed_at is not None:
        raise Invalid(N_("That talking point was already discussed."))
    session.execute(delete(PointCarry).where(col(PointCarry.point_id) == point.id))
    session.delete(point)
    session.commit()
    return meeting, pair


def agenda_view(
    session: Session, meeting: Meeting, pair: Pair, viewer: str | None, *, now: datetime
) -> AgendaView:
    """The agenda: follow-ups, carried-over points, then new points; private ones only for
    their author (`viewer`), never in the shared view (`viewer` None)."""
    visible = [
        point_view(p)
        for p in meeting_points(session, meeting)
        if may_see(viewer, p.author_id, p.is_private)
    ]
    return AgendaView(
        meeting_id=id_of(meeting),
        pair_id=id_of(pair),
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        status=meeting.status,
        follow_ups=_open_action_items(session, pair, meeting),
        carried=[i for i in visible if i.carried_count > 0],
        new=[i for i in visible if i.carried_count == 0],
        outcome=outcome(meeting, now),
        done_since=_done_since(session, pair, meeting),
        timezone=pair.timezone,
        standing=standing_for(session, meeting, pair),
    )


def meeting_for(meeting: Meeting | None, pair: Pair, viewer_id: str) -> MeetingFor:
    """Which 1:1 and meeting a modal is for, as `viewer_id` (one of the two) sees it."""
    return MeetingFor(
        pair_id=id_of(pair),
        other_id=other_person(pair, viewer_id),
        meeting_id=meeting.id if meeting else None,
        starts_at=meeting.starts_at if meeting else None,
        timezone=pair.timezone,
        unscheduled=bool(meeting and meeting.unscheduled),
    )


def point_target(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> MeetingFor:
    """The active 1:1 a new talking point is for, and the meeting it will go to (the
    upcoming one, as add_talking_point picks it; None before the series is rolled on)."""
    pair = get_active_pair(session, actor, pair_id)
    return meeting_for(upcoming_meeting(session, pair, now), pair, actor.user_id)


def point_view(point: TalkingPoint) -> ItemView:
    """The plain view of one talking point."""
    return ItemView(
        id=id_of(point),
        author_id=point.author_id,
        text=point.text,
        is_private=point.is_private,
        discussed=point.discussed,
        carried_count=point.carried_count,
        source_url=point.source_url,
        source_channel=point.source_channel,
    )


def _open_action_items(session: Session, pair: Pair, meeting: Meeting) -> list[FollowUpView]:
    """Open items from earlier meetings (those decided in this one are not follow-ups yet)."""
    query = (
        _earlier_items(pair, meeting)
        .where(col(ActionItem.done_at).is_(None))
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    )
    return [_follow_up_view(a) for a in session.exec(query)]


def _done_since(session: Session, pair: Pair, meeting: Meeting) -> list[FollowUpView]:
    """Earlier meetings' action items done since the last 1:1: news for the other person."""
    query = (
        _earlier_items(pair, meeting)
        .where(col(ActionItem.done_at) >= follow_ups_since(session, meeting))
        .order_by(col(ActionItem.done_at), col(ActionItem.id))
    )
    return [_follow_up_view(a) for a in session.exec(query)]


def _earlier_items(pair: Pair, meeting: Meeting) -> SelectOfScalar[ActionItem]:
    """The pair's action items not decided in `meeting`."""
    return select(ActionItem).where(
        ActionItem.pair_id == pair.id,
        or_(col(ActionItem.meeting_id).is_(None), col(ActionItem.meeting_id) != meeting.id),
    )


def _follow_up_view(item: ActionItem) -> FollowUpView:
    return FollowUpView(
        id=id_of(item),
        owner_id=item.owner_id,
        text=item.text,
        due_date=item.due_date.isoformat() if item.due_date else None,
        done_by=(item.done_by or item.owner_id) if item.done_at else None,
    )


def agenda_for(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> AgendaView:
    """The upcoming agenda of one of the actor's pairs, with the actor's private points."""
    pair = get_pair(session, actor, pair_id)
    meeting = next_meeting(session, actor, pair_id, now=now)
    return agenda_view(session, meeting, pair, actor.user_id, now=now)


def agenda_posted_at(session: Session, pair: Pair, ts: str) -> Meeting | None:
    """The pair's meeting whose agenda post has this ts."""
    query = select(Meeting).where(Meeting.pair_id == pair.id, Meeting.agenda_ts == ts)
    return session.exec(query).first()
