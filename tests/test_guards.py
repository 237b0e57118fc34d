"""Nothing ends in Slack's generic error: whatever fails, before or after the ack, the person
reads a short explanation and Slack gets its answer (never a 404 or a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from blocks import ids
from handlers import points, scheduling
from handlers.context import SORRY
from tests.running_bot import RunningBot
from tests.test_notes_flow import open_notes, rich
from tests.test_weekly_loop import schedule


def broken(*_: Any, **__: Any) -> Any:
    raise RuntimeError("a bug")


def test_a_command_that_fails_after_its_ack_is_explained(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule(bot)
    monkeypatch.setattr(points, "add_point", broken)
    reply = bot.slack.command(
        "add this", user_id="U_MANAGER", response_url=bot.fake.response_url("add")
    )
    assert reply.status == 200
    (answer,) = bot.fake.wait_for_response("add")
    assert answer["text"] == SORRY and answer.get("response_type", "ephemeral") == "ephemeral"


def test_a_command_that_fails_before_its_ack_is_answered_in_the_ack(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handlers.commands.deps_from", broken)
    reply = bot.slack.command("list", user_id="U_MANAGER")
    assert reply.status == 200 and reply.json()["text"] == SORRY


def test_a_button_that_fails_is_explained_where_it_was_clicked(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule(bot)
    monkeypatch.setattr(scheduling, "open_schedule_modal", broken)
    reply = bot.slack.block_actions(
        [{"type": "button", "action_id": ids.SCHEDULE_OPEN, "value": ""}],
        user_id="U_MANAGER",
        response_url=bot.fake.response_url("click"),
    )
    assert reply.status == 200
    (answer,) = bot.fake.wait_for_response("click")
    assert answer["text"] == SORRY


def test_a_form_that_fails_before_its_ack_shows_the_error_on_its_first_field(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduling, "create_series", broken)
    values = {
        ids.SCHEDULE_PERSON: {ids.VALUE: {"type": "users_select", "selected_user": "U_REPORT"}},
        ids.SCHEDULE_WEEKDAY: {ids.VALUE: {"selected_option": {"value": "1"}}},
        ids.SCHEDULE_TIME: {ids.VALUE: {"selected_time": "10:00"}},
        ids.SCHEDULE_TIMEZONE: {ids.VALUE: {"value": "America/New_York"}},
    }
    view = {
        "callback_id": ids.SCHEDULE_MODAL,
        "private_metadata": "",
        "blocks": [{"type": "input", "block_id": ids.SCHEDULE_PERSON}],
        "state": {"values": values},
    }
    reply = bot.slack.view_submission(view, user_id="U_MANAGER")
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {ids.SCHEDULE_PERSON: SORRY[:150]}


def test_a_dm_that_fails_is_answered_in_its_thread(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule(bot)
    monkeypatch.setattr("handlers.dm.add_point", broken)
    message = bot.fake.add_user_message("DU_REPORT", "career chat", user="U_REPORT")
    event = {
        "type": "message",
        "channel": "DU_REPORT",
        "channel_type": "im",
        "user": "U_REPORT",
        "text": "career chat",
        "ts": message["ts"],
    }
    assert bot.slack.event(event).status == 200
    bot.settle()
    (reply,) = [c for c in bot.fake.delivered("chat.postMessage") if c.args.get("thread_ts")]
    assert reply.args["thread_ts"] == message["ts"] and reply.args["text"] == SORRY


def test_a_slack_time_zone_this_host_cannot_load_falls_back_to_utc(bot: RunningBot) -> None:
    bot.fake.add_user("U_REPORT", tz="Mars/Olympus_Mons", unknown_zone=True)
    schedule(bot)
    answers = {}
    for command in ("actions", "pause until 2027-01-05", "reschedule 2026-12-03 09:00"):
        name = f"r{len(answers)}"
        bot.slack.command(command, user_id="U_REPORT", response_url=bot.fake.response_url(name))
        answers[command] = str(bot.fake.wait_for_response(name)[0])
    assert all(SORRY not in answer for answer in answers.values()), answers
    assert "paused" in answers["pause until 2027-01-05"].lower()
    event = {"type": "app_home_opened", "user": "U_REPORT", "channel": "DU_REPORT", "tab": "home"}
    bot.slack.event(event)
    bot.settle()
    assert bot.fake.home_view("U_REPORT") is not None


def test_errors_are_logged_without_what_people_wrote(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    schedule(bot)
    secret = "my private worry about my manager"

    def failing_save(session: Any, *_: Any, **__: Any) -> Any:
        session.execute(text("INSERT INTO no_such_table VALUES (:note)"), {"note": secret})

    monkeypatch.setattr("handlers.views.save_notes", failing_save)
    view = open_notes(bot, "U_REPORT")
    submission = {
        "id": view["id"],
        "callback_id": ids.NOTES_MODAL,
        "private_metadata": view["private_metadata"],
        "blocks": view["blocks"],  # Slack sends the whole view back
        "state": {"values": {ids.NOTES_PRIVATE: {ids.VALUE: rich(secret)}}},
    }
    reply = bot.slack.view_submission(submission, user_id="U_REPORT")
    assert reply.status == 200
    assert reply.json()["response_action"] == "errors"  # said on the form, not Slack's error
    failures = [r for r in caplog.records if r.exc_info]
    assert failures  # the failure itself is logged…
    logged = caplog.text + "".join(str(r.exc_info[1]) for r in failures if r.exc_info)
    assert "no_such_table" in logged and secret not in logged  # …but never the note
