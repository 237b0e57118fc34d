"""Refusals through signed requests: naming someone you have no 1:1 with (while you have
exactly one), and ids that name no row."""

from __future__ import annotations

from blocks import ids
from store.models import TalkingPoint
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import click, db_all
from tests.test_weekly_loop import command_reply, schedule


def test_naming_someone_else_never_lands_in_your_only_1_1(bot: RunningBot) -> None:
    schedule(bot)  # the manager's one pair: with U_REPORT
    added = command_reply(bot, "add <@U_BOSS|boss> budget talk", user_id="U_MANAGER")
    assert "don't have a 1:1 with <@U_BOSS>" in added
    assert [p.text for p in db_all(bot, TalkingPoint)] == []
    ended = command_reply(bot, "end <@U_BOSS|boss>", user_id="U_MANAGER")
    assert "don't have a 1:1 with <@U_BOSS>" in ended
    assert "End it" not in ended  # no confirmation of the wrong series


def test_buttons_naming_ids_with_no_row_are_refused(bot: RunningBot) -> None:
    schedule(bot)
    for action_id in (ids.TAKE_NOTES, ids.SKIP, ids.ITEM_DONE, ids.NOT_MET, ids.END):
        answer = click(bot, action_id, "999999", "U_MANAGER", message={"ts": "1.2"})
        assert "isn't one of yours" in answer.text or "doesn't belong" in answer.text, action_id
        assert "Traceback" not in answer.text
