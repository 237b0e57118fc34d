"""What calendars show of a series (store/calendar.py, written by blocks/ics.py), parsed back
with icalendar and expanded as a calendar app would, against the store's own meetings and
next 1:1s; the SEQUENCE and the due work of each change; the feed links; SQLite and
PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from blocks.ics import feed, series_file
from store.access import Actor
from store.calendar import (
    SUBSCRIBED,
    SUPERSEDED,
    calendar_delivery,
    feed_link,
    feed_of,
    my_calendar,
    new_feed_token,
    note_change,
    series_of,
)
from store.calendar_views import CalendarReader
from store.deletion import delete_history, forget_person
from store.due_work import claim
from store.meetings import roll_forward
from store.models import CalendarFeed, DueWork, Meeting, Pair, WorkKind
from store.schedule import (
    PairRequest,
    create_pair,
    end_pair,
    pause_pair,
    reschedule_meeting,
    skip_meeting,
)
from tests.calendar_check import events, occurrences, parse, store_starts

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday in January: a year of both DST changes
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")
ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney")
READER = CalendarReader("UMGR", None, {"UREP": "Rita Report"})


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def request(
    zone: str, cadence: str = "weekly", report: str = "UREP", **more: object
) -> PairRequest:
    return PairRequest(
        report_id=report,
        weekday=1,
        local_time=time(10, 0),
        timezone=zone,
        cadence=cadence,
        **more,  # type: ignore[arg-type]
    )


def file_of(session: Session, pair: Pair, now: datetime = NOW) -> bytes:
    session.refresh(pair)
    return series_file(series_of(session, [pair])[0], READER, now=now)


def calendar_work(session: Session) -> list[str]:
    query = select(DueWork.key).where(DueWork.kind == WorkKind.CALENDAR)
    return sorted(session.exec(query.order_by(col(DueWork.key))).all())


def roll_through_year(session: Session, pair: Pair) -> list[Meeting]:
    """Housekeeping for a year: each meeting, once it has started, has its next one made."""
    end = NOW + timedelta(days=366)
    while True:
        latest = session.exec(
            select(Meeting)
            .where(Meeting.pair_id == pair.id)
            .order_by(col(Meeting.starts_at).desc())
        ).first()
        assert latest is not None
        if latest.starts_at > end:
            break
        roll_forward(session, pair, now=latest.starts_at + timedelta(minutes=1))
        session.commit()
    meetings = session.exec(select(Meeting).where(Meeting.pair_id == pair.id)).all()
    return sorted(meetings, key=lambda m: m.starts_at)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("cadence", ["weekly", "biweekly", "monthly"])
def test_a_year_of_meetings_is_the_calendar_across_both_dst_changes(
    session: Session, zone: str, cadence: str
) -> None:
    pair, _ = create_pair(session, MANAGER, request(zone, cadence), now=NOW)
    meetings = roll_through_year(session, pair)
    calendar = parse(file_of(session, pair))
    year = (NOW, NOW + timedelta(days=366))
    shown = occurrences(calendar, *year)
    assert [start for start, _ in shown] == [m.starts_at for m in meetings if m.starts_at < year[1]]
    assert {minutes for _, minutes in shown} == {30}
    local = ZoneInfo(zone)
    assert {start.astimezone(local).time() for start, _ in shown} == {time(10, 0)}
    offsets = {start.astimezone(local).utcoffset() for start, _ in shown}
    assert len(offsets) == 2  # both changes of the year were crossed, the wall time held
    (main,) = events(calendar)
    assert main["DTSTART"].params["TZID"] == zone
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]
    rule = main["RRULE"]
    expected = {
        "weekly": {"FREQ": ["WEEKLY"], "INTERVAL": [1], "BYDAY": ["TU"]},
        "biweekly": {"FREQ": ["WEEKLY"], "INTERVAL": [2], "BYDAY": ["TU"]},
        "monthly": {"FREQ": ["MONTHLY"], "BYDAY": ["1TU"]},  # 2026-01-06: the 1st Tuesday
    }[cadence]
    assert {key: rule[key] for key in expected} == expected


def test_a_fifth_weekday_is_monthly_on_the_last_one(session: Session) -> None:
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # the next Tuesday is the 31st: a 5th one
    pair, _ = create_pair(session, MANAGER, request("Europe/Berlin", "monthly"), now=now)
    calendar = parse(file_of(session, pair, now))
    assert events(calendar)[0]["RRULE"]["BYDAY"] == ["-1TU"]
    shown = [s for s, _ in occurrences(calendar, now, now + timedelta(days=100))]
    assert shown == store_starts(session, pair, now, now + timedelta(days=100))


def test_each_change_is_in_the_file_as_the_store_sees_it(session: Session) -> None:
    pair, first = create_pair(session, MANAGER, request("America/New_York"), now=NOW)
    window = (NOW, NOW + timedelta(weeks=12))

    def check(sequence: int) -> list[datetime]:
        calendar = parse(file_of(session, pair))
        assert {int(e["SEQUENCE"]) for e in events(calendar)} == {sequence}
        shown = occurrences(calendar, *window)
        assert [start for start, _ in shown] == store_starts(session, pair, *window)
        return [start for start, _ in shown]

    assert check(0)[0] == first.starts_at
    skipped, following = skip_meeting(session, REPORT, first.id or 0, now=NOW)
    assert first.starts_at not in check(1)
    assert following is not None
    moved = reschedule_meeting(
        session, MANAGER, following.id or 0, day=date(2026, 1, 14), at=time(16, 30), now=NOW
    )
    shown = check(2)
    assert moved.starts_at in shown and moved.slot_at not in shown
    main, override = events(parse(file_of(session, pair)))
    assert override["UID"] == main["UID"]
    assert override["RECURRENCE-ID"].dt.astimezone(UTC) == moved.slot_at
    assert [d.dt.astimezone(UTC) for d in main["EXDATE"].dts] == [skipped.slot_at]
    pause_pair(session, MANAGER, pair.id or 0, until=date(2026, 2, 16), now=NOW)
    shown = check(3)
    assert not [
        s
        for s in shown
        if datetime(2026, 1, 15, tzinfo=UTC) < s < datetime(2026, 2, 16, tzinfo=UTC)
    ]
    assert moved.starts_at not in shown  # the moved one fell in the pause: cancelled
    end_pair(session, REPORT, pair.id or 0, now=NOW)
    session.refresh(pair)
    ended = parse(file_of(session, pair))
    assert str(ended["METHOD"]) == "CANCEL"
    assert {str(e["STATUS"]) for e in events(ended)} == {"CANCELLED"}
    assert {int(e["SEQUENCE"]) for e in events(ended)} == {4}
    assert calendar_work(session) == sorted(
        f"calendar:{pair.id}:{person}:{n}" for person in ("UMGR", "UREP") for n in range(5)
    )


def test_a_change_nobody_sees_in_a_calendar_sends_nothing(session: Session) -> None:
    pair, _ = create_pair(session, MANAGER, request("Europe/Berlin"), now=NOW)
    before = calendar_work(session)
    pair.prompt_lead_minutes = 60
    pair.agenda_lead_minutes = 10
    assert note_change(session, pair, now=NOW) is False
    assert note_change(session, pair, now=NOW) is False
    session.commit()
    assert calendar_work(session) == before and pair.calendar_sequence == 0
    pair.duration_minutes = 45  # its length is shown: the next file says so
    assert note_change(session, pair, now=NOW) is True
    session.commit()
    assert pair.calendar_sequence == 1 and len(calendar_work(session)) == 4


def test_a_later_change_supersedes_a_file_not_sent_yet(session: Session) -> None:
    pair, first = create_pair(session, MANAGER, request("Europe/Berlin"), now=NOW)
    skip_meeting(session, MANAGER, first.id or 0, now=NOW)
    first_file = session.exec(
        select(DueWork.id).where(DueWork.key == f"calendar:{pair.id}:UREP:0")
    ).one()
    taken = claim(session, work_id=first_file or 0, now=NOW)
    assert taken is not None
    assert calendar_delivery(session, taken, now=NOW) == SUPERSEDED
    latest = session.exec(
        select(DueWork.id).where(DueWork.key == f"calendar:{pair.id}:UREP:1")
    ).one()
    taken = claim(session, work_id=latest or 0, now=NOW)
    assert taken is not None
    plan = calendar_delivery(session, taken, now=NOW)
    assert not isinstance(plan, str) and plan.series.sequence == 1 and plan.user_id == "UREP"


def test_a_feed_of_many_series_is_built_in_a_constant_number_of_queries(
    session: Session, engine: Engine
) -> None:
    def feed_queries(reports: int, offset: int) -> tuple[int, bytes]:
        for n in range(reports):
            zone = ZONES[n % 3]
            cadence = ("weekly", "biweekly", "monthly")[n % 3]
            create_pair(session, MANAGER, request(zone, cadence, f"UR{offset + n}"), now=NOW)
        token = new_feed_token(session, MANAGER, now=NOW)
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            found = feed_of(session, token, now=NOW)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert found is not None
        return len(statements), feed(found[0], found[1], now=NOW)

    few, _ = feed_queries(5, 0)
    many, data = feed_queries(45, 100)  # 50 series now
    assert few == many
    calendar = parse(data)
    mains = [e for e in events(calendar) if "RRULE" in e]
    assert len(mains) == 50 and len({str(e["UID"]) for e in mains}) == 50
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == sorted(ZONES)
    pairs = session.exec(select(Pair).where(Pair.manager_id == "UMGR")).all()
    window = (NOW, NOW + timedelta(weeks=9))
    for pair in pairs:
        uid = next(str(e["UID"]) for e in mains if str(e["UID"]).startswith(f"{pair.id}-"))
        shown = [s for s, _ in occurrences(calendar, *window, uid=uid)]
        assert shown == store_starts(session, pair, *window)


def test_a_new_link_revokes_the_old_one_and_reading_it_stops_the_files(session: Session) -> None:
    pair, _ = create_pair(session, MANAGER, request("Europe/Berlin"), now=NOW)
    assert feed_link(session, MANAGER) is None
    old = new_feed_token(session, MANAGER, now=NOW)
    new = new_feed_token(session, MANAGER, now=NOW + timedelta(minutes=1))
    assert feed_of(session, old, now=NOW) is None
    assert feed_of(session, "x" * 43, now=NOW) is None
    assert feed_of(session, "../../etc/passwd", now=NOW) is None
    assert feed_of(session, new, now=NOW) is not None
    link = feed_link(session, MANAGER)
    assert (
        link is not None and link.read_at == NOW and link.created_at == NOW + timedelta(minutes=1)
    )
    assert feed_link(session, REPORT) is None
    stored = session.exec(select(CalendarFeed.token_hash)).all()
    assert new not in stored and old not in stored  # only hashes are kept
    skip_meeting(session, MANAGER, session.exec(select(Meeting.id)).one() or 0, now=NOW)
    work = {
        w.user_id: w.id
        for w in session.exec(select(DueWork).where(DueWork.key.endswith(":1")))  # type: ignore[attr-defined]
    }
    mine = claim(session, work_id=work["UMGR"] or 0, now=NOW)
    theirs = claim(session, work_id=work["UREP"] or 0, now=NOW)
    assert mine is not None and theirs is not None
    assert calendar_delivery(session, mine, now=NOW) == SUBSCRIBED  # their calendar polls it
    assert not isinstance(calendar_delivery(session, theirs, now=NOW), str)
    later = NOW + timedelta(days=4)  # not read for days: files again
    assert not isinstance(calendar_delivery(session, mine, now=later), str)
    series, reader = my_calendar(session, MANAGER)
    assert [s.pair_id for s in series] == [pair.id] and reader.user_id == "UMGR"


def test_deleting_a_history_or_a_person_takes_their_calendar_rows(session: Session) -> None:
    pair, _ = create_pair(session, MANAGER, request("Europe/Berlin"), now=NOW)
    new_feed_token(session, REPORT, now=NOW)
    end_pair(session, MANAGER, pair.id or 0, now=NOW)
    delete_history(session, pair.id or 0)
    session.commit()
    assert calendar_work(session) == []
    forget_person(session, "T1", "UREP")
    session.commit()
    assert session.exec(select(CalendarFeed)).all() == []
