"""People as Slack describes them, kept so that due work never asks Slack per post; and who
has opened the app's Home tab (only their tabs are kept up to date)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.db import execute_dml
from store.models import Meeting, Pair, Person
from store.views import Delivery, Profile

PROFILE_MAX_AGE = timedelta(days=1)  # older profiles are refreshed outside the post path


def _profile(person: Person) -> Profile:
    return Profile(
        user_id=person.user_id,
        name=person.name,
        tz=person.tz,
        locale=person.locale,
        is_bot=person.is_bot,
        deleted=person.deleted,
        home_team_id=person.home_team_id,
    )


def stored_profile(
    session: Session, team_id: str, user_id: str, *, now: datetime
) -> tuple[bool, Profile | None]:
    """(fresh, profile) as last stored: fresh is False when it should be fetched again;
    profile is None when Slack does not know the person (or nothing is stored)."""
    person = session.get(Person, (team_id, user_id))
    if person is None or person.fetched_at is None:
        return False, None
    fresh = now - person.fetched_at < PROFILE_MAX_AGE
    return fresh, _profile(person) if person.known else None


def profiles_of(session: Session, team_id: str, user_ids: list[str]) -> dict[str, Profile]:
    """The stored profiles of these people (one query), whatever their age."""
    query = select(Person).where(
        Person.team_id == team_id, col(Person.user_id).in_(user_ids), col(Person.known)
    )
    return {p.user_id: _profile(p) for p in session.exec(query).all() if p.fetched_at}


def reader_zones(
    session: Session, team_id: str, user_ids: list[str], default: str
) -> dict[str, str]:
    """Each person's Slack time zone as stored, else `default` (a series' own zone)."""
    stored = profiles_of(session, team_id, user_ids)
    return {user_id: stored[user_id].tz if user_id in stored else default for user_id in user_ids}


def save_profile(
    session: Session, team_id: str, user_id: str, profile: Profile | None, *, now: datetime
) -> None:
    """Store what Slack said about a person (None: Slack does not know them)."""
    values = _columns(profile) | {"fetched_at": now}
    where = and_(col(Person.team_id) == team_id, col(Person.user_id) == user_id)
    if execute_dml(session, update(Person).where(where).values(**values)).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(Person(team_id=team_id, user_id=user_id, **values))
        except IntegrityError:  # stored by another request a moment ago: ours is as new
            session.execute(update(Person).where(where).values(**values))
    session.commit()


def update_known_profile(
    session: Session, team_id: str, profile: Profile, *, now: datetime
) -> bool:
    """`user_change`: refresh the profile of someone the bot keeps (nobody else is stored)."""
    where = and_(col(Person.team_id) == team_id, col(Person.user_id) == profile.user_id)
    values = _columns(profile) | {"fetched_at": now}
    changed = execute_dml(session, update(Person).where(where).values(**values)).rowcount
    session.commit()
    return bool(changed)


def _columns(profile: Profile | None) -> dict[str, Any]:
    if profile is None:
        return {"known": False}
    back = {} if profile.deleted else {"left_at": None}  # reactivated: the retention clock stops
    return back | {
        "known": True,
        "name": profile.name[:255],
        "tz": profile.tz[:64],
        # user_change sends no locale (only users.info with include_locale does): keep it
        **({"locale": profile.locale} if profile.locale else {}),
        "is_bot": profile.is_bot,
        "deleted": profile.deleted,
        "home_team_id": profile.home_team_id,
    }


def mark_home_opened(session: Session, team_id: str, user_id: str, *, now: datetime) -> None:
    """Remember that the person has a Home tab worth keeping up to date."""
    where = and_(col(Person.team_id) == team_id, col(Person.user_id) == user_id)
    opened = update(Person).where(where, col(Person.home_opened_at).is_(None))
    changed = execute_dml(session, opened.values(home_opened_at=now)).rowcount
    if not changed and session.get(Person, (team_id, user_id)) is None:
        with contextlib.suppress(IntegrityError), session.begin_nested():  # a double open
            session.add(Person(team_id=team_id, user_id=user_id, home_opened_at=now))
    session.commit()


def home_openers(session: Session, team_id: str, user_ids: list[str]) -> set[str]:
    """Those of these people who have opened the Home tab at least once."""
    query = select(Person.user_id).where(
        Person.team_id == team_id,
        col(Person.user_id).in_(user_ids),
        col(Person.home_opened_at).is_not(None),
    )
    return set(session.exec(query).all())


def dm_channel(session: Session, team_id: str, user_id: str) -> str | None:
    """The id of the bot's DM with the person, once known."""
    person = session.get(Person, (team_id, user_id))
    return person.dm_channel_id if person else None


def set_dm_channel(session: Session, team_id: str, user_id: str, channel_id: str) -> None:
    """Remember the bot's DM with the person (used to look for the bot's own posts)."""
    where = and_(col(Person.team_id) == team_id, col(Person.user_id) == user_id)
    session.execute(update(Person).where(where).values(dm_channel_id=channel_id))
    session.commit()


def stale_people(session: Session, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(team, user) of people in active pairs whose profile is missing or old, oldest first."""
    old = now - PROFILE_MAX_AGE
    found: list[tuple[str, str]] = []
    for role in (col(Pair.manager_id), col(Pair.report_id)):
        query = (
            select(Pair.team_id, role)
            .outerjoin(
                Person, and_(col(Person.team_id) == Pair.team_id, col(Person.user_id) == role)
            )
            .where(col(Pair.ended_at).is_(None))
            .where(or_(col(Person.fetched_at).is_(None), col(Person.fetched_at) < old))
            .distinct()
            .limit(limit)
        )
        found += [(team, user) for team, user in session.exec(query).all()]
    return list(dict.fromkeys(found))[:limit]


def stored_locale(session: Session, team_id: str, user_id: str) -> str | None:
    """The person's Slack locale as stored (None: unknown, they read English)."""
    person = session.get(Person, (team_id, user_id))
    return person.locale if person else None


def pair_locale(session: Session, pair: Pair) -> str | None:
    """The language of the pair's group DM: the series' own when set (its settings), else
    the manager's Slack locale."""
    return pair.group_language or stored_locale(session, pair.team_id, pair.manager_id)


def meeting_locale(session: Session, meeting_id: int) -> str | None:
    """The language of the group DM a meeting's agenda and summary are posted in."""
    meeting = session.get(Meeting, meeting_id)
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    return pair_locale(session, pair) if pair else None


def delivery_locale(session: Session, delivery: Delivery) -> str | None:
    """Whose language a piece of due work is written in: its DM's reader, else the pair's."""
    if delivery.dm_user:
        return stored_locale(session, delivery.team_id, delivery.dm_user)
    pair = session.get(Pair, delivery.pair_id) if delivery.pair_id else None
    return pair_locale(session, pair) if pair else None
