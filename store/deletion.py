"""Deleting people's data: rows, never a flag. One person's private notes and points (asked
for, or once they left the workspace and the retention passed), and an ended 1:1's whole
history (after a grace period in which the other person may export or object).

Each deletion is split the same way: read what the bot posted that showed the data (a read),
delete or update it in Slack (no transaction open; handlers/), then delete the rows here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, get_pair, other_person
from store.calendar import calendar_keys_of, forget_feeds
from store.db import execute_dml
from store.due_work import CANCELLED, add_work, not_wanted
from store.models import (
    ActionItem,
    CheckIn,
    DueWork,
    HistoryDeletion,
    HuddleEvent,
    HuddleFollowUp,
    Meeting,
    Note,
    Pair,
    Person,
    PointCarry,
    PostedMessage,
    SuggestedQuestion,
    TalkingPoint,
    WorkKind,
    id_of,
)
from store.schedule import close_pair
from store.standing import delete_standing
from store.views import HistoryDeletionView, PrivateCounts

GRACE = timedelta(days=7)  # the other person may export or object this long
DONE = "done"  # the history is gone already (an earlier attempt deleted it)
ERASED = "erased"  # the outcome of the due work that deleted a history
FORGOTTEN = "forgotten"  # the outcome of the due work that deleted a departed person's data


class Post(NamedTuple):
    """A message the bot posted: where, and its ts."""

    channel: str
    ts: str


# --- one person's private notes and points --------------------------------------------------


def _private_points(team_id: str, user_id: str) -> list[object]:
    return [
        col(TalkingPoint.team_id) == team_id,
        col(TalkingPoint.author_id) == user_id,
        col(TalkingPoint.is_private).is_(True),
    ]


def _private_notes(team_id: str, user_id: str) -> list[object]:
    return [
        col(Note.team_id) == team_id,
        col(Note.owner_id) == user_id,
        col(Note.is_private).is_(True),
    ]


def private_counts(session: Session, team_id: str, user_id: str) -> PrivateCounts:
    """How many private talking points, private notes and check-in answers the person has
    (what delete_private deletes), across how many 1:1s."""
    point_rows = session.exec(
        select(TalkingPoint.meeting_id).where(*_private_points(team_id, user_id))  # type: ignore[arg-type]
    ).all()
    note_rows = session.exec(
        select(Note.meeting_id).where(*_private_notes(team_id, user_id))  # type: ignore[arg-type]
    ).all()
    checkin_rows = session.exec(select(CheckIn.meeting_id).where(*_own_checkins(team_id, user_id)))
    checkins = list(checkin_rows.all())
    meetings = set(point_rows) | set(note_rows) | set(checkins)
    pairs = session.exec(
        select(func.count(func.distinct(Meeting.pair_id))).where(col(Meeting.id).in_(meetings))
    ).one()
    return PrivateCounts(
        points=len(point_rows), notes=len(note_rows), pairs=int(pairs), checkins=len(checkins)
    )


def _own_checkins(team_id: str, user_id: str) -> tuple[ColumnElement[bool], ...]:
    return col(CheckIn.team_id) == team_id, col(CheckIn.user_id) == user_id


def private_meetings(session: Session, team_id: str, user_id: str) -> list[int]:
    """The meetings the person has private points or notes in."""
    points = select(TalkingPoint.meeting_id).where(*_private_points(team_id, user_id))  # type: ignore[arg-type]
    notes = select(Note.meeting_id).where(*_private_notes(team_id, user_id))  # type: ignore[arg-type]
    return sorted(set(session.exec(points).all()) | set(session.exec(notes).all()))


def private_posts(session: Session, team_id: str, user_id: str) -> list[Post]:
    """The bot's DMs to the person that listed their private points (their prompts: nobody
    else's DM or shared post ever showed them)."""
    meetings = select(TalkingPoint.meeting_id).where(*_private_points(team_id, user_id))  # type: ignore[arg-type]
    query = select(PostedMessage.channel_id, PostedMessage.ts).where(
        PostedMessage.team_id == team_id,
        PostedMessage.user_id == user_id,
        PostedMessage.kind == WorkKind.PROMPT,
        col(PostedMessage.meeting_id).in_(meetings),
    )
    return [Post(channel, ts) for channel, ts in session.exec(query).all()]


def delete_private(session: Session, team_id: str, user_id: str) -> PrivateCounts:
    """Delete the person's private talking points and private notes, and their check-ins
    (their own answers, though both people saw them) (the caller commits)."""
    counts = private_counts(session, team_id, user_id)
    session.execute(delete(CheckIn).where(*_own_checkins(team_id, user_id)))
    points = select(TalkingPoint.id).where(*_private_points(team_id, user_id))  # type: ignore[arg-type]
    session.execute(delete(PointCarry).where(col(PointCarry.point_id).in_(points)))
    session.execute(delete(TalkingPoint).where(*_private_points(team_id, user_id)))  # type: ignore[arg-type]
    session.execute(delete(Note).where(*_private_notes(team_id, user_id)))  # type: ignore[arg-type]
    return counts


def forget_posts(session: Session, posts: Iterable[Post]) -> None:
    """The bot's records of messages deleted from Slack (the caller commits)."""
    for post in posts:
        session.execute(
            delete(PostedMessage).where(
                col(PostedMessage.channel_id) == post.channel, col(PostedMessage.ts) == post.ts
            )
        )


# --- someone left the workspace --------------------------------------------------------------


def forget_key(team_id: str, user_id: str) -> str:
    """The due work that deletes a departed person's private data."""
    return f"{WorkKind.FORGET}:{team_id}:{user_id}"


def left_notice_key(pair_id: int, reader_id: str) -> str:
    """The note to `reader_id` that the other person of pair `pair_id` left."""
    return f"{WorkKind.NOTICE}:left:{pair_id}:{reader_id}"


def mark_left(session: Session, team_id: str, user_id: str, *, now: datetime) -> list[Pair]:
    """The person left the workspace: remember when (first time only), end their series and
    tell each other person (due work). Returns the series it ended."""
    paired = select(Pair.id).where(
        Pair.team_id == team_id,
        or_(col(Pair.manager_id) == user_id, col(Pair.report_id) == user_id),
    )
    if session.exec(paired).first() is None:
        return []  # never in a 1:1: nothing of theirs is kept (user_change is for everyone)
    _remember_left(session, team_id, user_id, now=now)
    active = session.exec(
        select(Pair).where(
            Pair.team_id == team_id,
            col(Pair.ended_at).is_(None),
            or_(col(Pair.manager_id) == user_id, col(Pair.report_id) == user_id),
        )
    ).all()
    for pair in active:
        close_pair(session, pair, now=now)
        other = other_person(pair, user_id)
        add_work(
            session,
            team_id=team_id,
            key=left_notice_key(id_of(pair), other),
            kind=WorkKind.NOTICE,
            due_at=now,
            user_id=other,
        )
    session.commit()
    return list(active)


def _remember_left(session: Session, team_id: str, user_id: str, *, now: datetime) -> None:
    where = and_(col(Person.team_id) == team_id, col(Person.user_id) == user_id)
    values = {"deleted": True, "left_at": func.coalesce(Person.left_at, now)}
    if execute_dml(session, update(Person).where(where).values(**values)).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(Person(team_id=team_id, user_id=user_id, deleted=True, left_at=now))
        except IntegrityError:  # stored meanwhile: mark that row
            session.execute(update(Person).where(where).values(**values))


def due_forgetting(session: Session, *, now: datetime, retention: timedelta) -> int:
    """Due work for each person who left more than `retention` ago and has none yet."""
    query = select(Person.team_id, Person.user_id).where(
        col(Person.left_at).is_not(None), col(Person.left_at) <= now - retention
    )
    added = 0
    for team_id, user_id in session.exec(query).all():
        key = forget_key(team_id, user_id)
        kept = select(DueWork.id).where(
            DueWork.key == key,
            or_(col(DueWork.outcome).is_(None), col(DueWork.outcome) != CANCELLED),
        )
        if session.exec(kept).first() is None:  # none yet, or one cancelled by a return
            add_work(
                session, team_id=team_id, key=key, kind=WorkKind.FORGET, due_at=now, user_id=user_id
            )
            added += 1
    session.commit()
    return added


def still_departed(session: Session, team_id: str, user_id: str) -> bool:
    """Whether the person is still gone (someone reactivated has their left_at cleared)."""
    person = session.get(Person, (team_id, user_id))
    return person is not None and person.left_at is not None


def forget_person(session: Session, team_id: str, user_id: str) -> PrivateCounts:
    """Delete a departed person's private data and what the bot kept about them (their
    profile, huddle states); their shared points and notes stay with the other person's
    shared history. The caller commits."""
    counts = delete_private(session, team_id, user_id)
    for table in (HuddleEvent, Person):
        session.execute(
            delete(table).where(col(table.team_id) == team_id, col(table.user_id) == user_id)
        )
    forget_feeds(session, team_id, user_id)
    return counts


# --- an ended 1:1's history ------------------------------------------------------------------


def erase_key(pair_id: int) -> str:
    """The due work that deletes a 1:1's history."""
    return f"{WorkKind.ERASE}:pair:{pair_id}"


def pair_of_erase(key: str) -> int | None:
    """The pair an ERASE work key names."""
    last = key.rpartition(":")[2]
    return int(last) if last.isdigit() else None


def _view(row: HistoryDeletion, pair: Pair) -> HistoryDeletionView:
    return HistoryDeletionView(
        pair_id=row.pair_id,
        requested_by=row.requested_by,
        other_id=other_person(pair, row.requested_by),
        due_at=row.due_at,
        objected_by=row.objected_by,
    )


def _request_of(session: Session, pair_id: int) -> HistoryDeletion | None:
    return session.exec(select(HistoryDeletion).where(HistoryDeletion.pair_id == pair_id)).first()


def request_history_deletion(
    session: Session, actor: Actor, pair_id: int, *, now: datetime
) -> tuple[HistoryDeletionView, bool]:
    """One of the pair's two people asks to delete its history: the series ends (if it has
    not) and the history is deleted after GRACE unless someone objects. Returns the request
    and whether it is new (asking again changes nothing)."""
    pair = get_pair(session, actor, pair_id)
    existing = _request_of(session, pair_id)
    if existing is not None and existing.objected_by is not None:
        raise Invalid(
            N_(
                "{person} objected to deleting the history of this 1:1, so it stays. You can "
                "still delete your own private notes and points: `/oneonone delete-my-data`."
            ),
            person=f"<@{existing.objected_by}>",
        )
    if existing is not None:
        return _view(existing, pair), False
    if pair.ended_at is None:
        close_pair(session, pair, now=now)
    row = HistoryDeletion(
        team_id=pair.team_id,
        pair_id=pair_id,
        requested_by=actor.user_id,
        requested_at=now,
        due_at=now + GRACE,
    )
    session.add(row)
    add_work(
        session,
        team_id=pair.team_id,
        key=erase_key(pair_id),
        kind=WorkKind.ERASE,
        due_at=row.due_at,
        user_id=actor.user_id,
    )
    session.commit()
    return _view(row, pair), True


def object_to_deletion(
    session: Session, actor: Actor, pair_id: int, *, now: datetime
) -> HistoryDeletionView:
    """Either of the two people cancels a requested deletion before it has started."""
    pair = get_pair(session, actor, pair_id)
    row = _request_of(session, pair_id)
    if row is None:
        raise Invalid(N_("Nobody asked to delete the history of this 1:1."))
    if row.objected_by is not None:
        return _view(row, pair)
    objected = execute_dml(
        session,
        update(HistoryDeletion)
        .where(col(HistoryDeletion.id) == row.id, col(HistoryDeletion.started_at).is_(None))
        .where(col(HistoryDeletion.objected_at).is_(None))
        .values(objected_by=actor.user_id, objected_at=now),
    )
    if objected.rowcount != 1:
        session.rollback()
        raise Invalid(N_("Too late: the history of this 1:1 is being deleted."))
    work = session.exec(select(DueWork).where(DueWork.key == erase_key(pair_id))).first()
    if work is not None:
        not_wanted(session, work, outcome=CANCELLED, now=now)
    session.commit()
    session.refresh(row)
    return _view(row, pair)


def begin_erase(session: Session, pair_id: int, *, now: datetime) -> str | None:
    """Start deleting a history (from now on nobody can object): None to go on, or the
    outcome when there is nothing to do (objected: CANCELLED; deleted already: DONE)."""
    row = _request_of(session, pair_id)
    if row is None:
        return DONE
    started = execute_dml(
        session,
        update(HistoryDeletion)
        .where(col(HistoryDeletion.id) == row.id, col(HistoryDeletion.objected_at).is_(None))
        .values(started_at=func.coalesce(HistoryDeletion.started_at, now)),
    )
    session.commit()
    return None if started.rowcount == 1 else CANCELLED


def history_people(session: Session, pair_id: int) -> tuple[str, str] | None:
    """The two people of a pair whose history is being deleted."""
    pair = session.get(Pair, pair_id)
    return (pair.manager_id, pair.report_id) if pair else None


def _meetings_of(pair_id: int) -> object:
    return select(Meeting.id).where(Meeting.pair_id == pair_id)


def pair_people(session: Session, pair_id: int) -> list[str]:
    """The two people of a pair (none once it is gone)."""
    pair = session.get(Pair, pair_id)
    return [] if pair is None else [pair.manager_id, pair.report_id]


def history_posts(session: Session, pair_id: int) -> list[Post]:
    """Everything the bot posted about the 1:1: agendas and summaries in the group DM,
    huddle offers, prompts and reminders in each person's DM."""
    pair = session.get(Pair, pair_id)
    if pair is None:
        return []
    posted_query = select(PostedMessage.channel_id, PostedMessage.ts).where(
        or_(
            col(PostedMessage.pair_id) == pair_id,
            col(PostedMessage.meeting_id).in_(_meetings_of(pair_id)),  # type: ignore[arg-type]
        )
    )
    posted = [Post(c, t) for c, t in session.exec(posted_query).all()]
    recorded = {post.ts for post in posted}
    meetings = session.exec(select(Meeting).where(Meeting.pair_id == pair_id)).all()
    found: list[Post] = []
    for meeting in meetings:
        if meeting.agenda_ts and meeting.agenda_channel_id:
            found.append(Post(meeting.agenda_channel_id, meeting.agenda_ts))
        # a summary is among the posts, in the group DM it went to (before a handover, the
        # old one); one from before posts were recorded is in the pair's group DM
        if meeting.summary_ts and meeting.summary_ts not in recorded and pair.channel_id:
            found.append(Post(pair.channel_id, meeting.summary_ts))
    offers = select(HuddleFollowUp.channel_id, HuddleFollowUp.ts).where(
        HuddleFollowUp.pair_id == pair_id
    )
    found += [Post(c, t) for c, t in session.exec(offers).all() if c and t]
    return list(dict.fromkeys(found + posted))


def delete_history(session: Session, pair_id: int) -> None:
    """Delete every row of the 1:1: meetings, talking points (private ones too), standing
    items and their ticks, notes, check-ins, action items, due work, posted-message records,
    suggestions, huddle offers, the request and the pair itself. The ERASE work's own row
    stays (it names only the pair's id)."""
    delete_standing(session, pair_id)  # the standing items and their ticks
    meetings = _meetings_of(pair_id)
    items = select(ActionItem.id).where(ActionItem.pair_id == pair_id)
    points = select(TalkingPoint.id).where(col(TalkingPoint.meeting_id).in_(meetings))  # type: ignore[arg-type]
    offers = select(HuddleFollowUp.id).where(HuddleFollowUp.pair_id == pair_id)
    offer_keys = [f"{WorkKind.HUDDLE}:{i}" for i in session.exec(offers).all()]
    notice_keys = [f"{WorkKind.NOTICE}:{what}:{pair_id}:%" for what in ("duplicate", "left")]
    notice_keys.append(calendar_keys_of(pair_id))
    statements = [
        delete(PointCarry).where(
            or_(
                col(PointCarry.point_id).in_(points),
                col(PointCarry.from_meeting_id).in_(meetings),  # type: ignore[arg-type]
            )
        ),
        delete(DueWork).where(
            or_(
                col(DueWork.meeting_id).in_(meetings),  # type: ignore[arg-type]
                col(DueWork.action_item_id).in_(items),
                col(DueWork.key).in_(offer_keys),
                *(col(DueWork.key).like(k) for k in notice_keys),
            )
        ),
        delete(PostedMessage).where(
            or_(
                col(PostedMessage.pair_id) == pair_id,
                col(PostedMessage.meeting_id).in_(meetings),  # type: ignore[arg-type]
            )
        ),
        delete(TalkingPoint).where(col(TalkingPoint.meeting_id).in_(meetings)),  # type: ignore[arg-type]
        delete(Note).where(col(Note.meeting_id).in_(meetings)),  # type: ignore[arg-type]
        delete(ActionItem).where(col(ActionItem.pair_id) == pair_id),
        delete(SuggestedQuestion).where(col(SuggestedQuestion.pair_id) == pair_id),
        delete(CheckIn).where(col(CheckIn.pair_id) == pair_id),
        delete(HuddleFollowUp).where(col(HuddleFollowUp.pair_id) == pair_id),
        delete(Meeting).where(col(Meeting.pair_id) == pair_id),
        delete(HistoryDeletion).where(col(HistoryDeletion.pair_id) == pair_id),
        delete(Pair).where(col(Pair.id) == pair_id),
    ]
    for statement in statements:
        session.execute(statement)
