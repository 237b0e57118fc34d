"""FakeSlack's answers and faults: fail(), rate limits, held calls, lost and late answers."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

POST_METHOD = "chat.postMessage"
EPSILON = 1e-9  # float slack when a refilled bucket should hold exactly one token
Key = str | None  # the bearer token of a call: limits are per token (per workspace)
Args = dict[str, Any]


@dataclass
class Answer:
    """An HTTP answer: a dict is sent as JSON, a str as text/plain; `dropped` sends nothing."""

    status: int
    body: Args | str
    headers: dict[str, str] = field(default_factory=dict)
    dropped: bool = False

    @property
    def ok(self) -> bool:
        """HTTP 200 with `"ok": true`."""
        return self.status == 200 and isinstance(self.body, dict) and self.body.get("ok") is True


def error_body(error: str) -> Args:
    """Slack's `{"ok": false, "error": …}`."""
    return {"ok": False, "error": error}


@dataclass
class Fault:
    """An injected failure for the next `times` calls of one method."""

    status: int
    error: str | None
    retry_after: int | None
    times: int

    def answer(self) -> Answer:
        """The failing answer, shaped as Slack sends it."""
        if self.status == 429:
            headers = {"Retry-After": str(self.retry_after or 0)}
            return Answer(429, error_body(self.error or "ratelimited"), headers)
        if self.status != 200:
            return Answer(self.status, error_body(self.error or "internal_error"))
        return Answer(200, error_body(self.error or "fatal_error"))


class Pending(Protocol):
    """An injected fault used up after `times` calls."""

    times: int


P = TypeVar("P", bound=Pending)


def take_pending(pending: dict[str, list[P]], method: str) -> P | None:
    """Consume one use of the first pending entry for `method`."""
    entries = pending.get(method)
    if not entries:
        return None
    entry = entries[0]
    entry.times -= 1
    if entry.times <= 0:
        entries.pop(0)
    return entry


def ratelimited(wait: float) -> Answer:
    """HTTP 429 with Retry-After: the wait in whole seconds, rounded up, at least 1."""
    seconds = max(1, math.ceil(round(wait, 6)))
    return Answer(429, error_body("ratelimited"), {"Retry-After": str(seconds)})


@dataclass
class LostAnswer:
    """lose_answer(): the call is processed, then its answer is dropped or replaced."""

    status: int | None
    times: int

    def answer(self) -> Answer:
        """Nothing (the connection is closed) or HTTP `status` with internal_error."""
        if self.status is None:
            return Answer(0, "", dropped=True)
        return Answer(self.status, error_body("internal_error"))


@dataclass
class Delay:
    """delay(): the call is processed, its answer is sent `seconds` later."""

    seconds: float
    times: int


@dataclass
class TokenBucket:
    """`rate` tokens a second up to `burst`, one bucket per token; a bucket starts full."""

    rate: float
    burst: int
    levels: dict[Key, tuple[float, float]] = field(default_factory=dict)

    def wait(self, key: Key, now: float) -> float:
        """Seconds until `key` has a whole token (0.0 if it has one now)."""
        tokens = self._level(key, now)
        return 0.0 if tokens >= 1 - EPSILON else (1 - tokens) / self.rate

    def take(self, key: Key, now: float) -> None:
        """Spend one token of `key`."""
        self.levels[key] = (self._level(key, now) - 1, now)

    def _level(self, key: Key, now: float) -> float:
        """Tokens `key` holds at `now`."""
        tokens, at = self.levels.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + max(0.0, now - at) * self.rate)


@dataclass
class ChannelGap:
    """At most one accepted message per token and channel every `interval` seconds."""

    interval: float
    last: dict[tuple[Key, str], float] = field(default_factory=dict)

    def wait(self, key: tuple[Key, str], now: float) -> float:
        """Seconds until the channel takes another message."""
        last = self.last.get(key)
        return 0.0 if last is None else max(0.0, last + self.interval - now)


class Limits:
    """Rate limits per method and token; none until limit() or limit_posts()."""

    def __init__(self) -> None:
        self.buckets: dict[str, TokenBucket] = {}
        self.gap: ChannelGap | None = None

    def wait(self, method: str, token: Key, channel: str | None, now: float) -> float:
        """Seconds the call must wait (0.0 when it is within every limit)."""
        waits = [0.0]
        if bucket := self.buckets.get(method):
            waits.append(bucket.wait(token, now))
        if method == POST_METHOD and self.gap and channel:
            waits.append(self.gap.wait((token, channel), now))
        return max(waits)

    def take(self, method: str, token: Key, now: float) -> None:
        """An accepted call spends one token."""
        if bucket := self.buckets.get(method):
            bucket.take(token, now)

    def posted(self, token: Key, channel: str, now: float) -> None:
        """A message was stored in `channel`: the next one there waits `interval`."""
        if self.gap:
            self.gap.last[(token, channel)] = now

    def clear(self) -> None:
        """Drop every limit."""
        self.buckets.clear()
        self.gap = None


class Hold:
    """Calls of one method held in the server thread until release()."""

    def __init__(self, method: str, *, after_accept: bool) -> None:
        self.method = method
        self.after_accept = after_accept
        self._cond = threading.Condition()
        self._held = 0
        self._released = False

    @property
    def held(self) -> int:
        """How many calls are being held now."""
        with self._cond:
            return self._held

    @property
    def released(self) -> bool:
        """Whether release() was called (calls pass straight through)."""
        with self._cond:
            return self._released

    def block(self) -> None:
        """Called in the server thread: wait here until release()."""
        with self._cond:
            self._held += 1
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._released)
            self._held -= 1

    def wait_held(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until at least `count` calls are being held."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._held >= count, timeout):
                raise AssertionError(
                    f"expected {count} held {self.method} call(s) within {timeout}s; "
                    f"{self._held} held"
                )

    def release(self) -> None:
        """Let every held and future call through."""
        with self._cond:
            self._released = True
            self._cond.notify_all()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class Holds:
    """A FakeSlack's holds and late answers, on their own lock (never the server's)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._holds: list[Hold] = []
        self._generation = 0

    def add(self, hold: Hold) -> Hold:
        """Start holding calls."""
        with self._cond:
            self._holds.append(hold)
        return hold

    def block(self, method: str, *, after_accept: bool) -> None:
        """Wait in every active hold of `method` for this phase of the call."""
        with self._cond:
            self._holds = [h for h in self._holds if not h.released]
            holds = [h for h in self._holds if (h.method, h.after_accept) == (method, after_accept)]
        for hold in holds:
            hold.block()

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, or less if release_all() is called meanwhile."""
        with self._cond:
            generation = self._generation
            self._cond.wait_for(lambda: self._generation != generation, seconds)

    def release_all(self) -> None:
        """Release every hold and cut every sleep short."""
        with self._cond:
            holds, self._holds = self._holds, []
            self._generation += 1
            self._cond.notify_all()
        for hold in holds:
            hold.release()
