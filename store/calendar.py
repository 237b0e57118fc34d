"""The series in people's calendars: what a calendar shows of each series (read in a constant
number of queries however many series), the SEQUENCE that goes up when that changes, the due
work that sends each of the two people the updated .ics, and the secret feed links.

Every change to a series calls `note_change` in its own transaction; blocks/ics.py writes the
files and the feed from the plain data read here (store/calendar_views.py).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from store.access import Actor, list_active_pairs
from store.calendar_views import CalendarReader, CalendarSend, CalendarSeries, FeedLink, Instance
from store.db import execute_dml
from store.due_work import FOUND, SENT, Claim, add_work
from store.files import record_uploaded_files, uploaded_file_ids
from store.meetings import pause_start, recurrence_of
from store.models import (
    NOT_HAPPENING,
    Cadence,
    CalendarFeed,
    DueWork,
    Meeting,
    Pair,
    Person,
    WorkKind,
    id_of,
)
from store.people import profiles_of
from store.recurrence import nth_weekday_of_month, slots_through

CALENDAR_FILE = "calendar"  # the kind of an uploaded .ics (store/files.py)
SUPERSEDED = "superseded"  # a later change's file is due: that one goes out instead
SUBSCRIBED = "subscribed"  # their calendar polls their feed, which has the change already
GONE = "gone"  # the person left the workspace
ORPHANED = "orphaned"
SUBSCRIBED_FOR = timedelta(days=3)  # a feed polled this recently: its reader gets no files
READ_MARK = timedelta(hours=1)  # a feed's read time is written at most this often
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")  # the shape of a feed token (token_urlsafe(32))


def note_change(session: Session, pair: Pair, *, now: datetime) -> bool:
    """Every change to a series (scheduled, a meeting skipped or moved, paused, ended, its
    settings changed) calls this in the same transaction, after the change and before the
    commit (the caller commits). When what calendars show of the series changed, its
    SEQUENCE goes up and each of its two people gets the updated .ics in their DM with the
    bot (due work CALENDAR, once per person and SEQUENCE); when nothing they show changed
    (a name, a lead time), nothing is sent. Returns whether it changed. Concurrent changes
    are decided by one conditional UPDATE of the pair's fingerprint."""
    session.flush()
    shown = series_of(session, [pair])[0].fingerprint()
    unseen = col(Pair.calendar_print).is_(None)
    changed = execute_dml(
        session,
        update(Pair)
        .where(col(Pair.id) == id_of(pair), or_(unseen, col(Pair.calendar_print) != shown))
        .values(
            # The first file is SEQUENCE 0; each change after it raises it by one.
            calendar_sequence=case(
                (unseen, Pair.calendar_sequence), else_=Pair.calendar_sequence + 1
            ),
            calendar_print=shown,
        ),
    )
    if changed.rowcount != 1:
        return False
    session.expire(pair, ["calendar_sequence", "calendar_print"])
    sequence = pair.calendar_sequence
    for user_id in (pair.manager_id, pair.report_id):
        add_work(
            session,
            team_id=pair.team_id,
            key=calendar_key(id_of(pair), user_id, sequence),
            kind=WorkKind.CALENDAR,
            due_at=now,
            user_id=user_id,
        )
    return True


def note_handover(session: Session, pair: Pair, former: str, *, now: datetime) -> None:
    """A handover (the caller commits): the report and the new manager get the series naming
    the new manager, and the former manager its cancellation (METHOD:CANCEL, due work
    CALENDAR naming them at the new SEQUENCE), so the 1:1s leave their calendar."""
    note_change(session, pair, now=now)
    add_work(
        session,
        team_id=pair.team_id,
        key=calendar_key(id_of(pair), former, pair.calendar_sequence),
        kind=WorkKind.CALENDAR,
        due_at=now,
        user_id=former,
    )


def calendar_key(pair_id: int, user_id: str, sequence: int) -> str:
    """The due work that sends one person a series' .ics at one SEQUENCE."""
    return f"{WorkKind.CALENDAR}:{pair_id}:{user_id}:{sequence}"


def calendar_keys_of(pair_id: int) -> str:
    """A LIKE pattern of every CALENDAR work of a series (deleting its history)."""
    return f"{WorkKind.CALENDAR}:{pair_id}:%"


def _parse_key(key: str) -> tuple[int, str, int] | None:
    parts = key.split(":")
    if len(parts) != 4 or not (parts[1].isdigit() and parts[3].isdigit()):
        return None
    return int(parts[1]), parts[2], int(parts[3])


# --- what calendars show -----------------------------------------------------------------


def series_of(session: Session, pairs: Sequence[Pair]) -> list[CalendarSeries]:
    """The series as calendars show them, in the order given (one query for all meetings)."""
    ids = [id_of(pair) for pair in pairs]
    rows = session.execute(
        select_columns(
            col(Meeting.pair_id),
            col(Meeting.id),
            col(Meeting.slot_at),
            col(Meeting.starts_at),
            col(Meeting.status),
            col(Meeting.duration_minutes),
        ).where(col(Meeting.pair_id).in_(ids), col(Meeting.unscheduled).is_(False))
    ).all()
    by_pair: dict[int, list[tuple[int, datetime, datetime, str, int]]] = defaultdict(list)
    for pair_id, meeting_id, slot, starts, status, minutes in rows:
        by_pair[pair_id].append((meeting_id, slot, starts, status, minutes))
    return [_series(pair, by_pair[id_of(pair)]) for pair in pairs]


def _series(pair: Pair, rows: list[tuple[int, datetime, datetime, str, int]]) -> CalendarSeries:
    """One series: the rule's slots up to its last meeting (or the end of its pause) that
    have no meeting, or a skipped or cancelled one, are left out; meetings elsewhere than
    their slot, or of another length, are moved instances (or events of their own when the
    rule no longer has their slot)."""
    horizon = max(
        filter(None, [*(slot for _, slot, _, _, _ in rows), pause_start(pair)]), default=None
    )
    in_rule = set(slots_through(recurrence_of(pair), horizon)) if horizon else set()
    excluded = in_rule - {slot for _, slot, _, _, _ in rows}
    moved = []
    for meeting_id, slot, starts, status, minutes in rows:
        if status in NOT_HAPPENING:
            if slot in in_rule:
                excluded.add(slot)
        elif slot not in in_rule or starts != slot or minutes != pair.duration_minutes:
            moved.append(Instance(meeting_id, slot if slot in in_rule else None, starts, minutes))
    monthly = pair.cadence == Cadence.MONTHLY
    return CalendarSeries(
        pair_id=id_of(pair),
        uid=f"{pair.id}-{int(pair.created_at.timestamp())}.{pair.team_id.lower()}@oneonone",
        team_id=pair.team_id,
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        channel_id=pair.channel_id,
        # Plain text: a pair made in this session holds the enum, whose repr would change
        # the fingerprint of a series that did not change.
        cadence=Cadence(pair.cadence).value,
        weekday=pair.weekday,
        local_time=pair.local_time,
        timezone=pair.timezone,
        first_date=pair.first_date,
        nth=nth_weekday_of_month(pair.first_date) if monthly else None,
        minutes=pair.duration_minutes,
        excluded=tuple(sorted(excluded)),
        moved=tuple(sorted(moved, key=lambda m: m.starts_at)),
        ended=pair.ended_at is not None,
        sequence=pair.calendar_sequence,
    )


def _calendar_reader(session: Session, actor: Actor, pairs: Sequence[Pair]) -> CalendarReader:
    """The reader's locale and the names of everyone in these series (one query)."""
    people = {actor.user_id} | {p for pair in pairs for p in (pair.manager_id, pair.report_id)}
    profiles = profiles_of(session, actor.team_id, sorted(people))
    mine = profiles.get(actor.user_id)
    names = {user_id: profile.name for user_id, profile in profiles.items() if profile.name}
    return CalendarReader(actor.user_id, mine.locale if mine else None, names)


def my_calendar(session: Session, actor: Actor) -> tuple[list[CalendarSeries], CalendarReader]:
    """All of the actor's running series, for one .ics of them all."""
    pairs = list_active_pairs(session, actor)
    return series_of(session, pairs), _calendar_reader(session, actor, pairs)


# --- the files, as due work ----------------------------------------------------------------


def calendar_delivery(session: Session, claim: Claim, *, now: datetime) -> CalendarSend | str:
    """The .ics a CALENDAR claim sends (read as the series is now), or the outcome when none
    is sent: a later change's file is due (SUPERSEDED), the person's calendar polls their feed
    (SUBSCRIBED), or they left the workspace (GONE). Work naming someone who is no longer one
    of the two (a manager who handed the series over) sends them its cancellation, at the
    SEQUENCE of the handover, whatever changed since."""
    parsed = _parse_key(claim.key)
    pair = session.get(Pair, parsed[0]) if parsed else None
    if parsed is None or pair is None:
        return ORPHANED
    _, user_id, sequence = parsed
    theirs = _their_files(session, id_of(pair), user_id)
    member = user_id in (pair.manager_id, pair.report_id)
    if pair.calendar_sequence > sequence if member else max(theirs, default=0) > sequence:
        return SUPERSEDED
    person = session.get(Person, (pair.team_id, user_id))
    if person is not None and (person.deleted or person.left_at is not None):
        return GONE
    actor = Actor(pair.team_id, user_id)
    if _subscribed(session, actor, now=now):
        return SUBSCRIBED
    series = series_of(session, [pair])[0]
    if not member:
        series = replace(series, sequence=sequence)
    first = not any(s < sequence and outcome in (SENT, FOUND) for s, outcome in theirs.items())
    reader = _calendar_reader(session, actor, [pair])
    return CalendarSend(pair.team_id, user_id, series, reader, first=first)


def _their_files(session: Session, pair_id: int, user_id: str) -> dict[int, str | None]:
    """The outcome of every CALENDAR work of one person in one series, by SEQUENCE."""
    rows = session.exec(
        select(DueWork.key, DueWork.outcome).where(
            col(DueWork.key).like(f"{WorkKind.CALENDAR}:{pair_id}:%")
        )
    ).all()
    found = {}
    for key, outcome in rows:
        parsed = _parse_key(key)
        if parsed is not None and parsed[1] == user_id:
            found[parsed[2]] = outcome
    return found


def record_calendar_file(
    session: Session, actor: Actor, *, file_id: str, filename: str, channel_id: str, now: datetime
) -> None:
    """Remember a .ics uploaded for the actor (once: an attempt that found its file again
    records it only if the first did not), so deleting their data deletes it too."""
    if file_id in uploaded_file_ids(session, actor.team_id, [actor.user_id]):
        return
    record_uploaded_files(
        session, actor, [(file_id, filename)], channel_id=channel_id, kind=CALENDAR_FILE, now=now
    )


# --- the feed ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _active_feed(actor: Actor) -> list[object]:
    return [
        col(CalendarFeed.team_id) == actor.team_id,
        col(CalendarFeed.user_id) == actor.user_id,
        col(CalendarFeed.revoked_at).is_(None),
    ]


def _subscribed(session: Session, actor: Actor, *, now: datetime) -> bool:
    query = select(CalendarFeed.id).where(
        *_active_feed(actor),  # type: ignore[arg-type]
        col(CalendarFeed.read_at) >= now - SUBSCRIBED_FOR,
    )
    return session.exec(query.limit(1)).first() is not None


def feed_link(session: Session, actor: Actor) -> FeedLink | None:
    """The actor's current feed link, if they have one (its token cannot be shown again)."""
    query = select(CalendarFeed).where(*_active_feed(actor))  # type: ignore[arg-type]
    row = session.exec(query.order_by(col(CalendarFeed.id).desc()).limit(1)).first()
    return FeedLink(created_at=row.created_at, read_at=row.read_at) if row else None


def new_feed_token(session: Session, actor: Actor, *, now: datetime) -> str:
    """A new secret feed token for the actor; their earlier link stops working. Only its hash
    is stored: the caller shows it once."""
    session.execute(
        update(CalendarFeed).where(*_active_feed(actor)).values(revoked_at=now)  # type: ignore[arg-type]
    )
    token = secrets.token_urlsafe(32)
    session.add(
        CalendarFeed(
            team_id=actor.team_id, user_id=actor.user_id, token_hash=_hash(token), created_at=now
        )
    )
    session.commit()
    return token


def feed_of(
    session: Session, token: str, *, now: datetime
) -> tuple[list[CalendarSeries], CalendarReader] | None:
    """The running series of the feed's owner, or None for a token that is not a current
    one (unknown, revoked, or not even shaped like one). Notes when a calendar read it."""
    if not TOKEN.fullmatch(token):
        return None
    query = select(CalendarFeed).where(
        CalendarFeed.token_hash == _hash(token), col(CalendarFeed.revoked_at).is_(None)
    )
    feed = session.exec(query).first()
    if feed is None:
        return None
    actor = Actor(feed.team_id, feed.user_id)
    if feed.read_at is None or feed.read_at < now - READ_MARK:
        feed.read_at = now
        session.add(feed)
        session.commit()
    return my_calendar(session, actor)


def forget_feeds(session: Session, team_id: str, user_id: str) -> None:
    """A departed person's feed links go with their data (the caller commits)."""
    session.execute(
        delete(CalendarFeed).where(
            col(CalendarFeed.team_id) == team_id, col(CalendarFeed.user_id) == user_id
        )
    )
