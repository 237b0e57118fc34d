"""The Home tab: published when opened, and again (coalesced) when what it shows changes,
but only for people who have opened it; everyone else gets a fresh view on their first open."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from blocks.home import home_view
from blocks.i18n import reading
from handlers.context import Clients
from handlers.debounce import Debouncer
from handlers.people import DEFAULT_TZ, profile_of
from store.access import Actor
from store.db import SessionFactory
from store.home import home_data
from store.people import home_openers, mark_home_opened

DELAY = 1.0  # seconds of quiet before a person's Home tab is republished


def publish_home(
    db: SessionFactory,
    clients: Clients,
    actor: Actor,
    *,
    now: datetime,
    page: int = 0,
    opened: bool = False,
    privacy_url: str | None = None,
) -> bool:
    """Build one person's Home view from the store and publish it; after a change (not
    `opened`), only for someone who has opened the tab. Returns whether it was published."""
    client = clients.interactive(actor.team_id) if opened else clients.background(actor.team_id)
    with db.read() as session:
        known = bool(home_openers(session, actor.team_id, [actor.user_id]))
    if not (opened or known):
        return False
    if not known:
        with db() as session:
            mark_home_opened(session, actor.team_id, actor.user_id, now=now)
    person = profile_of(db, client, actor.team_id, actor.user_id, now=now)
    zone = person.tz if person else DEFAULT_TZ
    today = now.astimezone(ZoneInfo(zone)).date()
    with db.read() as session:
        data = home_data(session, actor, now=now)
    with reading(person.locale if person else None):  # each person's tab in their language
        view = home_view(data, page=page, today=today, zone=zone, privacy_url=privacy_url)
    client.views_publish(user_id=actor.user_id, view=view)
    return True


class HomeRefresher:
    """Republishes Home tabs after changes: a burst of changes for one person becomes one
    `views.publish` after `delay` seconds of quiet, in the background lane."""

    def __init__(
        self,
        clients: Clients,
        db: SessionFactory,
        clock: Callable[[], datetime],
        *,
        delay: float = DELAY,
        thread_start: Callable[[], None] | None = None,
        privacy_url: str | None = None,
    ) -> None:
        self._clients, self._db, self._clock = clients, db, clock
        self._privacy_url = privacy_url
        self._pages: dict[Actor, int] = {}
        self._opened: set[Actor] = set()  # the next run is for an open (interactive)
        self._lock = threading.Lock()
        self._runs = Debouncer(
            self._publish, delay=delay, name="home-refresher", thread_start=thread_start
        )

    def request(self, team_id: str, user_ids: Iterable[str]) -> None:
        """Ask for these people's Home tabs to be republished soon."""
        self._runs.request(team_id, user_ids)

    def publish_now(self, actor: Actor, *, page: int | None = None, opened: bool = True) -> None:
        """Publish one person's Home tab right away (it was opened, or a page was chosen)."""
        with self._lock:
            if page is not None:
                self._pages[actor] = page
            if opened:
                self._opened.add(actor)
        self._runs.run_now(actor.team_id, actor.user_id)

    def flush(self) -> int:
        """Publish everything pending now; returns how many were asked for."""
        return self._runs.flush()

    def stop(self, *, flush: bool = False) -> None:
        """Stop; pending publishes are dropped (rebuilt on the next open) unless `flush`."""
        self._runs.stop(flush=flush)

    def _publish(self, team_id: str, user_id: str) -> None:
        actor = Actor(team_id, user_id)
        with self._lock:
            page = self._pages.get(actor, 0)
            opened = actor in self._opened
            self._opened.discard(actor)
        publish_home(
            self._db,
            self._clients,
            actor,
            now=self._clock(),
            page=page,
            opened=opened,
            privacy_url=self._privacy_url,
        )
