"""Coalesced refreshes: a burst of changes to one thing becomes one Slack call after a short
quiet, made by a background thread; passing Slack failures are tried again later."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})
RETRY_MAX = 60.0  # the longest wait before trying again after a failure

Key = tuple[str, str]  # (team_id, what: a user id, a meeting id, …)
Work = Callable[[str, str], None]


class Debouncer:
    """Runs `work(team_id, key)` once per key after `delay` seconds without a new request for
    it; one run per key at a time, so a result built from older data never lands last.

    `delay` is wall-clock debouncing, not domain time; tests call `flush()` instead of waiting.
    """

    def __init__(
        self,
        work: Work,
        *,
        delay: float,
        name: str,
        thread_start: Callable[[], None] | None = None,
    ) -> None:
        self._work, self._delay, self._name = work, delay, name
        self._thread_start = thread_start  # e.g. a lower OS priority for this thread
        self._pending: dict[Key, float] = {}  # key -> when to run (monotonic)
        self._failures: dict[Key, int] = {}
        self._running: dict[Key, threading.Lock] = {}
        self._lock = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def request(self, team_id: str, keys: Iterable[str]) -> None:
        """Run the work for these keys soon (a key already waiting keeps its turn)."""
        due = time.monotonic() + self._delay
        with self._lock:
            if self._stopped:
                return
            for key in keys:
                self._pending.setdefault((team_id, key), due)
            self._lock.notify()

    def run_now(self, team_id: str, key: str) -> None:
        """Run the work for one key in the calling thread, now (what was waiting is done)."""
        with self._lock:
            self._pending.pop((team_id, key), None)
        self._run((team_id, key))

    def flush(self) -> int:
        """Run everything waiting now; returns how many."""
        with self._lock:
            due, self._pending = list(self._pending), {}
        for key in due:
            self._run(key)
        return len(due)

    def stop(self, *, flush: bool = False) -> None:
        """Stop the thread; what is still waiting is dropped (or run first, with `flush`)."""
        if flush:
            self.flush()
        with self._lock:
            self._stopped = True
            self._pending.clear()
            self._lock.notify()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        if self._thread_start is not None:
            self._thread_start()
        while True:
            with self._lock:
                while not self._stopped and not self._ready():
                    self._lock.wait(timeout=self._wait())
                if self._stopped:
                    return
                now = time.monotonic()
                due = [k for k, at in self._pending.items() if at <= now]
                for key in due:
                    del self._pending[key]
            for key in due:
                self._run(key)

    def _ready(self) -> bool:
        now = time.monotonic()
        return any(at <= now for at in self._pending.values())

    def _wait(self) -> float | None:
        if not self._pending:
            return None
        return max(0.0, min(self._pending.values()) - time.monotonic())

    def _run(self, key: Key) -> None:
        with self._lock:
            one_at_a_time = self._running.setdefault(key, threading.Lock())
        with one_at_a_time:
            try:
                self._work(*key)
            except SlackApiError as error:
                self._retry_later(key, error.response.get("error") or "")
            except Exception:
                log.exception("%s of %s failed", self._name, key[1])
            else:
                self._failures.pop(key, None)

    def _retry_later(self, key: Key, error: str) -> None:
        if error not in TRANSIENT:
            log.warning("%s of %s not done: %s", self._name, key[1], error)
            return
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        wait = min(RETRY_MAX, max(self._delay, 0.5) * 2**failures)
        log.info("%s of %s: %s, trying again in %.0f s", self._name, key[1], error, wait)
        with self._lock:
            if not self._stopped:
                self._pending.setdefault(key, time.monotonic() + wait)
                self._lock.notify()
