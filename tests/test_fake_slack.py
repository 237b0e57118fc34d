"""The test harness itself: FakeSlack through a real WebClient, blockcheck, SlackRequests."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    RateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import SlackResponse

from tests.blockcheck import check_message, check_view
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock
from tests.slack_requests import SlackRequests

SECRET = "test-signing-secret"


def plain(text: str) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": text}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    """A mrkdwn section block."""
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return block | ({"block_id": block_id} if block_id else {})


def input_modal(*, submit: bool = True) -> dict[str, Any]:
    """A modal with one plain_text_input."""
    element = {"type": "plain_text_input", "action_id": "agenda"}
    block = {"type": "input", "block_id": "agenda", "label": plain("Agenda"), "element": element}
    view = {"type": "modal", "callback_id": "edit", "title": plain("Edit"), "blocks": [block]}
    return view | ({"submit": plain("Save")} if submit else {})


@dataclass
class Ticker:
    """An injectable time.monotonic() that moves only when a test moves it."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    """The fake's monotonic time for rate limits."""
    return Ticker()


@pytest.fixture
def fake(ticker: Ticker) -> Iterator[FakeSlack]:
    """A running FakeSlack on the ticker's time."""
    with FakeSlack(monotonic=ticker) as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """A real WebClient pointed at the fake, retrying 429s."""
    handlers = [RateLimitErrorRetryHandler(max_retry_count=3)]
    return WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=handlers)


@pytest.fixture
def bare(fake: FakeSlack) -> WebClient:
    """A real WebClient pointed at the fake that never retries."""
    return WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=[])


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `call` in a started thread; its result (or exception) lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as e:
            outcome.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def refused(call: Callable[[], Any]) -> SlackResponse:
    """The response of a call that raises SlackApiError."""
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value.response


def retry_after(response: SlackResponse) -> str:
    """The Retry-After header of a response, whatever its case."""
    return next(v for k, v in response.headers.items() if k.lower() == "retry-after")


# --- Web API ---------------------------------------------------------------------------------


def test_auth_test_answers_as_the_bot(client: WebClient) -> None:
    """auth.test gives the bot's ids."""
    reply = client.auth_test()
    assert (reply["team_id"], reply["user_id"], reply["bot_id"]) == ("T0001", "UBOT", "BBOT")


def test_users_info_gives_time_zone(fake: FakeSlack, client: WebClient) -> None:
    """users.info answers Slack-shaped with tz and tz_offset in seconds; token recorded."""
    fake.add_user("U_REPORT", tz="Asia/Kolkata", real_name="Ada Report")
    user = client.users_info(user="U_REPORT")["user"]
    offset = datetime.now(ZoneInfo("Asia/Kolkata")).utcoffset()
    assert offset is not None
    assert (user["tz"], user["tz_offset"]) == ("Asia/Kolkata", int(offset.total_seconds()))
    assert user["profile"]["real_name"] == "Ada Report"
    assert fake.calls("users.info")[0].token == "xoxb-test"


def test_users_info_unknown_user_raises(client: WebClient) -> None:
    """An unknown user is user_not_found."""
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user="U_NOBODY")
    assert caught.value.response["error"] == "user_not_found"


def test_conversations_open_ids_are_stable(client: WebClient) -> None:
    """One user gives a D id, a set of users a G id; the same input gives the same id."""
    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users=["U1"])["channel"]["id"] == dm
    group = client.conversations_open(users="U1,U2")["channel"]["id"]
    assert group.startswith("G")
    assert client.conversations_open(users=["U2", "U1"])["channel"]["id"] == group
    assert client.conversations_open(users="U1,U3")["channel"]["id"] != group


def test_conversations_open_without_users_fails(client: WebClient) -> None:
    """No users is not_enough_users."""
    with pytest.raises(SlackApiError) as caught:
        client.conversations_open(users="")
    assert caught.value.response["error"] == "not_enough_users"


def test_post_then_update_changes_the_stored_message(fake: FakeSlack, client: WebClient) -> None:
    """chat.postMessage to a user id lands in their DM; chat.update changes it in place."""
    posted = client.chat_postMessage(channel="U1", text="agenda", blocks=[section("v1")])
    channel, ts = posted["channel"], posted["ts"]
    assert channel == fake.dm_id("U1") == client.conversations_open(users="U1")["channel"]["id"]
    client.chat_update(channel=channel, ts=ts, text="agenda", blocks=[section("v2", "b")])
    stored = fake.message(channel, ts)
    assert stored["blocks"] == [section("v2", "b")]
    assert stored["user"] == "UBOT"
    assert fake.calls("chat.postMessage")[0].args["blocks"] == [section("v1")]


def test_timestamps_increase(client: WebClient) -> None:
    """Every posted message gets a new, larger ts."""
    first = client.chat_postMessage(channel="C1", text="a")["ts"]
    second = client.chat_postMessage(channel="C1", text="b")["ts"]
    assert float(second) > float(first)


def test_update_of_unknown_message_fails(client: WebClient) -> None:
    """chat.update of an unknown (channel, ts) is message_not_found."""
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel="C1", ts="1.000100", text="x")
    assert caught.value.response["error"] == "message_not_found"


def test_rate_limit_is_retried_and_delivered_once(fake: FakeSlack, client: WebClient) -> None:
    """A 429 (Retry-After: 0) is retried by slack_sdk: one failed call, one delivered."""
    fake.fail("chat.postMessage", status=429, retry_after=0)
    client.chat_postMessage(channel="C1", text="hello")
    assert [(c.status, c.failed) for c in fake.calls("chat.postMessage")] == [
        (429, True),
        (200, False),
    ]
    assert len(fake.delivered("chat.postMessage")) == 1
    assert len(fake.messages("C1")) == 1


def test_server_error_without_retry_handler_raises(fake: FakeSlack, client: WebClient) -> None:
    """A 500 raises SlackApiError when no server-error handler is configured."""
    fake.fail("users.info", status=500)
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user="U1")
    assert caught.value.response.status_code == 500


def test_ok_false_raises_then_recovers(fake: FakeSlack, client: WebClient) -> None:
    """An injected error is answered once as ok: false."""
    fake.fail("chat.postMessage", error="messages_tab_disabled")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="U1", text="hi")
    assert caught.value.response["error"] == "messages_tab_disabled"
    client.chat_postMessage(channel="U1", text="hi")
    assert [c.failed for c in fake.calls()] == [True, False]


def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    """A call without a token is not_authed, as on Slack."""
    with pytest.raises(SlackApiError) as caught:
        WebClient(base_url=fake.url).auth_test()
    assert caught.value.response["error"] == "not_authed"


def test_unknown_method_is_ok_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    """Any other method answers ok and is recorded."""
    client.reactions_add(channel="C1", timestamp="1.1", name="tada")
    assert fake.calls("reactions.add")[0].args["name"] == "tada"


def test_form_body_token_and_json_string_blocks(fake: FakeSlack) -> None:
    """A form-encoded call with a token field and blocks as a JSON string is normalised."""
    form = {
        "token": "xoxb-form",
        "channel": "C1",
        "text": "t",
        "blocks": json.dumps([section("x")]),
    }
    body = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in form.items()).encode()
    request = urllib.request.Request(fake.url + "chat.postMessage", data=body)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["ok"] is True
    call = fake.calls("chat.postMessage")[0]
    assert (call.token, call.args["blocks"]) == ("xoxb-form", [section("x")])


def test_wait_for_sees_calls_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    """wait_for blocks until a background thread's call arrives."""
    worker = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="later"))
    worker.start()
    assert fake.wait_for("chat.postMessage")[0].args["text"] == "later"
    worker.join()


def test_wait_for_timeout_lists_recorded_methods(fake: FakeSlack, client: WebClient) -> None:
    """A timeout raises AssertionError naming what was recorded."""
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.05)


def test_reset_forgets_calls_but_keeps_users(fake: FakeSlack, client: WebClient) -> None:
    """reset() clears calls, not users."""
    fake.add_user("U1")
    client.users_info(user="U1")
    fake.reset()
    assert fake.calls() == []
    assert client.users_info(user="U1")["ok"] is True


# --- timestamps ------------------------------------------------------------------------------


def test_timestamps_follow_the_clock(client: WebClient) -> None:
    """With a clock, a ts is its instant; a still clock gives +1 microsecond each time."""
    clock = FakeClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    with FakeSlack(clock=clock) as fake:
        timed = WebClient(base_url=fake.url, token="xoxb-test")
        first = timed.chat_postMessage(channel="C1", text="a")["ts"]
        reply = fake.add_user_message("C1", "b", user="U1")["ts"]
        edited = timed.chat_update(channel="C1", ts=first, text="a2")["message"]["edited"]["ts"]
        clock.advance(seconds=1.5)
        later = timed.chat_postMessage(channel="C1", text="c")["ts"]
    assert [first, reply, edited] == [f"1796040000.00000{n}" for n in range(3)]
    assert later == "1796040001.500000"


def test_timestamps_without_clock_are_wall_time(client: WebClient) -> None:
    """Without a clock, ts is wall time, strictly increasing, 10 digits '.' 6 digits."""
    before = time.time()
    stamps = [client.chat_postMessage(channel="C1", text=str(n))["ts"] for n in range(5)]
    assert all(len(ts) == 17 and ts[10] == "." for ts in stamps)
    assert stamps == sorted(set(stamps))
    assert before - 1 < float(stamps[0]) < time.time() + 1


# --- conversations.history -------------------------------------------------------------------


def post_texts(client: WebClient, *texts: str) -> list[str]:
    """Post each text to C1; their ts in order."""
    return [client.chat_postMessage(channel="C1", text=t)["ts"] for t in texts]


def history_texts(client: WebClient, **args: Any) -> list[str]:
    """Texts of one conversations.history page of C1."""
    return [m["text"] for m in client.conversations_history(channel="C1", **args)["messages"]]


def test_history_bounds_are_exclusive_unless_inclusive(client: WebClient) -> None:
    """oldest/latest exclude their own message unless inclusive; newest first."""
    a, _, c = post_texts(client, "a", "b", "c")
    assert history_texts(client, oldest=a, latest=c) == ["b"]
    assert history_texts(client, oldest=a, latest=c, inclusive=True) == ["c", "b", "a"]
    assert history_texts(client, oldest=a) == ["c", "b"]
    assert history_texts(client) == ["c", "b", "a"]


def test_history_single_message_lookup(fake: FakeSlack, client: WebClient) -> None:
    """handlers/dm.py's lookup (latest=oldest=ts, inclusive, limit=1) finds just that message."""
    post_texts(client, "before")
    ts = fake.add_user_message("C1", "mine", user="U1")["ts"]
    post_texts(client, "after")
    reply = client.conversations_history(
        channel="C1", latest=ts, oldest=ts, inclusive=True, limit=1
    )
    assert [(m["ts"], m["user"]) for m in reply["messages"]] == [(ts, "U1")]
    assert reply["has_more"] is False
    assert history_texts(client, latest=ts, oldest=ts) == []


def test_history_pages_with_cursor(fake: FakeSlack, client: WebClient) -> None:
    """limit caps a page; next_cursor and has_more lead through the rest; slack_sdk iterates."""
    post_texts(client, "a", "b", "c", "d", "e")
    first = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in first["messages"]] == ["e", "d"] and first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    assert history_texts(client, limit=2, cursor=cursor) == ["c", "b"]
    a = fake.messages("C1")[0]["ts"]
    assert history_texts(client, limit=2, cursor=cursor, oldest=a) == ["c", "b"]
    assert history_texts(client, limit=5, cursor=cursor, oldest=a, inclusive=True) == [
        "c",
        "b",
        "a",
    ]
    pages = [
        [m["text"] for m in p["messages"]]
        for p in client.conversations_history(channel="C1", limit=2)
    ]
    assert pages == [["e", "d"], ["c", "b"], ["a"]]


def test_history_page_max_caps_the_limit(fake: FakeSlack, client: WebClient) -> None:
    """history_page_max (15 for non-Marketplace apps) caps even a larger limit."""
    for n in range(20):
        fake.add_user_message("C1", str(n), user="U1")
    fake.history_page_max = 15
    first = client.conversations_history(channel="C1", limit=100)
    assert len(first["messages"]) == 15 and first["has_more"] is True
    assert len(history_texts(client, cursor=first["response_metadata"]["next_cursor"])) == 5


def test_history_metadata_only_when_asked(client: WebClient) -> None:
    """A message's metadata shows only with include_all_metadata."""
    metadata = {"event_type": "agenda", "event_payload": {"pair": 7}}
    client.chat_postMessage(channel="C1", text="a", metadata=metadata)
    assert "metadata" not in client.conversations_history(channel="C1")["messages"][0]
    shown = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert shown[0]["metadata"] == metadata


def test_history_bad_arguments(client: WebClient) -> None:
    """An unknown cursor is invalid_cursor, a latest that is no ts invalid_ts_latest."""
    reply = refused(lambda: client.conversations_history(channel="C1", cursor="nope"))
    assert reply["error"] == "invalid_cursor"
    reply = refused(lambda: client.conversations_history(channel="C1", latest="soon"))
    assert reply["error"] == "invalid_ts_latest"


# --- rate limits -----------------------------------------------------------------------------


def test_no_limits_by_default(fake: FakeSlack, bare: WebClient) -> None:
    """Without limit_posts(), posts in a burst to one channel all go through."""
    post_texts(bare, *"abcdefghij")
    assert fake.rate_limited() == 0 and len(fake.messages("C1")) == 10


def test_one_post_per_channel_per_interval(
    fake: FakeSlack, bare: WebClient, ticker: Ticker
) -> None:
    """A second post to a channel within the interval is a 429 that stores nothing."""
    fake.limit_posts(rate=100, burst=100)
    post_texts(bare, "a")
    ticker.now += 0.25
    reply = refused(lambda: bare.chat_postMessage(channel="C1", text="b"))
    assert (reply.status_code, reply.data, retry_after(reply)) == (
        429,
        {"ok": False, "error": "ratelimited"},
        "1",
    )
    bare.chat_postMessage(channel="C2", text="other channel")
    ticker.now += 0.75
    post_texts(bare, "c")
    assert [m["text"] for m in fake.messages("C1")] == ["a", "c"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [200, 429, 200, 200]
    assert fake.calls("chat.postMessage")[1].failed
    assert (fake.rate_limited(), fake.rate_limited("auth.test")) == (1, 0)


def test_post_token_bucket(fake: FakeSlack, bare: WebClient, ticker: Ticker) -> None:
    """burst posts at once, then one per 1/rate seconds; Retry-After rounds the wait up."""
    fake.limit_posts(per_channel_interval=0, rate=0.5, burst=2)
    post_texts(bare, "a", "b")
    assert retry_after(refused(lambda: post_texts(bare, "c"))) == "2"
    ticker.now += 1.0
    assert retry_after(refused(lambda: post_texts(bare, "c"))) == "1"
    ticker.now += 1.0
    post_texts(bare, "c")
    assert len(fake.messages()) == 3 and fake.rate_limited("chat.postMessage") == 2


def test_limits_are_per_token(fake: FakeSlack, bare: WebClient) -> None:
    """Two workspaces (two tokens) have separate budgets."""
    fake.limit_posts(rate=1, burst=1)
    other = WebClient(base_url=fake.url, token="xoxb-other", retry_handlers=[])
    post_texts(bare, "a")
    refused(lambda: post_texts(bare, "b"))
    post_texts(other, "from the other workspace")
    assert [c.token for c in fake.delivered("chat.postMessage")] == ["xoxb-test", "xoxb-other"]


def test_limit_any_method(fake: FakeSlack, bare: WebClient, ticker: Ticker) -> None:
    """limit() puts a token bucket on one method; other methods are unaffected."""
    fake.limit("conversations.history", rate=1, burst=1)
    bare.conversations_history(channel="C1")
    reply = refused(lambda: bare.conversations_history(channel="C1"))
    assert (reply.status_code, retry_after(reply)) == (429, "1")
    bare.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")]})
    ticker.now += 1
    bare.conversations_history(channel="C1")
    assert fake.rate_limited() == 1


def test_fail_takes_precedence_over_limits(fake: FakeSlack, bare: WebClient) -> None:
    """An injected fault answers first and spends no token."""
    fake.limit_posts(rate=1, burst=1)
    fake.fail("chat.postMessage", error="channel_not_found")
    assert refused(lambda: post_texts(bare, "a"))["error"] == "channel_not_found"
    post_texts(bare, "b")
    assert refused(lambda: post_texts(bare, "c")).status_code == 429


def test_reset_drops_limits(fake: FakeSlack, bare: WebClient) -> None:
    """reset() forgets limits along with other faults."""
    fake.limit_posts(rate=1, burst=1)
    post_texts(bare, "a")
    fake.reset()
    post_texts(bare, "b")
    assert fake.rate_limited() == 0


# --- holds -----------------------------------------------------------------------------------


def test_hold_blocks_before_processing(fake: FakeSlack, client: WebClient) -> None:
    """A held call is not processed; other methods and the fake stay usable; release answers."""
    hold = fake.hold("chat.postMessage")
    thread, outcome = in_thread(lambda: client.chat_postMessage(channel="C1", text="held"))
    hold.wait_held()
    assert client.auth_test()["ok"] is True
    assert (fake.messages(), fake.calls("chat.postMessage"), outcome) == ([], [], [])
    hold.release()
    thread.join(5)
    assert outcome[0]["ts"] == fake.messages("C1")[0]["ts"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [200]


def test_hold_after_accept_stores_first(fake: FakeSlack, client: WebClient) -> None:
    """after_accept: the message is stored and the call recorded; only the answer waits."""
    with fake.hold("chat.postMessage", after_accept=True) as hold:
        thread, outcome = in_thread(lambda: client.chat_postMessage(channel="C1", text="x"))
        hold.wait_held()
        assert fake.wait_for("chat.postMessage")[0].status == 200
        assert history_texts(client) == ["x"] and outcome == []
    thread.join(5)
    assert outcome[0]["ts"] == fake.messages("C1")[0]["ts"]
    assert len(fake.calls("chat.postMessage")) == 1


def test_hold_counts_several_calls(fake: FakeSlack, client: WebClient) -> None:
    """wait_held(count) waits for that many held calls; a timeout is an AssertionError."""
    hold = fake.hold("views.publish")
    view = {"type": "home", "blocks": [section("x")]}
    threads = [in_thread(lambda: client.views_publish(user_id="U1", view=view)) for _ in "ab"]
    hold.wait_held(2)
    with pytest.raises(AssertionError, match=r"3 held views\.publish"):
        hold.wait_held(3, timeout=0.05)
    hold.release()
    for thread, _ in threads:
        thread.join(5)
    assert len(fake.delivered("views.publish")) == 2


def test_reset_and_stop_release_holds(ticker: Ticker) -> None:
    """reset() and stop() let held calls through, so no thread hangs."""
    with FakeSlack(monotonic=ticker) as fake:
        client = WebClient(base_url=fake.url, token="xoxb-test")
        hold = fake.hold("auth.test")
        first, _ = in_thread(client.auth_test)
        hold.wait_held()
        fake.reset()
        first.join(5)
        hold = fake.hold("chat.postMessage", after_accept=True)
        second, outcome = in_thread(lambda: client.chat_postMessage(channel="C1", text="x"))
        hold.wait_held()
    second.join(5)
    assert not first.is_alive() and not second.is_alive() and outcome[0]["ok"] is True


# --- lost and late answers -------------------------------------------------------------------


def test_lost_answer_closes_the_connection(fake: FakeSlack, bare: WebClient) -> None:
    """The message is stored, the client sees a dropped connection, the call is failed."""
    fake.lose_answer("chat.postMessage")
    with pytest.raises((http.client.RemoteDisconnected, URLError)):
        bare.chat_postMessage(channel="C1", text="lost")
    (call,) = fake.calls("chat.postMessage")
    stored = fake.messages("C1")
    assert (call.failed, call.status, call.response) == (True, 0, "")
    assert isinstance(call.lost, dict) and call.lost["ts"] == stored[0]["ts"]
    post_texts(bare, "next")
    assert [c.failed for c in fake.calls("chat.postMessage")] == [True, False]


def test_lost_answer_is_retried_into_a_duplicate(fake: FakeSlack) -> None:
    """slack_sdk's connection-error retry (its default, here without the wait) posts twice."""
    fake.lose_answer("chat.postMessage")
    retry = ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0))
    retrying = WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=[retry])
    retrying.chat_postMessage(channel="C1", text="once")
    assert [m["text"] for m in fake.messages("C1")] == ["once", "once"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [0, 200]


def test_lost_answer_with_status(fake: FakeSlack, bare: WebClient) -> None:
    """With a status, the accepted call is answered that status with internal_error."""
    fake.lose_answer("chat.update", status=503, times=2)
    ts = post_texts(bare, "v1")[0]
    for text in ("v2", "v3"):
        reply = refused(lambda text=text: bare.chat_update(channel="C1", ts=ts, text=text))
        assert (reply.status_code, reply["error"]) == (503, "internal_error")
    assert fake.message("C1", ts)["text"] == "v3"
    assert [(c.status, c.failed) for c in fake.calls("chat.update")] == [(503, True)] * 2


def test_delayed_answer_times_the_client_out(fake: FakeSlack) -> None:
    """A delayed answer outlasts a short client timeout; Slack has stored the message."""
    fake.delay("chat.postMessage", 5.0)
    hasty = WebClient(base_url=fake.url, token="xoxb-test", timeout=0.2, retry_handlers=[])
    with pytest.raises((TimeoutError, URLError)):
        hasty.chat_postMessage(channel="C1", text="late")
    assert fake.delivered("chat.postMessage")[0].args["text"] == "late"
    assert [m["text"] for m in fake.messages("C1")] == ["late"]


def test_delayed_answer_arrives_late(fake: FakeSlack, client: WebClient) -> None:
    """A patient client gets the normal answer after the delay; only `times` calls wait."""
    fake.delay("auth.test", 0.2)
    started = time.monotonic()
    assert client.auth_test()["ok"] is True
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.2


# --- views -----------------------------------------------------------------------------------


def test_views_open_update_and_hash(fake: FakeSlack, client: WebClient) -> None:
    """views.update keeps the id and gives a new hash; a stale hash is hash_conflict."""
    opened = client.views_open(trigger_id="1.2.3", view=input_modal())["view"]
    assert opened["id"].startswith("V") and opened["state"] == {"values": {}}
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=input_modal())
    assert updated["view"]["id"] == opened["id"] and updated["view"]["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as caught:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=input_modal())
    assert caught.value.response["error"] == "hash_conflict"
    assert fake.block_errors == []


def test_views_publish_keeps_last_home_view(fake: FakeSlack, client: WebClient) -> None:
    """home_view() returns the last published Home tab per user."""
    assert fake.home_view("U1") is None
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("one")]})
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("two")]})
    home = fake.home_view("U1")
    assert home is not None and home["blocks"] == [section("two")]


# --- Block Kit checks through the fake ---------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([section("x" * 3001)], "3000"),
        ([section("x")] * 51, "51 blocks"),
        ([{"type": "section", "text": "shorthand"}], "blocks[0].text"),
    ],
)
def test_invalid_message_blocks_are_refused(
    fake: FakeSlack, client: WebClient, blocks: list[dict[str, Any]], reason: str
) -> None:
    """Invalid blocks are invalid_blocks, recorded as failed and listed in block_errors."""
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    assert caught.value.response["error"] == "invalid_blocks"
    assert fake.calls("chat.postMessage")[0].failed
    assert any(e.startswith("chat.postMessage: ") and reason in e for e in fake.block_errors)
    assert fake.messages() == []


def test_input_modal_without_submit_is_refused(fake: FakeSlack, client: WebClient) -> None:
    """A modal with an input and no submit is invalid_arguments."""
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id="1.2.3", view=input_modal(submit=False))
    assert caught.value.response["error"] == "invalid_arguments"
    assert fake.block_errors == ["views.open: modal has an input block but no submit"]


def test_message_without_fallback_text_is_refused(fake: FakeSlack, client: WebClient) -> None:
    """Blocks without top-level text are reported."""
    with pytest.raises(SlackApiError), pytest.warns(UserWarning, match="top-level `text`"):
        client.chat_postMessage(channel="C1", blocks=[section("x")])
    assert fake.block_errors == [
        "chat.postMessage: message has blocks but no top-level text fallback"
    ]


def option(text: str, value: str = "v") -> dict[str, Any]:
    """A Block Kit option."""
    return {"text": plain(text), "value": value}


def actions(kind: str, **fields: Any) -> list[dict[str, Any]]:
    """One actions block holding one element of `kind`."""
    return [{"type": "actions", "elements": [{"type": kind, "action_id": kind, **fields}]}]


LONG = option("o" * 76)
GROUPS = [{"label": plain("g"), "options": [LONG]}]


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        (actions("overflow", options=[LONG]), "option text: 76"),
        (actions("radio_buttons", options=[option("o", "v" * 151)]), "option value: 151"),
        (actions("checkboxes", options=[option("o")], initial_options=[LONG]), "75"),
        (actions("static_select", placeholder=plain("p"), option_groups=GROUPS), "75"),
        ([section("a", "same"), section("b", "same")], "duplicate 'same'"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "plain_text"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "dropped"),
        ([section("x") | {"acessory": {}}], "acessory"),
        ([{"type": "nope"}], "unknown block type"),
    ],
)
def test_check_message_rules(blocks: list[dict[str, Any]], reason: str) -> None:
    """Rules slack_sdk does not check, and round-trip differences, are reported."""
    problems = check_message(blocks, "fallback")
    assert any(reason in p for p in problems), problems


def test_check_view_accepts_echoed_payload_view() -> None:
    """A view echoed back from a payload (null/"" placeholders, state) is fine."""
    echoed = input_modal() | {"id": "V1", "hash": "h", "close": None, "external_id": ""}
    echoed |= {"state": {"values": {}}, "app_installed_team_id": "T0001", "private_metadata": ""}
    assert check_view(echoed) == []


def test_check_view_modal_limits() -> None:
    """Modal title length and private_metadata length are reported."""
    assert check_view(input_modal() | {"title": plain("t" * 25)})
    assert check_view(input_modal() | {"private_metadata": "m" * 3001})
    assert check_view({"type": "home", "blocks": [section("x")] * 101})


# --- response_url ----------------------------------------------------------------------------


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    """Bolt's respond() posts JSON to the response_url; the fake keeps it by name."""
    respond = Respond(response_url=fake.response_url("cmd"))
    reply = respond(text="done", blocks=[section("done")], replace_original=True)
    assert (reply.status_code, reply.body) == (200, "ok")
    posts = fake.wait_for_response("cmd")
    assert posts == [{"text": "done", "blocks": [section("done")], "replace_original": True}]


def test_response_url_invalid_blocks_are_reported(fake: FakeSlack) -> None:
    """Invalid blocks posted to a response_url land in block_errors."""
    reply = Respond(response_url=fake.response_url("bad"))(text="x", blocks=[section("")])
    assert reply.status_code == 400
    assert fake.block_errors and fake.block_errors[0].startswith("response_url/bad: ")


# --- SlackRequests ---------------------------------------------------------------------------


Captured = list[tuple[str, dict[str, str], bytes]]
Capture = tuple[SlackRequests, Captured]


class CaptureServer(ThreadingHTTPServer):
    """An HTTP server that keeps every raw request (path, headers, body)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), CaptureHandler)
        self.captured: Captured = []


class CaptureHandler(BaseHTTPRequestHandler):
    """Records the request on the server; answers JSON 200."""

    server: CaptureServer

    def do_POST(self) -> None:
        """Record and acknowledge."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.captured.append((self.path, dict(self.headers), body))
        self._answer(b'{"ok": true}')

    def do_GET(self) -> None:
        """Answer a health check."""
        self.server.captured.append((self.path, dict(self.headers), b""))
        self._answer(b'{"status": "up"}')

    def _answer(self, data: bytes) -> None:
        """Write a JSON 200."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def capture() -> Iterator[Capture]:
    """SlackRequests aimed at a server that captures raw requests."""
    server = CaptureServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield SlackRequests(f"http://127.0.0.1:{server.server_address[1]}", SECRET), server.captured
    finally:
        server.shutdown()
        server.server_close()


def verified(captured: tuple[str, dict[str, str], bytes]) -> bool:
    """Whether SignatureVerifier accepts the captured request."""
    _, headers, body = captured
    return SignatureVerifier(SECRET).is_valid_request(body, headers)


def test_command_is_signed_form_fields(capture: Capture) -> None:
    """A slash command is form-encoded in Slack's field order and verifies."""
    requests, captured = capture
    reply = requests.command("schedule @ada", response_url="http://x/response/c")
    assert reply.status == 200 and reply.json() == {"ok": True}
    path, headers, body = captured[0]
    fields = parse_qs(body.decode())
    assert path == "/slack/events" and verified(captured[0])
    assert list(fields)[:3] == ["token", "team_id", "team_domain"]
    assert fields["text"] == ["schedule @ada"] and fields["user_id"] == ["U_MANAGER"]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_block_actions_payload(capture: Capture) -> None:
    """block_actions carries user, team, container, message and a response_url."""
    requests, captured = capture
    message = {"ts": "1700000000.000100", "text": "agenda"}
    requests.block_actions(
        [{"action_id": "done", "value": "7"}], user_id="U1", message=message, channel_id="D1"
    )
    payload = json.loads(parse_qs(captured[0][2].decode())["payload"][0])
    assert payload["type"] == "block_actions" and payload["user"]["id"] == "U1"
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["actions"][0]["type"] == "button" and payload["response_url"]
    assert verified(captured[0])


def test_view_submission_fills_view(capture: Capture) -> None:
    """view_submission gets id/hash/team_id/type filled in and keeps the caller's fields."""
    requests, captured = capture
    state = {"values": {"agenda": {"agenda": {"type": "plain_text_input", "value": "hi"}}}}
    view = {"callback_id": "edit", "private_metadata": "42", "state": state}
    requests.view_submission(view, user_id="U1")
    sent = json.loads(parse_qs(captured[0][2].decode())["payload"][0])["view"]
    assert sent["id"].startswith("V") and sent["hash"] and sent["type"] == "modal"
    assert (sent["callback_id"], sent["private_metadata"], sent["state"]) == ("edit", "42", state)


def test_event_envelope_and_retry_headers(capture: Capture) -> None:
    """An event is a signed JSON envelope; retries carry X-Slack-Retry-* headers."""
    requests, captured = capture
    requests.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, retry_num=1)
    _, headers, body = captured[0]
    envelope = json.loads(body)
    assert envelope["type"] == "event_callback" and envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "UBOT"
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    assert verified(captured[0])


def test_tampered_requests_do_not_verify(capture: Capture) -> None:
    """Stale timestamp, bad signature and missing headers fail verification."""
    requests, captured = capture
    requests.command("x", timestamp=requests.stale_timestamp())
    requests.command("x", headers={"X-Slack-Signature": "v0=bad"})
    requests.command("x", headers={"X-Slack-Request-Timestamp": None})
    assert [verified(c) for c in captured] == [False, False, False]
    assert "X-Slack-Request-Timestamp" not in captured[2][1]


def test_raw_post_and_get(capture: Capture) -> None:
    """raw_post sends exactly what it is given; get() is unsigned."""
    requests, captured = capture
    body = b'{"type": "url_verification", "challenge": "c"}'
    requests.raw_post(body, {"Content-Type": "application/json", **requests.sign(body)})
    assert verified(captured[0])
    reply = requests.get("/healthz")
    assert reply.json() == {"status": "up"} and reply.headers["content-type"] == "application/json"
    assert captured[1][0] == "/healthz" and "X-Slack-Signature" not in captured[1][1]


# --- files (upload v2) ---------------------------------------------------------------------


def test_files_upload_v2_stores_the_bytes_and_shares_them_in_the_channel(
    fake: FakeSlack, client: WebClient
) -> None:
    response = client.files_upload_v2(
        channel="DU1",
        file_uploads=[
            {"content": "# hello\n", "filename": "a.md", "title": "A"},
            {"content": b"x,y\r\n", "filename": "b.csv"},
        ],
        initial_comment="Here you are",
    )
    shared = fake.files("DU1")
    assert [f["id"] for f in response["files"]] == [f.file_id for f in shared]
    assert [(f.filename, f.title, f.completed) for f in shared] == [
        ("a.md", "A", True),
        ("b.csv", "b.csv", True),
    ]
    assert fake.file_text(shared[0].file_id) == "# hello\n"
    (message,) = fake.messages("DU1")
    assert message["text"] == "Here you are" and len(message["files"]) == 2
    assert fake.files("DU2") == []


def test_files_are_checked_as_slack_checks_them(fake: FakeSlack, bare: WebClient) -> None:
    with pytest.raises(SlackApiError, match="missing_argument"):
        bare.files_getUploadURLExternal(filename="a.md", length=0)
    fake.file_bytes_max = 10
    with pytest.raises(SlackApiError, match="file_upload_size_restricted"):
        bare.files_getUploadURLExternal(filename="a.md", length=11)
    started = bare.files_getUploadURLExternal(filename="a.md", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):  # no bytes were uploaded
        bare.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="D1")
    short = urllib.request.Request(started["upload_url"], data=b"ab", method="POST")
    with pytest.raises(URLError):  # not the length announced
        urllib.request.urlopen(short)
    urllib.request.urlopen(urllib.request.Request(started["upload_url"], data=b"abc"))
    with pytest.raises(SlackApiError, match="channel_not_found"):
        bare.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="U1")
    bare.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="D1")
    with pytest.raises(SlackApiError, match="file_not_found"):  # only once
        bare.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="D1")
    bare.files_delete(file=started["file_id"])
    assert fake.files() == []
    with pytest.raises(SlackApiError, match="file_not_found"):
        bare.files_delete(file=started["file_id"])


def test_files_need_the_files_write_scope(fake: FakeSlack, bare: WebClient) -> None:
    fake.scopes.discard("files:write")
    with pytest.raises(SlackApiError) as refused:
        bare.files_upload_v2(channel="D1", content="x", filename="a.md")
    assert refused.value.response["error"] == "missing_scope"
    assert refused.value.response["needed"] == "files:write"
