"""What the bot knows about a Slack user: their name, time zone and locale, and whether they
can meet. Read from the database (kept fresh on `user_change` and by due work's housekeeping),
asked of Slack only when nothing fresh is stored, and cached in the process for a few minutes."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.publish import open_dm
from handlers.sweeps import left_workspace
from store.access import Actor
from store.db import SessionFactory
from store.people import (
    dm_channel,
    save_profile,
    set_dm_channel,
    stored_profile,
    update_known_profile,
)
from store.views import Profile

DEFAULT_TZ = "UTC"
CACHE_SECONDS = 300.0  # keeps modals inside the 3 s trigger window when one has many 1:1s
UNKNOWN = ("user_not_found", "user_not_visible")

_cache: TTLCache[tuple[str, str, str], Profile | None] = TTLCache(maxsize=50_000, ttl=CACHE_SECONDS)
# Locales read from stored profiles (however old: see reader_locale), kept apart so that a
# stale stored profile never stands in for a fresh one in `_cache`.
_locales: TTLCache[tuple[str, str, str], str | None] = TTLCache(maxsize=50_000, ttl=CACHE_SECONDS)
_cache_lock = threading.Lock()


def _key(client: WebClient, team_id: str, user_id: str) -> tuple[str, str, str]:
    return (client.base_url, team_id, user_id)  # a person of one workspace, on one Slack


def clear_cache() -> None:
    """Forget every cached profile (they are read again from the database or Slack)."""
    with _cache_lock:
        _cache.clear()
        _locales.clear()


class Asking(Protocol):
    """Who asks, and with what (handlers.context.Deps is one)."""

    @property
    def db(self) -> SessionFactory: ...

    @property
    def actor(self) -> Actor: ...

    @property
    def client(self) -> WebClient: ...

    def now(self) -> datetime: ...


def look_up(deps: Asking, user_id: str) -> Profile | None:
    """The person in the actor's workspace; None when Slack does not know them."""
    return profile_of(deps.db, deps.client, deps.actor.team_id, user_id, now=deps.now())


def time_zone(deps: Asking, user_id: str) -> str:
    """The user's Slack time zone (UTC when unknown)."""
    person = look_up(deps, user_id)
    return person.tz if person else DEFAULT_TZ


def display_name(deps: Asking, user_id: str) -> str:
    """How Slack shows the person, for plain-text places where mentions don't render."""
    person = look_up(deps, user_id)
    return person.name if person else user_id


def locale_of(deps: Asking, user_id: str) -> str | None:
    """The user's Slack locale (None when unknown: they read English)."""
    person = look_up(deps, user_id)
    return person.locale if person else None


def cached_locale(client: WebClient, team_id: str, user_id: str) -> tuple[bool, str | None]:
    """(True, locale) when this process knows the person's locale, without any I/O (the
    middleware asks before every request); (False, None) when it must be looked up."""
    key = _key(client, team_id, user_id)
    with _cache_lock:
        if key in _cache:
            cached = _cache[key]
            return True, cached.locale if cached else None
        if key in _locales:
            return True, _locales[key]
    return False, None


def reader_locale(
    db: SessionFactory, client: WebClient, team_id: str, user_id: str, *, now: datetime
) -> str | None:
    """The locale a person reads in: cached, else as stored however old (a locale rarely
    changes; `user_change` and housekeeping keep it fresh), else fetched from Slack."""
    known, locale = cached_locale(client, team_id, user_id)
    if known:
        return locale
    with db.read() as session:
        fresh, profile = stored_profile(session, team_id, user_id, now=now)
    if profile is None and not fresh:
        fetched = profile_of(db, client, team_id, user_id, now=now)  # cached by profile_of
        return fetched.locale if fetched else None
    locale = profile.locale if profile else None
    with _cache_lock:
        _locales[_key(client, team_id, user_id)] = locale
    return locale


def bot_dm(db: SessionFactory, client: WebClient, team_id: str, user_id: str) -> str:
    """The id of the bot's DM with the person: as stored, else opened (and stored)."""
    with db.read() as session:
        channel = dm_channel(session, team_id, user_id)
    if channel is None:
        channel = open_dm(client, user_id)
        with db() as session:
            set_dm_channel(session, team_id, user_id, channel)
    return channel


def profile_of(
    db: SessionFactory, client: WebClient, team_id: str, user_id: str, *, now: datetime
) -> Profile | None:
    """The cached, else stored, else fetched profile (stored for the next time)."""
    key = _key(client, team_id, user_id)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    with db.read() as session:
        fresh, profile = stored_profile(session, team_id, user_id, now=now)
    if not fresh:
        profile = fetch_profile(db, client, team_id, user_id, now=now)
    with _cache_lock:
        _cache[key] = profile
    return profile


def fetch_profile(
    db: SessionFactory, client: WebClient, team_id: str, user_id: str, *, now: datetime
) -> Profile | None:
    """users.info for one user (no transaction open), then stored in a short one."""
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as error:
        if error.response.get("error") not in UNKNOWN:
            raise
        profile = None
    else:
        profile = profile_from(user)
    with db() as session:
        save_profile(session, team_id, user_id, profile, now=now)
    if profile is not None and profile.deleted:
        left_workspace(db, team_id, user_id, now=now)
    return profile


def changed(
    db: SessionFactory, client: WebClient, team_id: str, user: dict[str, Any], *, now: datetime
) -> None:
    """`user_change`: keep the new profile of someone the bot knows (nobody else is stored);
    someone deleted from the workspace has left (their series end)."""
    profile = profile_from(user)
    with db() as session:
        kept = update_known_profile(session, team_id, profile, now=now)
    if profile.deleted:
        left_workspace(db, team_id, profile.user_id, now=now)
    if kept:
        key = _key(client, team_id, profile.user_id)
        with _cache_lock:
            _locales.pop(key, None)
            if profile.locale is None:  # user_change carries none: read the stored one again
                _cache.pop(key, None)
            else:
                _cache[key] = profile


def profile_from(user: dict[str, Any]) -> Profile:
    """A profile from Slack's user object (users.info, user_change)."""
    return Profile(
        user_id=user["id"],
        name=_name(user),
        tz=known_zone(user.get("tz")),
        locale=user.get("locale"),
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        home_team_id=user.get("team_id"),
    )


def known_zone(name: object) -> str:
    """The IANA zone Slack gave, if this host's tz database knows it; else UTC (a zone it
    cannot load would break every date shown to that person)."""
    if not isinstance(name, str) or not name:
        return DEFAULT_TZ
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TZ
    return name


def _name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    return str(
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
