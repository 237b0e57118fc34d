"""Slack's rate limits, kept by the sender instead of discovered through 429s.

One limiter per process, shared by every sender: a budget per (workspace, method) paced a
little below Slack's tier, one post a second per conversation, and a pause per (workspace,
method) after a 429, for its Retry-After. Due work (the background lane) waits for its turn;
answers to people (the interactive lane) never wait, but what they use is counted, so the
background lane leaves them room. A workspace's chat.postMessage budget is shared with the
other bot processes through the database (store/budget.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from slack_sdk.errors import SlackClientError

from store.budget import push_back, reserve_slot
from store.db import SessionFactory

Lane = Literal["interactive", "background"]
INTERACTIVE: Lane = "interactive"
BACKGROUND: Lane = "background"

POST = "chat.postMessage"
PACE = 0.95  # of each budget: 429s stay rare, and interactive answers have room
CHANNEL_INTERVAL = 1.0  # Slack: about one message a second per conversation
POST_BURST = 5


@dataclass(frozen=True)
class Rate:
    """A Slack budget: calls per minute per workspace, and how many may go at once."""

    per_minute: float
    burst: int = 1

    @property
    def interval(self) -> float:
        """Seconds between two calls at the paced rate."""
        return 60.0 / (self.per_minute * PACE)


TIER_2, TIER_3, TIER_4 = Rate(20), Rate(50, 3), Rate(100, 5)
METHOD_RATES: dict[str, Rate] = {
    "chat.update": TIER_3,
    "chat.getPermalink": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,  # internal apps; distributed ones: Rate(1) (SLACK.md §4.1)
    "chat.postEphemeral": TIER_4,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
}
UNPACED = frozenset({"auth.test", "oauth.v2.access", "apps.connections.open"})


class NotCalled(SlackClientError):
    """The call was not made (the bot is stopping): Slack did nothing."""


class SharedBudget(Protocol):
    """A posting budget every bot process takes its slots from."""

    def reserve(
        self, team_id: str, method: str, *, now: float, interval: float, burst: int
    ) -> float: ...

    def push_back(self, team_id: str, method: str, *, until: float) -> None: ...


class DatabaseBudget:
    """The shared budget, kept in the bot's database (one short transaction per slot)."""

    def __init__(self, db: SessionFactory) -> None:
        self._db = db

    def reserve(
        self, team_id: str, method: str, *, now: float, interval: float, burst: int
    ) -> float:
        with self._db() as session:
            return reserve_slot(
                session, team_id=team_id, method=method, now=now, interval=interval, burst=burst
            )

    def push_back(self, team_id: str, method: str, *, until: float) -> None:
        with self._db() as session:
            push_back(session, team_id=team_id, method=method, until=until)


class Limiter:
    """Every Slack call of the process asks it first (see the module's docstring)."""

    def __init__(
        self,
        *,
        posts_per_minute: float = 300,
        channel_interval: float = CHANNEL_INTERVAL,
        rates: dict[str, Rate] | None = None,
        default_rate: Rate = TIER_3,
        shared: SharedBudget | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        self.post_rate = Rate(posts_per_minute, POST_BURST)
        self._rates = rates if rates is not None else METHOD_RATES
        self._default_rate = default_rate
        self._channel_interval = channel_interval
        self._shared = shared
        self._clock = clock
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait  # returns True when the bot is stopping
        self._lock = threading.Lock()
        self._next: dict[tuple[str, str], float] = {}  # (team, method) -> next free slot
        self._paused: dict[tuple[str, str], float] = {}  # (team, method) -> until
        self._channels: dict[tuple[str, str], float] = {}  # (team, channel) -> next free slot

    @property
    def stopping(self) -> bool:
        """The bot is shutting down: waits end and calls are not made."""
        return self._stop.is_set()

    def stop(self) -> None:
        """Wake every waiting sender: their calls are not made."""
        self._stop.set()

    def rate_of(self, method: str) -> Rate:
        """The budget a method is paced by."""
        return self.post_rate if method == POST else self._rates.get(method, self._default_rate)

    def before_call(
        self, team_id: str, method: str, *, channel: str | None = None, lane: Lane = BACKGROUND
    ) -> None:
        """Take this call's turn: wait for it in the background lane, only count it in the
        interactive one. Raises NotCalled when the bot stops meanwhile."""
        if method in UNPACED:
            return
        if lane == INTERACTIVE:
            self._count(team_id, method, channel)
            return
        if self.stopping:
            raise NotCalled("the bot is stopping; the call was not made")
        self.wait_until_resumed(team_id, method)
        posting = method == POST and channel is not None
        if posting:
            self._wait_until(self._take_channel(team_id, channel or ""))
        go = self._take_slot(team_id, method)
        if posting:  # the channel's next turn counts from when this post really goes
            self._hold_channel(team_id, channel or "", go + self._channel_interval)
        self._wait_until(go)

    def rate_limited(self, team_id: str, method: str, retry_after: float) -> None:
        """Slack answered 429: pause this workspace's method for every sender."""
        until = self._clock() + retry_after
        with self._lock:
            key = (team_id, method)
            self._paused[key] = max(self._paused.get(key, 0.0), until)
        if method == POST and self._shared is not None:
            rate = self.rate_of(method)  # a slot goes up to (burst - 1) intervals early: not now
            self._shared.push_back(team_id, method, until=until + (rate.burst - 1) * rate.interval)

    def wait_until_resumed(self, team_id: str, method: str) -> None:
        """Wait out a 429 pause of this workspace's method (NotCalled when stopping)."""
        while True:
            with self._lock:
                until = self._paused.get((team_id, method), 0.0)
            if until <= self._clock():
                return
            self._wait_until(until)

    def _take_slot(self, team_id: str, method: str) -> float:
        rate, now = self.rate_of(method), self._clock()
        if method == POST and self._shared is not None:
            return self._shared.reserve(
                team_id, method, now=now, interval=rate.interval, burst=rate.burst
            )
        with self._lock:
            key = (team_id, method)
            following = max(self._next.get(key, 0.0), now) + rate.interval
            self._next[key] = following
        return max(now, following - rate.burst * rate.interval)

    def _take_channel(self, team_id: str, channel: str) -> float:
        now = self._clock()
        with self._lock:
            if len(self._channels) > 10_000:
                self._channels = {k: at for k, at in self._channels.items() if at > now}
            go = max(self._channels.get((team_id, channel), 0.0), now)
            self._channels[(team_id, channel)] = go + self._channel_interval
        return go

    def _count(self, team_id: str, method: str, channel: str | None) -> None:
        """An interactive call goes now; the background lane's next turns move back."""
        now, rate = self._clock(), self.rate_of(method)
        if method == POST and self._shared is not None:
            self._shared.reserve(team_id, method, now=now, interval=rate.interval, burst=rate.burst)
        else:
            with self._lock:
                key = (team_id, method)
                self._next[key] = max(self._next.get(key, 0.0), now) + rate.interval
        if method == POST and channel:
            self._hold_channel(team_id, channel, now + self._channel_interval)

    def _hold_channel(self, team_id: str, channel: str, until: float) -> None:
        with self._lock:
            key = (team_id, channel)
            self._channels[key] = max(self._channels.get(key, 0.0), until)

    def _wait_until(self, moment: float) -> None:
        while (delay := moment - self._clock()) > 0:
            if self._sleep(delay) or self.stopping:
                raise NotCalled("the bot is stopping; the call was not made")
        if self.stopping:
            raise NotCalled("the bot is stopping; the call was not made")
