"""Languages through signed requests and the fake Slack: a German-speaking manager (Slack
locale de-DE) and an English-speaking report. Each DM, ephemeral answer and Home tab is in its
reader's language; the pair's group DM is in the manager's, unless the series sets its own."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from blocks import ids
from blocks.digest import DIGEST_OFF
from store.models import Meeting, Pair
from tests.calendar_check import events
from tests.running_bot import RunningBot
from tests.test_calendar_flow import MANAGER_DM, REPORT_DM, ics_files
from tests.test_deletion_flow import click
from tests.test_follow_ups_flow import tick_at
from tests.test_home_flow import open_home, texts
from tests.test_settings_flow import hand_to, last_dm, open_settings, submit
from tests.test_weekly_loop import command_reply


def german_manager(bot: RunningBot) -> None:
    """U_MANAGER reads Slack in German (the conftest's people read English)."""
    bot.fake.add_user("U_MANAGER", tz="Europe/Berlin", locale="de-DE")


def posts_to(bot: RunningBot, channel: str) -> list[str]:
    """The text of every message posted in `channel` (a user id: their DM), in order."""
    return [
        _text(call.args)
        for call in bot.fake.delivered("chat.postMessage")
        if call.args.get("channel") == channel
    ]


def group_posts(bot: RunningBot, method: str = "chat.postMessage") -> list[str]:
    return [
        _text(call.args)
        for call in bot.fake.delivered(method)
        if str(call.args.get("channel")).startswith("G")
    ]


def _text(args: dict[str, Any]) -> str:
    return f"{args.get('text')}\n{args.get('blocks')}"


def test_a_german_manager_and_an_english_report_each_read_their_own_language(
    bot: RunningBot,
) -> None:
    german_manager(bot)
    confirmation = command_reply(bot, "schedule <@U_REPORT|rita> wednesday 10:00 weekly 30m")
    assert "Dein 1:1 mit <@U_REPORT> ist geplant" in confirmation
    assert "mittwochs um 10:00" in confirmation and "30 Minuten" in confirmation
    (intro,) = posts_to(bot, "U_REPORT")
    assert "<@U_MANAGER> set up a recurring 1:1 with you" in intro
    assert "Wednesdays 10:00" in intro and "eingerichtet" not in intro

    command_reply(bot, "add Budget für Q1", user_id="U_MANAGER")
    command_reply(bot, "add hiring plan", user_id="U_REPORT")
    tick_at(bot, "2026-12-01 09:00")  # prompts: 24 h before Wed 10:00 Berlin
    manager_prompt, report_prompt = posts_to(bot, "U_MANAGER")[-1], posts_to(bot, "U_REPORT")[-1]
    assert "Dein 1:1 mit <@U_REPORT> ist" in manager_prompt
    assert "worüber möchtest du sprechen?" in manager_prompt
    assert "Gesprächspunkt hinzufügen" in manager_prompt
    assert "Your 1:1 with <@U_MANAGER> is" in report_prompt
    assert "Add a talking point" in report_prompt and "Gesprächspunkt" not in report_prompt

    tick_at(bot, "2026-12-02 08:30")  # the agenda, 30 min before
    (agenda,) = group_posts(bot)
    assert "1:1-Agenda" in agenda and "Offene Aufgaben" in agenda
    assert "Budget für Q1" in agenda and "hiring plan" in agenda
    assert "Notizen machen" in agenda and "Take notes" not in agenda
    assert "<!date^" in agenda  # instants stay Slack date tokens: each reader's own locale


def test_refusals_and_usage_are_in_the_readers_language(bot: RunningBot) -> None:
    german_manager(bot)
    command_reply(bot, "schedule <@U_REPORT|rita> wednesday 10:00")
    refused = command_reply(bot, "add <@U_BOSS|boss> budget", user_id="U_MANAGER")
    assert "Du hast kein 1:1 mit <@U_BOSS>." in refused
    assert "Versuch es mit `/oneonone add @dana" in refused
    unread = command_reply(bot, "pause until someday", user_id="U_MANAGER")
    assert "als Datum lesen" in unread
    english = command_reply(bot, "add <@U_BOSS|boss> budget", user_id="U_REPORT")
    assert "You don't have a 1:1 with <@U_BOSS>." in english and "Versuch" not in english
    help_text = bot.slack.command("frob", user_id="U_MANAGER").json()  # answered in the ack
    assert "`frob` kenne ich nicht" in str(help_text)


def test_a_german_manager_schedules_and_reschedules_in_german_words(bot: RunningBot) -> None:
    german_manager(bot)
    unread = command_reply(bot, "schedule <@U_REPORT|rita> Mittwoch 25:00")
    assert "Schreib den Wochentag z. B. als `dienstag`" in unread
    confirmation = command_reply(bot, "schedule <@U_REPORT|rita> mittwochs 10:00")
    assert "mittwochs um 10:00" in confirmation
    command_reply(bot, "reschedule Do 14:30", user_id="U_MANAGER")  # Thursday, Berlin time
    with bot.db() as session:
        (pair,) = session.exec(select(Pair)).all()
        starts = {m.starts_at for m in session.exec(select(Meeting)).all()}
    assert pair.weekday == 2  # the series stays on Wednesdays; this week's 1:1 moved
    assert datetime(2026, 12, 3, 13, 30, tzinfo=UTC) in starts


def test_the_home_tab_and_modals_are_in_their_readers_language(bot: RunningBot) -> None:
    german_manager(bot)
    command_reply(bot, "schedule <@U_REPORT|rita> wednesday 10:00")
    assert "Deine 1:1s" in texts(open_home(bot, "U_MANAGER"))
    assert "Your 1:1s" in texts(open_home(bot, "U_REPORT"))
    bot.slack.command("schedule", user_id="U_MANAGER")
    bot.settle()
    (opened,) = bot.fake.calls("views.open")
    view = opened.args["view"]
    assert "1:1 planen" in str(view) and "Montag" in str(view)


def test_the_group_dm_reads_the_series_language_when_it_has_one(bot: RunningBot) -> None:
    german_manager(bot)
    command_reply(bot, "schedule <@U_REPORT|rita> wednesday 10:00")
    with bot.db() as session:
        pair = session.exec(select(Pair)).one()
        pair.group_language = "en"  # set in the series' settings
        session.add(pair)
        session.commit()
    command_reply(bot, "add roadmap", user_id="U_REPORT")
    tick_at(bot, "2026-12-02 08:30")
    (agenda,) = group_posts(bot)
    assert "1:1 agenda" in agenda and "Agenda" not in agenda.replace("1:1 agenda", "")
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.SKIP, "value": "1", "action_ts": "1.1"}],
        user_id="U_MANAGER",
    )
    bot.settle()
    skip_modal = bot.fake.calls("views.open")[-1].args["view"]
    assert "Überspringen" in str(skip_modal)  # the manager's own modal: German


def test_a_profile_change_without_a_locale_keeps_the_language(bot: RunningBot) -> None:
    german_manager(bot)
    command_reply(bot, "schedule <@U_REPORT|rita> wednesday 10:00")
    user = {"id": "U_MANAGER", "tz": "Europe/Berlin", "profile": {"display_name": "Maria"}}
    assert bot.slack.event({"type": "user_change", "user": user}).status == 200  # no locale
    bot.settle()
    assert "Deine 1:1s" in command_reply(bot, "list", user_id="U_MANAGER")


def test_a_slack_that_does_not_answer_who_someone_is_does_not_hold_their_ack(
    bot: RunningBot,
) -> None:
    german_manager(bot)  # never seen before: the bot asks users.info for their locale
    hold = bot.fake.hold("users.info")
    try:
        started = time.monotonic()
        reply = bot.slack.command("frob", user_id="U_MANAGER")  # answered in the ack
        waited = time.monotonic() - started
    finally:
        hold.release()
    assert reply.status == 200 and waited < 2.5  # well inside Slack's 3 seconds
    assert "I don't know `frob`" in reply.body  # English, rather than late
    bot.settle()
    assert "`frob` kenne ich nicht" in bot.slack.command("frob", user_id="U_MANAGER").body


def test_settings_digest_and_calendar_are_in_their_readers_language(bot: RunningBot) -> None:
    german_manager(bot)
    bot.fake.add_user("U_REPORT", tz="America/New_York", real_name="Rita Report")
    command_reply(bot, "schedule <@U_REPORT|rita> wednesday 10:00")
    view = open_settings(bot, "U_MANAGER")
    shown = texts(view)
    assert view["title"]["text"] == "1:1-Einstellungen" and "Wochentag" in shown
    assert "Mittwoch" in shown and "30 Minuten" in shown and "Feste Punkte" in shown
    assert "Weekday" not in shown and "minutes" not in shown
    refused = submit(bot, view, "U_MANAGER", **hand_to("U_REPORT"))
    assert refused is not None
    assert "kann nicht die Führungskraft der eigenen 1:1s sein" in str(refused["errors"])
    assert submit(bot, view, "U_MANAGER", **{ids.SETTINGS_TIME: "11:00"}) is None
    assert "Die Einstellungen deiner 1:1s mit <@U_REPORT> sind gespeichert" in last_dm(
        bot, "U_MANAGER"
    )
    assert "<@U_MANAGER> moved your 1:1s to" in last_dm(bot, "U_REPORT")  # their own: English
    assert "Settings of your 1:1s with <@U_MANAGER>" in texts(open_settings(bot, "U_REPORT"))

    tick_at(bot, "2026-12-04 15:00")  # Friday 16:00 on the manager's (Berlin) clock
    (digest,) = [p for p in posts_to(bot, "U_MANAGER") if "Deine 1:1s diese Woche" in p]
    assert "Woche vom" in digest and "Wochenübersicht ausschalten" in digest
    assert "Your 1:1s this week" not in digest and "Turn off" not in digest
    assert "Deine Wochenübersicht ist ausgeschaltet" in click(bot, DIGEST_OFF, "", "U_MANAGER")

    reply = command_reply(bot, "calendar", user_id="U_MANAGER")  # no public address here
    assert "Kalender-Abos sind für diesen Workspace nicht eingerichtet" in reply
    assert "Schick mir die Datei" in reply
    assert "aren't set up for this workspace" in command_reply(bot, "calendar", user_id="U_REPORT")
    assert "unserer DM" in click(bot, ids.CALENDAR_FILE, "", "U_MANAGER")
    title, comment, everything = ics_files(bot, MANAGER_DM)[-1]
    assert title == "Alle deine 1:1s" and "Dein 1 laufendes 1:1" in comment
    (event,) = events(everything)
    assert str(event["SUMMARY"]) == "1:1 mit Rita Report"
    assert str(event["DESCRIPTION"]).startswith("Dein 1:1 mit Rita Report.")
    # each series file (due work, per recipient) is in its reader's language
    mine, theirs = ics_files(bot, MANAGER_DM)[:-1], ics_files(bot, REPORT_DM)
    assert mine and theirs
    assert {title for title, _, _ in mine} == {"1:1s mit Rita Report"}
    assert {str(e["SUMMARY"]) for _, _, c in mine for e in events(c)} == {"1:1 mit Rita Report"}
    assert all(str(e["SUMMARY"]).startswith("1:1 with ") for _, _, c in theirs for e in events(c))
