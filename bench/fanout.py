"""Benchmark: a busy Monday. N agendas fall due at the same moment; the bot posts them
against a fake Slack that enforces Slack's limits (one message a second per channel, a
workspace token bucket of rate R and burst B, 429 with Retry-After past them), while a person
keeps adding talking points.

Run by hand (not part of the tests):

    .venv/bin/python bench/fanout.py --agendas 500 --processes 2 [--database-url URL]

The bot runs as operators run it (`python -m bot run`, HTTP mode, 1 or 2 processes on one
database, caches cold); the fake Slack runs in this process. Reported: time from the first to
the last post against the floor the limits allow, (N - B) / R; the latest post past its due
time; duplicates; missing; 429s; the time a person waits for the confirmation of
`/oneonone add` during the fan-out against idle; the bot processes' peak resident memory.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # the fake Slack of the tests

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine

from store.db import create_db_engine
from store.migrate import upgrade
from store.models import DueWork, Meeting, Pair, Person, WorkKind, people_key
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

REPO = Path(__file__).parents[1]
TEAM = "T0001"
SECRET = "bench-signing-secret"
ADDER = "U_ADDER"  # the person who keeps adding talking points (one 1:1, never due)
LATE_TARGET = 60.0


@dataclass
class Options:
    agendas: int
    processes: int
    database_url: str
    rate: float  # posts per second the fake allows per workspace
    burst: int
    samples_every: float


@dataclass
class Run:
    """What happened, as the fake Slack saw it."""

    due_at: float
    posted: dict[str, list[float]] = field(default_factory=dict)  # work key -> post times
    idle_waits: list[float] = field(default_factory=list)
    busy_waits: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    rate_limited: int = 0


def main() -> None:
    options = parse_args()
    with tempfile.TemporaryDirectory() as scratch, FakeSlack() as fake:
        database_url = options.database_url or f"sqlite:///{Path(scratch) / 'fanout.db'}"
        engine = fresh_database(database_url)
        fake.limit_posts(per_channel_interval=1.0, rate=options.rate, burst=options.burst)
        early = options.agendas / (options.rate * 0.95) - 45
        due_at = datetime.now(UTC) + timedelta(seconds=max(early, 0) + 40)
        seed(engine, fake, options.agendas, due_at)
        engine.dispose()
        print(f"seeded {options.agendas} agendas due at {due_at:%H:%M:%S} UTC", flush=True)
        run = Run(due_at=due_at.timestamp())
        bots = [
            start_bot(fake, database_url, scratch, n, options) for n in range(options.processes)
        ]
        try:
            measure(run, fake, bots, options)
        finally:
            for process, _port in bots:
                process.send_signal(signal.SIGTERM)
            for process, _port in bots:
                process.wait(timeout=60)
        report(run, options)


def parse_args() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agendas", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1, choices=(1, 2))
    parser.add_argument("--database-url", default="", help="default: a SQLite file")
    parser.add_argument("--rate", type=float, default=5.0, help="posts/s per workspace (R)")
    parser.add_argument("--burst", type=int, default=20, help="bucket size (B)")
    parser.add_argument("--samples-every", type=float, default=0.5, help="seconds between adds")
    args = parser.parse_args()
    return Options(
        args.agendas, args.processes, args.database_url, args.rate, args.burst, args.samples_every
    )


def fresh_database(url: str) -> Engine:
    engine = create_db_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def seed(engine: Engine, fake: FakeSlack, count: int, due_at: datetime) -> None:
    """`count` pairs, each with its group DM opened and its next meeting an hour after
    `due_at`, whose agenda post is due at `due_at` (prompts already sent); and the adder's
    own 1:1, far away. Bulk inserts: seeding is not what is measured."""
    starts = due_at + timedelta(hours=1)
    pairs, people = [], []
    for n in range(count + 1):
        manager, report = (f"U_M{n:05d}", f"U_R{n:05d}") if n < count else ("U_BOSS", ADDER)
        pairs.append(_pair(n + 1, manager, report, starts, fake))
        people += [manager, report]
    with engine.begin() as connection:
        connection.execute(insert(Pair), pairs)
        connection.execute(insert(Meeting), [_meeting(p, starts, due_at) for p in pairs])
        work = [_agenda_work(p["id"], due_at) for p in pairs[:count]]
        connection.execute(insert(DueWork), work)
        connection.execute(insert(Person), [_person(user, due_at) for user in people])
        # the adder's meeting is next month: nothing of it falls due during the run
        connection.execute(
            update(Meeting)
            .where(Meeting.pair_id == count + 1)
            .values(starts_at=starts + timedelta(days=30), slot_at=starts + timedelta(days=30))
        )
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("pair", "meeting"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count + 1})")
                )
    for user in people:
        fake.add_user(user, tz="UTC")


def _pair(pair_id: int, manager: str, report: str, starts: datetime, fake: FakeSlack) -> dict:
    return {
        "id": pair_id,
        "team_id": TEAM,
        "manager_id": manager,
        "report_id": report,
        "people_key": people_key(manager, report),
        "channel_id": fake.group_id([manager, report]),
        "cadence": "weekly",
        "weekday": starts.weekday(),
        "local_time": clock_time(starts.hour, starts.minute),
        "timezone": "UTC",
        "first_date": starts.date(),
        "duration_minutes": 30,
        "prompt_lead_minutes": 24 * 60,
        "agenda_lead_minutes": 60,
        "created_at": starts - timedelta(days=7),
    }


def _meeting(pair: dict, starts: datetime, now: datetime) -> dict:
    return {
        "id": pair["id"],
        "team_id": TEAM,
        "pair_id": pair["id"],
        "slot_at": starts,
        "starts_at": starts,
        "duration_minutes": 30,
        "status": "scheduled",
        "unscheduled": False,
        "agenda_channel_id": pair["channel_id"],
        "created_at": now - timedelta(days=7),
    }


def _agenda_work(meeting_id: int, due_at: datetime) -> dict:
    return {
        "team_id": TEAM,
        "key": f"{WorkKind.AGENDA}:{meeting_id}",
        "kind": WorkKind.AGENDA,
        "meeting_id": meeting_id,
        "next_attempt_at": due_at,
        "expires_at": due_at + timedelta(hours=1),
        "attempts": 0,
    }


def _person(user_id: str, now: datetime) -> dict:
    return {
        "team_id": TEAM,
        "user_id": user_id,
        "known": True,
        "name": user_id,
        "tz": "UTC",
        "is_bot": False,
        "deleted": False,
        "fetched_at": now,
    }


def start_bot(
    fake: FakeSlack, database_url: str, scratch: str, n: int, options: Options
) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ONEONONE_", "DATABASE"))
    }
    env |= {
        "PYTHONPATH": str(REPO),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "ONEONONE_POSTS_PER_MINUTE": str(int(options.rate * 60)),
    }
    log = open(Path(scratch) / f"bot{n}.log", "wb")  # noqa: SIM115 - lives as long as the bot
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=scratch, env=env, stdout=log, stderr=log
    )
    _wait_healthy(port, process)
    return process, port


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    slack = SlackRequests(f"http://127.0.0.1:{port}", SECRET)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the bot exited with {process.returncode}")
        try:
            if slack.get("/healthz").status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the bot did not start")


def measure(
    run: Run, fake: FakeSlack, bots: list[tuple[subprocess.Popen[bytes], int]], options: Options
) -> None:
    """Add talking points until every agenda is posted (or it is hopeless); sample memory."""
    slack = SlackRequests(f"http://127.0.0.1:{bots[0][1]}", SECRET)
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_rss, args=(run, bots, stop), daemon=True)
    sampler.start()
    give_up = run.due_at + options.agendas / options.rate * 2 + 120
    while time.time() < give_up:
        posted = _agenda_posts(fake)
        if len(posted) >= options.agendas:
            break
        wait = _add_point(slack, fake)
        busy = bool(posted)  # the fan-out has begun (maybe before the due time: early start)
        (run.busy_waits if busy else run.idle_waits).append(wait)
        time.sleep(options.samples_every)
    stop.set()
    run.posted = _agenda_posts(fake)
    run.rate_limited = fake.rate_limited("chat.postMessage")


def _add_point(slack: SlackRequests, fake: FakeSlack) -> float:
    """`/oneonone add …` as the adder; seconds until its confirmation reached Slack."""
    name = f"add-{uuid.uuid4().hex}"
    started = time.monotonic()
    reply = slack.command(f"add topic {name}", user_id=ADDER, response_url=fake.response_url(name))
    assert reply.status == 200, reply
    fake.wait_for_response(name, timeout=30)
    return time.monotonic() - started


def _agenda_posts(fake: FakeSlack) -> dict[str, list[float]]:
    posts: dict[str, list[float]] = {}
    for message in fake.messages():
        key = (message.get("metadata") or {}).get("event_payload", {}).get("work", "")
        if key.startswith("agenda:"):
            posts.setdefault(key, []).append(float(message["ts"]))
    return posts


def _sample_rss(
    run: Run, bots: list[tuple[subprocess.Popen[bytes], int]], stop: threading.Event
) -> None:
    while not stop.wait(1.0):
        for process, _port in bots:
            run.peak_rss_mb = max(run.peak_rss_mb, _rss_mb(process.pid))


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(run: Run, options: Options) -> None:
    times = sorted(t for posts in run.posted.values() for t in posts)
    duplicates = sum(len(p) - 1 for p in run.posted.values())
    missing = options.agendas - len(run.posted)
    floor = (options.agendas - options.burst) / options.rate
    span = times[-1] - times[0] if times else float("nan")
    latest = max((min(p) - run.due_at for p in run.posted.values()), default=float("nan"))
    earliest = min((min(p) - run.due_at for p in run.posted.values()), default=float("nan"))
    idle90, busy90 = _percentile(run.idle_waits, 0.9), _percentile(run.busy_waits, 0.9)
    kind = "PostgreSQL" if options.database_url.startswith("postgresql") else "SQLite"
    print(f"posts: {len(times)} ({len(run.posted)} agendas); 429s: {run.rate_limited}")
    print(f"first post {earliest:+.1f} s, last post {latest:+.1f} s from the due time")
    print(f"first-to-last {span:.1f} s; floor (N - B) / R = {floor:.1f} s")
    idle50 = statistics.median(run.idle_waits or [0])
    busy50 = statistics.median(run.busy_waits or [0])
    print(
        f"/oneonone add confirmation: idle p50 {idle50 * 1000:.0f} ms p90 {idle90 * 1000:.0f} ms"
        f" (n={len(run.idle_waits)}); during the fan-out p50 {busy50 * 1000:.0f} ms"
        f" p90 {busy90 * 1000:.0f} ms (n={len(run.busy_waits)})"
    )
    print(
        f"SUMMARY fanout N={options.agendas} processes={options.processes} db={kind} "
        f"R={options.rate:g}/s B={options.burst}: first-to-last {span:.1f} s = "
        f"{span / floor:.3f}x floor {floor:.1f} s; latest {latest:+.1f} s past due "
        f"(target <= {LATE_TARGET:.0f}); duplicates {duplicates}; missing {missing}; "
        f"429s {run.rate_limited}; add p90 {busy90 * 1000:.0f} ms busy vs {idle90 * 1000:.0f} ms "
        f"idle; peak RSS {run.peak_rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
