"""The HTTP server of Socket Mode: /healthz and /metrics only (Slack talks over the socket)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.http import create_http_server, create_wsgi_app
from bot.metrics import Metrics
from tests.db_fixtures import sqlite_engine
from tests.running_bot import _serve


@pytest.fixture
def health_only(tmp_path: Path) -> Iterator[str]:
    engine = sqlite_engine(tmp_path)
    metrics = Metrics()
    server = create_http_server(create_wsgi_app(None, engine, metrics), host="127.0.0.1", port=0)
    threading.Thread(target=_serve, args=(server,), daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    engine.dispose()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_socket_mode_serves_health_and_metrics_and_nothing_else(health_only: str) -> None:
    assert get(f"{health_only}/healthz") == (200, '{"ok": true}')
    status, text = get(f"{health_only}/metrics")
    assert status == 200 and "oneonone_slack_calls_total" in text
    assert get(f"{health_only}/slack/events")[0] == 404
