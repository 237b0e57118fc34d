"""A manager's weekly digest: Friday 16:00 on their clock, a DM to each person who manages at
least one active series (unless they turned it off): this week's 1:1s, the reports with no
held 1:1 in two weeks, open and overdue action items by owner, points carried three times.

The digest is due work (WorkKind.DIGEST, one per manager and week: the key names the
Friday), planned by housekeeping and posted under the same claims and pacing as every post.
Reading one costs five queries however many reports the manager has.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from store.access import Actor
from store.due_work import CANCELLED, Claim, add_work
from store.health_views import (
    DIGEST_HELD,
    DIGEST_NOT_HELD,
    DIGEST_SKIPPED,
    DIGEST_UPCOMING,
    STUCK_CARRIES,
    DigestMeeting,
    DigestView,
    OwnerItems,
    StuckPoint,
)
from store.meetings import outcome
from store.models import (
    ActionItem,
    DueWork,
    Meeting,
    MeetingStatus,
    Pair,
    Person,
    TalkingPoint,
    WorkKind,
    id_of,
)
from store.people import reader_zones
from store.views import HELD, NOT_HELD, Delivery

FRIDAY = 4
DIGEST_AT = time(16, 0)
STALE_AFTER = timedelta(hours=3)  # a digest that could not go out by 19:00 waits a week
QUIET_FOR = timedelta(days=14)  # no held 1:1 this long: the report is named
EXPIRED = "expired"
ORPHANED = "orphaned"


def digest_key(team_id: str, manager_id: str, friday: date) -> str:
    """The digest of one manager for the week of `friday`."""
    return f"{WorkKind.DIGEST}:{team_id}:{manager_id}:{friday.isoformat()}"


def digest_time(zone: str, *, now: datetime) -> datetime:
    """The next Friday 16:00 on the clock of `zone`, at or after `now` (UTC). Friday 16:00 is
    a working moment (store.working_hours), so no digest needs moving to one."""
    local = now.astimezone(ZoneInfo(zone))
    day = local.date() + timedelta(days=(FRIDAY - local.weekday()) % 7)
    at = datetime.combine(day, DIGEST_AT, tzinfo=ZoneInfo(zone))
    if at < local:
        at += timedelta(days=7)
    return at.astimezone(ZoneInfo("UTC"))


def managers_without_digest(session: Session) -> list[tuple[str, str, str]]:
    """(team, manager, a series' zone) of every manager of an active series whose digest is
    on and who has none waiting. Two plain reads (the waiting digests are found through the
    pending-work index), matched here: no per-pair subquery over all the work ever done."""
    query = (
        sa_select(col(Pair.team_id), col(Pair.manager_id), func.min(col(Pair.timezone)))
        .outerjoin(
            Person,
            and_(
                col(Person.team_id) == col(Pair.team_id),
                col(Person.user_id) == col(Pair.manager_id),
            ),
        )
        .where(col(Pair.ended_at).is_(None))
        .where(func.coalesce(col(Person.digest_off), False).is_(False))
        .where(func.coalesce(col(Person.deleted), False).is_(False))
        .group_by(col(Pair.team_id), col(Pair.manager_id))
    )
    waiting_query = sa_select(col(DueWork.team_id), col(DueWork.user_id)).where(
        col(DueWork.done_at).is_(None), col(DueWork.kind) == WorkKind.DIGEST
    )
    waiting = {(team_id, user_id) for team_id, user_id in session.execute(waiting_query)}
    return [
        (team_id, manager_id, zone)
        for team_id, manager_id, zone in session.execute(query)
        if (team_id, manager_id) not in waiting
    ]


def plan_digests(session: Session, managers: list[tuple[str, str, str]], *, now: datetime) -> int:
    """Give each of `managers` (from managers_without_digest) the digest of the coming Friday;
    returns how many were planned (one planned meanwhile by another process is kept)."""
    planned = 0
    for team_id, manager_id, series_zone in managers:
        zone = reader_zones(session, team_id, [manager_id], series_zone)[manager_id]
        at = digest_time(zone, now=now)
        friday = at.astimezone(ZoneInfo(zone)).date()
        work = add_work(
            session,
            team_id=team_id,
            key=digest_key(team_id, manager_id, friday),
            kind=WorkKind.DIGEST,
            due_at=at,
            expires_at=at + STALE_AFTER,
            user_id=manager_id,
        )
        planned += work.done_at is None
    session.commit()
    return planned


def set_digest(session: Session, actor: Actor, *, on: bool) -> None:
    """Turn the actor's own weekly digest on or off (their row only)."""
    person = session.get(Person, (actor.team_id, actor.user_id))
    if person is None:
        person = Person(team_id=actor.team_id, user_id=actor.user_id)
    person.digest_off = not on
    session.add(person)
    session.commit()


def digest_is_off(session: Session, actor: Actor) -> bool:
    """Whether the actor turned their weekly digest off."""
    person = session.get(Person, (actor.team_id, actor.user_id))
    return bool(person and person.digest_off)


def digest_delivery(session: Session, claim: Claim, *, now: datetime) -> Delivery | str:
    """The digest a claim stands for, or why none goes out (turned off, nobody to report
    on, or too late to be this week's)."""
    manager_id = claim.user_id
    if not manager_id:
        return ORPHANED
    if claim.expires_at is not None and now > claim.expires_at:
        return EXPIRED
    if digest_is_off(session, Actor(claim.team_id, manager_id)):
        return CANCELLED
    view = digest_view(session, claim.team_id, manager_id, now=now)
    if not view.reports:
        return CANCELLED
    return Delivery(
        key=claim.key,
        kind=claim.kind,
        team_id=claim.team_id,
        pair_id=None,
        people=(manager_id, manager_id),
        dm_user=manager_id,
        channel=manager_id,
        content=view,
    )


def digest_view(session: Session, team_id: str, manager_id: str, *, now: datetime) -> DigestView:
    """The manager's week across their active series (as manager): five queries."""
    pairs = list(
        session.exec(
            select(Pair)
            .where(Pair.team_id == team_id, Pair.manager_id == manager_id)
            .where(col(Pair.ended_at).is_(None))
            .order_by(col(Pair.id))
        ).all()
    )
    default_zone = pairs[0].timezone if pairs else "UTC"
    zone = reader_zones(session, team_id, [manager_id], default_zone)[manager_id]
    local = now.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    week_start = datetime.combine(monday, time(0), tzinfo=ZoneInfo(zone))
    by_id = {id_of(p): p for p in pairs}
    meetings = _meetings(session, list(by_id), since=min(week_start, now - QUIET_FOR))
    week = [
        DigestMeeting(by_id[m.pair_id].report_id, m.starts_at, _state(m, now))
        for m in meetings
        if not m.unscheduled
        and week_start <= m.starts_at < week_start + timedelta(days=7)
        and m.status != MeetingStatus.CANCELLED
    ]
    held_lately = {
        m.pair_id for m in meetings if m.starts_at >= now - QUIET_FOR and outcome(m, now) == HELD
    }
    quiet = [
        p.report_id
        for p in pairs
        if id_of(p) not in held_lately and p.created_at <= now - QUIET_FOR
    ]
    return DigestView(
        manager_id=manager_id,
        week_of=monday,
        reports=tuple(p.report_id for p in pairs),
        week=tuple(week),
        quiet=tuple(quiet),
        items=_items(session, list(by_id), today=local.date()),
        stuck=_stuck(session, by_id),
    )


def _meetings(session: Session, pair_ids: list[int], *, since: datetime) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(col(Meeting.pair_id).in_(pair_ids), col(Meeting.starts_at) >= since)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return list(session.exec(query).all())


def _state(meeting: Meeting, now: datetime) -> str:
    if meeting.status == MeetingStatus.SKIPPED:
        return DIGEST_SKIPPED
    over = outcome(meeting, now)
    if over == HELD:
        return DIGEST_HELD
    if over == NOT_HELD or meeting.starts_at <= now:
        return DIGEST_NOT_HELD  # started, and nothing recorded for it so far
    return DIGEST_UPCOMING


def _items(session: Session, pair_ids: list[int], *, today: date) -> tuple[OwnerItems, ...]:
    """Open action items of these series by owner (most first), and how many are overdue."""
    query = sa_select(col(ActionItem.owner_id), col(ActionItem.due_date)).where(
        col(ActionItem.pair_id).in_(pair_ids), col(ActionItem.done_at).is_(None)
    )
    open_: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    for owner_id, due in session.execute(query).all():
        open_[owner_id] += 1
        overdue[owner_id] += bool(due and due < today)
    owners = sorted(open_, key=lambda o: (-open_[o], o))
    return tuple(OwnerItems(o, open_[o], overdue[o]) for o in owners)


def _stuck(session: Session, by_id: dict[int, Pair]) -> tuple[StuckPoint, ...]:
    """Shared open points carried over three times or more (private ones never count)."""
    query = (
        select(TalkingPoint, Meeting.pair_id)
        .join(Meeting, col(Meeting.id) == col(TalkingPoint.meeting_id))
        .where(col(Meeting.pair_id).in_(list(by_id)), Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.closed_at).is_(None), col(TalkingPoint.is_private).is_(False))
        .where(col(TalkingPoint.discussed).is_(False))
        .where(col(TalkingPoint.carried_count) >= STUCK_CARRIES)
        .order_by(col(TalkingPoint.carried_count).desc(), col(TalkingPoint.id))
    )
    return tuple(
        StuckPoint(id_of(p), p.author_id, p.text, p.carried_count, by_id[pair_id].report_id)
        for p, pair_id in session.exec(query).all()
    )
