"""The `oneonone` command as an operator runs it: real processes, real signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import inspect, update
from sqlmodel import Session, col, select

from bot.config import ConfigError, load_settings, read_dotenv
from store.access import Actor
from store.db import create_db_engine
from store.migrate import upgrade
from store.models import DueWork
from store.schedule import PairRequest, create_pair
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

REPO = Path(__file__).parents[1]


def clean_env(**values: str) -> dict[str, str]:
    """The process environment without any Slack or database settings, plus `values`."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "PORT", "ONEONONE_"))
    }
    keep["PYTHONPATH"] = str(REPO)
    return keep | values


def oneonone(*args: str, cwd: Path, env: dict[str, str], timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_without_configuration_explains_and_exits_2(tmp_path: Path) -> None:
    result = oneonone("run", cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is missing" in result.stderr
    assert "OAuth & Permissions" in result.stderr
    assert "SLACK_SIGNING_SECRET is missing" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "oneonone.db").exists()


def test_retention_and_privacy_url_are_read_and_checked() -> None:
    tokens = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    default = load_settings(tokens, dotenv=None)
    assert (default.retention_days, default.privacy_url) == (30, None)
    url = "https://example.com/oneonone#privacy"
    given = {"ONEONONE_RETENTION_DAYS": "7", "ONEONONE_PRIVACY_URL": url}
    settings = load_settings(tokens | given, dotenv=None)
    assert (settings.retention_days, settings.privacy_url) == (7, url)
    bad = {"ONEONONE_RETENTION_DAYS": "-1", "ONEONONE_PRIVACY_URL": "javascript:x"}
    with pytest.raises(
        ConfigError, match=r"ONEONONE_RETENTION_DAYS='-1'.*\n.*ONEONONE_PRIVACY_URL"
    ):
        load_settings(tokens | bad, dotenv=None)


def test_invalid_numbers_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"PORT='abc'.*\n.*ONEONONE_TICK_SECONDS='0'"):
        load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "PORT": "abc",
                "ONEONONE_TICK_SECONDS": "0",
            },
            dotenv=None,
        )


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# tokens\nSLACK_BOT_TOKEN='xoxb-from-file'\nexport PORT=4000\n"
        "SLACK_APP_TOKEN=xapp-1\n\nDATABASE_URL=sqlite:///x.db\n"
    )
    assert read_dotenv(dotenv)["SLACK_BOT_TOKEN"] == "xoxb-from-file"
    settings = load_settings({"PORT": "5000"}, dotenv=dotenv)
    assert (settings.bot_token, settings.port, settings.socket_mode) == (
        "xoxb-from-file",
        5000,
        True,
    )
    assert settings.signing_secret is None and settings.tick_seconds == 30
    assert settings.api_url == "https://slack.com/api/"


def test_db_upgrade_needs_no_slack_tokens(tmp_path: Path) -> None:
    result = oneonone("db", "upgrade", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    tables = inspect(create_db_engine(f"sqlite:///{tmp_path / 'oneonone.db'}")).get_table_names()
    assert {"pair", "meeting", "talking_point", "note", "action_item", "processed_event"} <= set(
        tables
    )


def test_tick_runs_due_work_once(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret", SLACK_API_URL=fake_slack.url
    )
    result = oneonone("tick", "--now", "2026-12-01T09:00:00-05:00", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "due work done" in result.stdout
    bad = oneonone("tick", "--now", "next tuesday", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "not an ISO 8601 time" in bad.stderr


def test_run_serves_health_and_help_then_stops_cleanly_on_sigterm(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=fake_slack.url,
        PORT=str(port),
        ONEONONE_TICK_SECONDS="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    slack = SlackRequests(f"http://127.0.0.1:{port}", "secret")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = slack.get("/healthz")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the bot did not start listening"
                time.sleep(0.1)
        assert (health.status, health.json()) == (200, {"ok": True})
        reply = slack.command("help")
        assert reply.status == 200 and "/oneonone schedule" in reply.body
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped" in output and "Traceback" not in output


def seed_due_agendas(database: Path, count: int, *, now: datetime) -> None:
    """`count` pairs meeting in about three hours, whose prompts and agendas are due at `now`."""
    engine = create_db_engine(f"sqlite:///{database}")
    upgrade(engine)
    starts = now + timedelta(hours=3)
    at = dict(weekday=starts.weekday(), local_time=clock_time(starts.hour), timezone="UTC")
    with Session(engine) as session:
        for n in range(count):
            create_pair(session, Actor("T0001", f"U_M{n}"), PairRequest(f"U_R{n}", **at), now=now)
        posts = col(DueWork.kind).in_(("prompt", "agenda"))
        session.execute(update(DueWork).where(posts).values(next_attempt_at=now))
        session.commit()
    engine.dispose()


def posts_per_work(fake: FakeSlack) -> Counter[str]:
    """How many messages Slack holds for each piece of due work."""
    keys = [(m.get("metadata") or {}).get("event_payload", {}).get("work") for m in fake.messages()]
    return Counter(k for k in keys if k)


def test_killed_after_slack_accepted_a_post_the_next_run_finds_it(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    seed_due_agendas(tmp_path / "oneonone.db", 3, now=now)
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret", SLACK_API_URL=fake_slack.url
    )
    hold = fake_slack.hold("chat.postMessage", after_accept=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "tick", "--now", now.isoformat()],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        hold.wait_held(1, timeout=30)  # Slack has the first post; its answer is on the way
        process.kill()  # kill -9: the bot never learns it was posted
        process.wait(timeout=10)
    finally:
        hold.release()
    assert sum(posts_per_work(fake_slack).values()) == 1
    after_lease = (now + timedelta(minutes=6)).isoformat()
    result = oneonone("tick", "--now", after_lease, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    posts = posts_per_work(fake_slack)
    assert len(posts) == 3 * 3 and set(posts.values()) == {1}  # 2 prompts + 1 agenda per pair
    assert "found" in result.stdout


def test_sigterm_during_a_rate_limited_fan_out_stops_within_seconds_and_gives_work_back(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    now = datetime.now(UTC)
    database = tmp_path / "oneonone.db"
    seed_due_agendas(database, 50, now=now)
    fake_slack.fail("chat.postMessage", status=429, retry_after=30, times=10_000)
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=fake_slack.url,
        PORT=str(port),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        fake_slack.wait_for("chat.postMessage", 1, timeout=30)  # the fan-out has begun…
        assert process.poll() is None  # …and is paused for Retry-After
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    stopped_in = time.monotonic() - started
    assert process.returncode == 0, output
    assert stopped_in < 8, f"took {stopped_in:.1f} s to stop"
    engine = create_db_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        held = session.exec(
            select(DueWork).where(
                col(DueWork.claimed_at).is_not(None), col(DueWork.done_at).is_(None)
            )
        ).all()
    engine.dispose()
    assert held == []  # every claim given back for the next start
