"""Every kind of due-work post goes out exactly once, even when Slack accepted it and the
answer never arrived (a dropped connection, a 5xx, a timeout) or the bot died before it
recorded the post: the next attempt finds the message by its metadata instead of posting
it again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot import due
from handlers import deliver, people
from store.models import DueWork
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, RunningBot, start_bot, stop_bot
from tests.test_follow_ups_flow import (
    huddle_event,
    move_to,
    take_notes_during_week1,
    tick_at,
    utc,
)
from tests.test_weekly_loop import schedule

TIMEOUT = 0.5  # the client's timeout in these tests; a delayed answer takes longer


@pytest.fixture
def bot(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[RunningBot]:
    """The bot, with a client that gives up on Slack after TIMEOUT seconds."""
    running = start_bot(fake_slack, tmp_path, clock, timeout=TIMEOUT)
    yield running
    stop_bot(running)


# --- bringing each kind of post to the moment it falls due ----------------------------------


def prompt(bot: RunningBot) -> str:
    schedule(bot)
    return "2026-11-30 15:00"  # 24 h before Tue 10:00 New York


def agenda(bot: RunningBot) -> str:
    schedule(bot)
    tick_at(bot, "2026-11-30 15:00")
    return "2026-12-01 14:30"


def summary(bot: RunningBot) -> str:
    agenda(bot)
    tick_at(bot, "2026-12-01 14:30")
    tick_at(bot, "2026-12-01 15:05")
    return "2026-12-01 16:30"  # an hour after the end, nobody took notes: the nudge


def reminder(bot: RunningBot) -> str:
    schedule(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    tick_at(bot, "2026-12-08 07:59")  # everything else due by then
    return "2026-12-08 08:00"  # 09:00 in Berlin


def huddle(bot: RunningBot) -> str:
    schedule(bot)
    tick_at(bot, "2026-12-03 15:00")
    begin = bot.clock.now.timestamp()
    for offset, user, call in ((0, "U_MANAGER", "R1"), (1, "U_REPORT", "R1")):
        bot.slack.event(huddle_event(user, call, begin + offset))
    for offset, user in ((600, "U_MANAGER"), (601, "U_REPORT")):
        bot.slack.event(huddle_event(user, None, begin + offset))
    bot.settle()
    return "2026-12-03 15:11"


KINDS: dict[str, Callable[[RunningBot], str]] = {
    "prompt": prompt,
    "agenda": agenda,
    "summary": summary,
    "reminder": reminder,
    "huddle": huddle,
}


def posts_of(bot: RunningBot, kind: str) -> Counter[str]:
    """How many messages Slack holds for each piece of due work of this kind."""
    keys = [
        (m.get("metadata") or {}).get("event_payload", {}).get("work", "")
        for m in bot.fake.messages()
    ]
    return Counter(k for k in keys if k.startswith(f"{kind}:"))


def work_of(bot: RunningBot, kind: str) -> list[DueWork]:
    with bot.db.read() as session:
        return [w for w in session.exec(select(DueWork)) if w.kind == kind and w.done_at]


def later(when: str, **delta: float) -> str:
    """A UTC time string `delta` after `when`."""
    return (utc(when) + timedelta(**delta)).strftime("%Y-%m-%d %H:%M:%S")


def assert_posted_once(bot: RunningBot, kind: str, outcome: str) -> None:
    """One message per piece of work, and the work records that very message."""
    posts = posts_of(bot, kind)
    assert posts and set(posts.values()) == {1}, posts
    stored = {m["ts"] for m in bot.fake.messages()}
    done = work_of(bot, kind)
    assert outcome in {w.outcome for w in done}
    assert {w.outcome for w in done} <= {outcome, "sent"}
    assert all(w.posted_ts in stored for w in done)


# --- the answer is lost after Slack accepted the post -----------------------------------------

LOST_ANSWERS: dict[str, Callable[[FakeSlack], None]] = {
    "dropped connection": lambda fake: fake.lose_answer("chat.postMessage"),
    "server error": lambda fake: fake.lose_answer("chat.postMessage", status=503),
    "timeout": lambda fake: fake.delay("chat.postMessage", TIMEOUT * 2),
}


@pytest.mark.parametrize("lost", LOST_ANSWERS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_post_whose_answer_was_lost_is_found_not_posted_again(
    bot: RunningBot, kind: str, lost: str
) -> None:
    due = KINDS[kind](bot)
    LOST_ANSWERS[lost](bot.fake)
    first = tick_at(bot, due)
    assert first.get(f"{kind}_unknown") == 1, first
    assert set(posts_of(bot, kind).values()) == {1}  # Slack has it; the bot does not know
    assert f"{kind}_sent" not in tick_at(bot, later(due, seconds=1))  # looks again shortly
    assert tick_at(bot, later(due, seconds=11)).get(f"{kind}_found") == 1
    assert_posted_once(bot, kind, "found")
    looked = bot.fake.calls("conversations.history")[-1].args
    assert looked["include_all_metadata"] in (True, "true", "1", 1)
    assert float(looked["oldest"]) <= utc(due).timestamp() <= float(looked["latest"])


@pytest.mark.parametrize("kind", KINDS)
def test_a_post_lost_before_slack_took_it_is_posted_after_looking(
    bot: RunningBot, kind: str
) -> None:
    due = KINDS[kind](bot)
    bot.fake.fail("chat.postMessage", status=503)  # answered before anything was stored
    assert tick_at(bot, due).get(f"{kind}_unknown") == 1
    before = posts_of(bot, kind)
    assert tick_at(bot, later(due, seconds=11)).get(f"{kind}_sent") == 1
    assert sum(posts_of(bot, kind).values()) == sum(before.values()) + 1
    assert set(posts_of(bot, kind).values()) == {1}


# --- the bot dies between Slack's answer and its record ----------------------------------------


class Crash(BaseException):
    """The process dies here (kill -9): nothing after this line runs, nothing is cleaned up."""


@pytest.mark.parametrize("kind", KINDS)
def test_a_post_made_just_before_the_bot_died_is_found_after_the_lease(
    bot: RunningBot, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = KINDS[kind](bot)

    def die(*_: Any, **__: Any) -> None:
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(deliver, "record", die)
        move_to(bot, due)
        with pytest.raises(Crash):
            bot.tick()
    assert set(posts_of(bot, kind).values()) == {1}
    counts = tick_at(bot, later(due, minutes=4))  # within the dead runner's lease
    assert f"{kind}_found" not in counts and set(posts_of(bot, kind).values()) == {1}
    counts = tick_at(bot, later(due, minutes=6))
    assert counts.get(f"{kind}_found") == 1, counts
    assert_posted_once(bot, kind, "found")


# --- due work never asks Slack who people are ---------------------------------------------------


def test_a_fan_out_after_a_restart_makes_no_profile_lookups(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(due, "PROFILES_PER_TICK", 0)  # housekeeping's refreshes aside
    schedule(bot)
    for n in range(5):
        bot.fake.add_user(f"U_R{n}", tz="Asia/Kolkata")
        bot.slack.command(f"schedule <@U_R{n}|r> tuesday 10:00", user_id="U_MANAGER")
    bot.settle()
    people._cache.clear()  # a new process: nothing cached, everything stored
    bot.fake.reset()
    assert tick_at(bot, "2026-11-30 15:00").get("prompt_sent") == 2 + 2 * 5
    assert tick_at(bot, "2026-12-01 14:30").get("agenda_sent") == 6
    assert bot.fake.calls("users.info") == []


def test_a_post_slack_took_but_the_database_could_not_record_is_found_not_repeated(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = agenda(bot)

    def locked(*_: Any, **__: Any) -> None:
        raise OperationalError("UPDATE meeting …", {}, Exception("database is locked"))

    with monkeypatch.context() as patched:
        patched.setattr(deliver, "record", locked)
        assert tick_at(bot, due).get("agenda_unknown") == 1  # posted, not recorded
    assert tick_at(bot, later(due, seconds=11)).get("agenda_found") == 1
    assert_posted_once(bot, "agenda", "found")
