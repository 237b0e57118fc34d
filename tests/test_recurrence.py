"""Recurrence: slots stay on the local wall clock across DST, in every cadence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from store.models import Cadence
from store.recurrence import (
    Recurrence,
    first_date_on_or_after,
    local_start,
    next_slot,
    nth_weekday_of_month,
    slot_from_local,
    slots_after,
)

NY = "America/New_York"
BERLIN = "Europe/Berlin"
KOLKATA = "Asia/Kolkata"


def utc(*parts: int) -> datetime:
    """An aware UTC datetime from its parts."""
    return datetime(*parts, tzinfo=UTC)


def rec(cadence: str, first: date, at: time = time(10), tz: str = NY) -> Recurrence:
    """A recurrence on first_date's own weekday."""
    return Recurrence(cadence, first.weekday(), at, tz, first)


def assert_utc_slots(got: list[datetime], expected: list[datetime]) -> None:
    """The same instants, and every one carries the UTC zone."""
    assert got == expected
    assert all(slot.tzinfo is UTC for slot in got)


@pytest.mark.parametrize(
    ("tz", "first", "at", "after", "expected"),
    [
        pytest.param(
            NY,
            date(2027, 3, 1),
            time(10),
            utc(2027, 2, 28),
            [utc(2027, 3, 1, 15), utc(2027, 3, 8, 15), utc(2027, 3, 15, 14), utc(2027, 3, 22, 14)],
            id="new-york-spring-2027-mondays",
        ),
        pytest.param(
            NY,
            date(2027, 3, 7),
            time(10),
            utc(2027, 3, 1),
            [utc(2027, 3, 7, 15), utc(2027, 3, 14, 14), utc(2027, 3, 21, 14)],
            id="new-york-spring-2027-on-the-change-sunday",
        ),
        pytest.param(
            NY,
            date(2026, 10, 22),
            time(10),
            utc(2026, 10, 21),
            [
                utc(2026, 10, 22, 14),
                utc(2026, 10, 29, 14),
                utc(2026, 11, 5, 15),
                utc(2026, 11, 12, 15),
            ],
            id="new-york-fall-2026-thursdays",
        ),
        pytest.param(
            NY,
            date(2027, 10, 31),
            time(10),
            utc(2027, 10, 30),
            [utc(2027, 10, 31, 14), utc(2027, 11, 7, 15), utc(2027, 11, 14, 15)],
            id="new-york-fall-2027-on-the-change-sunday",
        ),
        pytest.param(
            BERLIN,
            date(2027, 3, 17),
            time(9),
            utc(2027, 3, 16),
            [utc(2027, 3, 17, 8), utc(2027, 3, 24, 8), utc(2027, 3, 31, 7), utc(2027, 4, 7, 7)],
            id="berlin-spring-2027-wednesdays",
        ),
        pytest.param(
            BERLIN,
            date(2027, 3, 21),
            time(9),
            utc(2027, 3, 20),
            [utc(2027, 3, 21, 8), utc(2027, 3, 28, 7), utc(2027, 4, 4, 7)],
            id="berlin-spring-2027-on-the-change-sunday",
        ),
        pytest.param(
            BERLIN,
            date(2027, 10, 24),
            time(9),
            utc(2027, 10, 23),
            [utc(2027, 10, 24, 7), utc(2027, 10, 31, 8), utc(2027, 11, 7, 8)],
            id="berlin-fall-2027-on-the-change-sunday",
        ),
        pytest.param(
            KOLKATA,
            date(2027, 3, 1),
            time(10),
            utc(2027, 2, 28),
            [
                utc(2027, 3, 1, 4, 30),
                utc(2027, 3, 8, 4, 30),
                utc(2027, 3, 15, 4, 30),
                utc(2027, 3, 22, 4, 30),
                utc(2027, 3, 29, 4, 30),
            ],
            id="kolkata-no-dst-across-march",
        ),
        pytest.param(
            "UTC",
            date(2027, 10, 24),
            time(10),
            utc(2027, 10, 23),
            [utc(2027, 10, 24, 10), utc(2027, 10, 31, 10), utc(2027, 11, 7, 10)],
            id="utc-no-dst-across-october",
        ),
    ],
)
def test_weekly_keeps_the_local_time_across_dst(
    tz: str, first: date, at: time, after: datetime, expected: list[datetime]
) -> None:
    slots = slots_after(rec("weekly", first, at, tz), after, len(expected))

    assert_utc_slots(slots, expected)
    assert [local_start(slot, tz).time() for slot in slots] == [at] * len(expected)


def test_weekly_far_from_first_date_and_after_given_in_another_zone() -> None:
    weekly = rec("weekly", date(2020, 1, 6))
    after = datetime(2027, 3, 15, 10, tzinfo=ZoneInfo(NY))

    assert_utc_slots(slots_after(weekly, after, 2), [utc(2027, 3, 22, 14), utc(2027, 3, 29, 14)])


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(utc(2025, 12, 1), [utc(2026, 1, 6, 15), utc(2026, 1, 20, 15)], id="before"),
        pytest.param(
            utc(2026, 1, 13, 15), [utc(2026, 1, 20, 15), utc(2026, 2, 3, 15)], id="off-week"
        ),
        pytest.param(
            utc(2026, 1, 20, 16), [utc(2026, 2, 3, 15), utc(2026, 2, 17, 15)], id="after-on-week"
        ),
        pytest.param(utc(2026, 3, 1), [utc(2026, 3, 3, 15), utc(2026, 3, 17, 14)], id="dst"),
        pytest.param(
            utc(2026, 12, 25), [utc(2027, 1, 5, 15), utc(2027, 1, 19, 15)], id="next-year"
        ),
    ],
)
def test_biweekly_steps_two_weeks_from_first_date(
    after: datetime, expected: list[datetime]
) -> None:
    biweekly = rec("biweekly", date(2026, 1, 6))

    assert_utc_slots(slots_after(biweekly, after, 2), expected)


@pytest.mark.parametrize(
    ("first", "after", "expected"),
    [
        pytest.param(
            date(2026, 1, 6),
            utc(2026, 1, 6, 15),
            [utc(2026, 2, 3, 15), utc(2026, 3, 3, 15), utc(2026, 4, 7, 14)],
            id="1st-tuesday",
        ),
        pytest.param(
            date(2026, 1, 13),
            utc(2026, 1, 1),
            [utc(2026, 1, 13, 15), utc(2026, 2, 10, 15), utc(2026, 3, 10, 14)],
            id="2nd-tuesday",
        ),
        pytest.param(
            date(2026, 1, 27),
            utc(2026, 1, 28),
            [utc(2026, 2, 24, 15), utc(2026, 3, 24, 14), utc(2026, 4, 28, 14)],
            id="4th-tuesday-stays-4th-when-march-has-5",
        ),
        pytest.param(
            date(2026, 3, 31),
            utc(2026, 3, 31, 14),
            [utc(2026, 4, 28, 14), utc(2026, 5, 26, 14), utc(2026, 6, 30, 14)],
            id="5th-tuesday-becomes-last",
        ),
    ],
)
def test_monthly_keeps_the_nth_weekday(
    first: date, after: datetime, expected: list[datetime]
) -> None:
    monthly = rec("monthly", first)

    assert_utc_slots(slots_after(monthly, after, 3), expected)


@pytest.mark.parametrize(
    ("day", "nth"),
    [
        (date(2026, 3, 3), 1),
        (date(2026, 3, 10), 2),
        (date(2026, 3, 17), 3),
        (date(2026, 3, 24), 4),
        (date(2026, 3, 31), -1),
        (date(2026, 1, 27), 4),
        (date(2026, 1, 29), -1),
        (date(2026, 2, 28), 4),
    ],
)
def test_nth_weekday_of_month(day: date, nth: int) -> None:
    assert nth_weekday_of_month(day) == nth


@pytest.mark.parametrize(
    ("day", "weekday", "expected"),
    [
        (date(2026, 1, 6), 1, date(2026, 1, 6)),
        (date(2026, 1, 6), 0, date(2026, 1, 12)),
        (date(2026, 1, 6), 6, date(2026, 1, 11)),
        (date(2026, 1, 7), 1, date(2026, 1, 13)),
        (date(2026, 12, 30), 4, date(2027, 1, 1)),
    ],
)
def test_first_date_on_or_after(day: date, weekday: int, expected: date) -> None:
    assert first_date_on_or_after(day, weekday) == expected


def test_after_exactly_on_a_slot_returns_the_next_one() -> None:
    weekly = rec("weekly", date(2027, 3, 1))

    assert next_slot(weekly, utc(2027, 3, 15, 14)) == utc(2027, 3, 22, 14)
    assert next_slot(weekly, utc(2027, 3, 15, 14) - timedelta(microseconds=1)) == utc(
        2027, 3, 15, 14
    )
    assert next_slot(weekly, utc(2027, 3, 1, 15)) == utc(2027, 3, 8, 15)


def test_spring_forward_gap_moves_past_the_gap() -> None:
    weekly = rec("weekly", date(2027, 3, 7), at=time(2, 30))

    slots = slots_after(weekly, utc(2027, 3, 1), 3)

    assert_utc_slots(
        slots, [utc(2027, 3, 7, 7, 30), utc(2027, 3, 14, 7, 30), utc(2027, 3, 21, 6, 30)]
    )
    assert local_start(slots[1], NY).replace(tzinfo=None) == datetime(2027, 3, 14, 3, 30)


def test_fall_back_fold_uses_the_first_occurrence() -> None:
    weekly = rec("weekly", date(2027, 10, 31), at=time(1, 30))

    slots = slots_after(weekly, utc(2027, 10, 30), 3)

    assert_utc_slots(
        slots, [utc(2027, 10, 31, 5, 30), utc(2027, 11, 7, 5, 30), utc(2027, 11, 14, 6, 30)]
    )
    assert local_start(slots[1], NY).utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    ("day", "at", "tz", "expected"),
    [
        pytest.param(date(2026, 6, 1), time(10), BERLIN, utc(2026, 6, 1, 8), id="summer"),
        pytest.param(date(2026, 12, 1), time(10), BERLIN, utc(2026, 12, 1, 9), id="winter"),
        pytest.param(date(2027, 3, 14), time(2, 30), NY, utc(2027, 3, 14, 7, 30), id="ny-gap"),
        pytest.param(date(2027, 3, 28), time(2, 30), BERLIN, utc(2027, 3, 28, 1, 30), id="gap"),
        pytest.param(date(2027, 11, 7), time(1, 30), NY, utc(2027, 11, 7, 5, 30), id="fold"),
        pytest.param(
            date(2027, 11, 7), time(1, 30, fold=1), NY, utc(2027, 11, 7, 5, 30), id="fold-1"
        ),
        pytest.param(date(2027, 3, 14), time(9, 15), KOLKATA, utc(2027, 3, 14, 3, 45), id="ist"),
    ],
)
def test_slot_from_local(day: date, at: time, tz: str, expected: datetime) -> None:
    slot = slot_from_local(day, at, tz)

    assert slot == expected
    assert slot.tzinfo is UTC


def test_local_start_is_the_same_instant_on_the_local_clock() -> None:
    start = local_start(utc(2027, 3, 15, 14), NY)

    assert start.replace(tzinfo=None) == datetime(2027, 3, 15, 10)
    assert start.tzinfo == ZoneInfo(NY)
    assert start == utc(2027, 3, 15, 14)


def test_recurrence_accepts_the_cadence_enum() -> None:
    monthly = Recurrence(Cadence.MONTHLY, 1, time(10), NY, date(2026, 1, 6))

    assert next_slot(monthly, utc(2026, 1, 7)) == utc(2026, 2, 3, 15)


VALID: dict[str, Any] = {
    "cadence": "weekly",
    "weekday": 1,
    "local_time": time(10),
    "timezone": NY,
    "first_date": date(2026, 1, 6),
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cadence": "daily"}, "Unknown cadence"),
        ({"weekday": 7}, "Weekday must be"),
        ({"weekday": -1}, "Weekday must be"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"timezone": "America"}, "Unknown time zone"),
        ({"timezone": ""}, "Unknown time zone"),
        ({"timezone": "../etc/passwd"}, "Unknown time zone"),
        ({"local_time": time(10, tzinfo=UTC)}, "must not carry a time zone"),
        ({"first_date": date(2026, 1, 7)}, "is a Wednesday, not a Tuesday"),
    ],
)
def test_invalid_recurrence_raises(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Recurrence(**{**VALID, **change})


def test_invalid_arguments_raise() -> None:
    weekly = Recurrence(**VALID)

    with pytest.raises(ValueError, match="timezone-aware"):
        slots_after(weekly, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="count must be at least 1"):
        slots_after(weekly, utc(2026, 1, 1), 0)
    with pytest.raises(ValueError, match="Weekday must be"):
        first_date_on_or_after(date(2026, 1, 1), 7)
    with pytest.raises(ValueError, match="timezone-aware"):
        local_start(datetime(2026, 1, 1), NY)
    with pytest.raises(ValueError, match="Unknown time zone"):
        local_start(utc(2026, 1, 1), "Nowhere/Town")
    with pytest.raises(ValueError, match="Unknown time zone"):
        slot_from_local(date(2026, 1, 1), time(10), "Nowhere/Town")
    with pytest.raises(ValueError, match="must not carry a time zone"):
        slot_from_local(date(2026, 1, 1), time(10, tzinfo=UTC), NY)
