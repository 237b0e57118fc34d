"""The working-hours rule for prompts and reminders: Monday to Friday, 08:00–19:00 on the
reader's own clock; moved back to 18:00 of the last working day, never within an hour of the
meeting (store.working_hours, store.meetings.prompt_time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from store.actions import remind_at
from store.meetings import prompt_time, too_late_to_prompt
from store.models import Pair
from store.recurrence import slot_from_local
from store.working_hours import is_working, send_time

BERLIN, KOLKATA, LA, NY = "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "America/New_York"


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def pair(zone: str, lead_minutes: int = 24 * 60) -> Pair:
    return Pair(
        team_id="T",
        manager_id="UM",
        report_id="UR",
        people_key="UM:UR",
        weekday=0,
        local_time=time(9),
        timezone=zone,
        first_date=date(2026, 12, 7),
        prompt_lead_minutes=lead_minutes,
        created_at=datetime(2026, 11, 25, tzinfo=UTC),
    )


WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_a_monday_morning_meetings_prompt_goes_out_on_friday_at_six() -> None:
    start = local(BERLIN, 2026, 12, 7, 9, 0)
    assert prompt_time(pair(BERLIN), start, BERLIN, now=WEDNESDAY) == local(
        BERLIN, 2026, 12, 4, 18, 0
    )


def test_a_prompt_in_working_hours_stays_at_its_lead() -> None:
    start = local(BERLIN, 2026, 12, 8, 10, 0)  # a Tuesday
    assert prompt_time(pair(BERLIN), start, BERLIN, now=WEDNESDAY) == start - timedelta(days=1)


def test_a_los_angeles_reader_of_a_kolkata_series_is_prompted_on_their_own_clock() -> None:
    series = pair(KOLKATA)
    start = local(KOLKATA, 2026, 12, 8, 10, 0)  # Tuesday 10:00 Kolkata = Monday 20:30 LA
    assert prompt_time(series, start, KOLKATA, now=WEDNESDAY) == local(KOLKATA, 2026, 12, 7, 10, 0)
    # for LA the lead lands on Sunday 20:30: moved back to Friday 18:00 LA
    assert prompt_time(series, start, LA, now=WEDNESDAY) == local(LA, 2026, 12, 4, 18, 0)


def test_a_meeting_half_an_hour_away_gets_no_prompt() -> None:
    now = local(BERLIN, 2026, 12, 2, 10, 0)
    start = now + timedelta(minutes=30)
    assert prompt_time(pair(BERLIN), start, BERLIN, now=now) is None
    assert too_late_to_prompt(start, now, now=now)


def test_a_short_lead_is_clipped_to_an_hour_before_the_meeting() -> None:
    now = local(BERLIN, 2026, 12, 2, 10, 0)
    start = local(BERLIN, 2026, 12, 2, 15, 0)
    assert prompt_time(pair(BERLIN, 30), start, BERLIN, now=now) == start - timedelta(hours=1)
    assert not too_late_to_prompt(
        start, start - timedelta(hours=1), now=start - timedelta(hours=1, seconds=-30)
    )


def test_scheduled_at_night_for_tomorrow_morning_the_prompt_waits_for_eight() -> None:
    now = local(BERLIN, 2026, 12, 1, 22, 0)  # Tuesday night
    start = local(BERLIN, 2026, 12, 2, 10, 0)
    assert prompt_time(pair(BERLIN), start, BERLIN, now=now) == local(BERLIN, 2026, 12, 2, 8, 0)
    early = local(BERLIN, 2026, 12, 2, 8, 30)  # no working moment an hour before it
    assert prompt_time(pair(BERLIN), early, BERLIN, now=now) is None


def test_on_the_dst_days_the_rule_reads_the_wall_clock() -> None:
    # Berlin springs forward on Sunday 2027-03-28: the Friday before is still CET (UTC+1)
    spring = slot_from_local(date(2027, 3, 29), time(9), BERLIN)
    assert prompt_time(pair(BERLIN), spring, BERLIN, now=WEDNESDAY) == datetime(
        2027, 3, 26, 17, 0, tzinfo=UTC
    )
    # a week later the Friday is CEST (UTC+2): still 18:00 on the clock
    after = slot_from_local(date(2027, 4, 5), time(9), BERLIN)
    assert prompt_time(pair(BERLIN), after, BERLIN, now=WEDNESDAY) == datetime(
        2027, 4, 2, 16, 0, tzinfo=UTC
    )
    # New York springs forward on Sunday 2027-03-14 02:00: a Monday 07:30 meeting with a 3 h
    # lead has its natural time on Monday 04:30, moved back to Friday 18:00 EST (23:00 UTC)
    monday = slot_from_local(date(2027, 3, 15), time(7, 30), NY)
    assert prompt_time(pair(NY, 180), monday, NY, now=WEDNESDAY) == datetime(
        2027, 3, 12, 23, 0, tzinfo=UTC
    )


def test_working_hours_are_monday_to_friday_eight_to_seven() -> None:
    assert is_working(local(BERLIN, 2026, 12, 4, 8, 0), BERLIN)
    assert is_working(local(BERLIN, 2026, 12, 4, 18, 59), BERLIN)
    assert not is_working(local(BERLIN, 2026, 12, 4, 19, 0), BERLIN)
    assert not is_working(local(BERLIN, 2026, 12, 5, 12, 0), BERLIN)  # Saturday
    assert not is_working(local(BERLIN, 2026, 12, 7, 7, 59), BERLIN)


def test_reminders_follow_the_same_rule_in_the_owners_zone() -> None:
    saturday = remind_at(date(2026, 12, 5), LA)
    assert send_time(saturday, LA, now=WEDNESDAY) == local(LA, 2026, 12, 4, 18, 0)
    tuesday = remind_at(date(2026, 12, 8), LA)
    assert send_time(tuesday, LA, now=WEDNESDAY) == tuesday
    late = local(LA, 2026, 12, 8, 20, 0)  # due today, but it is evening now
    assert send_time(tuesday, LA, now=late) == local(LA, 2026, 12, 9, 8, 0)
