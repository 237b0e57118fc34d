"""Paced fan-out that is never late: the planner looks ahead at the work falling due, and when
more of it falls due than Slack's budget lets out in time, starts early, just enough that
each post goes out at most LATE_OK after its due time. Released work is done by a few
sender threads (the Dispatcher), in order, each claimed just before it is sent."""

from __future__ import annotations

import heapq
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.due import after_done
from bot.metrics import Metrics
from bot.priority import yield_to_acks
from handlers.context import Clients, Refresher
from handlers.deliver import deliver
from store.db import SessionFactory
from store.due_work import Planned, abandon, planned

log = logging.getLogger(__name__)

LOOKAHEAD = timedelta(hours=2)  # room for about 30,000 posts at 300 a minute
LATE_OK = timedelta(seconds=45)  # each post at most this late (the promise is 60 s)
WORKERS = 4  # Slack answers in ~100-300 ms; a post is due every ~0.2 s at full budget
STOP_GRACE = 3.0  # seconds a call in flight may take to finish at shutdown


def release_times(
    work: Iterable[Planned],
    *,
    interval: float,
    channel_interval: float,
    late_ok: timedelta = LATE_OK,
) -> dict[int, datetime]:
    """When to start each piece of one workspace's work: sent one per `interval` seconds (one
    per `channel_interval` in one conversation), none later than `late_ok` after its due time,
    and none earlier than that requires (work with no backlog starts when it is due)."""
    releases: dict[int, datetime] = {}
    following: datetime | None = None  # the latest start of the next piece, in due order
    in_channel: dict[str, datetime] = {}
    for piece in sorted(work, key=lambda w: (w.due_at, w.work_id), reverse=True):
        latest = piece.due_at + late_ok
        if following is not None:
            latest = min(latest, following - timedelta(seconds=interval))
        if piece.channel_key in in_channel:
            latest = min(
                latest, in_channel[piece.channel_key] - timedelta(seconds=channel_interval)
            )
        following = in_channel[piece.channel_key] = latest
        releases[piece.work_id] = min(piece.due_at, latest)
    return releases


def plan(
    work: Iterable[Planned], *, now: datetime, interval: float, channel_interval: float
) -> list[tuple[datetime, datetime, int]]:
    """(release, due, work id) of the work to start by `now`, across workspaces (each has its
    own budget), soonest release first."""
    by_team: dict[str, list[Planned]] = defaultdict(list)
    for piece in work:
        by_team[piece.team_id].append(piece)
    released = []
    for pieces in by_team.values():
        releases = release_times(pieces, interval=interval, channel_interval=channel_interval)
        due = {p.work_id: p.due_at for p in pieces}
        released += [(at, due[i], i) for i, at in releases.items() if at <= now]
    return sorted(released)


class Dispatcher:
    """A few sender threads doing released work in order of release; every process has one,
    and the claims decide who does what."""

    def __init__(
        self,
        db: SessionFactory,
        clients: Clients,
        clock: Callable[[], datetime],
        *,
        homes: Refresher | None = None,
        metrics: Metrics | None = None,
        workers: int = WORKERS,
    ) -> None:
        self._db, self._clients, self._clock = db, clients, clock
        self._homes, self._metrics = homes, metrics
        self._queue: list[tuple[datetime, datetime, int]] = []
        self._queued: set[int] = set()
        self._in_flight: set[int] = set()
        self._cond = threading.Condition()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._work, name=f"due-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def offer(self, released: Iterable[tuple[datetime, datetime, int]]) -> int:
        """Queue released work not queued yet; returns how many were added."""
        added = 0
        with self._cond:
            for entry in released:
                if entry[2] not in self._queued and not self._stopped:
                    heapq.heappush(self._queue, entry)
                    self._queued.add(entry[2])
                    added += 1
            self._cond.notify_all()
        return added

    def idle(self) -> bool:
        """Nothing queued and nothing being done."""
        with self._cond:
            return not self._queue and not self._in_flight

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop taking work; wait `grace` seconds for calls in flight, and give back at once
        whatever is still held (the next start looks for its posts before posting again)."""
        with self._cond:
            self._stopped = True
            self._queue.clear()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=grace / len(self._threads))
        with self._cond:
            held = sorted(self._in_flight)
        if held:
            with self._db() as session:
                given_back = abandon(session, held)
            log.info("stopped with %s piece(s) of due work in flight, given back", given_back)

    def _work(self) -> None:
        yield_to_acks()
        while True:
            with self._cond:
                while not self._stopped and not self._queue:
                    self._cond.wait()
                if self._stopped:
                    return
                _release, due, work_id = heapq.heappop(self._queue)
                self._in_flight.add(work_id)
            try:
                self._do(work_id, due)
            finally:
                with self._cond:
                    self._in_flight.discard(work_id)
                    self._queued.discard(work_id)

    def _do(self, work_id: int, due: datetime) -> None:
        now = self._clock()
        try:
            done = deliver(self._db, self._clients, work_id, now=now, due_by=max(due, now))
        except Exception:
            log.exception("due work %s failed; it is planned again", work_id)
            return
        if done is not None:
            after_done(done, now=self._clock(), homes=self._homes, metrics=self._metrics)


class Planner:
    """Looks ahead every second (whatever the housekeeping interval) and hands the work
    whose start has come to the dispatcher."""

    def __init__(
        self,
        db: SessionFactory,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        *,
        interval: float,
        channel_interval: float,
        lookahead: timedelta = LOOKAHEAD,
    ) -> None:
        self._db, self._dispatcher, self._clock = db, dispatcher, clock
        self._interval, self._channel_interval = interval, channel_interval
        self._lookahead = lookahead

    def run_once(self) -> int:
        """One look ahead; returns how many pieces of work were released."""
        now = self._clock()
        with self._db.read() as session:
            work = planned(session, now=now, until=now + self._lookahead)
        released = plan(
            work, now=now, interval=self._interval, channel_interval=self._channel_interval
        )
        return self._dispatcher.offer(released)
