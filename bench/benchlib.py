"""What the benchmarks share: the repository on sys.path (for tests/), percentiles, CPU
accounting from /proc, and bench databases that are created, seeded once and reused."""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # this checkout's packages (and tests/, which is not installed)
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from store.db import create_db_engine
from store.migrate import upgrade

CACHE = Path(tempfile.gettempdir()) / "oneonone-bench"
MARKER = "bench_seed"  # a table of the bench database only: what was seeded into it
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- statistics -------------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100), linearly interpolated between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Spread:
    """Milliseconds: median, p90, p95, p99 and max of one series."""

    count: int
    p50: float
    p90: float
    p95: float
    p99: float
    worst: float

    @classmethod
    def of(cls, seconds: list[float]) -> Spread:
        ms = [s * 1000 for s in seconds]
        return cls(
            len(ms),
            statistics.median(ms),
            percentile(ms, 90),
            percentile(ms, 95),
            percentile(ms, 99),
            max(ms),
        )


# --- CPU accounting ---------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """CPU seconds a process has used (user + system, all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def all_processes() -> dict[int, tuple[str, float]]:
    """pid → (name, CPU seconds) of every process running now."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            found[int(entry.name)] = (name, process_cpu(int(entry.name)))
    return found


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used during `wall` seconds, by group (ours) and by everything else."""

    wall: float
    by_group: dict[str, float]
    others: dict[str, float]

    def describe(self) -> str:
        ours = ", ".join(f"{name} {cpu / self.wall:.0%}" for name, cpu in self.by_group.items())
        top = sorted(self.others.items(), key=lambda item: -item[1])[:3]
        named = "".join(f" {name} {cpu / self.wall:.0%}" for name, cpu in top if cpu > 0.005)
        total = sum(self.others.values()) / self.wall
        return f"CPU in % of one core: {ours}; other processes {total:.0%}{named}"

    @property
    def others_share(self) -> float:
        """Of one core, what processes that are not ours used."""
        return sum(self.others.values()) / self.wall


class CpuMeter:
    """CPU each process used between start() and stop(), grouped by `group(pid, name)` (None:
    not ours). Processes that started meanwhile count whole."""

    def __init__(self, group: Callable[[int, str], str | None]) -> None:
        self._group = group
        self._before: dict[int, tuple[str, float]] = {}
        self._started = 0.0

    def start(self) -> None:
        self._before, self._started = all_processes(), time.monotonic()

    def stop(self, extra: dict[str, float] | None = None) -> CpuUse:
        wall = time.monotonic() - self._started
        ours: dict[str, float] = dict(extra or {})
        others: dict[str, float] = {}
        for pid, (name, cpu) in all_processes().items():
            used = cpu - self._before.get(pid, (name, 0.0))[1]
            group = self._group(pid, name)
            target = ours if group is not None else others
            key = group if group is not None else name
            target[key] = target.get(key, 0.0) + used
        return CpuUse(wall, ours, others)


def others_busy(group: Callable[[int, str], str | None], seconds: float = 1.0) -> CpuUse:
    """What processes that are not ours use over `seconds` (nothing, on a quiet machine)."""
    meter = CpuMeter(group)
    meter.start()
    time.sleep(seconds)
    return meter.stop()


def wait_for_quiet(
    group: Callable[[int, str], str | None], *, below: float = 0.05, limit: float = 300
) -> CpuUse:
    """Wait (up to `limit` seconds) until processes that are not ours use less than `below` of
    a core for three seconds in a row; returns the last look."""
    deadline = time.monotonic() + limit
    quiet = 0
    while True:
        look = others_busy(group)
        quiet = quiet + 1 if look.others_share < below else 0
        if quiet >= 3 or time.monotonic() > deadline:
            return look


def wait_until_idle(
    pid: int, *, below: float = 0.03, window: float = 0.5, limit: float = 30
) -> None:
    """Wait until the process uses less than `below` of a core over `window` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = process_cpu(pid)
        time.sleep(window)
        if process_cpu(pid) - before < below * window:
            return


# --- bench databases --------------------------------------------------------------------------


def shape_key(*parts: object) -> str:
    """A short stable key of what was seeded (and of the schema it was seeded into)."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:12]


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}"


def cached_sqlite_url(name: str, key: str) -> str:
    CACHE.mkdir(parents=True, exist_ok=True)
    return sqlite_url(CACHE, f"{name}-{key}.db")


def seeded_key(engine: Engine) -> str | None:
    """The key recorded by mark_seeded, if the database holds a finished seed."""
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT key FROM {MARKER}")).scalar()
    except Exception:
        return None


def mark_seeded(engine: Engine, key: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {MARKER} (key VARCHAR(64) NOT NULL)"))
        connection.execute(text(f"INSERT INTO {MARKER} (key) VALUES (:key)"), {"key": key})


def recreate(url: str) -> None:
    """An empty database at `url`: the SQLite file removed, or the PostgreSQL database dropped
    and created again (only databases whose name says "bench", so nothing else is lost)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: use a database whose name has 'bench'")
    admin = create_db_engine(parsed.set(database="postgres").render_as_string(False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def prepared_database(url: str, key: str, seed: Callable[[Engine], None], *, keep: bool) -> Engine:
    """A migrated database seeded by `seed`: reused as it is when `keep` and it holds the
    same seed, else recreated and seeded."""
    engine = create_db_engine(url)
    if keep and seeded_key(engine) == key:
        print(f"reusing the seeded database {engine.url.render_as_string()}")
        upgrade(engine)  # later migrations (indexes) apply to the kept data too
        return engine
    engine.dispose()
    recreate(url)
    engine = create_db_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    seed(engine)
    mark_seeded(engine, key)
    print(f"seeded in {time.perf_counter() - started:.0f} s")
    return engine
