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
from bot.slack_client import create_client
from handlers.home import HomeRefresher
from store.db import SessionFactory, session_factory
from tests.db_fixtures import sqlite_engine
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

SIGNING_SECRET = "test-signing-secret"
HOME_DELAY = 3600.0  # Home tabs are published by settle() (a flush), never by the timer
BOT_TOKEN = "xoxb-test-token"


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
    client: WebClient
    engine: Engine
    db: SessionFactory
    clock: FakeClock
    url: str
    executor: TrackingExecutor
    server: Any
    homes: HomeRefresher

    def tick(self) -> DueReport:
        """Run due work once at the clock's time (what the scheduler does every tick)."""
        return run_due(self.db, self.client, self.clock(), self.homes)

    def settle(self) -> None:
        """Wait until every listener started so far has finished its work after the ack,
        then publish the Home tabs those changes asked for (the debounce, without waiting)."""
        self.executor.wait_idle()
        self.homes.flush()


def _serve(server: Any) -> None:
    # Closing the socket from the test thread can wake select() with EBADF: that is the stop.
    try:
        server.run()
    except OSError:
        if server.accepting:
            raise


def start_bot(fake: FakeSlack, tmp_path: Path, clock: FakeClock) -> RunningBot:
    """Build the app exactly as `oneonone run` does and serve it on 127.0.0.1, port 0."""
    engine = sqlite_engine(tmp_path)
    db = session_factory(engine)
    client = create_client(token=BOT_TOKEN, api_url=fake.url)
    executor = TrackingExecutor(max_workers=4)
    homes = HomeRefresher(client, db, clock, delay=HOME_DELAY)
    app = create_app(
        client=client,
        signing_secret=SIGNING_SECRET,
        db=db,
        clock=clock,
        executor=executor,
        homes=homes,
    )
    server = create_http_server(create_wsgi_app(app, engine), host="127.0.0.1", port=0)
    threading.Thread(target=_serve, args=(server,), name="http", daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    slack = SlackRequests(url, SIGNING_SECRET, response_urls=fake.response_url)
    return RunningBot(slack, fake, app, client, engine, db, clock, url, executor, server, homes)


def stop_bot(bot: RunningBot) -> None:
    """Let listeners finish, then stop the server and close the database."""
    bot.executor.shutdown(wait=True)
    bot.homes.stop()
    bot.server.close()
    bot.engine.dispose()
