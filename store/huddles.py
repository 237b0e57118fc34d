"""Huddles of a pair's two people, from `user_huddle_changed` and `huddle_thread` messages.

Slack sends each person's huddle state, not the huddle's participants, so each paired
person's changes are kept for a day and replayed in `event_ts` order: retried and
out-of-order events give the same answer. A pair's huddle ended when both were in the
same call and both left it. A huddle shorter than two minutes by the events' own times
(a quick word, a misdial) is no meeting and gets no follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import Actor, NotAllowed, get_pair
from store.db import execute_dml
from store.due_work import add_work
from store.meetings import meeting_has_content
from store.models import HuddleEvent, HuddleFollowUp, Meeting, MeetingStatus, Pair, WorkKind, id_of
from store.views import HuddleOffer, NotesSaved

KEEP = timedelta(days=1)
NEAR_MEETING = timedelta(days=1)  # a huddle this close to a scheduled 1:1 takes its notes
SHORTEST = timedelta(minutes=2)  # a huddle shorter than this gets no follow-up


@dataclass(frozen=True)
class HuddleChange:
    """One person's huddle state at `event_ts` (call_id None: in no huddle)."""

    team_id: str
    user_id: str
    call_id: str | None
    event_ts: str


@dataclass(frozen=True)
class Stay:
    """One person's time in one call (`left` None while still in it)."""

    call_id: str
    joined: datetime
    left: datetime | None


def event_time(event_ts: str) -> datetime:
    """Slack's "1733900000.000200" as a UTC datetime."""
    return datetime.fromtimestamp(float(event_ts), tz=UTC)


def paired_pairs(session: Session, team_id: str, user_id: str) -> list[Pair]:
    """The person's active pairs: one indexed lookup per event, for everyone in the workspace."""
    query = select(Pair).where(
        Pair.team_id == team_id,
        col(Pair.ended_at).is_(None),
        or_(col(Pair.manager_id) == user_id, col(Pair.report_id) == user_id),
    )
    return list(session.exec(query).all())


def record_huddle_change(
    session: Session, change: HuddleChange, *, now: datetime
) -> list[HuddleFollowUp]:
    """Keep a paired person's change; returns follow-ups of huddles this change ended."""
    pairs = paired_pairs(session, change.team_id, change.user_id)
    if not pairs:
        return []
    try:
        with session.begin_nested():
            session.add(
                HuddleEvent(
                    team_id=change.team_id,
                    user_id=change.user_id,
                    call_id=change.call_id or None,
                    event_ts=change.event_ts,
                    at=event_time(change.event_ts),
                    received_at=now,
                )
            )
    except IntegrityError:
        pass  # the same change again: replaying gives the same answer
    session.commit()
    created = []
    for pair in pairs:
        stays = _stays(session, pair)
        for call_id, start, end in ended_together(stays[pair.manager_id], stays[pair.report_id]):
            follow_up = add_follow_up(session, pair, call_id, start, end, now=now)
            if follow_up is not None:
                created.append(follow_up)
    return created


def _stays(session: Session, pair: Pair) -> dict[str, list[Stay]]:
    people = (pair.manager_id, pair.report_id)
    query = (
        select(HuddleEvent)
        .where(HuddleEvent.team_id == pair.team_id, col(HuddleEvent.user_id).in_(people))
        .order_by(col(HuddleEvent.at), col(HuddleEvent.id))
    )
    events = list(session.exec(query).all())
    return {person: stays_of([e for e in events if e.user_id == person]) for person in people}


def stays_of(events: list[HuddleEvent]) -> list[Stay]:
    """One person's calls from their changes in time order: one stay per call, from the
    first join to the last leave (a reconnect is not a leave), open while still in it."""
    stays: dict[str, Stay] = {}
    current: str | None = None
    for event in events:
        if event.call_id == current:
            continue
        if current is not None:
            stays[current] = Stay(current, stays[current].joined, event.at)
        current = event.call_id
        if current is not None:
            joined = stays[current].joined if current in stays else event.at
            stays[current] = Stay(current, joined, None)
    return list(stays.values())


def ended_together(one: list[Stay], other: list[Stay]) -> list[tuple[str, datetime, datetime]]:
    """Calls both were in at the same time and both have left: (call, together from, to)."""
    ended = []
    for a in one:
        for b in other:
            if a.call_id != b.call_id or a.left is None or b.left is None:
                continue
            start, end = max(a.joined, b.joined), min(a.left, b.left)
            if end > start:
                ended.append((a.call_id, start, end))
    return ended


def add_follow_up(
    session: Session,
    pair: Pair,
    call_id: str,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
) -> HuddleFollowUp | None:
    """Record the pair's huddle once per call, with the due work that posts its follow-up
    (none for a huddle too short to be a meeting)."""
    if not long_enough(start, end):
        return None
    existing = session.exec(
        select(HuddleFollowUp).where(
            HuddleFollowUp.pair_id == pair.id, HuddleFollowUp.call_id == call_id
        )
    ).first()
    if existing is not None:
        return None
    follow_up = HuddleFollowUp(
        team_id=pair.team_id,
        pair_id=id_of(pair),
        call_id=call_id,
        started_at=start,
        ended_at=end,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(follow_up)
            session.flush()
            add_work(
                session,
                team_id=pair.team_id,
                key=f"huddle:{follow_up.id}",
                kind=WorkKind.HUDDLE,
                due_at=now,
                expires_at=now + KEEP,
            )
    except IntegrityError:
        return None  # another event of the same huddle got here first
    session.commit()
    return follow_up


def record_huddle_room(
    session: Session, team_id: str, channel_id: str, room: dict, *, now: datetime
) -> HuddleFollowUp | None:
    """A `huddle_thread` room that ended in a pair's group DM with both people in it."""
    if not room.get("id") or not room.get("date_end"):
        return None
    pair = session.exec(
        select(Pair).where(
            Pair.team_id == team_id, Pair.channel_id == channel_id, col(Pair.ended_at).is_(None)
        )
    ).first()
    joined = set(room.get("participant_history") or room.get("participants") or [])
    if pair is None or not {pair.manager_id, pair.report_id} <= joined:
        return None
    start = datetime.fromtimestamp(float(room.get("date_start") or room["date_end"]), tz=UTC)
    end = datetime.fromtimestamp(float(room["date_end"]), tz=UTC)
    return add_follow_up(session, pair, str(room["id"]), start, end, now=now)


def follow_up_of(session: Session, actor: Actor, follow_up_id: int) -> tuple[HuddleFollowUp, Pair]:
    """A huddle follow-up, for one of its pair's two people."""
    follow_up = session.get(HuddleFollowUp, follow_up_id)
    if follow_up is None:
        raise NotAllowed()
    return follow_up, get_pair(session, actor, follow_up.pair_id)


def meeting_for_huddle(
    session: Session, actor: Actor, follow_up_id: int, *, now: datetime
) -> Meeting:
    """The meeting a huddle's notes go to: the pair's 1:1 within a day of it, or else a new
    unscheduled meeting in the pair's history (the same one on every click)."""
    follow_up, pair = follow_up_of(session, actor, follow_up_id)
    if follow_up.meeting_id is not None:
        meeting = session.get(Meeting, follow_up.meeting_id)
        assert meeting is not None
        return meeting
    meeting = _nearby_meeting(session, pair, follow_up)
    try:
        with session.begin_nested():
            if meeting is None:
                meeting = _record_huddle(session, pair, follow_up, now=now)
            follow_up.meeting_id = meeting.id
            session.add(follow_up)
        session.commit()
    except IntegrityError:  # a double click: the other click recorded the huddle first
        session.refresh(follow_up)
        if follow_up.meeting_id is None:
            raise
        meeting = session.get(Meeting, follow_up.meeting_id)
        assert meeting is not None
    return meeting


def _record_huddle(
    session: Session, pair: Pair, follow_up: HuddleFollowUp, *, now: datetime
) -> Meeting:
    """An unscheduled meeting for a huddle away from any 1:1, in the pair's history."""
    meeting = Meeting(
        team_id=pair.team_id,
        pair_id=id_of(pair),
        slot_at=follow_up.started_at,
        starts_at=follow_up.started_at,
        duration_minutes=huddle_minutes(follow_up.started_at, follow_up.ended_at),
        status=MeetingStatus.HELD,
        unscheduled=True,
        closed_at=now,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    return meeting


def long_enough(started_at: datetime, ended_at: datetime) -> bool:
    """Long enough to be a meeting: two minutes or more together."""
    return ended_at - started_at >= SHORTEST


def huddle_offer(session: Session, follow_up: HuddleFollowUp, pair: Pair) -> HuddleOffer:
    """The follow-up as posted; it says so when the huddle's meeting has notes already
    (only what both may see counts: the offer goes to both, private notes stay unknown)."""
    meeting = _notes_meeting(session, pair, follow_up)
    saved = None
    if meeting is not None and meeting_has_content(session, meeting):
        saved = NotesSaved(id_of(meeting), meeting.starts_at, meeting.unscheduled)
    minutes = huddle_minutes(follow_up.started_at, follow_up.ended_at)
    return HuddleOffer(id_of(follow_up), pair.manager_id, pair.report_id, minutes, saved)


def _notes_meeting(session: Session, pair: Pair, follow_up: HuddleFollowUp) -> Meeting | None:
    """The meeting "Take notes" opens, without recording an unscheduled one (None then)."""
    if follow_up.meeting_id is not None:
        return session.get(Meeting, follow_up.meeting_id)
    return _nearby_meeting(session, pair, follow_up)


def huddle_minutes(started_at: datetime, ended_at: datetime) -> int:
    """A huddle's length in whole minutes (at least one)."""
    return max(1, round((ended_at - started_at).total_seconds() / 60))


def _nearby_meeting(session: Session, pair: Pair, follow_up: HuddleFollowUp) -> Meeting | None:
    query = (
        select(Meeting)
        .where(Meeting.pair_id == pair.id)
        .where(col(Meeting.status).in_((MeetingStatus.SCHEDULED, MeetingStatus.HELD)))
        .where(col(Meeting.starts_at) >= follow_up.started_at - NEAR_MEETING)
        .where(col(Meeting.starts_at) <= follow_up.started_at + NEAR_MEETING)
    )
    candidates = list(session.exec(query).all())
    return min(candidates, key=lambda m: abs(m.starts_at - follow_up.started_at), default=None)


def dismiss_follow_up(
    session: Session, actor: Actor, follow_up_id: int, *, now: datetime
) -> tuple[HuddleFollowUp, Pair]:
    """Nothing to capture for this huddle."""
    follow_up, pair = follow_up_of(session, actor, follow_up_id)
    if follow_up.dismissed_at is None:
        follow_up.dismissed_at = now
        session.add(follow_up)
        session.commit()
    return follow_up, pair


def prune_huddle_events(session: Session, *, now: datetime) -> int:
    """Forget huddle changes older than a day."""
    result = execute_dml(
        session, delete(HuddleEvent).where(col(HuddleEvent.received_at) < now - KEEP)
    )
    session.commit()
    return result.rowcount
