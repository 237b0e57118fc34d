"""Recurring times on each reader's own clock: zones whose weekdays differ, the date line,
daylight saving time in either direction and in either zone, and zones that agree."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from blocks.when import (
    clock,
    dst_heads_up,
    for_day,
    off_hours,
    recurring_time,
    series_phrase,
    short_day,
    zone_name,
)
from store.recurrence import Recurrence, next_slot, slot_from_local
from store.views import SeriesTime

KOLKATA, LA, NY, BERLIN = "Asia/Kolkata", "America/Los_Angeles", "America/New_York", "Europe/Berlin"


def series(zone: str, day: str, at: str, cadence: str = "weekly") -> SeriesTime:
    """A series read at its occurrence on `day` (ISO) at wall-clock `at` in `zone`."""
    slot = slot_from_local(datetime.fromisoformat(day).date(), time.fromisoformat(at), zone)
    return SeriesTime(cadence, zone, slot)


def test_a_kolkata_monday_morning_is_a_los_angeles_sunday_evening() -> None:
    monday = series(KOLKATA, "2026-12-07", "10:00")
    assert recurring_time(monday, LA) == "Sundays 20:30 your time (Mondays 10:00 in Kolkata)"
    assert recurring_time(monday, KOLKATA) == "Mondays 10:00"


def test_across_the_date_line_the_weekday_is_the_readers() -> None:
    auckland = series("Pacific/Auckland", "2027-01-04", "09:00")  # a Monday, summer (+13)
    assert recurring_time(auckland, "Pacific/Honolulu") == (
        "Sundays 10:00 your time (Mondays 09:00 in Auckland)"
    )


def test_zones_that_agree_say_the_time_once() -> None:
    monday = series(BERLIN, "2026-12-07", "10:00")
    assert recurring_time(monday, "Europe/Paris") == "Mondays 10:00"


def test_an_unknown_reader_zone_names_the_series_zone() -> None:
    assert recurring_time(series(KOLKATA, "2026-12-07", "10:00"), None) == (
        "Mondays 10:00 in Kolkata"
    )


@pytest.mark.parametrize(
    ("day", "berlin"),
    [
        ("2027-03-09", "16:00"),  # both on winter time: six hours apart
        ("2027-03-16", "15:00"),  # New York moved on March 14, Berlin not yet
        ("2027-03-30", "16:00"),  # Berlin moved on March 28
    ],
)
def test_spring_dst_moves_the_other_zone_on_its_own_dates(day: str, berlin: str) -> None:
    tuesday = series(NY, day, "10:00")
    assert recurring_time(tuesday, BERLIN) == (
        f"Tuesdays {berlin} your time (Tuesdays 10:00 in New York)"
    )
    assert recurring_time(tuesday, NY) == "Tuesdays 10:00"


@pytest.mark.parametrize(
    ("day", "new_york"),
    [
        ("2026-10-20", "09:00"),  # both on summer time
        ("2026-10-27", "10:00"),  # Berlin went back on October 25, New York not yet
        ("2026-11-03", "09:00"),  # New York went back on November 1
    ],
)
def test_autumn_dst_moves_the_other_zone_on_its_own_dates(day: str, new_york: str) -> None:
    tuesday = series(BERLIN, day, "15:00")
    assert recurring_time(tuesday, NY) == (
        f"Tuesdays {new_york} your time (Tuesdays 15:00 in Berlin)"
    )


def test_kolkata_has_no_dst_so_only_the_other_zone_moves_it() -> None:
    before = series(KOLKATA, "2027-03-08", "19:30")
    after = series(KOLKATA, "2027-03-15", "19:30")
    assert series_phrase(before, NY) == "Mondays 09:00"
    assert series_phrase(after, NY) == "Mondays 10:00"
    assert series_phrase(before, KOLKATA) == series_phrase(after, KOLKATA) == "Mondays 19:30"


def test_the_phrase_is_read_from_the_recurrence_next_slot() -> None:
    rule = Recurrence("weekly", 0, time(10, 0), KOLKATA, datetime(2026, 12, 7).date())
    slot = next_slot(rule, datetime(2027, 3, 1, tzinfo=UTC))
    assert recurring_time(SeriesTime("weekly", KOLKATA, slot), LA) == (
        "Sundays 20:30 your time (Mondays 10:00 in Kolkata)"
    )


def test_cadences_in_words() -> None:
    first = series(KOLKATA, "2026-12-07", "10:00", "monthly")
    assert recurring_time(first, KOLKATA) == "the first Monday of each month, 10:00"
    assert recurring_time(first, LA) == (
        "monthly on a Sunday, 20:30 your time (the first Monday 10:00 in Kolkata)"
    )
    other = series(KOLKATA, "2026-12-07", "10:00", "biweekly")
    assert recurring_time(other, LA) == (
        "every other Sunday 20:30 your time (Monday 10:00 in Kolkata)"
    )
    last = SeriesTime("monthly", KOLKATA, first.slot, nth=-1)
    assert series_phrase(last, KOLKATA) == "the last Monday of each month, 10:00"


def test_the_heads_up_names_the_new_and_the_old_time() -> None:
    moved = series(NY, "2027-03-16", "10:00")
    before = series(NY, "2027-03-09", "10:00").slot
    assert dst_heads_up(moved, before, BERLIN) == (
        "⏰ *Heads-up:* because of daylight saving time, your 1:1s are at 15:00 your time "
        "from now on (they were at 16:00)."
    )


def test_the_heads_up_names_weekdays_when_the_day_changes_too() -> None:
    moved = series(NY, "2027-03-16", "18:30")  # 23:30 Berlin, was 00:30 on Wednesdays
    before = series(NY, "2027-03-09", "18:30").slot
    assert "are on Tuesdays at 23:30 your time from now on (they were on Wednesdays at 00:30)" in (
        dst_heads_up(moved, before, BERLIN)
    )


def test_off_hours_are_weekends_and_outside_eight_to_seven() -> None:
    sunday_evening = series(KOLKATA, "2026-12-07", "10:00").slot
    assert off_hours(sunday_evening, 30, LA) == ["on a Sunday", "outside 08:00–19:00"]
    assert off_hours(sunday_evening, 30, KOLKATA) == []
    late = series(BERLIN, "2026-12-07", "18:45").slot
    assert off_hours(late, 15, BERLIN) == []
    assert off_hours(late, 30, BERLIN) == ["outside 08:00–19:00"]
    assert off_hours(series(BERLIN, "2026-12-07", "07:59").slot, 30, BERLIN) == [
        "outside 08:00–19:00"
    ]


def test_zone_names_and_the_clock() -> None:
    at = datetime(2026, 12, 7, tzinfo=UTC)
    assert zone_name(LA, at) == "Los Angeles"
    assert zone_name("America/Argentina/Buenos_Aires", at) == "Buenos Aires"
    assert zone_name("UTC", at) == "UTC"
    assert zone_name("Etc/GMT+5", at) == "UTC−05:00"
    assert clock(datetime(2026, 12, 7, 9, 5)) == "09:05"


def test_a_button_s_date_is_the_day_on_the_given_calendar() -> None:
    late = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # already Jan 1 in Kolkata
    assert short_day(late, NY) == "Dec 31" and short_day(late, KOLKATA) == "Jan 1"
    assert for_day("Take notes", late, KOLKATA) == "Take notes for Jan 1"
