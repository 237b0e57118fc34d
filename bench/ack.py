"""Benchmark: how long Slack waits for the bot's HTTP answer to a signed slash command.

Run by hand (not part of the tests):

    .venv/bin/python bench/ack.py [--pairs 10000] [--points 1000000] [--samples 1000]
                                  [--rounds 3] [--database-url URL]

It seeds a database (pairs with years of weekly history and their talking points, bulk
inserted after the migrations), starts the real bot as operators do (`python -m bot run`, HTTP
mode) on a fake Slack Web API, and next to it a bare Bolt app whose `/oneonone` listener only
calls ack(), served by the same waitress server code (bot/http.py) with the same thread count.
Then, for `/oneonone help` and `/oneonone add <text>`, with one sender at a time and with 8
concurrent senders (processes, closed loop), it times the HTTP answer of each signed request
on both, and prints p50/p90/p99 and the ratio bot/bare of p99. Every scenario is measured
in several rounds (bare, then bot, each round): one round's p99 of 8 senders varies by a
third from run to run on two cores, so the summary gives the median round's ratio and lists
every round's.

Only the server being measured runs: the other one is stopped (SIGSTOP) meanwhile, and the
CPU that other processes on the machine used during each run is printed (it should be ~0 %).
The fake Slack runs in this process, which does nothing else while the senders (separate
processes) measure; its CPU use is printed as "fake".
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from benchlib import (
    ROOT,
    CpuMeter,
    CpuUse,
    Spread,
    cached_sqlite_url,
    prepared_database,
    shape_key,
    sqlite_url,
    wait_for_quiet,
    wait_until_idle,
)
from seeding import Shape, report_of, seed

from tests.fake_slack import FakeSlack  # benchlib put the repository on sys.path
from tests.slack_requests import Reply, SlackRequests

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
CONCURRENT = 8
TARGETS = {1: 1.3, CONCURRENT: 1.5}  # p99 bot / p99 bare, by number of senders
COMMANDS = ("help", "add")
START_TIMEOUT = 120.0
QUIET = 0.05  # of one core: more used by other processes during a run, and it is run again
ATTEMPTS = 3


# --- the servers ------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process under test."""

    name: str
    process: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_bot(database_url: str, api_url: str, folder: Path) -> Server:
    """`python -m bot run` in HTTP mode, in an empty folder (no .env), until /healthz is 200."""
    port = free_port()
    env = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
    }
    env.pop("SLACK_APP_TOKEN", None)
    log = (folder / "bot.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=folder, env=env, stdout=log, stderr=log
    )
    server = Server("bot", process, f"http://127.0.0.1:{port}")
    try:
        wait_until_answering(
            server, lambda: SlackRequests(server.url, SIGNING_SECRET).get("/healthz")
        )
    except BaseException:  # never leave a bot running behind a failed start
        server.stop()
        raise
    return server


def start_bare(api_url: str, folder: Path) -> Server:
    """This file with --serve-bare: the bare Bolt app on the bot's waitress server code."""
    port = free_port()
    log = (folder / "bare.log").open("wb")
    command = [sys.executable, __file__, "--serve-bare", str(port), "--api-url", api_url]
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=log)
    server = Server("bare", process, f"http://127.0.0.1:{port}")
    requests = SlackRequests(server.url, SIGNING_SECRET)
    wait_until_answering(server, lambda: requests.command("help", user_id=report_of(0)))
    return server


def wait_until_answering(server: Server, probe: Any) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.process.returncode}: see its log")
        try:
            if probe().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {START_TIMEOUT:.0f} s")


def serve_bare(port: int, api_url: str) -> None:
    """A Bolt App whose /oneonone listener only acks, behind the bot's waitress server."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from bot.app import LISTENER_THREADS
    from bot.http import create_http_server

    logging.basicConfig(level=logging.INFO)  # as `oneonone run` configures logging
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )

    @app.command("/oneonone")
    def only_ack(ack: Any) -> None:
        ack()

    create_http_server(SlackRequestHandler(app), host="127.0.0.1", port=port).run()


# --- the senders ------------------------------------------------------------------------------


class TimedRequests(SlackRequests):
    """SlackRequests that times each HTTP exchange (building and signing excluded)."""

    last: float = 0.0

    def raw_post(self, body: bytes, headers: dict[str, str]) -> Reply:
        started = time.perf_counter()
        reply = super().raw_post(body, headers)
        self.last = time.perf_counter() - started
        return reply


@dataclass(frozen=True)
class Job:
    """What one sender process does."""

    url: str
    command: str
    user_id: str
    response_url: str
    warmup: int
    samples: int
    senders: int


@dataclass(frozen=True)
class Gates:
    """Where the senders and this process meet: all warmed up, all done."""

    ready: Barrier
    done: Barrier
    finished: Synchronized  # senders that have their samples
    results: Any  # a queue of each sender's timings


def sender(job: Job, gates: Gates) -> None:
    """Warm up, wait for the others, time `samples` requests, then keep the load on (untimed)
    until every sender has its samples, so all timed requests see the same concurrency."""
    requests = TimedRequests(job.url, SIGNING_SECRET)
    serial = iter(range(1, 10**9))

    def send() -> float:
        words = f"add Benchmark point {next(serial)} of {job.user_id}"
        reply = requests.command(
            words if job.command == "add" else "help",
            user_id=job.user_id,
            response_url=job.response_url,
        )
        if reply.status != 200:
            raise RuntimeError(f"{job.command}: HTTP {reply.status} {reply.body[:200]}")
        return requests.last

    for _ in range(job.warmup):
        send()
    gates.ready.wait()
    timings = [send() for _ in range(job.samples)]
    with gates.finished.get_lock():
        gates.finished.value += 1
    while gates.finished.value < job.senders:
        send()
    gates.results.put(timings)
    gates.done.wait()


def start_senders(
    server: Server, fake: FakeSlack, command: str, senders: int, args: Any
) -> tuple[list[Any], Gates]:
    """`senders` closed-loop sender processes, each with its share of warm-up and samples."""
    spawn = multiprocessing.get_context("spawn")
    gates = Gates(
        spawn.Barrier(senders + 1), spawn.Barrier(senders + 1), spawn.Value("i", 0), spawn.Queue()
    )
    processes = []
    for n in range(senders):
        job = Job(
            url=server.url,
            command=command,
            user_id=report_of(n),
            response_url=fake.response_url(f"{server.name}-{command}"),
            warmup=-(-args.warmup // senders),
            samples=-(-args.samples // senders),
            senders=senders,
        )
        processes.append(spawn.Process(target=sender, args=(job, gates)))
        processes[-1].start()
    return processes, gates


# --- one run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    command: str
    senders: int
    server: str
    spread: Spread
    cpu: CpuUse
    round: int = 1


def measure(
    server: Server, idle: Server, fake: FakeSlack, command: str, senders: int, args: Any
) -> Result:
    """One scenario on one server while the other is stopped and no other process is busy;
    run again (up to ATTEMPTS times) when something else was busy meanwhile."""
    for attempt in range(1, ATTEMPTS + 1):
        result = measure_once(server, idle, fake, command, senders, args)
        if result.cpu.others_share <= QUIET or attempt == ATTEMPTS:
            return result
        print(f"  (other processes were busy: {result.cpu.describe()}; again)")
    raise AssertionError("unreachable")


def measure_once(
    server: Server,
    idle: Server,
    fake: FakeSlack,
    command: str,
    senders: int,
    args: Any,
    *,
    quiet: bool = True,
) -> Result:
    wait_until_idle(idle.pid)
    idle.pause()
    try:
        wait_until_idle(server.pid)
        pids: set[int] = set()

        def group(pid: int, name: str) -> str | None:
            if pid == server.pid:
                return server.name
            if pid in pids:
                return "senders"
            if pid == os.getpid():
                return "fake"
            return "postgres" if args.postgres and name.startswith("postgres") else None

        if quiet:
            wait_for_quiet(group)
        processes, gates = start_senders(server, fake, command, senders, args)
        pids.update(p.pid for p in processes if p.pid is not None)
        meter = CpuMeter(group)
        gates.ready.wait()  # every sender is warmed up
        meter.start()
        timings = [t for _ in processes for t in gates.results.get(timeout=600)]
        cpu = meter.stop()
        gates.done.wait()
        for process in processes:
            process.join()
            if process.exitcode:
                raise SystemExit(f"a sender failed with exit code {process.exitcode}")
    finally:
        idle.resume()
    return Result(command, senders, server.name, Spread.of(timings), cpu)


def report(result: Result) -> None:
    s = result.spread
    print(
        f"  {result.command:<4} × {result.senders} sender(s) on {result.server:<4}: "
        f"p50 {s.p50:6.1f} ms  p90 {s.p90:6.1f} ms  p99 {s.p99:6.1f} ms  max {s.worst:6.1f} ms "
        f"({s.count} samples, {s.count / result.cpu.wall:.0f}/s)"
    )
    print(f"      {result.cpu.describe()}")
    if result.cpu.others_share > QUIET:
        print("      warning: other processes were busy during this run: rerun on a quiet machine")


@dataclass(frozen=True)
class Ratio:
    """One scenario over every round: the median round's p99s, and the spread of ratios."""

    command: str
    senders: int
    bot_p99: float  # of the round whose ratio is the median
    ratios: list[float]  # p99 bot / p99 bare of each round, in order

    @property
    def median(self) -> float:
        return statistics.median_low(self.ratios)


def ratios(results: list[Result]) -> list[Ratio]:
    """Per scenario, the ratio p99 bot / p99 bare of each round (bare measured just before)."""
    rounds: dict[tuple[str, int], list[tuple[float, float]]] = {}
    bare: dict[tuple[str, int, int], float] = {}
    for r in results:
        if r.server == "bare":
            bare[r.command, r.senders, r.round] = r.spread.p99
        else:
            ratio = r.spread.p99 / bare[r.command, r.senders, r.round]
            rounds.setdefault((r.command, r.senders), []).append((ratio, r.spread.p99))
    found = []
    for (command, senders), pairs in rounds.items():
        values = [ratio for ratio, _ in pairs]
        median = statistics.median_low(values)
        bot_p99 = next(p99 for ratio, p99 in pairs if ratio == median)
        found.append(Ratio(command, senders, bot_p99, values))
    return found


def summary(results: list[Result], dialect: str) -> str:
    parts = []
    met = True
    for found in ratios(results):
        cap = TARGETS[found.senders]
        met = met and found.median <= cap
        spread = ""
        if len(found.ratios) > 1:
            spread = f", median of {len(found.ratios)} rounds: " + " ".join(
                f"{ratio:.2f}" for ratio in found.ratios
            )
        parts.append(
            f"{found.command}×{found.senders} p99 {found.bot_p99:.1f} ms = "
            f"{found.median:.2f}× bare (≤{cap}×{spread})"
        )
    verdict = "targets met" if met else "TARGETS MISSED"
    return f"SUMMARY ack {dialect}: " + "; ".join(parts) + f" — {verdict}"


# --- profiling --------------------------------------------------------------------------------


def profile(bot: Server, bare: Server, fake: FakeSlack, args: Any) -> None:
    """One more `add` run with 8 senders, not counted, with py-spy sampling the bot; prints
    where the bot's threads spent their time (the raw stacks are kept in --profile FILE)."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        raise SystemExit(f"--profile needs py-spy: {sys.executable} -m pip install py-spy")
    output = Path(args.profile).resolve()
    command = [
        str(spy),
        "record",
        "--pid",
        str(bot.pid),
        "--gil",
        "--rate",
        "200",
        "--format",
        "raw",
    ]
    recorder = subprocess.Popen([*command, "--output", str(output)], stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # attached
    measure_once(bot, bare, fake, "add", CONCURRENT, args, quiet=False)
    recorder.send_signal(signal.SIGINT)
    recorder.wait(timeout=60)
    print_profile(output)


def print_profile(path: Path, top: int = 25) -> None:
    """Inclusive share of the samples per function, from py-spy's collapsed stacks."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")[1:]  # the first frame names the thread
        samples = int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + samples
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + samples
    print(f"profile of the bot during add × {CONCURRENT} ({total} samples of busy threads):")
    for frame, samples in sorted(inclusive.items(), key=lambda item: -item[1])[:top]:
        print(f"  {samples / total:6.1%} incl {own.get(frame, 0) / total:6.1%} self  {frame}")


# --- main -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=10_000, help="pairs to seed (10000)")
    parser.add_argument(
        "--points", type=int, default=1_000_000, help="talking points to seed (1000000)"
    )
    parser.add_argument(
        "--samples", type=int, default=1000, help="timed requests per scenario and server (1000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=200, help="untimed requests before each run (200)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every scenario this many times, bare then bot each time; the summary "
        "gives the median ratio and every round's (3)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="the bot's database (default: SQLite in a temp dir); a PostgreSQL database whose "
        "name contains 'bench' is dropped and created again",
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse (and keep) the seeded SQLite file/database"
    )
    parser.add_argument(
        "--commands",
        nargs="+",
        choices=COMMANDS,
        default=list(COMMANDS),
        help="which commands to measure (both)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="after measuring, profile the bot with py-spy during one more add run",
    )
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.postgres = args.database_url.startswith("postgresql")
    return args


def database(args: argparse.Namespace, folder: Path) -> str:
    """Seed the bot's database before it starts (it is at real time: the bot's clock)."""
    now = datetime.now(UTC)
    shape = Shape(pairs=args.pairs, meetings=args.points // 5, points=args.points, now=now)
    key = shape_key("ack", shape.pairs, shape.meetings, shape.points, now.date())
    url = args.database_url or (
        cached_sqlite_url("ack", key) if args.keep else sqlite_url(folder, "ack.db")
    )
    print(f"seeding {shape.pairs:,} pairs, {shape.meetings + shape.pairs:,} meetings, ", end="")
    print(f"{shape.points:,} talking points into {url}")
    prepared_database(url, key, lambda engine: seed(engine, shape), keep=args.keep).dispose()
    return url


@contextmanager
def servers(url: str, fake: FakeSlack, folder: Path) -> Iterator[tuple[Server, Server]]:
    bare = start_bare(fake.url, folder)
    try:
        bot = start_bot(url, fake.url, folder)
        try:
            yield bot, bare
        finally:
            bot.stop()
    finally:
        bare.stop()


def main() -> None:
    args = parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare, args.api_url)
        return
    with tempfile.TemporaryDirectory() as name, FakeSlack() as fake:
        folder = Path(name)
        url = database(args, folder)
        for n in range(CONCURRENT):
            fake.add_user(report_of(n), tz="UTC")
        results = []
        with servers(url, fake, folder) as (bot, bare):
            print(f"bot pid {bot.pid} (log {folder / 'bot.log'}), bare pid {bare.pid}")
            for round_ in range(1, args.rounds + 1):
                if args.rounds > 1:
                    print(f"round {round_} of {args.rounds}")
                for command in args.commands:
                    for senders in TARGETS:
                        for server, idle in ((bare, bot), (bot, bare)):
                            result = measure(server, idle, fake, command, senders, args)
                            results.append(dataclasses.replace(result, round=round_))
                            report(results[-1])
            if args.profile:
                profile(bot, bare, fake, args)
        dialect = "postgresql" if args.postgres else "sqlite"
        if fake.block_errors:
            print(f"fake Slack saw invalid blocks: {fake.block_errors[:3]}")
        print(summary(results, dialect))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
