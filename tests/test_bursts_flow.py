"""No bursts, through signed requests and the fake Slack: posts to one person in the same
minute are one message; prompts land in the reader's working hours (store.bursts,
store.working_hours)."""

from __future__ import annotations

import json

from sqlmodel import select

from blocks import ids
from store.models import DueWork
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import elements, take_notes_during_week1, tick_at
from tests.test_metrics import scrape
from tests.test_zones_flow import dms_to, schedule


def work(bot: RunningBot, prefix: str) -> list[DueWork]:
    with bot.db.read() as session:
        rows = session.exec(select(DueWork).where(DueWork.key.startswith(prefix))).all()  # type: ignore[attr-defined]
        return list(rows)


def test_a_1_1_tomorrow_morning_reaches_the_report_as_one_welcome(bot: RunningBot) -> None:
    # Tuesday 07:00 New York is 12:00 UTC: the report's prompt (24 h before) is due now
    schedule(bot, "schedule <@U_REPORT|rita> tuesday 07:00", manager="U_MANAGER")
    bot.tick()
    bot.settle()
    (welcome,) = dms_to(bot, "U_REPORT")
    shown = "\n".join(welcome)
    assert "set up a recurring 1:1 with you" in welcome[0]
    assert "What do you want to talk about in the first one?" in shown
    assert "Nothing yet — be the first to add one." in shown
    assert "Suggested question" in shown or "suggested" in shown.lower()
    (message,) = [
        c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_REPORT"
    ]
    assert elements(message.args["blocks"], ids.ADD_POINT)
    assert elements(message.args["blocks"], ids.END)  # the welcome's Decline stays
    (report_prompt,) = [w for w in work(bot, "prompt:") if w.user_id == "U_REPORT"]
    assert (report_prompt.outcome, report_prompt.attempts) == ("merged", 1)
    bot.clock.advance(hours=2)  # 09:00 in New York: the manager's prompt, nobody else's
    assert bot.tick().counts.get("prompt_sent") == 1
    assert len(dms_to(bot, "U_REPORT")) == 1


def test_a_monday_meetings_prompt_arrives_on_friday(bot: RunningBot) -> None:
    schedule(bot, "schedule <@U_REPORT|rita> monday 09:00", manager="U_MANAGER")
    # Monday 12-07 09:00 New York; 24 h before is a Sunday: Friday 18:00 on each clock
    assert "prompt_sent" not in tick_at(bot, "2026-12-04 16:59")
    assert tick_at(bot, "2026-12-04 17:00").get("prompt_sent") == 1  # 18:00 Berlin
    (prompt,) = [m for m in dms_to(bot, "U_REPORT") if "what do you want to talk about" in m[0]]
    assert "Your 1:1 with <@U_MANAGER> is <!date^1796652000^" in prompt[0]  # Mon 14:00 UTC
    assert tick_at(bot, "2026-12-04 23:00").get("prompt_sent") == 1  # 18:00 New York
    assert "prompt_sent" not in tick_at(bot, "2026-12-06 14:00")


def test_a_reminder_due_with_the_prompt_arrives_inside_it(bot: RunningBot) -> None:
    schedule(bot, "schedule <@U_REPORT|rita> tuesday 09:00", manager="U_MANAGER")
    take_notes_during_week1(bot, [("Send the plan", "U_MANAGER", "2026-12-07")])
    before = len(dms_to(bot, "U_MANAGER"))
    # Monday 12-07 09:00 New York: the week-2 prompt and the item's reminder fall due
    counts = tick_at(bot, "2026-12-07 14:00")
    assert counts.get("prompt_sent") == 2 and "reminder_sent" not in counts
    assert counts.get("reminder_merged") == 1  # counted as what became of it
    done = scrape(bot)
    assert done['oneonone_due_work_done_total{kind="reminder",outcome="merged"}'] == 1
    assert 'oneonone_due_work_done_total{kind="reminder",outcome="sent"}' not in done
    (prompt,) = dms_to(bot, "U_MANAGER")[before:]
    assert "what do you want to talk about" in prompt[0]
    assert "⏰ *Due today:* Send the plan" in prompt
    assert "• Send the plan" not in "\n".join(prompt)  # listed once, with its button
    (message,) = [
        c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"
    ][before:]
    (done,) = elements(message.args["blocks"], ids.ITEM_DONE)
    (reminder,) = work(bot, "reminder:")
    assert reminder.outcome == "merged" and reminder.posted_ts == message.response["ts"]
    payload = message.args["metadata"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert reminder.key in payload["event_payload"]["also"].split()
    assert "reminder_sent" not in tick_at(bot, "2026-12-07 15:00")
    assert done["value"]
