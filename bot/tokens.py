"""OAuth mode's tokens: each workspace's bot token from its installation (slack_sdk's SQLAlchemy
installation store, on the bot's own engine), rotated with its refresh token one process at
a time, and Bolt's installation-store authorize with its cache on.

Slack revokes a refresh token once it is used, so two processes rotating the same token at
once would leave one of them with a dead token: a lease in the database (store/workspaces)
lets one rotate while the others go on with the current token, valid for two more hours."""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from sqlalchemy import and_, delete
from sqlalchemy.engine import Engine

from store.db import SessionFactory
from store.workspaces import give_back_rotation, served, take_rotation

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ROTATE_MINUTES = 120  # rotate this long before the token expires (Bolt's default)
CACHE_FOR = timedelta(seconds=30)  # a token lookup is reused this long (uninstall clears it)
WAIT_FOR_ROTATION = 5.0  # seconds an expired token waits for another process's rotation


def fingerprint(token: str | None) -> str | None:
    """A token's short hash: enough to tell tokens apart, useless to call Slack with."""
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else None


def _naive_utc(moment: datetime) -> datetime:
    """As slack_sdk's tables keep times (naive UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


class ClockedStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store on the injected clock, consumed by one conditional DELETE: a
    state is good once, and only before it expires (two tabs finishing at once: one wins)."""

    def __init__(self, engine: Engine, clock: Clock, expiration_seconds: int = 600) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine)
        self._clock = clock

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = uuid.uuid4().hex
        expire_at = self._clock() + timedelta(seconds=self.expiration_seconds)
        with self.engine.begin() as connection:
            connection.execute(
                self.oauth_states.insert(), {"state": state, "expire_at": _naive_utc(expire_at)}
            )
        return state

    def consume(self, state: str) -> bool:
        columns = self.oauth_states.c
        now = _naive_utc(self._clock())
        with self.engine.begin() as connection:
            connection.execute(delete(self.oauth_states).where(columns.expire_at <= now))
            used = connection.execute(
                delete(self.oauth_states).where(
                    and_(columns.state == state, columns.expire_at > now)
                )
            )
        return used.rowcount == 1


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store on the bot's engine; every change tells the
    token cache (`changed`)."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.changed: Callable[[], None] = lambda: None

    def save(self, installation: Installation) -> None:
        super().save(installation)
        self.changed()

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(bot)
        self.changed()

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        super().delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.changed()

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        super().delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        self.changed()


def installation_key(bot: Bot) -> str:
    """Which installation a bot token belongs to (the rotation lease's key)."""
    return f"{bot.enterprise_id or '-'}:{None if bot.is_enterprise_install else bot.team_id}"


class SerialRotator(TokenRotator):
    """Token rotation on the injected clock, one process at a time per installation."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        client: WebClient,
        store: InstallationStore,
        db: SessionFactory,
        clock: Clock,
    ) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret, client=client)
        self._store, self._db, self._clock = store, db, clock

    def expiring(self, bot: Bot, minutes: int = ROTATE_MINUTES) -> bool:
        """Whether the bot token expires within `minutes` (never, without rotation)."""
        expires = bot.bot_token_expires_at
        if expires is None or bot.bot_refresh_token is None:
            return False
        return int(expires) <= self._clock().timestamp() + minutes * 60

    def expired(self, bot: Bot) -> bool:
        """Whether the bot token no longer works."""
        return self.expiring(bot, minutes=0)

    def perform_bot_token_rotation(
        self, *, bot: Bot, minutes_before_expiration: int = ROTATE_MINUTES
    ) -> Bot | None:
        """The rotated bot (saved already), or None: no rotation needed, or another process
        rotates it right now while this token still works."""
        if not self.expiring(bot, minutes_before_expiration):
            return None
        key, holder = installation_key(bot), uuid.uuid4().hex[:32]
        with self._db() as session:
            mine = take_rotation(session, key, holder=holder, now=self._clock())
        if not mine:
            return self._rotated_elsewhere(bot, minutes_before_expiration)
        try:
            latest = self._latest(bot) or bot
            if not self.expiring(latest, minutes_before_expiration):
                return latest  # another process rotated it just before this one took the lease
            refreshed = self._refresh(latest)
            self._store.save_bot(refreshed)
            log.info("rotated the bot token of installation %s", key)
            return refreshed
        finally:
            with self._db() as session:
                give_back_rotation(session, key, holder=holder)

    def _refresh(self, bot: Bot) -> Bot:
        try:
            answer = self.client.oauth_v2_access(
                client_id=self.client_id,
                client_secret=self.client_secret,
                grant_type="refresh_token",
                refresh_token=bot.bot_refresh_token,
            )
        except SlackApiError as error:
            raise SlackTokenRotationError(error) from error
        refreshed = Bot(**bot.to_dict_for_copying())
        refreshed.bot_token = answer["access_token"]
        refreshed.bot_refresh_token = answer.get("refresh_token")
        refreshed.bot_token_expires_at = int(self._clock().timestamp()) + int(answer["expires_in"])
        return refreshed

    def _rotated_elsewhere(self, bot: Bot, minutes: int) -> Bot | None:
        """Another process holds the lease: a token that still works is used meanwhile; an
        expired one waits a few seconds for the rotated one."""
        waited = threading.Event()
        deadline = WAIT_FOR_ROTATION
        while True:
            latest = self._latest(bot)
            if latest is not None and not self.expiring(latest, minutes):
                return latest
            if not self.expired(bot) or deadline <= 0:
                return None
            waited.wait(0.1)
            deadline -= 0.1

    def _latest(self, bot: Bot) -> Bot | None:
        return self._store.find_bot(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            is_enterprise_install=bot.is_enterprise_install,
        )


class Authorize(InstallationStoreAuthorize):
    """Bolt's installation-store authorize (bot tokens only) with its cache on, so auth.test
    is called once per token, not on every request, and rotation serialised."""

    def __init__(self, store: InstallationStore, rotator: SerialRotator) -> None:
        super().__init__(
            logger=logging.getLogger("slack_bolt.authorize"),
            installation_store=store,
            bot_only=True,
            cache_enabled=True,
            token_rotation_expiration_minutes=ROTATE_MINUTES,
        )
        self.token_rotator = rotator

    def forget(self) -> None:
        """Drop the cached auth.test answers (an installation changed)."""
        self.authorize_result_cache.clear()


@dataclass
class _Cached:
    bot: Bot | None
    until: datetime


class Installations:
    """Each workspace's bot token, from the installation that serves it (its own, or its
    org's), cached briefly, rotated when it is about to expire."""

    def __init__(
        self, store: InstallationStore, rotator: SerialRotator, db: SessionFactory, clock: Clock
    ) -> None:
        self.store, self.rotator, self._db, self._clock = store, rotator, db, clock
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        store.changed = self.forget

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever an installation is saved or deleted."""
        self._listeners.append(listener)

    def forget(self) -> None:
        """An installation changed: look every token up again."""
        with self._lock:
            self._cache.clear()
        for listener in self._listeners:
            listener()

    def token(self, team_id: str) -> str | None:
        """The bot token to call Slack with for `team_id` (None: not installed there)."""
        bot = self.bot(team_id)
        return bot.bot_token if bot is not None else None

    def bot(self, team_id: str) -> Bot | None:
        """The installation's bot for `team_id` (an `E…` id: that org-wide installation's)."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is None or cached.until <= now:
            cached = _Cached(self._find(team_id), now + CACHE_FOR)
            with self._lock:
                self._cache[team_id] = cached
        bot = cached.bot
        if bot is not None and self.rotator.expiring(bot):
            rotated = self.rotator.perform_bot_token_rotation(bot=bot)
            if rotated is not None:
                with self._lock:
                    self._cache[team_id] = _Cached(rotated, now + CACHE_FOR)
                return rotated
        return bot

    def _find(self, team_id: str) -> Bot | None:
        with self._db.read() as session:
            where = served(session, team_id)
        if where is None and team_id.startswith("E"):
            return self.store.find_bot(
                enterprise_id=team_id, team_id=None, is_enterprise_install=True
            )
        if where is None:
            return self.store.find_bot(enterprise_id=None, team_id=team_id)
        return self.store.find_bot(
            enterprise_id=where.enterprise_id,
            team_id=None if where.org_install else team_id,
            is_enterprise_install=where.org_install,
        )
