"""Posted agendas are updated in place after changes, a burst of changes in one update."""

from __future__ import annotations

import threading

from blocks import ids
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import dump, tick_at
from tests.test_weekly_loop import command_reply, schedule


def test_five_points_ticked_in_a_row_are_one_update_of_the_posted_agenda(
    bot: RunningBot,
) -> None:
    schedule(bot)
    for n in range(5):
        command_reply(bot, f"add topic {n}", "U_MANAGER")
    tick_at(bot, "2026-12-01 14:30")
    (agenda,) = [c for c in bot.fake.delivered("chat.postMessage") if "agenda" in c.args["text"]]
    channel, ts = agenda.response["channel"], agenda.response["ts"]
    boxes = [
        b
        for b in agenda.args["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.TICK_POINT
    ]
    updates = len(bot.fake.calls("chat.update"))
    for box in boxes:
        tick = {
            "type": "checkboxes",
            "action_id": ids.TICK_POINT,
            "block_id": box["block_id"],
            "selected_options": box["accessory"]["options"],
        }
        bot.slack.block_actions([tick], user_id="U_REPORT", channel_id=channel)
        bot.executor.wait_idle()  # each click handled; the update waits for a quiet moment
    assert len(bot.fake.calls("chat.update")) == updates
    bot.settle()
    (update,) = bot.fake.calls("chat.update")[updates:]
    assert (update.args["channel"], update.args["ts"]) == (channel, ts)
    message = bot.fake.message(channel, ts)
    ticked = [
        b
        for b in message["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.TICK_POINT
        and b["accessory"].get("initial_options")
    ]
    assert len(ticked) == 5, dump(message["blocks"])


def test_an_agenda_changed_while_it_was_being_posted_is_brought_up_to_date(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "add first topic", "U_MANAGER")
    tick_at(bot, "2026-11-30 15:00")
    hold = bot.fake.hold("chat.postMessage", after_accept=True)
    ticking = threading.Thread(target=tick_at, args=(bot, "2026-12-01 14:30"))
    try:
        ticking.start()
        hold.wait_held(1)  # posted, the answer not back yet
        command_reply(bot, "add late topic", "U_REPORT")  # its refresh finds nothing to update
    finally:
        hold.release()
        ticking.join(timeout=10)
    bot.settle()
    (agenda,) = [c for c in bot.fake.delivered("chat.postMessage") if "agenda" in c.args["text"]]
    latest = bot.fake.message(agenda.response["channel"], agenda.response["ts"])
    assert "late topic" in dump(latest["blocks"])
