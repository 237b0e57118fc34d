"""A person's export: their 1:1s (ended ones too: it is their history as well) and every
meeting of each as they may see it, read page by page.

Pages are keyset-paginated on (meeting start, meeting id), oldest first, and a page of
meetings costs seven queries however many points, notes and items it has: the pair (the
access check), its meetings, their talking points, their notes, their action items, their
check-ins (both people see both people's answers), the standing items ticked in them. What the
reader may see is decided by store.privacy (the SQL twin of store.views.may_see) and
store.access (only the two people of a pair), nowhere else.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, get_pair, list_pairs, other_person
from store.actions import item_view
from store.agenda import point_view
from store.checkins import checkins_of_meetings
from store.health_views import CheckInView
from store.meetings import outcome
from store.models import NOT_HAPPENING, ActionItem, Meeting, Note, Pair, TalkingPoint, id_of
from store.privacy import notes_visible_to, points_visible_to
from store.standing import standing_views, ticked_in
from store.views import (
    EXPORT_OPEN,
    EXPORT_UPCOMING,
    ActionItemView,
    ExportedMeeting,
    ExportedPair,
    ExportPage,
    ItemView,
)

PAGE_SIZE = 50  # meetings a page
NOTHING = N_("You don't have any 1:1s yet, so there is nothing to export.")
Cursor = tuple[datetime, int]  # (starts_at, id) of the last meeting of the page before


def export_pairs(
    session: Session, actor: Actor, *, person_id: str | None = None, pair_id: int | None = None
) -> list[ExportedPair]:
    """The actor's 1:1s to export, oldest first, ended ones too: all of them, those with
    `person_id`, or the one pair `pair_id` (NotAllowed when it is not theirs)."""
    if pair_id is not None:
        pairs = [get_pair(session, actor, pair_id)]
    else:
        pairs = list_pairs(session, actor)
    if person_id is not None:
        pairs = [p for p in pairs if other_person(p, actor.user_id) == person_id]
        if not pairs:
            raise Invalid(N_("You don't have a 1:1 with {person}."), person=f"<@{person_id}>")
    if not pairs:
        raise Invalid(NOTHING)
    return [_exported(session, p, actor) for p in pairs]


def _exported(session: Session, pair: Pair, actor: Actor) -> ExportedPair:
    return ExportedPair(
        pair_id=id_of(pair),
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        other_id=other_person(pair, actor.user_id),
        started_at=pair.created_at,
        ended_at=pair.ended_at,
        standing=standing_views(session, id_of(pair)),
    )


def export_page(
    session: Session,
    actor: Actor,
    pair_id: int,
    *,
    now: datetime,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> ExportPage:
    """The next `limit` meetings of the pair after `after`, as the actor may see them."""
    pair = get_pair(session, actor, pair_id)
    meetings = _meetings(session, pair, after, limit + 1)
    more = len(meetings) > limit
    meetings = meetings[:limit]
    if not meetings:
        return ExportPage(meetings=[], after=None)
    meeting_ids = [id_of(m) for m in meetings]
    points = _points(session, actor, meeting_ids)
    shared, private = _notes(session, actor, meeting_ids)
    items = _items(session, pair, meeting_ids)
    checkins = checkins_of_meetings(session, meeting_ids)
    standing = ticked_in(session, meeting_ids)
    page = [
        ExportedMeeting(
            meeting_id=id_of(m),
            pair_id=id_of(pair),
            starts_at=m.starts_at,
            duration_minutes=m.duration_minutes,
            state=_state(m, now),
            unscheduled=m.unscheduled,
            points=points.get(id_of(m), []),
            shared_notes=shared.get(id_of(m), ""),
            private_notes=private.get(id_of(m), ""),
            action_items=items.get(id_of(m), []),
            checkins=tuple(
                CheckInView(user, mood, text, ()) for user, mood, text in checkins.get(id_of(m), [])
            ),
            standing_ticked=standing.get(id_of(m), []),
        )
        for m in meetings
    ]
    last = meetings[-1]
    return ExportPage(meetings=page, after=(last.starts_at, id_of(last)) if more else None)


def _meetings(session: Session, pair: Pair, after: Cursor | None, limit: int) -> list[Meeting]:
    query = select(Meeting).where(Meeting.pair_id == pair.id)
    if after is not None:
        starts_at, meeting_id = after
        query = query.where(
            or_(
                col(Meeting.starts_at) > starts_at,
                and_(col(Meeting.starts_at) == starts_at, col(Meeting.id) > meeting_id),
            )
        )
    query = query.order_by(col(Meeting.starts_at), col(Meeting.id)).limit(limit)
    return list(session.exec(query).all())


def _points(session: Session, actor: Actor, meeting_ids: list[int]) -> dict[int, list[ItemView]]:
    """Each meeting's talking points the actor may see, in agenda order."""
    query = (
        select(TalkingPoint)
        .where(col(TalkingPoint.meeting_id).in_(meeting_ids), points_visible_to(actor.user_id))
        .order_by(col(TalkingPoint.meeting_id), col(TalkingPoint.position), col(TalkingPoint.id))
    )
    found: dict[int, list[ItemView]] = defaultdict(list)
    for point in session.exec(query).all():
        found[point.meeting_id].append(point_view(point))
    return found


def _notes(
    session: Session, actor: Actor, meeting_ids: list[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Each meeting's shared notes, and the actor's own private notes."""
    query = select(Note).where(
        col(Note.meeting_id).in_(meeting_ids), notes_visible_to(actor.user_id)
    )
    shared: dict[int, str] = {}
    private: dict[int, str] = {}
    for note in session.exec(query).all():
        (private if note.is_private else shared)[note.meeting_id] = note.text
    return shared, private


def _items(session: Session, pair: Pair, meeting_ids: list[int]) -> dict[int, list[ActionItemView]]:
    """The action items decided in each meeting (both people see every item of the pair)."""
    query = (
        select(ActionItem)
        .where(ActionItem.pair_id == pair.id, col(ActionItem.meeting_id).in_(meeting_ids))
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    )
    found: dict[int, list[ActionItemView]] = defaultdict(list)
    for item in session.exec(query).all():
        if item.meeting_id is not None:
            found[item.meeting_id].append(item_view(item, pair))
    return found


def _state(meeting: Meeting, now: datetime) -> str:
    """Held or not (store.meetings.outcome, the one rule), skipped, cancelled, or to come."""
    if meeting.status in NOT_HAPPENING:
        return str(meeting.status)
    over = outcome(meeting, now)
    if over is not None:
        return over
    return EXPORT_UPCOMING if meeting.starts_at > now else EXPORT_OPEN
