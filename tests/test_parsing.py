"""Reading `/oneonone` arguments (handlers/parsing.py), section by section as the module."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import select

from blocks.help import SUBCOMMANDS
from handlers.parsing import (
    ParseError,
    ScheduleArgs,
    add_args,
    clock_time,
    day,
    duration_minutes,
    mention,
    person_and_rest,
    schedule_args,
    tokens,
    weekday,
)
from store.models import Cadence, Meeting, Pair
from store.schedule import DURATION_RANGE
from store.views import WEEKDAY_NAMES
from tests.running_bot import RunningBot
from tests.test_weekly_loop import command_reply

MONDAY = date(2026, 11, 30)
USAGE = {s.name: s.usage for s in SUBCOMMANDS}

# tokens


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("<@U1|r> tuesday 10:00", ["<@U1|r>", "tuesday", "10:00"]),
        ("tuesday 10 am", ["tuesday", "10 am"]),
        ("10:30 p.m. friday", ["10:30 p.m.", "friday"]),
        ("2 hours weekly", ["2 hours", "weekly"]),
        ("90 minutes", ["90 minutes"]),
        ("1h 30m", ["1h 30m"]),
        ("1 hour 30 minutes", ["1 hour 30 minutes"]),
        ("<@U1|Dana Smith> tue", ["<@U1|Dana Smith>", "tue"]),
        ("tuesday,10:00, 30m", ["tuesday", "10:00", "30m"]),
        ("  tuesday\n\t10:00  ", ["tuesday", "10:00"]),
        ("10 apples 2 months", ["10", "apples", "2", "months"]),
        ("13 pm", ["13 pm"]),
        ("", []),
    ],
)
def test_tokens_keep_mentions_12_hour_times_and_durations_as_one_word(
    text: str, words: list[str]
) -> None:
    assert tokens(text) == words


# mention


@pytest.mark.parametrize(
    ("word", "user"),
    [
        ("<@U123|name>", "U123"),
        ("<@U123>", "U123"),
        ("<@W0AB_1|dana smith>", "W0AB_1"),
        ("<@U123|>", "U123"),
    ],
)
def test_an_escaped_mention_gives_the_user_id(word: str, user: str) -> None:
    assert mention(word) == user


@pytest.mark.parametrize(
    "word",
    ["@dana", "U123", "<@u123>", "<#C1|general>", "<!here>", "<@U123|x>tail", "<@U123", ""],
)
def test_anything_but_an_escaped_user_mention_is_not_a_mention(word: str) -> None:
    assert mention(word) is None


# weekday


@pytest.mark.parametrize(("index", "name"), list(enumerate(WEEKDAY_NAMES)))
def test_every_weekday_name_reads_in_any_case(index: int, name: str) -> None:
    assert [weekday(w) for w in (name, name.lower(), name.upper())] == [index] * 3


@pytest.mark.parametrize(
    ("word", "index"),
    [
        ("mon", 0),
        ("tue", 1),
        ("Tues", 1),
        ("wed", 2),
        ("weds", 2),
        ("thu", 3),
        ("thur", 3),
        ("THURS", 3),
        ("fri", 4),
        ("sat", 5),
        ("sun", 6),
        ("tuesdays", 1),
        ("tuesday,", 1),
        ("fri.", 4),
        ("wednes", 2),
    ],
)
def test_weekday_abbreviations_and_plurals_read(word: str, index: int) -> None:
    assert weekday(word) == index


@pytest.mark.parametrize(
    ("word", "index"),
    [
        ("Montag", 0),
        ("dienstag", 1),
        ("DIENSTAGS", 1),
        ("Mittwoch", 2),
        ("mitt", 2),
        ("donnerstags,", 3),
        ("Freitag", 4),
        ("Samstag", 5),
        ("Sonnabend", 5),
        ("Sonntag", 6),
        ("son", 6),
        ("die", 1),
        ("Mo", 0),
        ("Di.", 1),
        ("mi", 2),
        ("Do", 3),
        ("fr", 4),
        ("Sa", 5),
        ("So", 6),
    ],
)
def test_german_weekdays_read_as_germans_write_them(word: str, index: int) -> None:
    assert weekday(word) == index


@pytest.mark.parametrize(
    "word", ["tu", "th", "t", "", "monthly", "week", "tuesdayy", "10:00", "d", "m", "montage"]
)
def test_words_that_are_no_weekday_are_refused(word: str) -> None:
    assert weekday(word) is None


# clock_time


@pytest.mark.parametrize(
    ("word", "at"),
    [
        ("10:00", time(10)),
        ("9:30", time(9, 30)),
        ("09.30", time(9, 30)),
        ("14h30", time(14, 30)),
        ("1h30", time(1, 30)),
        ("0:00", time(0)),
        ("23:59", time(23, 59)),
        ("10am", time(10)),
        ("10 am", time(10)),
        ("10 AM", time(10)),
        ("10:30pm", time(22, 30)),
        ("10:30 pm", time(22, 30)),
        ("10.30 p.m.", time(22, 30)),
        ("1 pm", time(13)),
        ("12 am", time(0)),
        ("12:30am", time(0, 30)),
        ("12 pm", time(12)),
        ("12:15 pm", time(12, 15)),
    ],
)
def test_24_and_12_hour_times_read(word: str, at: time) -> None:
    assert clock_time(word) == at


@pytest.mark.parametrize(
    "word",
    ["24:00", "25:00", "10:60", "13 pm", "0 am", "00 am", "13:00pm", "10", "10:5", "1000", "noon"],
)
def test_impossible_or_bare_times_are_refused(word: str) -> None:
    assert clock_time(word) is None


# duration_minutes


@pytest.mark.parametrize(
    ("word", "minutes"),
    [
        ("30m", 30),
        ("30 m", 30),
        ("45min", 45),
        ("45 mins", 45),
        ("90 minutes", 90),
        ("1 minute", 1),
        ("1h", 60),
        ("2 hr", 120),
        ("2hrs", 120),
        ("2 hours", 120),
        ("1 hour", 60),
        ("2H", 120),
        ("1.5h", 90),
        ("1.5 hours", 90),
        ("0.25h", 15),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1 hour 30 minutes", 90),
        ("9999m", 9999),
    ],
)
def test_minute_hour_and_combined_durations_read(word: str, minutes: int) -> None:
    assert duration_minutes(word) == minutes


@pytest.mark.parametrize(
    "word", ["30", "m", "h", "", "1.01h", "1.5m", "1h30", "thirty minutes", "-5m", "30s", "2 days"]
)
def test_words_that_are_no_duration_are_refused(word: str) -> None:
    assert duration_minutes(word) is None


# day


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("2026-12-03", date(2026, 12, 3)),
        ("2027-01-05", date(2027, 1, 5)),
        ("today", MONDAY),
        ("Tomorrow", date(2026, 12, 1)),
        ("tuesday", date(2026, 12, 1)),
        ("FRI", date(2026, 12, 4)),
        ("sun", date(2026, 12, 6)),
        ("monday", date(2026, 12, 7)),  # today's weekday is next week's
        ("heute", MONDAY),
        ("Morgen", date(2026, 12, 1)),
        ("donnerstag", date(2026, 12, 3)),
        ("Mo", date(2026, 12, 7)),
    ],
)
def test_iso_dates_and_weekdays_relative_to_today_read(word: str, expected: date) -> None:
    assert day(word, today=MONDAY) == expected


@pytest.mark.parametrize("word", ["2026-13-01", "2026-02-30", "12/03/2026", "someday", "tu", ""])
def test_garbage_is_no_day(word: str) -> None:
    assert day(word, today=MONDAY) is None


# schedule_args


def fields(args: ScheduleArgs) -> tuple[object, ...]:
    return (args.person, args.weekday, args.at, args.cadence, args.duration, args.unread)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U1|r> tuesday 10 am", ("U1", 1, time(10), Cadence.WEEKLY, 30, [])),
        ("<@U1|r> tuesday 10:00 weekly 30m", ("U1", 1, time(10), Cadence.WEEKLY, 30, [])),
        ("<@U1|r> tuesday 10:00 2 hours", ("U1", 1, time(10), Cadence.WEEKLY, 120, [])),
        ("10 am tuesday <@U1>", ("U1", 1, time(10), Cadence.WEEKLY, 30, [])),
        ("<@U1> thurs 2:30 pm biweekly 90 min", ("U1", 3, time(14, 30), Cadence.BIWEEKLY, 90, [])),
        ("<@U1|r> Fri 10.30 P.M. fortnightly 1h 30m", ("U1", 4, time(22, 30), "biweekly", 90, [])),
        ("<@U1|r> wed 12 am monthly 1.5h", ("U1", 2, time(0), Cadence.MONTHLY, 90, [])),
        ("<@U1|r> weds 12 pm 45 minutes", ("U1", 2, time(12), Cadence.WEEKLY, 45, [])),
        ("<@U1|Dana Smith> tuesday, 10:00, 5m", ("U1", 1, time(10), Cadence.WEEKLY, 5, [])),
        ("<@U1|r> sun 23:59 4h", ("U1", 6, time(23, 59), Cadence.WEEKLY, 240, [])),
    ],
)
def test_schedule_reads_every_accepted_form_in_any_order(
    text: str, expected: tuple[object, ...]
) -> None:
    args = schedule_args(text)
    assert fields(args) == expected and args.complete


@pytest.mark.parametrize(
    "duration", ["9999m", "4m", "0m", "241 minutes", "4h 1m", "5h", "10h", "99999999999999999999m"]
)
def test_a_duration_outside_the_allowed_range_is_refused_naming_the_range(duration: str) -> None:
    low, high = DURATION_RANGE
    with pytest.raises(ParseError) as raised:
        schedule_args(f"<@U1|r> friday 10:00 {duration}")
    message = str(raised.value)
    assert f"`{duration}`" in message
    assert f"between {low} and {high} minutes" in message
    assert "`30m`" in message and "[<N>m]" in USAGE["schedule"]  # the usage's own form


@pytest.mark.parametrize(
    ("text", "at", "unread"),
    [
        ("<@U1|r> tuesday 24:00", None, ["24:00"]),
        ("<@U1|r> tuesday 10:60", None, ["10:60"]),
        ("<@U1|r> tuesday 13 pm", None, ["13 pm"]),
        ("<@U1|r> tuesday 0 am", None, ["0 am"]),
        ("<@U1|r> tuesday 10", None, ["10"]),
        ("<@U1|r> tuesday 10 oclock", None, ["10", "oclock"]),
        ("<@U1|r> tuesday 10:00 soonish", time(10), ["soonish"]),
        ("<@U1|r> tuesday 10:00 1.01h", time(10), ["1.01h"]),
    ],
)
def test_unreadable_words_stay_unread(text: str, at: time | None, unread: list[str]) -> None:
    args = schedule_args(text)
    assert (args.person, args.weekday, args.at, args.unread) == ("U1", 1, at, unread)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U1> <@U2> tue 10:00", ("U1", 1, time(10), Cadence.WEEKLY, 30, ["<@U2>"])),
        ("<@U1> tue fri 10:00", ("U1", 1, time(10), Cadence.WEEKLY, 30, ["fri"])),
        ("<@U1> tue 10:00 11 am", ("U1", 1, time(10), Cadence.WEEKLY, 30, ["11 am"])),
        ("<@U1> tue 10:00 monthly weekly", ("U1", 1, time(10), Cadence.MONTHLY, 30, ["weekly"])),
        ("<@U1> tue 10:00 45m 1h", ("U1", 1, time(10), Cadence.WEEKLY, 45, ["1h"])),
    ],
)
def test_the_first_of_each_part_counts_and_a_second_one_is_unread(
    text: str, expected: tuple[object, ...]
) -> None:
    assert fields(schedule_args(text)) == expected


@pytest.mark.parametrize(
    ("text", "understood"),
    [
        ("", "nothing yet"),
        ("<@U1|r>", "person <@U1>"),
        ("<@U1|r> thu", "person <@U1>, weekday Thursday"),
        ("<@U1|r> thu 10 am", "person <@U1>, weekday Thursday, time 10:00"),
        ("friday 25:00", "weekday Friday"),
    ],
)
def test_missing_parts_are_none_and_understood_says_what_was_read(
    text: str, understood: str
) -> None:
    args = schedule_args(text)
    assert args.understood() == understood
    assert args.complete is (understood.count(",") == 2)


def test_the_help_example_of_schedule_reads_completely() -> None:
    (example,) = [s.example for s in SUBCOMMANDS if s.name == "schedule"]
    args = schedule_args(example.removeprefix("schedule ").replace("@dana", "<@U1|dana>"))
    assert fields(args) == ("U1", 1, time(10), Cadence.WEEKLY, 30, [])


# person_and_rest and add_args


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U1|dana> hello there", ("U1", "hello there")),
        ("<@U1>", ("U1", "")),
        ("  <@U1|d>   x  ", ("U1", "x")),
        ("<@U1|Dana Smith> notes", ("U1", "notes")),
        ("<@U1|d>\n2026-12-03 14:30", ("U1", "2026-12-03 14:30")),
        ("2026-12-03 14:30", (None, "2026-12-03 14:30")),
        ("hello <@U1>", (None, "hello <@U1>")),
        ("<@U1>x", (None, "<@U1>x")),
        ("@dana", (None, "@dana")),
        ("", (None, "")),
    ],
)
def test_person_and_rest_reads_a_leading_mention_only(
    text: str, expected: tuple[str | None, str]
) -> None:
    assert person_and_rest(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("roadmap", (False, None, "roadmap")),
        ("private my raise", (True, None, "my raise")),
        ("PRIVATE my raise", (True, None, "my raise")),
        ("<@U1|d> hiring", (False, "U1", "hiring")),
        ("private <@U1|d> hiring", (True, "U1", "hiring")),
        ("<@U1|d> private hiring", (True, "U1", "hiring")),
        ("private", (True, None, "")),
        ("private private notes", (True, None, "private notes")),
        ("privately speaking", (False, None, "privately speaking")),
        ("<@U1|d> line one\nline two", (False, "U1", "line one\nline two")),
        ("<!channel> roadmap & hiring", (False, None, "<!channel> roadmap & hiring")),
        ("hiring <@U1|d>", (False, None, "hiring <@U1|d>")),
        ("<@U1|d> <@U2|e> intro", (False, "U1", "<@U2|e> intro")),
    ],
)
def test_add_reads_private_and_a_person_in_either_order(
    text: str, expected: tuple[bool, str | None, str]
) -> None:
    assert add_args(text) == expected


# through the real request path


def test_schedule_with_a_spaced_12_hour_time_creates_the_series_at_10_00(bot: RunningBot) -> None:
    reply = command_reply(bot, "schedule <@U_REPORT|rita> tuesday 10 am")
    with bot.db() as session:
        pair = session.exec(select(Pair)).one()
        meeting = session.exec(select(Meeting)).one()
    assert (pair.report_id, pair.weekday, pair.local_time) == ("U_REPORT", 1, time(10))
    assert (pair.cadence, pair.duration_minutes) == (Cadence.WEEKLY, 30)
    assert meeting.starts_at.astimezone(UTC) == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert "scheduled" in reply and "10:00" in reply
