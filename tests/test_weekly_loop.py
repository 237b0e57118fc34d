"""Weekly loop scenarios through signed requests and the fake Slack: schedule to agenda post."""

from __future__ import annotations

import uuid

from blocks import ids
from tests.running_bot import RunningBot


def schedule(bot: RunningBot) -> None:
    reply = bot.slack.command("schedule <@U_REPORT|rita> tuesday 10:00 weekly 30m")
    assert reply.status == 200
    bot.settle()


def command_reply(bot: RunningBot, text: str, user_id: str = "U_MANAGER") -> str:
    """Send a command and return what the bot answered through its response_url."""
    name = f"cmd-{uuid.uuid4().hex}"
    bot.slack.command(text, user_id=user_id, response_url=bot.fake.response_url(name))
    bot.settle()
    return str(bot.fake.responses(name))


def test_schedule_opens_the_group_dm_and_introduces_the_series(bot: RunningBot) -> None:
    schedule(bot)
    opened = bot.fake.calls("conversations.open")
    assert opened and set(str(opened[0].args["users"]).split(",")) == {"U_MANAGER", "U_REPORT"}
    intro = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_REPORT"]
    assert len(intro) == 1
    assert "<@U_MANAGER>" in str(intro[0].args["blocks"])
    assert ids.ADD_POINT in str(intro[0].args["blocks"])


def test_scheduling_yourself_or_twice_is_refused_ephemerally(bot: RunningBot) -> None:
    assert "yourself" in command_reply(bot, "schedule <@U_MANAGER|me> tuesday 10:00")
    schedule(bot)
    again = command_reply(bot, "schedule <@U_REPORT|rita> friday 9:00")
    assert "already have" in again and "reschedule" in again
    assert "25:00" in command_reply(bot, "schedule <@U_REPORT2|x> friday 25:00")


def test_talking_points_prompts_and_the_agenda_post(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("add <!channel> roadmap & hiring", user_id="U_MANAGER")
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.settle()
    bot.clock.advance(hours=4)  # the 1:1 is Tue 15:00 UTC; prompts are due 24 h before
    report = bot.tick()
    assert report.counts.get("prompt_sent") == 2
    prompts = {
        c.args["channel"]: str(c.args["blocks"])
        for c in bot.fake.delivered("chat.postMessage")
        if c.args.get("channel") in ("U_MANAGER", "U_REPORT")
        and "suggested" in str(c.args["blocks"]).lower()
    }
    assert "my raise" in prompts["U_REPORT"] and "my raise" not in prompts["U_MANAGER"]
    assert "@channel roadmap &amp; hiring" in prompts["U_MANAGER"]  # words that ping nobody
    assert "<!channel>" not in prompts["U_MANAGER"]
    bot.clock.advance(hours=22, minutes=31)
    assert bot.tick().counts.get("agenda_sent") == 1
    (agenda,) = [
        c for c in bot.fake.delivered("chat.postMessage") if str(c.args["channel"]).startswith("G")
    ]
    text = str(agenda.args["blocks"])
    assert "roadmap &amp; hiring" in text and "my raise" not in text
    assert "<!channel>" not in text


def test_a_dm_to_the_bot_adds_a_talking_point_and_ticks_update_the_agenda(bot: RunningBot) -> None:
    schedule(bot)
    message = bot.fake.add_user_message("DU_REPORT", "career chat", user="U_REPORT")
    bot.slack.event(
        {
            "type": "message",
            "channel": "DU_REPORT",
            "channel_type": "im",
            "user": "U_REPORT",
            "text": "career chat",
            "ts": message["ts"],
        }
    )
    bot.settle()
    bot.clock.advance(days=1, hours=2, minutes=31)
    bot.tick()
    (agenda,) = [
        c for c in bot.fake.delivered("chat.postMessage") if str(c.args["channel"]).startswith("G")
    ]
    assert "career chat" in str(agenda.args["blocks"])
    box = next(
        b
        for b in agenda.args["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.TICK_POINT
    )
    option = box["accessory"]["options"][0]
    bot.slack.block_actions(
        [
            {
                "type": "checkboxes",
                "action_id": ids.TICK_POINT,
                "block_id": box["block_id"],
                "selected_options": [option],
                "action_ts": "1.1",
            }
        ],
        user_id="U_MANAGER",
        channel_id=agenda.response["channel"],
    )
    bot.settle()
    updates = bot.fake.delivered("chat.update")
    assert updates and "initial_options" in str(updates[-1].args["blocks"])


def test_a_forged_button_naming_another_pair_is_refused(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.block_actions(
        [
            {
                "type": "button",
                "action_id": ids.ADD_QUESTION,
                "value": "1:general-how-are-you",
                "action_ts": "1.1",
            }
        ],
        user_id="U_STRANGER",
    )
    bot.settle()
    assert not [c for c in bot.fake.delivered("chat.update")]
    refusals = [str(r) for r in bot.fake.responses("block_actions")] + [
        str(c.args)
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] == "U_STRANGER"
    ]
    assert any("isn't one of yours" in r for r in refusals)


def test_a_forged_modal_naming_another_pair_gets_no_data(bot: RunningBot) -> None:
    schedule(bot)
    reply = bot.slack.view_submission(
        {
            "callback_id": ids.ADD_POINT_MODAL,
            "private_metadata": '{"pair": 1}',
            "state": {
                "values": {
                    ids.POINT_TEXT: {ids.VALUE: {"type": "plain_text_input", "value": "sneaky"}}
                }
            },
        },
        user_id="U_STRANGER",
    )
    assert reply.status == 200
    bot.settle()
    told = [
        str(c.args)
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] == "U_STRANGER"
    ]
    assert told and "isn't one of yours" in told[0]
    assert "sneaky" not in command_reply(bot, "agenda", user_id="U_MANAGER")


def test_reschedule_and_pause_by_command_tell_the_other_person(bot: RunningBot) -> None:
    schedule(bot)
    moved = command_reply(bot, "reschedule 2026-12-02 14:30", user_id="U_REPORT")
    assert "moved" in moved.lower() or "2026" in moved
    told = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"]
    assert told
    paused = command_reply(bot, "pause until 2026-12-20", user_id="U_MANAGER")
    assert "2026-12-20" in paused or "Dec" in paused
    assert "isn't" not in command_reply(bot, "list", user_id="U_REPORT")


def test_a_rate_limited_prompt_is_retried_and_sent_once(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(hours=4)
    bot.fake.fail("chat.postMessage", status=429, retry_after=0)
    assert bot.tick().counts.get("prompt_sent") == 2
    prompts = [
        c
        for c in bot.fake.calls("chat.postMessage")
        if c.args.get("channel") in ("U_MANAGER", "U_REPORT")
        and not c.failed
        and "Suggested" in str(c.args.get("blocks"))
    ]
    assert len(prompts) == 2
    assert bot.tick().counts.get("prompt_sent") is None
