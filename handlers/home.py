"""The Home tab: published when opened, and again (coalesced) whenever what it shows changes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.home import home_view
from handlers.people import time_zone
from store.access import Actor
from store.db import SessionFactory
from store.home import home_data

log = logging.getLogger(__name__)

DELAY = 1.0  # seconds of quiet before a person's Home tab is republished
RETRY_MAX = 60.0  # the longest wait before publishing again after a failure
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})


def publish_home(
    client: WebClient, db: SessionFactory, actor: Actor, *, now: datetime, page: int = 0
) -> None:
    """Build one person's Home view from the store and publish it."""
    today = now.astimezone(ZoneInfo(time_zone(client, actor.user_id))).date()
    with db() as session:
        data = home_data(session, actor, now=now)
    client.views_publish(user_id=actor.user_id, view=home_view(data, page=page, today=today))


class HomeRefresher:
    """Republishes Home tabs after changes: a burst of changes for one person becomes one
    `views.publish` after `delay` seconds of quiet; failures are tried again, never dropped.

    `delay` is wall-clock debouncing, not domain time; tests call `flush()` instead of waiting.
    """

    def __init__(
        self,
        client: WebClient,
        db: SessionFactory,
        clock: Callable[[], datetime],
        *,
        delay: float = DELAY,
    ) -> None:
        self._client, self._db, self._clock, self._delay = client, db, clock, delay
        self._pending: dict[Actor, float] = {}  # person -> when to publish (monotonic)
        self._failures: dict[Actor, int] = {}
        self._pages: dict[Actor, int] = {}
        self._publishing: dict[Actor, threading.Lock] = {}  # one publish per person at a time
        self._lock = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="home-refresher", daemon=True)
        self._thread.start()

    def request(self, team_id: str, user_ids: Iterable[str]) -> None:
        """Ask for these people's Home tabs to be republished soon."""
        due = time.monotonic() + self._delay
        with self._lock:
            for user_id in user_ids:
                self._pending.setdefault(Actor(team_id, user_id), due)
            self._lock.notify()

    def publish_now(self, actor: Actor, *, page: int | None = None) -> None:
        """Publish one person's Home tab right away (it was opened, or a page was chosen)."""
        with self._lock:
            if page is not None:
                self._pages[actor] = page
            self._pending.pop(actor, None)
            chosen = self._pages.get(actor, 0)
        self._publish(actor, chosen)

    def flush(self) -> int:
        """Publish everything pending now; returns how many were published."""
        with self._lock:
            due, self._pending = list(self._pending), {}
        for actor in due:
            self._publish(actor, self._pages.get(actor, 0))
        return len(due)

    def stop(self) -> None:
        """Stop the background thread (pending publishes are flushed first)."""
        self.flush()
        with self._lock:
            self._stopped = True
            self._lock.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stopped and not self._ready():
                    self._lock.wait(timeout=self._wait())
                if self._stopped:
                    return
                now = time.monotonic()
                due = [a for a, at in self._pending.items() if at <= now]
                for actor in due:
                    del self._pending[actor]
            for actor in due:
                self._publish(actor, self._pages.get(actor, 0))

    def _ready(self) -> bool:
        now = time.monotonic()
        return any(at <= now for at in self._pending.values())

    def _wait(self) -> float | None:
        if not self._pending:
            return None
        return max(0.0, min(self._pending.values()) - time.monotonic())

    def _publish(self, actor: Actor, page: int) -> None:
        # Building and publishing run under the person's lock: a view built from older data
        # can never land after one built from newer data.
        with self._lock:
            one_at_a_time = self._publishing.setdefault(actor, threading.Lock())
        with one_at_a_time:
            self._publish_once(actor, page)

    def _publish_once(self, actor: Actor, page: int) -> None:
        try:
            publish_home(self._client, self._db, actor, now=self._clock(), page=page)
        except SlackApiError as error:
            self._retry_later(actor, error.response.get("error") or "")
        except Exception:
            log.exception("could not publish the Home tab of %s", actor.user_id)
        else:
            self._failures.pop(actor, None)

    def _retry_later(self, actor: Actor, error: str) -> None:
        if error not in TRANSIENT:
            log.warning("Home tab of %s not published: %s", actor.user_id, error)
            return
        failures = self._failures.get(actor, 0) + 1
        self._failures[actor] = failures
        wait = min(RETRY_MAX, self._delay * 2**failures)
        log.info("Home tab of %s: %s, trying again in %.0f s", actor.user_id, error, wait)
        with self._lock:
            self._pending.setdefault(actor, time.monotonic() + wait)
            self._lock.notify()
