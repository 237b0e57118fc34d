"""Calendars through the real request path: signed requests to the running bot, the fake Slack
receiving each .ics as bytes, which are parsed with icalendar, expanded as a calendar app
would and compared with the store; the feed served over HTTP with a good, a revoked and an
unknown token; the explanations where there can be no feed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from blocks import ids
from handlers.context import FeedMode
from store.access import Actor
from store.files import list_uploaded_files
from store.models import DueWork, Pair, UploadedFile, WorkKind
from tests.calendar_check import events, occurrences, parse, store_starts
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, RunningBot, start_bot, stop_bot
from tests.test_blocks import elements, texts
from tests.test_deletion_flow import click
from tests.test_weekly_loop import command_reply, schedule

PUBLIC_URL = "https://oneonone.example.com"
MANAGER_DM, REPORT_DM = "DU_MANAGER", "DU_REPORT"
WINDOW = timedelta(weeks=10)
FEED_URL = re.compile(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]+\.ics)")


@pytest.fixture
def feed_bot(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[RunningBot]:
    """The bot in HTTP mode with its public address set: it gives feed links."""
    running = start_bot(fake_slack, tmp_path, clock, feed=FeedMode(PUBLIC_URL))
    yield running
    stop_bot(running)


def ics_files(bot: RunningBot, channel: str) -> list[tuple[str, str, Calendar]]:
    """(title, comment, parsed file) of every .ics shared in a DM, oldest first."""
    return [
        (f.title, f.initial_comment or "", parse(bot.fake.file_text(f.file_id)))
        for f in bot.fake.files(channel)
        if f.filename.endswith(".ics")
    ]


def deliver(bot: RunningBot) -> None:
    bot.tick()
    bot.settle()


def the_pair(bot: RunningBot) -> Pair:
    with bot.db() as session:
        return session.exec(select(Pair)).one()


def check_against_store(bot: RunningBot, calendar: Calendar) -> list[datetime]:
    """The file's occurrences in the coming weeks are the store's next 1:1s, one by one."""
    now = bot.clock()
    with bot.db() as session:
        pair = session.exec(select(Pair)).one()
        expected = store_starts(session, pair, now, now + WINDOW)
    shown = [start for start, _ in occurrences(calendar, now, now + WINDOW)]
    assert shown == expected
    return shown


def latest(bot: RunningBot) -> tuple[Calendar, Calendar]:
    """The last file each of the two got; and each got exactly the same series."""
    (_, _, mine), (_, _, theirs) = ics_files(bot, MANAGER_DM)[-1], ics_files(bot, REPORT_DM)[-1]
    uid = {str(e["UID"]) for e in events(mine) if "RRULE" in e}
    assert uid == {str(e["UID"]) for e in events(theirs) if "RRULE" in e} and len(uid) == 1
    return mine, theirs


def sequence_of(calendar: Calendar) -> int:
    (value,) = {int(e["SEQUENCE"]) for e in events(calendar)}
    return value


def test_a_scheduled_series_reaches_both_people_as_a_file_for_their_calendar(
    bot: RunningBot,
) -> None:
    bot.fake.add_user("U_REPORT", tz="Europe/Berlin", real_name="Rita Report")
    bot.fake.add_user("U_MANAGER", tz="America/New_York", real_name="Max Manager")
    schedule(bot)
    deliver(bot)
    ((title, comment, mine),) = ics_files(bot, MANAGER_DM)
    ((_, their_comment, theirs),) = ics_files(bot, REPORT_DM)
    assert comment == "📅 Add it to your calendar: your 1:1s with Rita Report."
    assert their_comment == "📅 Add it to your calendar: your 1:1s with Max Manager."
    assert title == "1:1s with Rita Report"
    assert str(mine["METHOD"]) == "PUBLISH" and sequence_of(mine) == 0
    (event,) = events(mine)
    group = bot.fake.group_id(["U_MANAGER", "U_REPORT"])
    assert str(event["SUMMARY"]) == "1:1 with Rita Report"
    assert f"https://app.slack.com/client/T0001/{group}" in str(event["DESCRIPTION"])
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 12, 1, 10, 0)
    assert event["DURATION"].dt == timedelta(minutes=30)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert check_against_store(bot, mine) == check_against_store(bot, theirs)
    with bot.db() as session:
        for user in ("U_MANAGER", "U_REPORT"):
            kinds = [f.kind for f in list_uploaded_files(session, Actor("T0001", user))]
            assert kinds == ["calendar"]
    deliver(bot)
    assert command_reply(bot, "add budget", user_id="U_REPORT")
    deliver(bot)  # a talking point changes nothing a calendar shows: no second file
    assert len(ics_files(bot, MANAGER_DM)) == len(ics_files(bot, REPORT_DM)) == 1


def skip_next(bot: RunningBot, user_id: str) -> None:
    before = len(bot.fake.calls("views.open"))
    bot.slack.command("skip", user_id=user_id)
    bot.settle()
    view = bot.fake.calls("views.open")[before].args["view"]
    state: dict[str, Any] = {"values": {}}
    submission = {"callback_id": ids.SKIP_MODAL, "private_metadata": view["private_metadata"]}
    bot.slack.view_submission({**submission, "state": state}, user_id=user_id)
    bot.settle()


def end_series(bot: RunningBot, user_id: str) -> None:
    name = "end-confirmation"
    bot.slack.command(
        "end <@U_MANAGER|m>", user_id=user_id, response_url=bot.fake.response_url(name)
    )
    bot.settle()
    confirm = next(
        e
        for b in bot.fake.responses(name)[-1]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.END_CONFIRM
    )
    bot.slack.block_actions([{**confirm, "action_ts": "1.1"}], user_id=user_id)
    bot.settle()


def test_every_change_sends_both_one_updated_file_with_a_higher_sequence(bot: RunningBot) -> None:
    schedule(bot)
    deliver(bot)
    first = check_against_store(bot, latest(bot)[0])

    skip_next(bot, "U_REPORT")
    deliver(bot)
    mine, theirs = latest(bot)
    assert sequence_of(mine) == sequence_of(theirs) == 1
    (event,) = events(mine)
    assert [d.dt.astimezone(UTC) for d in event["EXDATE"].dts] == [first[0]]
    assert check_against_store(bot, theirs) == first[1:]

    assert "moved" in command_reply(bot, "reschedule 2026-12-10 16:00", "U_MANAGER").lower()
    deliver(bot)
    mine, theirs = latest(bot)
    assert sequence_of(theirs) == 2
    main, moved = events(theirs)
    assert moved["UID"] == main["UID"]
    assert moved["RECURRENCE-ID"].dt.astimezone(UTC) == first[1]
    assert moved["DTSTART"].dt.astimezone(UTC) == datetime(2026, 12, 10, 21, 0, tzinfo=UTC)
    assert check_against_store(bot, mine)[0] == datetime(2026, 12, 10, 21, 0, tzinfo=UTC)

    assert "paused" in command_reply(bot, "pause until 2027-01-04", "U_MANAGER").lower()
    deliver(bot)
    mine, theirs = latest(bot)
    assert sequence_of(mine) == 3
    shown = check_against_store(bot, theirs)
    assert shown[0] == datetime(2027, 1, 5, 15, 0, tzinfo=UTC)  # nothing during the pause
    (main,) = events(mine)  # the moved meeting fell in the pause: cancelled, excluded
    excluded = {d.dt.astimezone(UTC) for d in main["EXDATE"].dts}
    assert {first[0], first[1], datetime(2026, 12, 29, 15, 0, tzinfo=UTC)} <= excluded

    end_series(bot, "U_REPORT")
    deliver(bot)
    mine, theirs = latest(bot)
    assert str(mine["METHOD"]) == str(theirs["METHOD"]) == "CANCEL"
    assert sequence_of(mine) == 4 and {str(e["STATUS"]) for e in events(mine)} == {"CANCELLED"}
    assert "ended" in ics_files(bot, REPORT_DM)[-1][1]
    deliver(bot)
    assert len(ics_files(bot, MANAGER_DM)) == len(ics_files(bot, REPORT_DM)) == 5
    with bot.db() as session:
        work = session.exec(select(DueWork).where(DueWork.kind == WorkKind.CALENDAR)).all()
    assert sorted(w.outcome or "" for w in work) == ["sent"] * 10


def test_a_file_whose_answer_was_lost_is_found_not_sent_again(bot: RunningBot) -> None:
    schedule(bot)
    bot.fake.lose_answer("files.completeUploadExternal", times=2)
    deliver(bot)
    assert len(bot.fake.files(MANAGER_DM)) + len(bot.fake.files(REPORT_DM)) == 2  # shared
    bot.clock.advance(minutes=1)
    deliver(bot)
    assert len(ics_files(bot, MANAGER_DM)) == len(ics_files(bot, REPORT_DM)) == 1
    with bot.db() as session:
        work = session.exec(select(DueWork).where(DueWork.kind == WorkKind.CALENDAR)).all()
        assert sorted(w.outcome or "" for w in work) == ["found", "found"]
        recorded = list_uploaded_files(session, Actor("T0001", "U_REPORT"))
    assert [f.file_id for f in recorded] == [f.file_id for f in bot.fake.files(REPORT_DM)]


def feed_link_of(reply: str) -> str:
    match = FEED_URL.search(reply)
    assert match, reply
    return match.group(1)


def button_in(response: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(
        e
        for b in response["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def test_the_feed_is_served_to_a_good_token_and_refused_alike_to_others(
    feed_bot: RunningBot,
) -> None:
    bot = feed_bot
    schedule(bot)
    assert "is scheduled" in command_reply(bot, "schedule <@U_REPORT2|x> friday 9:00 monthly")
    deliver(bot)
    name = "calendar"
    bot.slack.command("calendar", user_id="U_MANAGER", response_url=bot.fake.response_url(name))
    bot.settle()
    (shown,) = bot.fake.responses(name)
    path = feed_link_of(str(shown))
    served = bot.slack.get(path)
    assert served.status == 200 and served.headers["content-type"].startswith("text/calendar")
    calendar = parse(served.body)
    assert str(calendar["X-WR-CALNAME"]) == "1:1s"
    mains = [e for e in events(calendar) if "RRULE" in e]
    assert sorted(str(e["SUMMARY"]) for e in mains) == ["1:1 with U_REPORT", "1:1 with U_REPORT2"]
    with bot.db() as session:
        pairs = session.exec(select(Pair).order_by(col(Pair.id))).all()
        now = bot.clock()
        for pair, main in zip(pairs, sorted(mains, key=lambda e: str(e["UID"])), strict=True):
            assert [
                s for s, _ in occurrences(calendar, now, now + WINDOW, uid=str(main["UID"]))
            ] == (store_starts(session, pair, now, now + WINDOW))
    # The fresh link offers no "New link" beside it: that would revoke it.
    assert not [e for e in elements(shown["blocks"], ids.CALENDAR_NEW_LINK)]
    again_name = "again"
    bot.slack.command(
        "calendar", user_id="U_MANAGER", response_url=bot.fake.response_url(again_name)
    )
    bot.settle()
    (again,) = bot.fake.responses(again_name)
    assert "You made your calendar feed link" in texts(again["blocks"])
    assert not FEED_URL.search(str(again))
    new_link = button_in(again, ids.CALENDAR_NEW_LINK)
    sure = new_link["confirm"]  # Slack asks before the old link stops working
    assert (sure["title"]["text"], sure["text"]["text"]) == (
        "Make a new link?",
        "The one your calendar uses now stops working.",
    )
    bot.slack.block_actions(
        [{**new_link, "action_ts": "2.1"}],
        user_id="U_MANAGER",
        response_url=bot.fake.response_url("new"),
    )
    bot.settle()
    (renewed,) = bot.fake.responses("new")
    assert renewed["replace_original"] is True
    new_path = feed_link_of(str(renewed))
    revoked, unknown = bot.slack.get(path), bot.slack.get("/calendar/" + "A" * 43 + ".ics")
    odd = bot.slack.get("/calendar/not-a-token.ics")
    assert revoked.status == unknown.status == odd.status == 404
    assert revoked.body == unknown.body == odd.body
    assert {k: v for k, v in revoked.headers.items() if k != "date"} == {
        k: v for k, v in unknown.headers.items() if k != "date"
    }
    assert bot.slack.get(new_path).status == 200


def test_a_calendar_that_reads_the_feed_gets_no_more_files(feed_bot: RunningBot) -> None:
    bot = feed_bot
    schedule(bot)
    deliver(bot)
    path = feed_link_of(command_reply(bot, "calendar", user_id="U_REPORT"))
    assert bot.slack.get(path).status == 200
    skip_next(bot, "U_MANAGER")
    deliver(bot)
    assert len(ics_files(bot, MANAGER_DM)) == 2 and len(ics_files(bot, REPORT_DM)) == 1
    feed = parse(bot.slack.get(path).body)
    (main,) = events(feed)
    assert int(main["SEQUENCE"]) == 1 and "EXDATE" in main  # the feed has the change


def test_without_a_public_address_the_command_explains_and_sends_the_file(
    bot: RunningBot,
) -> None:
    schedule(bot)
    assert "is scheduled" in command_reply(bot, "schedule <@U_REPORT2|x> friday 9:00 biweekly")
    name = "calendar"
    bot.slack.command("calendar", user_id="U_MANAGER", response_url=bot.fake.response_url(name))
    bot.settle()
    (reply,) = bot.fake.responses(name)
    assert not FEED_URL.search(str(reply))
    section, _buttons, small_print = reply["blocks"]
    assert texts([section]).startswith(
        "📅 Calendar subscriptions aren't set up for this workspace — here is the file instead."
    )
    assert "ONEONONE_PUBLIC_URL" not in texts([section])  # the operator's detail: small print
    assert small_print["type"] == "context" and "`ONEONONE_PUBLIC_URL`" in texts([small_print])
    button = button_in(reply, ids.CALENDAR_FILE)
    before = len(ics_files(bot, MANAGER_DM))
    bot.slack.block_actions(
        [{**button, "action_ts": "3.1"}],
        user_id="U_MANAGER",
        response_url=bot.fake.response_url("f"),
    )
    bot.settle()
    assert "in our DM" in str(bot.fake.responses("f"))
    title, comment, everything = ics_files(bot, MANAGER_DM)[before]
    assert title == "All your 1:1s" and "2 running 1:1s" in comment
    assert len([e for e in events(everything) if "RRULE" in e]) == 2
    assert bot.slack.get("/calendar/" + "A" * 43 + ".ics").status == 404


def test_in_socket_mode_the_command_explains_there_is_no_feed(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    bot = start_bot(fake_slack, tmp_path, clock, feed=FeedMode(PUBLIC_URL, serves_http=False))
    try:
        schedule(bot)
        reply = command_reply(bot, "calendar", user_id="U_REPORT")
        assert (
            "Socket Mode" in reply
            and ids.CALENDAR_FILE in reply
            and ids.CALENDAR_NEW_LINK not in reply
        )
        assert "Calendar subscriptions aren't set up for this workspace" in reply
        assert "nothing more" in command_reply(bot, "calendar please", user_id="U_REPORT")
        shown = str(bot.slack.command("help more", user_id="U_REPORT").json())
        assert "`/oneonone calendar`" in shown and "a feed link" in shown
    finally:
        stop_bot(bot)


def test_calendar_files_go_with_the_history_not_with_private_data(bot: RunningBot) -> None:
    schedule(bot)
    deliver(bot)
    calendars = {f.file_id for f in bot.fake.files()}
    assert len(calendars) == 2
    bot.slack.view_submission(
        {"callback_id": ids.DELETE_MY_DATA_MODAL, "state": {"values": {}}}, user_id="U_REPORT"
    )
    bot.settle()
    assert {f.file_id for f in bot.fake.files()} == calendars  # an .ics holds nothing private
    click(bot, ids.DELETE_HISTORY, str(the_pair(bot).id), "U_MANAGER")
    deliver(bot)  # ended: both get the cancellation first
    assert len(bot.fake.files()) == 4
    bot.clock.advance(days=7, minutes=1)
    assert bot.tick().counts.get("erase_erased") == 1
    assert bot.fake.files() == []  # every .ics of the 1:1 is deleted from Slack
    with bot.db.read() as session:
        assert session.exec(select(UploadedFile)).all() == []
        assert session.exec(select(DueWork).where(DueWork.kind == WorkKind.CALENDAR)).all() == []
