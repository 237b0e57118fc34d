"""The settings modal and people's calendars, through signed requests to the running bot and
the fake Slack: a new day, time or cadence sends both people one updated .ics whose expanded
occurrences are the store's meetings (the past ones where they were, the future ones at the
new time, none twice); check-ins, language and standing items send nothing; a handover sends
the report and the new manager the series naming the new manager, and the former manager its
cancellation (and their feed no longer lists it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from blocks import ids
from handlers.context import FeedMode
from store.models import NOT_HAPPENING, DueWork, Meeting, Pair, WorkKind
from tests.calendar_check import events, occurrences, parse, store_starts
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, RunningBot, start_bot, stop_bot
from tests.test_calendar_flow import (
    MANAGER_DM,
    PUBLIC_URL,
    REPORT_DM,
    deliver,
    feed_link_of,
    ics_files,
    latest,
    sequence_of,
    skip_next,
)
from tests.test_follow_ups_flow import tick_at, utc
from tests.test_settings_flow import add_standing, hand_to, open_settings, submit
from tests.test_weekly_loop import command_reply, schedule

BOSS_DM = "DU_BOSS"
NEW_YORK = ZoneInfo("America/New_York")
SCHEDULED_AT = utc("2026-11-30 12:00")  # the conftest clock: the series is scheduled then
AHEAD = timedelta(weeks=20)  # past the daylight saving change of 14 March 2027


def change(bot: RunningBot, user_id: str, **typed: Any) -> None:
    """Submit the settings modal with these values (block id → value); it is accepted."""
    assert submit(bot, open_settings(bot, user_id), user_id, **typed) is None


def file_counts(bot: RunningBot, *channels: str) -> list[int]:
    return [len(ics_files(bot, channel)) for channel in channels]


def main_event(calendar: Calendar) -> Any:
    (main,) = [e for e in events(calendar) if "RRULE" in e]
    return main


def past_meetings(bot: RunningBot) -> list[datetime]:
    """The store's meetings that started before now and were not skipped or cancelled."""
    with bot.db() as session:
        rows = session.exec(
            select(Meeting.starts_at, Meeting.status).where(col(Meeting.starts_at) < bot.clock())
        ).all()
    return sorted(start for start, status in rows if status not in NOT_HAPPENING)


def upcoming_meetings(bot: RunningBot) -> list[datetime]:
    """The store's meetings to come (not skipped or cancelled)."""
    with bot.db() as session:
        rows = session.exec(
            select(Meeting.starts_at, Meeting.status).where(col(Meeting.starts_at) > bot.clock())
        ).all()
    return sorted(start for start, status in rows if status not in NOT_HAPPENING)


def shows_the_store(bot: RunningBot, calendar: Calendar) -> list[datetime]:
    """Expanded as a calendar app would: before now the meetings that took place, where they
    took place; from now on exactly the store's next 1:1s, none twice, none missing."""
    now = bot.clock()
    with bot.db() as session:
        pair = session.exec(select(Pair)).one()
        expected = store_starts(session, pair, now, now + AHEAD)
    before = [start for start, _ in occurrences(calendar, SCHEDULED_AT, now)]
    assert before == past_meetings(bot)
    shown = [start for start, _ in occurrences(calendar, now, now + AHEAD)]
    assert shown == expected
    assert set(upcoming_meetings(bot)) <= set(shown)  # the moved meetings among them
    return shown


def test_a_new_day_and_time_sends_both_one_file_at_the_new_time(bot: RunningBot) -> None:
    schedule(bot)  # Tuesdays 10:00 New York
    deliver(bot)
    skip_next(bot, "U_REPORT")  # Dec 1 is skipped
    deliver(bot)
    tick_at(bot, "2026-12-09 12:00")  # Dec 8 took place
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM) == [2, 2]

    change(bot, "U_MANAGER", **{ids.SETTINGS_WEEKDAY: "3", ids.SETTINGS_TIME: "14:00"})
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM) == [3, 3]  # exactly one more each
    mine, theirs = latest(bot)
    assert sequence_of(mine) == sequence_of(theirs) == 2
    assert "changed" in ics_files(bot, REPORT_DM)[-1][1]
    main = main_event(theirs)
    assert main["DTSTART"].params["TZID"] == "America/New_York"
    assert main["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 12, 10, 14, 0)
    assert main["RRULE"]["BYDAY"] == ["TH"] and main["RRULE"]["FREQ"] == ["WEEKLY"]
    shown = shows_the_store(bot, theirs)
    assert shows_the_store(bot, mine) == shown
    assert past_meetings(bot) == [utc("2026-12-08 15:00")]  # Tuesday, at its old time
    assert shown[0] == utc("2026-12-10 19:00")  # the Dec 15 meeting, moved to Thursday
    assert len(shown) == 20
    for start in shown:  # Thursday 14:00 in New York, before and after the clocks change
        local = start.astimezone(NEW_YORK)
        assert (local.weekday(), local.time()) == (3, time(14, 0))
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM) == [3, 3]


def test_a_new_cadence_sends_both_one_file_with_the_new_rule(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-02 12:00")  # Dec 1 took place
    deliver(bot)
    for step, (cadence, rule) in enumerate(
        [("biweekly", {"FREQ": ["WEEKLY"], "INTERVAL": [2]}), ("monthly", {"FREQ": ["MONTHLY"]})],
        start=1,
    ):
        change(bot, "U_MANAGER", **{ids.SETTINGS_CADENCE: cadence})
        deliver(bot)
        assert file_counts(bot, MANAGER_DM, REPORT_DM) == [1 + step, 1 + step]
        mine, theirs = latest(bot)
        assert sequence_of(mine) == sequence_of(theirs) == step
        main = main_event(mine)
        assert {k: main["RRULE"][k] for k in rule} == rule
        assert shows_the_store(bot, theirs) == shows_the_store(bot, mine)
        assert past_meetings(bot) == [utc("2026-12-01 15:00")]
    assert main_event(mine)["RRULE"]["BYDAY"] == ["2TU"]  # from Tuesday Dec 8: the 2nd Tuesday
    assert shows_the_store(bot, mine)[:3] == [
        utc("2026-12-08 15:00"),
        utc("2027-01-12 15:00"),
        utc("2027-02-09 15:00"),
    ]


def test_a_time_change_after_a_reschedule_shows_no_meeting_twice(bot: RunningBot) -> None:
    schedule(bot)
    assert "moved" in command_reply(bot, "reschedule 2026-12-03 16:00", "U_MANAGER").lower()
    tick_at(bot, "2026-12-04 12:00")  # the moved Dec 1 meeting took place on Dec 3
    skip_next(bot, "U_MANAGER")  # Dec 8 is skipped
    change(bot, "U_MANAGER", **{ids.SETTINGS_CADENCE: "biweekly", ids.SETTINGS_TIME: "09:00"})
    deliver(bot)
    mine, theirs = latest(bot)
    shown = shows_the_store(bot, mine)
    assert shows_the_store(bot, theirs) == shown
    assert past_meetings(bot) == [utc("2026-12-03 21:00")]
    assert len(shown) == len(set(shown))
    # The series starts over at 09:00 from the next Tuesday; the Dec 15 meeting takes it.
    assert shown[:3] == [utc("2026-12-08 14:00"), utc("2026-12-22 14:00"), utc("2027-01-05 14:00")]


def test_check_ins_language_lead_times_and_standing_items_send_no_file(bot: RunningBot) -> None:
    schedule(bot)
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM) == [1, 1]
    change(bot, "U_REPORT", **{ids.SETTINGS_CHECKINS: [], ids.SETTINGS_LANGUAGE: "de"})
    change(bot, "U_MANAGER", **{ids.SETTINGS_CHECKINS: ["manager"]})
    change(bot, "U_MANAGER", **{ids.SETTINGS_PROMPT_LEAD: "240", ids.SETTINGS_AGENDA_LEAD: "60"})
    add_standing(bot, open_settings(bot, "U_REPORT"), "U_REPORT", [("Wellbeing", "every")])
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM) == [1, 1]
    with bot.db() as session:
        pair = session.exec(select(Pair)).one()
        work = session.exec(select(DueWork).where(DueWork.kind == WorkKind.CALENDAR)).all()
    assert (pair.group_language, pair.prompt_lead_minutes, pair.calendar_sequence) == ("de", 240, 0)
    assert len(work) == 2


# --- a handover ---------------------------------------------------------------------------------


@pytest.fixture
def bot_with_feed(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[RunningBot]:
    """The bot in HTTP mode with its public address set: it gives feed links."""
    running = start_bot(fake_slack, tmp_path, clock, feed=FeedMode(PUBLIC_URL))
    yield running
    stop_bot(running)


def hand_over(bot: RunningBot, **also: Any) -> None:
    change(bot, "U_MANAGER", **hand_to("U_BOSS"), **also)


def named_people(bot: RunningBot) -> None:
    bot.fake.add_user("U_MANAGER", real_name="Max Manager")
    bot.fake.add_user("U_REPORT", tz="Europe/Berlin", real_name="Rita Report")
    bot.fake.add_user("U_BOSS", tz="America/Los_Angeles", real_name="Bea Boss")


def uid_of(calendar: Calendar) -> str:
    return str(main_event(calendar)["UID"])


def test_a_handover_moves_the_series_to_the_new_managers_calendar(
    bot_with_feed: RunningBot,
) -> None:
    bot = bot_with_feed
    named_people(bot)
    schedule(bot)
    deliver(bot)
    ((_, _, before),) = ics_files(bot, MANAGER_DM)
    old_feed = feed_link_of(command_reply(bot, "calendar", user_id="U_MANAGER"))  # not read yet
    hand_over(bot)
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM, BOSS_DM) == [2, 2, 1]

    _, comment, theirs = ics_files(bot, REPORT_DM)[-1]
    assert "Bea Boss" in comment and str(main_event(theirs)["SUMMARY"]) == "1:1 with Bea Boss"
    ((title, comment, boss),) = ics_files(bot, BOSS_DM)
    assert comment == "📅 Add it to your calendar: your 1:1s with Rita Report."
    assert title == "1:1s with Rita Report" and str(boss["METHOD"]) == "PUBLISH"
    assert uid_of(boss) == uid_of(theirs) == uid_of(before)
    assert sequence_of(boss) == sequence_of(theirs) == 1
    assert shows_the_store(bot, boss) == shows_the_store(bot, theirs)

    title, comment, cancel = ics_files(bot, MANAGER_DM)[-1]
    assert comment == (
        "📅 You handed your 1:1s with Rita Report to Bea Boss: open this file to remove them "
        "from your calendar."
    )
    assert title == "1:1s with Rita Report" and str(cancel["METHOD"]) == "CANCEL"
    assert uid_of(cancel) == uid_of(before) and sequence_of(cancel) == 1 > sequence_of(before)
    assert {str(e["STATUS"]) for e in events(cancel)} == {"CANCELLED"}
    assert str(main_event(cancel)["SUMMARY"]) == "1:1 with Rita Report"
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM, BOSS_DM) == [2, 2, 1]

    served = bot.slack.get(old_feed)
    assert served.status == 200 and events(parse(served.body)) == []
    boss_feed = feed_link_of(command_reply(bot, "calendar", user_id="U_BOSS"))
    assert [uid_of(parse(bot.slack.get(boss_feed).body))] == [uid_of(before)]
    with bot.db() as session:
        work = session.exec(select(DueWork).where(DueWork.kind == WorkKind.CALENDAR)).all()
    assert sorted((w.user_id or "", w.outcome or "") for w in work) == [
        ("U_BOSS", "sent"),
        ("U_MANAGER", "sent"),
        ("U_MANAGER", "sent"),
        ("U_REPORT", "sent"),
        ("U_REPORT", "sent"),
    ]


def test_the_former_manager_gets_the_cancellation_whatever_changes_after(
    db_bot: RunningBot,
) -> None:
    bot = db_bot
    named_people(bot)
    schedule(bot)
    deliver(bot)
    hand_over(bot, **{ids.SETTINGS_TIME: "09:00"})  # the new time and the handover at once
    change(bot, "U_BOSS", **{ids.SETTINGS_WEEKDAY: "4"})  # and the new manager moves it again
    deliver(bot)
    assert file_counts(bot, MANAGER_DM, REPORT_DM, BOSS_DM) == [2, 2, 1]
    cancel = ics_files(bot, MANAGER_DM)[-1][2]
    assert str(cancel["METHOD"]) == "CANCEL" and sequence_of(cancel) == 1
    mine, boss = ics_files(bot, REPORT_DM)[-1][2], ics_files(bot, BOSS_DM)[-1][2]
    assert sequence_of(mine) == sequence_of(boss) == 2
    assert main_event(boss)["RRULE"]["BYDAY"] == ["FR"]
    assert shows_the_store(bot, boss) == shows_the_store(bot, mine)
    with bot.db() as session:
        outcomes = session.exec(
            select(DueWork.user_id, DueWork.outcome).where(DueWork.kind == WorkKind.CALENDAR)
        ).all()
    assert sorted((u or "", o or "") for u, o in outcomes) == [
        ("U_BOSS", "sent"),
        ("U_BOSS", "superseded"),
        ("U_MANAGER", "sent"),
        ("U_MANAGER", "sent"),
        ("U_REPORT", "sent"),
        ("U_REPORT", "sent"),
        ("U_REPORT", "superseded"),
    ]
    # Handed back: the former manager gets the series again, the one in between its end.
    change(bot, "U_BOSS", **hand_to("U_MANAGER"))
    deliver(bot)
    assert str(ics_files(bot, MANAGER_DM)[-1][2]["METHOD"]) == "PUBLISH"
    assert str(ics_files(bot, BOSS_DM)[-1][2]["METHOD"]) == "CANCEL"
    assert file_counts(bot, MANAGER_DM, REPORT_DM, BOSS_DM) == [3, 3, 2]
