"""The scheduler's jobs: skipped runs of a long job are told once, not every second."""

from __future__ import annotations

import logging

from bot.scheduler import SkippedRunsFilter


def skipped(job: str) -> logging.LogRecord:
    message = (
        f'Execution of job "{job} (trigger: interval[0:00:01], next run at: 2026-12-01)" '
        "skipped: maximum number of running instances reached (1)"
    )
    return logging.LogRecord("apscheduler.scheduler", logging.WARNING, "", 0, message, (), None)


def test_a_long_run_is_warned_about_once_not_every_second() -> None:
    only_once = SkippedRunsFilter()
    seen = [only_once.filter(skipped("planner")) for _ in range(60)]
    assert seen.count(True) == 1 and seen[0] is True
    assert only_once.filter(skipped("housekeeping")) is True  # another job: its own warning
    other = logging.LogRecord("apscheduler.scheduler", logging.WARNING, "", 0, "x", (), None)
    assert only_once.filter(other) is True  # everything else passes
