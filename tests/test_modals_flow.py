"""Which 1:1, which date, through signed requests and the fake Slack: every modal says first
whose 1:1 and which meeting it is for, and "Take notes" names the date when it opens another
meeting than the next one."""

from __future__ import annotations

from typing import Any

from blocks import ids
from tests.running_bot import RunningBot
from tests.test_blocks import texts
from tests.test_follow_ups_flow import (
    agenda_posts,
    click,
    elements,
    posted,
    summary_posts,
    tick_at,
    utc,
)
from tests.test_home_flow import open_home
from tests.test_notes_flow import opened_view
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
FIRST = utc("2026-12-01 15:00")  # the series' first 1:1: Tuesday 10:00 in New York
SECOND = utc("2026-12-08 15:00")


def token(when: Any) -> str:
    """The start of the Slack date token of a moment (what Slack shows as the date)."""
    return f"<!date^{int(when.timestamp())}^"


def first_text(view: Payload) -> str:
    """What a person reads in a modal's first block."""
    return texts(view["blocks"][:1])


def agenda_message(bot: RunningBot) -> Payload:
    (agenda,) = agenda_posts(bot)
    return posted(agenda)


def test_notes_opened_from_the_agenda_name_the_1_1_and_its_date(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 14:30")  # the agenda is posted
    agenda = agenda_message(bot)
    (take,) = elements(agenda["blocks"], ids.TAKE_NOTES)
    assert take["text"]["text"] == "Take notes"  # the next 1:1: no date needed
    click(bot, ids.TAKE_NOTES, take["value"], "U_MANAGER", message=agenda)
    view = opened_view(bot)
    assert view["callback_id"] == ids.NOTES_MODAL
    assert first_text(view).startswith(f"For your 1:1 with <@U_REPORT> · {token(FIRST)}")
    click(bot, ids.TAKE_NOTES, take["value"], "U_REPORT", message=agenda)
    assert first_text(opened_view(bot)).startswith(
        f"For your 1:1 with <@U_MANAGER> · {token(FIRST)}"
    )


def test_notes_for_last_week_s_1_1_say_its_date_everywhere(bot: RunningBot) -> None:
    """A week on, the summary of Dec 1 still opens Dec 1's notes, and says so; so does the
    Home tab while nobody has saved them (the next 1:1, on Dec 8, is another one)."""
    schedule(bot)
    command_reply(bot, "add roadmap review", user_id="U_MANAGER")
    tick_at(bot, "2026-12-01 16:30")  # the summary asks whether they met
    (summary,) = summary_posts(bot)
    (take,) = elements(summary.args["blocks"], ids.TAKE_NOTES)
    assert take["text"]["text"] == "Take notes for Dec 1"
    tick_at(bot, "2026-12-07 12:00")
    home = open_home(bot, "U_MANAGER")
    (pair_notes,) = elements(home["blocks"], ids.PAIR_NOTES)
    assert pair_notes["text"]["text"] == "Take notes for Dec 1"
    click(bot, ids.TAKE_NOTES, take["value"], "U_MANAGER", message=posted(summary))
    view = opened_view(bot)
    assert first_text(view).startswith(f"For your 1:1 with <@U_REPORT> · {token(FIRST)}")
    tick_at(bot, "2026-12-08 14:30")  # a week is over: "Take notes" is for the next 1:1
    home = open_home(bot, "U_MANAGER")
    (pair_notes,) = elements(home["blocks"], ids.PAIR_NOTES)
    assert pair_notes["text"]["text"] == "Take notes"
    click(bot, ids.PAIR_NOTES, pair_notes["value"], "U_MANAGER", view=home)
    assert first_text(opened_view(bot)).startswith(
        f"For your 1:1 with <@U_REPORT> · {token(SECOND)}"
    )


def test_add_skip_and_reschedule_name_the_1_1_and_the_meeting(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 14:30")
    agenda = agenda_message(bot)
    expected = f"For your 1:1 with <@U_MANAGER> · {token(FIRST)}"
    for action_id, callback_id in (
        (ids.ADD_POINT, ids.ADD_POINT_MODAL),
        (ids.SKIP, ids.SKIP_MODAL),
        (ids.RESCHEDULE, ids.RESCHEDULE_MODAL),
    ):
        (button,) = elements(agenda["blocks"], action_id)
        click(bot, action_id, button["value"], "U_REPORT", message=agenda)
        view = opened_view(bot)
        assert view["callback_id"] == callback_id
        assert first_text(view).startswith(expected), action_id


def test_the_pause_modal_names_the_1_1s_and_their_next_meeting(bot: RunningBot) -> None:
    schedule(bot)
    listed = bot.fake.response_url("list")
    bot.slack.command("list", user_id="U_MANAGER", response_url=listed)
    bot.settle()
    (message,) = bot.fake.responses("list")
    (pause,) = elements(message["blocks"], ids.PAUSE)
    click(bot, ids.PAUSE, pause["value"], "U_MANAGER", message=message)
    view = opened_view(bot)
    assert view["callback_id"] == ids.PAUSE_MODAL
    expected = f"For your 1:1s with <@U_REPORT> · the next is {token(FIRST)}"
    assert first_text(view).startswith(expected)


def test_the_add_modal_says_the_1_1_is_to_be_picked_when_there_are_several(
    bot: RunningBot,
) -> None:
    schedule(bot)
    assert bot.slack.command("schedule <@U_REPORT2|sam> friday 09:00").status == 200
    bot.settle()
    click(bot, ids.ADD_POINT, "", "U_MANAGER", message={"blocks": []})
    view = opened_view(bot)
    assert first_text(view) == "For the next 1:1 with the person you pick below."
