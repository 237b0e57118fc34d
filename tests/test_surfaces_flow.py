"""Every surface tells the truth, through signed requests and the fake Slack: the next 1:1
from the recurrence, one "held" rule, the agenda once the 1:1 is over, done items told, and a
summary of nothing that asks instead."""

from __future__ import annotations

from typing import Any

from blocks import ids
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import (
    agenda_posts,
    click,
    dump,
    elements,
    items_by_text,
    notes_with,
    posted,
    summary_posts,
    take_notes_during_week1,
    tick_at,
)
from tests.test_notes_flow import group_posts, open_notes, rich, submit
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
TUE_DEC_1 = "<!date^1796137200^"  # 2026-12-01 15:00 UTC, 10:00 in New York
TUE_DEC_8 = "<!date^1796742000^"


def texts(blocks: list[Payload]) -> str:
    """Every text a person reads in these blocks, one per line."""
    found: list[str] = []
    for block in blocks:
        for part in [block.get("text"), *(block.get("elements") or []), block.get("accessory")]:
            if isinstance(part, dict):
                text = part.get("text")
                found.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(found)


def updates_of(bot: RunningBot, call: Any) -> list[Any]:
    """The chat.update calls on the message that `call` posted."""
    where = (call.response["channel"], call.response["ts"])
    return [
        c for c in group_posts(bot, "chat.update") if (c.args["channel"], c.args["ts"]) == where
    ]


# --- 1. the next 1:1 -----------------------------------------------------------------------


def test_a_short_pause_names_the_next_1_1_that_still_takes_place(bot: RunningBot) -> None:
    schedule(bot)
    paused = command_reply(bot, "pause until 2026-12-01", user_id="U_MANAGER")
    assert "No next 1:1 is scheduled" not in paused
    assert TUE_DEC_1 in paused  # the pause ends the day of the next 1:1, which stays


def test_the_summary_names_the_next_1_1_before_its_row_exists(bot: RunningBot) -> None:
    schedule(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    (summary,) = summary_posts(bot)  # posted when the notes were saved, during the 1:1
    assert f"*Next 1:1*\n{TUE_DEC_8}" in texts(summary.args["blocks"])


# --- 5. the agenda once the 1:1 is over ----------------------------------------------------


def test_saved_notes_close_the_agenda_and_later_points_go_to_the_next_1_1(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    tick_at(bot, "2026-12-01 14:30")
    (agenda,) = agenda_posts(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    (closed,) = updates_of(bot, agenda)[-1:]
    shown = texts(closed.args["blocks"])
    assert "✅ *Held* · the summary is below." in shown
    for gone in (ids.SKIP, ids.RESCHEDULE, ids.TICK_POINT, ids.TAKE_NOTES):
        assert not elements(closed.args["blocks"], gone), gone
    added = command_reply(bot, "add after the notes", user_id="U_REPORT")
    assert TUE_DEC_8 in added  # the confirmation names the next 1:1's date
    assert TUE_DEC_1 not in added


def test_an_agenda_nobody_recorded_anything_for_says_not_held(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    tick_at(bot, "2026-12-01 14:30")
    (agenda,) = agenda_posts(bot)
    assert not updates_of(bot, agenda)
    tick_at(bot, "2026-12-01 15:31")  # the 1:1 has ended: it is closed
    (closed,) = updates_of(bot, agenda)[-1:]
    assert "*Not held* · nothing was recorded for it." in texts(closed.args["blocks"])
    assert not elements(closed.args["blocks"], ids.SKIP)
    (take,) = elements(closed.args["blocks"], ids.TAKE_NOTES)
    assert take["value"] == str(agenda_meeting_id(agenda))


def agenda_meeting_id(agenda: Any) -> int:
    (notes,) = elements(agenda.args["blocks"], ids.TAKE_NOTES)
    return int(notes["value"])


# --- 3. one "held" rule on the Home tab ----------------------------------------------------


def test_home_never_calls_a_meeting_held_and_not_held_at_once(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 16:30")  # the first 1:1 passed with nothing recorded
    home = home_of(bot, "U_MANAGER")
    assert "⬛" in home and "Last 1:1" not in home
    tick_at(bot, "2026-12-08 15:05")
    submit(bot, open_notes(bot), {ids.NOTES_SHARED: {ids.VALUE: rich("We talked")}})
    home = home_of(bot, "U_MANAGER")
    assert "⬛🟩" in home and f"Last 1:1: {TUE_DEC_8}" in home


def home_of(bot: RunningBot, user_id: str) -> str:
    bot.slack.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    bot.settle()
    views = [c for c in bot.fake.delivered("views.publish") if c.args["user_id"] == user_id]
    return texts(views[-1].args["view"]["blocks"])


# --- 6. done means told --------------------------------------------------------------------


def test_done_is_confirmed_updates_its_summary_and_shows_on_the_next_agenda(
    bot: RunningBot,
) -> None:
    schedule(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    (summary,) = summary_posts(bot)
    assert "• Write the RFC" in texts(summary.args["blocks"])
    tick_at(bot, "2026-12-08 14:30")
    (agenda,) = agenda_posts(bot)
    rfc = items_by_text(bot)["Write the RFC"]
    answer = click(bot, ids.ITEM_DONE, str(rfc.id), "U_REPORT", message=posted(agenda))
    assert "✅ Done: ~Write the RFC~ — marked by <@U_REPORT>" in answer.text
    assert all(r.get("response_type") == "ephemeral" for r in answer.responses)
    assert "✅ ~Write the RFC~" in texts(updates_of(bot, summary)[-1].args["blocks"])
    shown = texts(updates_of(bot, agenda)[-1].args["blocks"])
    assert "*Done since last time*\n✅ ~Write the RFC~ — <@U_REPORT>" in shown
    assert "No open action items." in shown


def test_done_by_the_other_person_says_who_marked_it(bot: RunningBot) -> None:
    schedule(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    rfc = items_by_text(bot)["Write the RFC"]
    tick_at(bot, "2026-12-02 12:00")
    click(bot, ids.ITEM_DONE, str(rfc.id), "U_MANAGER", view={"type": "home"})
    tick_at(bot, "2026-12-08 14:30")
    (agenda,) = agenda_posts(bot)
    shown = texts(agenda.args["blocks"])
    assert "✅ ~Write the RFC~ — <@U_REPORT> · marked by <@U_MANAGER>" in shown


# --- 12. a summary of nothing --------------------------------------------------------------


def test_a_summary_of_nothing_asks_and_we_did_not_meet_answers(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    assert tick_at(bot, "2026-12-01 16:30").get("summary_sent") == 1
    (asked,) = summary_posts(bot)
    shown = texts(asked.args["blocks"])
    assert f"*Did you meet on {TUE_DEC_1}" in shown
    for empty in ("*Discussed*", "*Notes*", "*Action items*", "*Next 1:1*"):
        assert empty not in shown
    assert "1 open talking point carries over to the next 1:1." in shown
    (not_met,) = elements(asked.args["blocks"], ids.NOT_MET)
    answer = click(bot, ids.NOT_MET, not_met["value"], "U_REPORT", message=posted(asked))
    (replaced,) = answer.responses
    assert replaced["replace_original"] is True
    assert "<@U_REPORT> noted that you didn't meet on" in dump(replaced)
    assert f"The next 1:1 is {TUE_DEC_8}" in dump(replaced)


def test_a_stranger_cannot_answer_whether_a_pair_met(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 16:30")
    (asked,) = summary_posts(bot)
    (not_met,) = elements(asked.args["blocks"], ids.NOT_MET)
    answer = click(bot, ids.NOT_MET, not_met["value"], "U_STRANGER", message=posted(asked))
    assert "didn't meet" not in answer.text and "isn't one of" in answer.text


def test_notes_after_the_question_turn_it_into_the_summary(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 16:30")
    (asked,) = summary_posts(bot)
    view = notes_with(bot, "U_REPORT")
    submit(bot, view, {ids.NOTES_SHARED: {ids.VALUE: rich("We met after all")}})
    shown = texts(updates_of(bot, asked)[-1].args["blocks"])
    assert "We met after all" in shown and "Did you meet" not in shown


# --- 2. times people type are on their own clock -------------------------------------------


def test_a_berlin_report_reschedules_on_the_berlin_clock(bot: RunningBot) -> None:
    schedule(bot)  # Tuesdays 10:00 New York: 16:00 in Berlin
    moved = command_reply(bot, "reschedule 2026-12-03 16:00", user_id="U_REPORT")
    thursday_10_new_york = "<!date^1796310000^"  # 2026-12-03 15:00 UTC
    assert thursday_10_new_york in moved
    told = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"]
    assert thursday_10_new_york in dump(told[-1].args["blocks"])


def test_the_reschedule_form_starts_at_the_readers_time(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("reschedule", user_id="U_REPORT")
    bot.settle()
    view = bot.fake.calls("views.open")[-1].args["view"]
    times = [b["element"] for b in view["blocks"] if b.get("block_id") == ids.RESCHEDULE_TIME]
    assert times[0]["initial_time"] == "16:00"
    assert "Times are your time (Berlin)." in texts(view["blocks"])


def test_an_unreadable_schedule_says_what_to_try(bot: RunningBot) -> None:
    reply = command_reply(bot, "schedule <@U_REPORT|rita> someday 25:99")
    assert "I couldn't read `someday` or `25:99`" in reply
    assert "Try `/oneonone schedule @dana tuesday 10:00 weekly 30m`" in reply
