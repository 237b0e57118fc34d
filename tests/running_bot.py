"""A real bot for scenario tests: the Bolt app behind its real HTTP server, on a fake Slack."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.app import create_app
from bot.due import DueReport, run_due
from bot.http import create_http_server, create_wsgi_app
from bot.metrics import Metrics
from bot.pacing import Limiter, Rate
from bot.runtime import Runtime, build_runtime
from bot.slack_client import SlackClients
from handlers.agendas import AgendaRefresher
from handlers.calendar import feed_server
from handlers.context import FeedMode
from handlers.home import HomeRefresher
from store.db import SessionFactory
from tests.db_fixtures import sqlite_engine
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

SIGNING_SECRET = "test-signing-secret"
HOME_DELAY = 3600.0  # Home tabs and agendas are refreshed by settle(), never by the timer
UNLIMITED = Rate(1_000_000, 1_000)
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0001"


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, remembering what it runs so tests can wait for it."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.append(future)
        return future

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until every submitted listener has finished (listeners may submit more)."""
        while True:
            with self._lock:
                pending = [f for f in self._futures if not f.done()]
            if not pending:
                return
            wait(pending, timeout=timeout)


@dataclass
class FakeClock:
    """The bot's clock in tests: it moves only when a test moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move time forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class RunningBot:
    """Everything a scenario test touches: Slack's side, the bot's side, and time."""

    slack: SlackRequests
    fake: FakeSlack
    app: App
    runtime: Runtime
    clock: FakeClock
    url: str
    executor: TrackingExecutor
    server: Any

    @property
    def clients(self) -> SlackClients:
        """The bot's Slack clients."""
        return self.runtime.clients

    @property
    def client(self) -> WebClient:
        """The interactive client of the test workspace."""
        return self.runtime.clients.interactive(TEAM_ID)

    @property
    def engine(self) -> Engine:
        """The bot's database engine."""
        return self.runtime.engine

    @property
    def db(self) -> SessionFactory:
        """The bot's sessions."""
        return self.runtime.db

    @property
    def homes(self) -> HomeRefresher:
        """The Home tab refresher."""
        return self.runtime.homes

    @property
    def agendas(self) -> AgendaRefresher:
        """The posted-agenda refresher."""
        return self.runtime.agendas

    def tick(self) -> DueReport:
        """Run due work once at the clock's time (what `oneonone tick` does)."""
        return run_due(self.db, self.clients, self.clock(), self.homes, self.runtime.metrics)

    def settle(self) -> None:
        """Wait until every listener started so far has finished its work after the ack,
        then make the agenda updates and Home tabs those changes asked for (the debounce,
        without waiting)."""
        self.executor.wait_idle()
        self.agendas.flush()
        self.homes.flush()


def _serve(server: Any) -> None:
    # Closing the socket from the test thread can wake select() with EBADF: that is the stop.
    try:
        server.run()
    except OSError:
        if server.accepting:
            raise


def unlimited() -> Limiter:
    """Scenario tests never wait for a turn: budgets far above what a test sends (the pacing
    has tests of its own, with its own clock)."""
    return Limiter(
        posts_per_minute=UNLIMITED.per_minute,
        channel_interval=0.0,
        rates={},
        default_rate=UNLIMITED,
    )


def clients_for(fake: FakeSlack, limiter: Limiter | None = None) -> SlackClients:
    """The Slack clients of one bot process on the fake (another process: another call)."""
    return SlackClients(
        token=BOT_TOKEN, api_url=fake.url, limiter=limiter or unlimited(), metrics=Metrics()
    )


def start_bot(
    fake: FakeSlack,
    tmp_path: Path,
    clock: FakeClock,
    *,
    engine: Engine | None = None,
    timeout: float = 30,
    feed: FeedMode | None = None,
) -> RunningBot:
    """Build the app exactly as `oneonone run` does and serve it on 127.0.0.1, port 0."""
    runtime = build_runtime(
        engine=engine or sqlite_engine(tmp_path),
        token=BOT_TOKEN,
        api_url=fake.url,
        clock=clock,
        limiter=unlimited(),
        home_delay=HOME_DELAY,
        agenda_delay=HOME_DELAY,
        timeout=timeout,
    )
    executor = TrackingExecutor(max_workers=4)
    app = create_app(
        clients=runtime.clients,
        signing_secret=SIGNING_SECRET,
        db=runtime.db,
        clock=clock,
        executor=executor,
        homes=runtime.homes,
        agendas=runtime.agendas,
        lane=executor,
        feed=feed,
    )
    wsgi = create_wsgi_app(
        app,
        runtime.engine,
        runtime.metrics,
        signing_secret=SIGNING_SECRET,
        feeds=feed_server(runtime.db, clock),
    )
    server = create_http_server(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=_serve, args=(server,), name="http", daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    slack = SlackRequests(url, SIGNING_SECRET, response_urls=fake.response_url)
    return RunningBot(slack, fake, app, runtime, clock, url, executor, server)


def stop_bot(bot: RunningBot) -> None:
    """Let listeners finish, then stop the server and close the database."""
    bot.executor.shutdown(wait=True)
    bot.runtime.stop()
    bot.server.close()
