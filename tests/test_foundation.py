"""Issue 2 scenarios through the real HTTP endpoint: help, signatures, health, retries."""

from __future__ import annotations

import threading

import pytest
from slack_sdk.errors import SlackApiError

from blocks import ids
from bot.http import create_http_server, create_wsgi_app
from bot.planner import Dispatcher, Planner
from bot.scheduler import start_scheduler
from store.db import create_db_engine
from tests.fake_slack import FakeSlack
from tests.running_bot import SIGNING_SECRET, RunningBot, _serve, clients_for
from tests.slack_requests import SlackRequests


def help_text(reply_json: dict) -> str:
    return "\n".join(b["text"]["text"] for b in reply_json["blocks"] if b["type"] == "section")


@pytest.mark.parametrize("text", ["help", "", "  HELP  "])
def test_help_is_short_the_core_commands_then_more(bot: RunningBot, text: str) -> None:
    reply = bot.slack.command(text)
    assert reply.status == 200
    body = reply.json()
    assert body.get("response_type") in (None, "ephemeral")
    listed = help_text(body)
    for name in ("schedule", "add", "agenda", "notes", "actions"):
        assert f"`/oneonone {name}" in listed
    assert "schedule @dana tuesday 10:00" in listed
    assert "`/oneonone skip" not in listed and "`/oneonone pause" not in listed
    more_line = (
        "*More:* `history`, `skip`, `reschedule`, `pause`, `end`, `list`, `settings`, `export`, "
        "`calendar`, `delete-my-data`, `help`."
    )
    assert more_line in listed
    (more,) = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert (more["action_id"], more["text"]["text"]) == (ids.HELP_MORE, "More")
    assert "I don't know" not in listed


@pytest.mark.parametrize("how", ["command", "button"])
def test_more_lists_every_subcommand(bot: RunningBot, how: str) -> None:
    if how == "command":
        body = bot.slack.command("help more").json()
    else:
        bot.slack.block_actions(
            [{"type": "button", "action_id": ids.HELP_MORE, "value": "more"}],
            user_id="U_MANAGER",
            response_url=bot.fake.response_url("more"),
        )
        bot.settle()
        (body,) = bot.fake.responses("more")
        assert body["replace_original"] is True
    listed = help_text(body)
    for name in ("schedule", "add", "agenda", "notes", "actions", "history", "skip"):
        assert f"`/oneonone {name}" in listed
    for name in ("reschedule", "pause", "end", "list"):
        assert f"`/oneonone {name}" in listed
    assert "*More:*" not in listed


def test_an_unknown_subcommand_gets_the_help_headed_by_what_was_not_understood(
    bot: RunningBot,
) -> None:
    body = bot.slack.command("frobnicate <!channel> now").json()
    text = help_text(body)
    assert text.startswith("I don't know `frobnicate`")
    assert "`/oneonone add [private] [@person] &lt;text&gt;`" in text
    assert "I don't know `frobnicate`" in body["text"]


def test_requests_without_a_valid_signature_are_refused(bot: RunningBot) -> None:
    assert bot.slack.command("help", headers={"X-Slack-Signature": "v0=deadbeef"}).status == 401
    assert bot.slack.command("help", timestamp=bot.slack.stale_timestamp()).status == 401
    unsigned = bot.slack.command(
        "help", headers={"X-Slack-Signature": None, "X-Slack-Request-Timestamp": None}
    )
    assert unsigned.status == 401
    assert bot.slack.command("help").status == 200


def test_healthz_answers_when_the_database_does(bot: RunningBot) -> None:
    reply = bot.slack.get("/healthz")
    assert (reply.status, reply.json()) == (200, {"ok": True})


def test_healthz_is_503_when_the_database_does_not_answer(bot: RunningBot) -> None:
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    wsgi = create_wsgi_app(bot.app, engine, signing_secret=SIGNING_SECRET)
    server = create_http_server(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=_serve, args=(server,), daemon=True).start()
    try:
        reply = SlackRequests(f"http://127.0.0.1:{server.effective_port}", "x").get("/healthz")
        assert (reply.status, reply.json()) == (503, {"ok": False})
    finally:
        server.close()


def test_a_retried_event_is_handled_once(bot: RunningBot) -> None:
    handled: list[str] = []
    bot.app.event("reaction_added")(lambda event: handled.append(event["reaction"]))
    event = {
        "type": "reaction_added",
        "user": "U_REPORT",
        "reaction": "tada",
        "item": {"type": "message", "channel": "D1", "ts": "1.2"},
    }
    assert bot.slack.event(event, event_id="Ev0001").status == 200
    bot.settle()
    assert bot.slack.event(event, event_id="Ev0001", retry_num=1).status == 200
    assert (
        bot.slack.event(event, event_id="Ev0001", retry_num=2, retry_reason="http_error").status
        == 200
    )
    assert bot.slack.event(event, event_id="Ev0002").status == 200
    bot.settle()
    assert handled == ["tada", "tada"]


def test_a_rate_limited_post_is_retried_and_delivered_once(fake_slack: FakeSlack) -> None:
    client = clients_for(fake_slack).interactive("T0001")
    fake_slack.fail("chat.postMessage", status=429, retry_after=0, times=2)
    client.chat_postMessage(channel="U_REPORT", text="hello")
    calls = fake_slack.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 429, 200]
    assert len(fake_slack.delivered("chat.postMessage")) == 1


def test_server_errors_are_retried_but_slack_errors_are_raised(fake_slack: FakeSlack) -> None:
    client = clients_for(fake_slack).interactive("T0001")
    fake_slack.fail("users.info", status=503)
    assert client.users_info(user="U_REPORT")["user"]["tz"] == "Europe/Berlin"
    fake_slack.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="C404", text="x")


def test_bolt_listener_clients_inherit_the_base_url_and_retry_handlers(bot: RunningBot) -> None:
    seen: list[tuple[str, int]] = []

    def listener(client, event) -> None:
        seen.append((client.base_url, len(client.retry_handlers)))

    bot.app.event("reaction_removed")(listener)
    bot.slack.event(
        {
            "type": "reaction_removed",
            "user": "U_REPORT",
            "reaction": "x",
            "item": {"type": "message", "channel": "D1", "ts": "1.2"},
        }
    )
    bot.settle()
    assert seen == [(bot.fake.url, len(bot.client.retry_handlers))]
    assert len(bot.client.retry_handlers) >= 3


def test_the_scheduler_runs_housekeeping_every_tick_and_the_planner_every_second(
    bot: RunningBot,
) -> None:
    dispatcher = Dispatcher(bot.db, bot.clients, bot.clock, workers=1)
    planner = Planner(bot.db, dispatcher, bot.clock, interval=0.2, channel_interval=1.0)
    scheduler = start_scheduler(
        db=bot.db, clients=bot.clients, clock=bot.clock, tick_seconds=7, planner=planner
    )
    try:
        jobs = {name: scheduler.get_job(name) for name in ("housekeeping", "planner")}
        assert [j.trigger.interval.total_seconds() for j in jobs.values()] == [7, 1]
        assert all((j.coalesce, j.max_instances) == (True, 1) for j in jobs.values())
    finally:
        scheduler.shutdown(wait=True)
        dispatcher.stop()


def test_the_message_shortcut_opens_the_add_modal_prefilled(bot: RunningBot) -> None:
    bot.slack.command("schedule <@U_REPORT|rita> tuesday 10:00")
    bot.settle()
    reply = bot.slack.message_shortcut(
        "add_to_agenda",
        {
            "type": "message",
            "user": "U_BOSS",
            "ts": "1700000001.000100",
            "text": "ship the &lt;beta&gt; <@U_BOSS>",
        },
        user_id="U_REPORT",
        channel_id="C0001",
    )
    assert reply.status == 200
    bot.settle()
    (opened,) = bot.fake.calls("views.open")
    view = str(opened.args["view"])
    assert "ship the <beta> @U_BOSS" in view
    assert "archives/C0001/p1700000001000100" in view
