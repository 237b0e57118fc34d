"""The notes modal through signed requests and the fake Slack: open, grow, save, reopen, edit."""

from __future__ import annotations

import json
from typing import Any

from blocks import ids
from tests.running_bot import RunningBot
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]


def rich(text: str) -> Payload:
    """A rich_text_input value as Slack sends it."""
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return {
        "type": "rich_text_input",
        "rich_text_value": {"type": "rich_text", "elements": [section]},
    }


def opened_view(bot: RunningBot, index: int = -1) -> Payload:
    """The last modal the bot opened or updated, with its id, as the fake stored it."""
    calls = [c for c in bot.fake.calls() if c.method in ("views.open", "views.update")]
    return calls[index].response["view"]  # type: ignore[index]


def open_notes(bot: RunningBot, user_id: str = "U_MANAGER") -> Payload:
    bot.slack.command("notes", user_id=user_id, response_url=bot.fake.response_url("notes"))
    bot.settle()
    return opened_view(bot)


def row_keys(view: Payload) -> list[str]:
    return json.loads(view["private_metadata"])["rows"]


def item_values(key: str, text: str, owner: str, due: str | None = None) -> Payload:
    values: Payload = {
        f"{ids.ITEM_TEXT}:{key}": {ids.VALUE: {"type": "plain_text_input", "value": text}},
        f"{ids.ITEM_OWNER}:{key}": {
            ids.VALUE: {"type": "static_select", "selected_option": {"value": owner}}
        },
    }
    if due:
        values[f"{ids.ITEM_DUE}:{key}"] = {ids.VALUE: {"type": "datepicker", "selected_date": due}}
    return values


def submit(bot: RunningBot, view: Payload, values: Payload, user_id: str = "U_MANAGER") -> Any:
    reply = bot.slack.view_submission(
        {
            "id": view["id"],
            "callback_id": ids.NOTES_MODAL,
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
        user_id=user_id,
    )
    bot.settle()
    return reply


def group_posts(bot: RunningBot, method: str = "chat.postMessage") -> list[Any]:
    return [c for c in bot.fake.delivered(method) if str(c.args.get("channel", "")).startswith("G")]


def test_notes_round_trip_posts_the_summary_and_updates_it_in_place(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    bot.clock.advance(days=1, hours=3, minutes=5)  # Tue 15:05 UTC: the 1:1 is on
    bot.tick()
    view = open_notes(bot)
    assert row_keys(view) == ["n1"]
    meta = json.loads(view["private_metadata"])
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.NOTES_ADD_ITEM, "action_ts": "1.1"}],
        user_id="U_MANAGER",
        view={**view, "state": {"values": {ids.NOTES_SHARED: {ids.VALUE: rich("typed")}}}},
    )
    bot.settle()
    grown = opened_view(bot)
    assert row_keys(grown) == ["n1", "n2"]
    assert "typed" in json.dumps(grown["blocks"])
    point_id = meta["points"][0]
    values = {
        f"{ids.NOTES_POINTS}:0": {
            ids.VALUE: {"type": "checkboxes", "selected_options": [{"value": str(point_id)}]}
        },
        ids.NOTES_SHARED: {ids.VALUE: rich("We agreed on <!channel> & the plan")},
        ids.NOTES_PRIVATE: {ids.VALUE: rich("my private worry")},
        **item_values("n1", "Write the RFC", "U_REPORT", "2026-12-08"),
        **item_values("n2", "", "U_MANAGER"),
    }
    assert submit(bot, grown, values).status == 200
    (summary,) = group_posts(bot)
    text = json.dumps(summary.args["blocks"])
    assert "Write the RFC" in text and "&lt;!channel&gt; &amp; the plan" in text
    assert "my private worry" not in text
    again = open_notes(bot)
    assert "my private worry" in json.dumps(again["blocks"])
    assert row_keys(again)[0].startswith("i")
    report_view = open_notes(bot, user_id="U_REPORT")
    assert "my private worry" not in json.dumps(report_view["blocks"])
    key = row_keys(again)[0]
    edit = {
        ids.NOTES_SHARED: {ids.VALUE: rich("We agreed on the plan")},
        **item_values(key, "Write the RFC v2", "U_REPORT", "2026-12-08"),
    }
    assert submit(bot, again, edit).status == 200
    assert len(group_posts(bot)) == 1
    updates = group_posts(bot, "chat.update")
    assert updates and "Write the RFC v2" in json.dumps(updates[-1].args["blocks"])


def test_people_mentioned_in_notes_read_by_name_in_the_summary(bot: RunningBot) -> None:
    bot.fake.add_user("U_DANA", real_name="Dana Smith")
    schedule(bot)
    bot.clock.advance(days=1, hours=3, minutes=5)  # Tue 15:05 UTC: the 1:1 is on
    bot.tick()
    view = open_notes(bot)
    mention = {
        "type": "rich_text_input",
        "rich_text_value": {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Ask "},
                        {"type": "user", "user_id": "U_DANA"},
                        {"type": "text", "text": " about the budget"},
                    ],
                }
            ],
        },
    }
    assert submit(bot, view, {ids.NOTES_SHARED: {ids.VALUE: mention}}).status == 200
    (summary,) = group_posts(bot)
    text = json.dumps(summary.args["blocks"])
    assert "Ask @Dana Smith about the budget" in text
    assert "U_DANA" not in text  # nobody is pinged, and no raw id shows
    assert "Ask @Dana Smith about the budget" in json.dumps(open_notes(bot)["blocks"])


def test_a_concurrent_edit_of_the_shared_notes_is_refused_on_that_field(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(days=1, hours=3, minutes=5)
    first = open_notes(bot, user_id="U_MANAGER")
    second = open_notes(bot, user_id="U_REPORT")
    assert submit(bot, first, {ids.NOTES_SHARED: {ids.VALUE: rich("manager's")}}).status == 200
    reply = submit(bot, second, {ids.NOTES_SHARED: {ids.VALUE: rich("report's")}}, "U_REPORT")
    body = reply.json()
    assert body["response_action"] == "errors" and ids.NOTES_SHARED in body["errors"]


def test_a_stranger_with_forged_metadata_gets_a_refusal(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(days=1, hours=3, minutes=5)
    view = open_notes(bot)
    reply = submit(bot, view, {ids.NOTES_SHARED: {ids.VALUE: rich("sneaky")}}, "U_STRANGER")
    assert reply.status == 200
    told = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_STRANGER"]
    assert told and "isn't one of yours" in json.dumps(told[0].args)
    assert not group_posts(bot)


def test_too_long_notes_and_items_are_refused_next_to_their_field(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(days=1, hours=3, minutes=5)
    view = open_notes(bot)
    reply = submit(bot, view, {ids.NOTES_PRIVATE: {ids.VALUE: rich("x" * 10_001)}})
    assert reply.json()["errors"].keys() == {ids.NOTES_PRIVATE}
    reply = submit(bot, view, item_values("n1", "y" * 501, "U_REPORT"))
    assert reply.json()["errors"].keys() == {f"{ids.ITEM_TEXT}:n1"}
    assert not group_posts(bot)


def test_removing_a_row_keeps_what_was_typed_in_the_others(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(days=1, hours=3, minutes=5)
    view = open_notes(bot)
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.NOTES_ADD_ITEM, "action_ts": "1.1"}],
        user_id="U_MANAGER",
        view=view,
    )
    bot.settle()
    grown = opened_view(bot)
    typed = {**item_values("n1", "first", "U_MANAGER"), **item_values("n2", "second", "U_REPORT")}
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.NOTES_REMOVE_ITEM, "value": "n1", "action_ts": "1.2"}],
        user_id="U_MANAGER",
        view={**grown, "state": {"values": typed}},
    )
    bot.settle()
    shrunk = opened_view(bot)
    assert row_keys(shrunk) == ["n2"]
    text = json.dumps(shrunk["blocks"])
    assert "second" in text and "first" not in text
    assert json.loads(shrunk["private_metadata"])["version"] == 0
