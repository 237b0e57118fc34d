"""The limiter: budgets per workspace and method, one post a second per conversation, pauses
after a 429, the interactive lane, stopping, and the budget shared through the database.
Time is injected: a sleep moves the fake clock on at once and is recorded."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import Engine

from bot.pacing import (
    CHANNEL_INTERVAL,
    INTERACTIVE,
    POST,
    POST_BURST,
    TIER_2,
    TIER_3,
    TIER_4,
    DatabaseBudget,
    Limiter,
    NotCalled,
    Rate,
)
from store.db import session_factory
from tests.fake_slack import FakeSlack
from tests.running_bot import TEAM_ID, clients_for

TEAM = TEAM_ID
OTHER_TEAM = "T0002"
UPDATE = "chat.update"  # tier 3: a burst of 3


class FakeTime:
    """The limiter's clock and sleep: sleeping moves the clock on at once, and is recorded.
    A sender that reads the clock or sleeps without end fails (instead of hanging)."""

    LOOPING = 100_000  # reads of the clock or sleeps: far more than any test needs

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.waits: list[float] = []
        self.during_next_wait: Callable[[], None] | None = None  # runs once, mid-sleep
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        assert self.reads < self.LOOPING, "the limiter reads the clock without end"
        return self.now

    def sleep(self, seconds: float) -> bool:
        assert len(self.waits) < self.LOOPING, "the limiter sleeps without end"
        self.waits.append(seconds)
        hook, self.during_next_wait = self.during_next_wait, None
        if hook is not None:
            hook()
        self.now += seconds
        return False


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def limiter(time: FakeTime) -> Limiter:
    return Limiter(clock=time, sleep=time.sleep)


def sent_at(
    limiter: Limiter,
    time: FakeTime,
    team: str = TEAM,
    method: str = POST,
    channel: str | None = None,
) -> float:
    """When a background call goes (the fake clock once before_call returns)."""
    limiter.before_call(team, method, channel=channel)
    return time()


# --- budgets per workspace and method ---------------------------------------------------------


def test_background_calls_are_spaced_by_the_paced_interval_after_the_burst(
    limiter: Limiter, time: FakeTime
) -> None:
    start = time()
    sent = [sent_at(limiter, time, method=UPDATE) - start for _ in range(6)]
    i = TIER_3.interval
    assert i == pytest.approx(60 / (50 * 0.95))  # 95 % of 50 a minute
    assert sent == pytest.approx([0, 0, 0, i, 2 * i, 3 * i])


def test_each_workspace_and_each_method_has_a_budget_of_its_own(
    limiter: Limiter, time: FakeTime
) -> None:
    for _ in range(3):
        limiter.before_call(TEAM, UPDATE)  # the burst is used up
    limiter.before_call(OTHER_TEAM, UPDATE)
    limiter.before_call(TEAM, "users.info")
    limiter.before_call(TEAM, POST)
    assert time.waits == []
    limiter.before_call(TEAM, UPDATE)
    assert time.waits == pytest.approx([TIER_3.interval])


def test_each_method_is_paced_by_its_tier_and_an_unlisted_one_by_the_default() -> None:
    limiter = Limiter()
    assert limiter.post_rate == Rate(300, POST_BURST)  # ONEONONE_POSTS_PER_MINUTE's default
    assert limiter.post_rate.interval == pytest.approx(60 / (300 * 0.95))
    assert limiter.rate_of(POST) == limiter.post_rate
    assert (limiter.rate_of("users.info"), limiter.rate_of("chat.update")) == (TIER_4, TIER_3)
    assert limiter.rate_of("team.info") == TIER_3
    custom = Limiter(posts_per_minute=60, rates={"users.info": Rate(10)}, default_rate=TIER_2)
    assert custom.post_rate == Rate(60, POST_BURST)
    assert custom.rate_of("users.info") == Rate(10)
    assert custom.rate_of("chat.update") == TIER_2  # not in its table: its default


def test_a_clock_that_starts_at_zero_has_no_turn_taken_before_it() -> None:
    """Nothing waits for a turn nobody took (an injected clock may start at 0)."""

    def at_zero() -> tuple[Limiter, FakeTime]:
        time = FakeTime(start=0.0)
        return Limiter(clock=time, sleep=time.sleep, channel_interval=0.25), time

    limiter, time = at_zero()
    limiter.before_call(TEAM, POST, channel="C1")
    assert time.waits == []
    limiter, time = at_zero()
    limiter.before_call(TEAM, POST, channel="C1", lane=INTERACTIVE)
    limiter.before_call(TEAM, POST, channel="C1")
    assert time.waits == pytest.approx([0.25])  # the answer's channel interval, no more
    limiter, time = at_zero()
    limiter.before_call(TEAM, POST, lane=INTERACTIVE)
    limiter.before_call(TEAM, POST)
    assert time.waits == []  # the burst has room for both
    limiter, time = at_zero()
    limiter.rate_limited(TEAM, POST, 0.5)
    limiter.before_call(TEAM, POST)
    assert time.waits == pytest.approx([0.5])


# --- conversations ----------------------------------------------------------------------------


def test_posts_to_one_channel_are_a_channel_interval_apart(
    limiter: Limiter, time: FakeTime
) -> None:
    start = time()
    sent = [sent_at(limiter, time, channel="C1") - start for _ in range(3)]
    assert sent == pytest.approx([0, CHANNEL_INTERVAL, 2 * CHANNEL_INTERVAL])


def test_posts_to_different_channels_wait_only_for_the_workspace_budget(
    limiter: Limiter, time: FakeTime
) -> None:
    start = time()
    sent = [sent_at(limiter, time, channel=f"C{n}") - start for n in range(7)]
    i = limiter.post_rate.interval
    assert sent == pytest.approx([0, 0, 0, 0, 0, i, 2 * i], abs=1e-6)


def test_posts_to_one_channel_stay_apart_when_the_budget_delays_them(
    limiter: Limiter, time: FakeTime
) -> None:
    for n in range(5):
        limiter.before_call(TEAM, POST, channel=f"C{n}")  # the burst is used up
    first = sent_at(limiter, time, channel="C9")  # waits for the budget
    second = sent_at(limiter, time, channel="C9")
    assert second - first >= CHANNEL_INTERVAL


def test_a_post_arriving_while_another_waits_for_the_channel_waits_its_own_turn(
    limiter: Limiter, time: FakeTime
) -> None:
    start = time()
    limiter.before_call(TEAM, POST, channel="C1")  # at once
    third: list[float] = []
    time.during_next_wait = lambda: third.append(sent_at(limiter, time, channel="C1") - start)
    sent_at(limiter, time, channel="C1")  # waits a second; meanwhile a third post comes
    assert third == pytest.approx([2 * CHANNEL_INTERVAL])


def test_ten_thousand_conversations_later_each_one_is_still_paced(
    limiter: Limiter, time: FakeTime
) -> None:
    for n in range(10_001):  # answers in that many conversations: the memory is pruned
        limiter.before_call(f"T{n}", POST, channel="C1", lane=INTERACTIVE)
    time.now += 2 * CHANNEL_INTERVAL
    limiter.before_call(TEAM, POST, channel="C_RECENT", lane=INTERACTIVE)
    limiter.before_call("T0", POST, channel="C1")  # its hold ran out long ago
    assert time.waits == []
    limiter.before_call(TEAM, POST, channel="C_RECENT")  # still held, pruned or not
    assert time.waits == pytest.approx([CHANNEL_INTERVAL])


# --- the interactive lane ---------------------------------------------------------------------


def test_the_interactive_lane_never_waits(limiter: Limiter, time: FakeTime) -> None:
    limiter.rate_limited(TEAM, POST, 30)
    for _ in range(10):
        limiter.before_call(TEAM, POST, channel="C1", lane=INTERACTIVE)
        limiter.before_call(TEAM, UPDATE, lane=INTERACTIVE)
    assert time.waits == []


def test_what_the_interactive_lane_uses_moves_the_background_lanes_turn_back(
    limiter: Limiter, time: FakeTime
) -> None:
    for _ in range(3):
        limiter.before_call(TEAM, UPDATE, lane=INTERACTIVE)
    limiter.before_call(TEAM, UPDATE)
    assert time.waits == pytest.approx([TIER_3.interval])


def test_an_interactive_post_holds_the_channel_for_the_background_lane(
    limiter: Limiter, time: FakeTime
) -> None:
    limiter.before_call(TEAM, POST, channel="C1", lane=INTERACTIVE)
    limiter.before_call(TEAM, POST, channel="C2")
    assert time.waits == []
    limiter.before_call(TEAM, POST, channel="C1")
    assert time.waits == pytest.approx([CHANNEL_INTERVAL])


def test_an_interactive_call_other_than_a_post_holds_no_conversation(
    limiter: Limiter, time: FakeTime
) -> None:
    limiter.before_call(TEAM, UPDATE, channel="C1", lane=INTERACTIVE)  # an edit, not a post
    limiter.before_call(TEAM, POST, channel="C1")
    assert time.waits == []


def test_an_interactive_post_does_not_shorten_a_conversations_hold(
    limiter: Limiter, time: FakeTime
) -> None:
    for n in range(POST_BURST):
        limiter.before_call(TEAM, POST, channel=f"C{n}")  # the burst is used up
    time.during_next_wait = lambda: limiter.before_call(TEAM, POST, channel="C9", lane=INTERACTIVE)
    first = sent_at(limiter, time, channel="C9")  # waits for the budget; an answer goes meanwhile
    second = sent_at(limiter, time, channel="C9")
    assert second - first == pytest.approx(CHANNEL_INTERVAL)


# --- 429 pauses -------------------------------------------------------------------------------


def test_a_429_pauses_the_workspaces_method_for_every_background_sender(
    limiter: Limiter, time: FakeTime
) -> None:
    start = time()
    limiter.rate_limited(TEAM, POST, 30)
    limiter.before_call(OTHER_TEAM, POST)
    limiter.before_call(TEAM, UPDATE)
    assert time.waits == []
    assert sent_at(limiter, time, channel="C1") - start == pytest.approx(30)


def test_a_shorter_429_does_not_shorten_a_longer_pause(limiter: Limiter, time: FakeTime) -> None:
    start = time()
    limiter.rate_limited(TEAM, POST, 30)
    limiter.rate_limited(TEAM, POST, 5)
    assert sent_at(limiter, time) - start == pytest.approx(30)
    limiter.rate_limited(TEAM, POST, 5)  # a pause that ran out is replaced
    assert sent_at(limiter, time) - start == pytest.approx(35)


# --- stopping ---------------------------------------------------------------------------------


def test_stop_makes_a_waiting_background_call_give_up(limiter: Limiter, time: FakeTime) -> None:
    limiter.rate_limited(TEAM, POST, 30)
    time.during_next_wait = limiter.stop
    with pytest.raises(NotCalled) as raised:
        limiter.before_call(TEAM, POST)
    assert isinstance(raised.value, SlackClientError)
    waits = len(time.waits)
    with pytest.raises(NotCalled):
        limiter.before_call(TEAM, UPDATE)  # nothing to wait for: still not made
    assert len(time.waits) == waits


def test_stop_wakes_a_sender_waiting_on_the_real_clock() -> None:
    limiter = Limiter()  # real clock; its sleep is the stop event's wait
    limiter.rate_limited(TEAM, POST, 600)
    outcome: list[BaseException] = []

    def sender() -> None:
        try:
            limiter.before_call(TEAM, POST)
        except NotCalled as error:
            outcome.append(error)

    thread = threading.Thread(target=sender)
    thread.start()
    limiter.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(outcome) == 1


def test_after_stop_background_calls_are_not_made_and_interactive_ones_are(
    fake_slack: FakeSlack,
) -> None:
    clients = clients_for(fake_slack, limiter=Limiter())
    clients.limiter.stop()
    with pytest.raises(NotCalled):
        clients.background(TEAM).users_info(user="U_MANAGER")
    with pytest.raises(NotCalled):
        clients.posting(TEAM).chat_postMessage(channel="C1", text="due work")
    assert fake_slack.calls() == []
    clients.interactive(TEAM).chat_postMessage(channel="C1", text="an answer")
    assert [c.args["text"] for c in fake_slack.delivered(POST)] == ["an answer"]


# --- the budget shared through the database ---------------------------------------------------


def shared_limiters(engine: Engine, time: FakeTime) -> tuple[Limiter, Limiter]:
    """Two processes' limiters on one database."""
    db = session_factory(engine)
    one, two = (Limiter(shared=DatabaseBudget(db), clock=time, sleep=time.sleep) for _ in "12")
    return one, two


def test_two_processes_sharing_the_database_post_at_the_budgets_rate_together(
    engine: Engine, time: FakeTime
) -> None:
    one, two = shared_limiters(engine, time)
    start = time()
    sent = [sent_at(limiter, time) - start for limiter in [one, two] * 4]
    i = one.post_rate.interval
    assert sent == pytest.approx([0, 0, 0, 0, 0, i, 2 * i, 3 * i], abs=1e-6)


def test_push_back_moves_the_shared_next_slot_to_the_end_of_the_pause(engine: Engine) -> None:
    budget, other = DatabaseBudget(session_factory(engine)), DatabaseBudget(session_factory(engine))
    budget.push_back(TEAM, POST, until=1030.0)
    assert other.reserve(TEAM, POST, now=1000.0, interval=1.0, burst=1) == 1030.0
    assert other.reserve(OTHER_TEAM, POST, now=1000.0, interval=1.0, burst=1) == 1000.0


def test_a_429_in_one_process_holds_the_other_processs_posts_for_the_pause(
    engine: Engine, time: FakeTime
) -> None:
    one, two = shared_limiters(engine, time)
    start = time()
    one.rate_limited(TEAM, POST, 30)
    assert sent_at(two, time) - start == pytest.approx(30)  # and not a moment later
    assert sent_at(two, time, team=OTHER_TEAM) - start == pytest.approx(30)  # not held


def test_interactive_posts_use_up_the_shared_budget_of_every_process(
    engine: Engine, time: FakeTime
) -> None:
    one, two = shared_limiters(engine, time)
    start = time()
    for _ in range(POST_BURST):
        one.before_call(TEAM, POST, channel="C1", lane=INTERACTIVE)  # answers go at once
    assert time.waits == []
    assert sent_at(two, time, channel="C2") - start == pytest.approx(two.post_rate.interval)


# --- through real HTTP ------------------------------------------------------------------------


def test_a_post_answered_429_twice_is_delivered_once_and_the_pause_holds_other_senders(
    fake_slack: FakeSlack, limiter: Limiter, time: FakeTime
) -> None:
    waited: list[float] = []

    def second_sender() -> None:  # arrives while the post waits out its first 429
        arrived = time()
        waited.append(sent_at(limiter, time, channel="C2") - arrived)

    time.during_next_wait = second_sender
    fake_slack.fail(POST, status=429, retry_after=0, times=2)
    clients_for(fake_slack, limiter=limiter).posting(TEAM).chat_postMessage(
        channel="C1", text="due work"
    )
    assert fake_slack.rate_limited(POST) == 2
    assert [c.args["channel"] for c in fake_slack.delivered(POST)] == ["C1"]
    first_pause = time.waits[0]
    assert 0 < first_pause < 1  # Retry-After: 0, plus under a second of jitter
    assert waited == pytest.approx([first_pause])


def test_a_429_is_not_retried_once_the_bot_is_stopping(
    fake_slack: FakeSlack, limiter: Limiter
) -> None:
    fake_slack.fail(POST, status=429, retry_after=0)
    limiter.stop()
    with pytest.raises(SlackApiError) as raised:
        clients_for(fake_slack, limiter=limiter).posting(TEAM, interactive=True).chat_postMessage(
            channel="C1", text="an answer"
        )
    assert raised.value.response.status_code == 429
    assert fake_slack.rate_limited(POST) == 1
    assert fake_slack.delivered(POST) == []


def test_stopping_while_a_post_waits_out_a_429_gives_up_the_post(
    fake_slack: FakeSlack, limiter: Limiter, time: FakeTime
) -> None:
    fake_slack.fail(POST, status=429, retry_after=30)
    time.during_next_wait = limiter.stop
    with pytest.raises(SlackApiError):
        clients_for(fake_slack, limiter=limiter).posting(TEAM).chat_postMessage(
            channel="C1", text="due work"
        )
    assert fake_slack.rate_limited(POST) == 1
    assert fake_slack.delivered(POST) == []
