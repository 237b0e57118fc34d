"""The Home refresher's ordering: one publish per person at a time, so none lands stale."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers import home
from handlers.home import HomeRefresher
from store.access import Actor

RITA = Actor("T1", "U_REPORT")


def test_a_publish_waits_for_the_persons_publish_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def publish_home(db: Any, clients: Any, actor: Actor, **_: Any) -> None:
        calls.append(f"start {len(calls) // 2}")
        if len(calls) == 1:  # the first publish is slow: it read the store before the change
            started.set()
            assert release.wait(timeout=10)
        calls.append(f"end {len(calls) // 2}")

    monkeypatch.setattr(home, "publish_home", publish_home)
    refresher = HomeRefresher(clients=None, db=None, clock=lambda: datetime.now(UTC), delay=3600)  # type: ignore[arg-type]
    try:
        first = threading.Thread(target=refresher.publish_now, args=(RITA,))
        first.start()
        assert started.wait(timeout=10)
        second = threading.Thread(target=refresher.publish_now, args=(RITA,))
        second.start()
        second.join(timeout=0.2)
        assert second.is_alive() and calls == ["start 0"]  # the newer one waits its turn
        release.set()
        first.join(timeout=10)
        second.join(timeout=10)
        assert calls == ["start 0", "end 0", "start 1", "end 1"]
    finally:
        release.set()
        refresher.stop()
