"""What an operator sees at GET /metrics (Prometheus text format): due work waiting and its
lag past due, Slack calls and 429s per method with their latency, claims taken over."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from store.db import SessionFactory
from store.due_work import waiting
from store.workspaces import counts as workspace_counts

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENESS_BUCKETS = (0, 1, 5, 15, 30, 60, 120, 300, 900, 3600)


class Metrics:
    """The process's metrics, in a registry of their own (tests run several bots at once)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._calls = Counter(
            "oneonone_slack_calls",
            "Slack Web API calls, by method and outcome (ok, error, ratelimited, failed)",
            ["method", "outcome"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "oneonone_slack_call_seconds",
            "Time of one Slack Web API call, retries included",
            ["method"],
            registry=self.registry,
        )
        self._limited = Counter(
            "oneonone_slack_rate_limited",
            "HTTP 429 answers from Slack, by method",
            ["method"],
            registry=self.registry,
        )
        self._done = Counter(
            "oneonone_due_work_done",
            "Due work finished or given back, by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self._late = Histogram(
            "oneonone_due_post_lateness_seconds",
            "How long after its due time a post went out (negative: early)",
            ["kind"],
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )
        self._taken_over = Counter(
            "oneonone_due_claims_taken_over",
            "Claims left by a runner that never finished, taken over after the lease",
            registry=self.registry,
        )

        self._suspended = Counter(
            "oneonone_workspaces_suspended",
            "Times a workspace's due work was suspended because Slack refused its token, by "
            "Slack's error",
            ["error"],
            registry=self.registry,
        )

    def suspended(self, error: str) -> None:
        """Count one workspace whose due work was suspended (its token was refused)."""
        self._suspended.labels(error).inc()

    def slack_call(self, method: str, outcome: str, seconds: float) -> None:
        """Count one Slack call."""
        self._calls.labels(method, outcome).inc()
        self._latency.labels(method).observe(seconds)

    def rate_limited(self, method: str) -> None:
        """Count one 429."""
        self._limited.labels(method).inc()

    def due_done(
        self, kind: str, outcome: str, *, due_at: datetime, now: datetime, taken_over: bool
    ) -> None:
        """Count one piece of due work that was attempted."""
        self._done.labels(kind, outcome).inc()
        if outcome == "sent":
            self._late.labels(kind).observe((now - due_at).total_seconds())
        if taken_over:
            self._taken_over.inc()

    def watch_due_work(self, db: SessionFactory, clock: Callable[[], datetime]) -> None:
        """Report the waiting due work (read from the database at each scrape)."""
        self.registry.register(_Waiting(db, clock))

    def render(self) -> bytes:
        """The text exposition of every metric."""
        return generate_latest(self.registry)


class _Waiting(Collector):
    """Due work that is due and not done, and how far past due the oldest is."""

    def __init__(self, db: SessionFactory, clock: Callable[[], datetime]) -> None:
        self._db, self._clock = db, clock

    def collect(self) -> Iterator[Metric]:
        now = self._clock()
        with self._db.read() as session:
            count, oldest = waiting(session, now=now)
        yield GaugeMetricFamily(
            "oneonone_due_work_waiting", "Due work that is due and not done", value=count
        )
        workspaces = GaugeMetricFamily(
            "oneonone_workspaces",
            "Workspaces by status (OAuth mode): active, suspended (token refused: due work "
            "waits), uninstalled (retention running), purged",
            labels=["status"],
        )
        with self._db.read() as session:
            for status, n in workspace_counts(session).items():
                workspaces.add_metric([status], n)
        yield workspaces
        lag = (now - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "oneonone_due_work_lag_seconds",
            "How long the oldest waiting due work has been due",
            value=max(0.0, lag),
        )
