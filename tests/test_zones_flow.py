"""Each person reads a series' time on their own clock, through signed requests and the fake
Slack: the welcome, the manager's confirmation with its warnings, the prompts, Home; and the
one-time note when daylight saving time moves the series on someone's clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from blocks import ids
from store.models import Meeting
from tests.running_bot import RunningBot
from tests.test_home_flow import open_home

Payload = dict[str, Any]
HEADS_UP = "daylight saving time"


def texts(blocks: Any) -> list[str]:
    """Every text a person reads in these blocks, in order."""
    found: list[str] = []

    def walk(value: Any) -> Iterator[None]:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                found.append(value["text"])
            for sub in value.values():
                yield from walk(sub)
        elif isinstance(value, list):
            for sub in value:
                yield from walk(sub)

    for _ in walk(blocks):
        pass
    return found


def schedule(bot: RunningBot, text: str, *, manager: str) -> list[str]:
    """The manager schedules with the command; returns the texts of the confirmation."""
    name = f"cmd-{uuid.uuid4().hex}"
    bot.slack.command(text, user_id=manager, response_url=bot.fake.response_url(name))
    bot.settle()
    (reply,) = bot.fake.responses(name)
    return texts(reply["blocks"])


def dms_to(bot: RunningBot, user_id: str) -> list[list[str]]:
    """The texts of every message the bot posted in its DM with the person, in order."""
    return [
        texts(c.args["blocks"])
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] == user_id
    ]


def prompts_to(bot: RunningBot, user_id: str) -> list[list[str]]:
    return [m for m in dms_to(bot, user_id) if "what do you want to talk about" in m[0]]


def heads_ups(bot: RunningBot, user_id: str) -> list[str]:
    return [t for m in prompts_to(bot, user_id) for t in m if HEADS_UP in t]


def week_by_week(bot: RunningBot, until: datetime) -> None:
    """Every Monday 16:00 UTC until `until`: housekeeping rolls the series on, prompts go;
    and each Monday 03:00 UTC before, when a prompt that fell due at night in Kolkata (21:30
    there, a week before) goes out in its working hours (08:00, 02:30 UTC)."""
    monday = bot.clock.now
    while monday < until:
        monday += timedelta(weeks=1)
        bot.clock.now = monday + timedelta(hours=-13)
        bot.tick()
        bot.clock.now = monday
        bot.tick()
        bot.tick()  # the meeting rolled forward in the first has its prompt due now


def test_a_kolkata_monday_morning_is_a_sunday_evening_for_los_angeles(bot: RunningBot) -> None:
    bot.fake.add_user("U_KOL", tz="Asia/Kolkata")
    bot.fake.add_user("U_LA", tz="America/Los_Angeles")
    confirmation = "\n".join(schedule(bot, "schedule <@U_LA|lee> monday 10:00", manager="U_KOL"))
    assert "Your 1:1 with <@U_LA> is scheduled: Mondays 10:00, 30 minutes." in confirmation
    assert "For <@U_LA> that's *Sundays 20:30* (Los Angeles time)." in confirmation
    assert (
        "⚠️ For <@U_LA> it's on a Sunday and outside 08:00–19:00 (Sunday 20:30 their time)."
        in confirmation
    )
    assert "For you it's" not in confirmation  # Monday 10:00 is a working hour in Kolkata
    (welcome,) = dms_to(bot, "U_LA")
    assert (
        "set up a recurring 1:1 with you:* Sundays 20:30 your time (Mondays 10:00 in Kolkata), "
        "30 minutes." in welcome[0]
    )
    assert "every week on Monday" not in "\n".join(welcome)
    home = "\n".join(texts(open_home(bot, "U_LA")["blocks"]))
    assert "*<@U_KOL>* · your manager · Sundays 20:30 your time (Mondays 10:00 in Kolkata)" in home
    assert "*<@U_LA>* · you manage them · Mondays 10:00" in "\n".join(
        texts(open_home(bot, "U_KOL")["blocks"])
    )


def test_the_prompt_gives_the_series_time_on_each_clock(bot: RunningBot) -> None:
    schedule(bot, "schedule <@U_REPORT|rita> tuesday 10:00", manager="U_MANAGER")
    bot.clock.advance(hours=4)
    bot.tick()
    (report,) = prompts_to(bot, "U_REPORT")
    assert "Your 1:1s: Tuesdays 16:00 your time (Tuesdays 10:00 in New York)." in report[0]
    (manager,) = prompts_to(bot, "U_MANAGER")
    assert "Your 1:1s: Tuesdays 10:00." in manager[0]


def test_dst_in_either_zone_is_told_once_to_whoever_it_moves(bot: RunningBot) -> None:
    # New York (the series' zone) springs forward on 2027-03-14, Berlin on 03-28; Kolkata
    # never: the Berlin report is told twice, the Kolkata one once, the manager never.
    schedule(bot, "schedule <@U_REPORT|rita> tuesday 10:00", manager="U_MANAGER")
    schedule(bot, "schedule <@U_REPORT2|kai> tuesday 11:00", manager="U_MANAGER")
    bot.clock.advance(hours=4)
    bot.tick()
    week_by_week(bot, datetime(2027, 4, 12, tzinfo=UTC))
    assert len(prompts_to(bot, "U_REPORT")) == 20  # every Tuesday, 12-01 to 04-13
    berlin = heads_ups(bot, "U_REPORT")
    assert berlin == [
        "⏰ *Heads-up:* because of daylight saving time, your 1:1s are at 15:00 your time "
        "from now on (they were at 16:00).",
        "⏰ *Heads-up:* because of daylight saving time, your 1:1s are at 16:00 your time "
        "from now on (they were at 15:00).",
    ]
    moved = [p for p in prompts_to(bot, "U_REPORT") if any(HEADS_UP in t for t in p)]
    assert "Tuesdays 15:00 your time (Tuesdays 10:00 in New York)" in moved[0][0]
    assert "<!date^1805205600^" in moved[0][0]  # Tuesday 2027-03-16 14:00 UTC
    assert heads_ups(bot, "U_REPORT2") == [
        "⏰ *Heads-up:* because of daylight saving time, your 1:1s are at 20:30 your time "
        "from now on (they were at 21:30)."
    ]
    assert heads_ups(bot, "U_MANAGER") == []


def test_a_skipped_first_moved_meeting_moves_the_heads_up_to_the_next_prompt(
    bot: RunningBot,
) -> None:
    schedule(bot, "schedule <@U_REPORT|rita> tuesday 10:00", manager="U_MANAGER")
    bot.clock.advance(hours=4)
    bot.tick()
    week_by_week(bot, datetime(2027, 3, 8, tzinfo=UTC))  # Monday 03-08 16:00: 03-09 prompted
    bot.clock.advance(days=1)  # Tuesday 03-09 16:00: that 1:1 is over
    bot.tick()
    first_moved = meeting_at(bot, datetime(2027, 3, 16, 14, 0, tzinfo=UTC))
    skipped = bot.slack.view_submission(
        {
            "callback_id": ids.SKIP_MODAL,
            "private_metadata": str(first_moved),
            "state": {"values": {}},
        },
        user_id="U_MANAGER",
    )
    assert skipped.status == 200
    bot.settle()
    bot.clock.advance(days=6)  # Monday 03-15 16:00: the skipped one's prompt is not sent
    bot.tick()
    bot.tick()
    assert heads_ups(bot, "U_REPORT") == []
    bot.clock.advance(weeks=1)  # Monday 03-22: the prompt for 03-23
    bot.tick()
    bot.tick()
    assert heads_ups(bot, "U_REPORT") == [
        "⏰ *Heads-up:* because of daylight saving time, your 1:1s are at 15:00 your time "
        "from now on (they were at 16:00)."
    ]


def meeting_at(bot: RunningBot, starts_at: datetime) -> int:
    with bot.db.read() as session:
        meeting = session.exec(select(Meeting).where(Meeting.starts_at == starts_at)).one()
    assert meeting.id is not None
    return meeting.id
