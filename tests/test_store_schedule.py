"""Pairs, meetings, talking points and claims on due work, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.access import Actor, Invalid, NotAllowed, find_pair_with, list_active_pairs
from store.agenda import add_talking_point, agenda_for, set_discussed
from store.carry import close_finished_meetings
from store.due_work import claim, claimable_ids, finish, release_after_failure
from store.meetings import roll_forward
from store.models import DueWork, Meeting, MeetingStatus
from store.schedule import (
    PairRequest,
    create_pair,
    end_pair,
    pause_pair,
    reschedule_meeting,
    skip_meeting,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday, 07:00 in New York
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")
STRANGER = Actor("T1", "UOTHER")
OTHER_TEAM = Actor("T2", "UMGR")


def tuesday_at_ten(**overrides: object) -> PairRequest:
    values: dict[str, object] = {
        "report_id": "UREP",
        "weekday": 1,
        "local_time": time(10, 0),
        "timezone": "America/New_York",
    }
    values.update(overrides)
    return PairRequest(**values)  # type: ignore[arg-type]


@pytest.fixture
def session(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


def test_create_pair_schedules_the_first_meeting_and_its_work(session: Session) -> None:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    assert pair.first_date == date(2026, 12, 1)
    assert meeting.starts_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    work = session.exec(select(DueWork).order_by(col(DueWork.key))).all()
    assert [(w.kind, w.user_id, w.next_attempt_at) for w in work] == [
        ("agenda", None, datetime(2026, 12, 1, 14, 30, tzinfo=UTC)),
        ("calendar", "UMGR", NOW),  # each person's .ics (store/calendar.py), at once
        ("calendar", "UREP", NOW),
        ("prompt", "UMGR", datetime(2026, 11, 30, 15, 0, tzinfo=UTC)),
        ("prompt", "UREP", datetime(2026, 11, 30, 15, 0, tzinfo=UTC)),
        ("summary", None, datetime(2026, 12, 1, 16, 30, tzinfo=UTC)),  # end + 1 h
    ]


def test_a_pair_created_inside_the_lead_gets_its_prompts_at_the_next_working_moment(
    session: Session,
) -> None:
    _, soon = create_pair(session, MANAGER, tuesday_at_ten(weekday=0, local_time=time(9)), now=NOW)
    assert soon.starts_at == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    prompts = session.exec(
        select(DueWork).where(DueWork.meeting_id == soon.id, DueWork.kind == "prompt")
    ).all()
    # 07:00 in New York now: the working day starts at 08:00, an hour before the 1:1
    assert {w.next_attempt_at for w in prompts} == {datetime(2026, 11, 30, 13, 0, tzinfo=UTC)}


def test_a_time_already_passed_today_starts_next_week(session: Session) -> None:
    _, meeting = create_pair(
        session, MANAGER, tuesday_at_ten(weekday=0, local_time=time(6)), now=NOW
    )
    assert meeting.starts_at == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("actor", "request_", "reason"),
    [
        (MANAGER, tuesday_at_ten(report_id="UMGR"), "yourself"),
        (MANAGER, tuesday_at_ten(duration_minutes=600), "duration"),
        (MANAGER, tuesday_at_ten(timezone="Mars/Olympus"), "time zone"),
    ],
)
def test_invalid_requests_are_refused(session, actor, request_, reason) -> None:
    with pytest.raises(Invalid, match=reason):
        create_pair(session, actor, request_, now=NOW)


def test_a_second_pair_for_the_same_two_people_is_refused_in_either_role(session) -> None:
    create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    with pytest.raises(Invalid, match="reschedule"):
        create_pair(session, MANAGER, tuesday_at_ten(weekday=3), now=NOW)
    with pytest.raises(Invalid, match="already have"):
        create_pair(session, REPORT, tuesday_at_ten(report_id="UMGR"), now=NOW)


def test_one_person_in_many_pairs(session: Session) -> None:
    create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP2"), now=NOW)
    create_pair(session, Actor("T1", "UBOSS"), tuesday_at_ten(report_id="UMGR"), now=NOW)
    with pytest.raises(Invalid, match="several 1:1s"):
        find_pair_with(session, MANAGER, None)
    assert find_pair_with(session, MANAGER, "UBOSS").manager_id == "UBOSS"
    assert find_pair_with(session, REPORT, None).report_id == "UREP"


def test_talking_points_private_items_and_permissions(session: Session) -> None:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    add_talking_point(session, MANAGER, pair.id, "Roadmap", now=NOW)
    add_talking_point(session, REPORT, pair.id, "Raise?", private=True, now=NOW)
    assert [i.text for i in agenda_for(session, MANAGER, pair.id, now=NOW).new] == ["Roadmap"]
    assert [i.text for i in agenda_for(session, REPORT, pair.id, now=NOW).new] == [
        "Roadmap",
        "Raise?",
    ]
    for intruder in (STRANGER, OTHER_TEAM):
        with pytest.raises(NotAllowed):
            add_talking_point(session, intruder, pair.id, "sneaky", now=NOW)
        with pytest.raises(NotAllowed):
            agenda_for(session, intruder, pair.id, now=NOW)
    private = agenda_for(session, REPORT, pair.id, now=NOW).new[1]
    with pytest.raises(NotAllowed):
        set_discussed(session, MANAGER, [private.id], True, meeting_id=meeting.id)


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_talking_point_length_is_checked(session: Session, text: str) -> None:
    pair, _ = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    with pytest.raises(Invalid):
        add_talking_point(session, MANAGER, pair.id, text, now=NOW)


def test_the_same_origin_adds_a_point_once(session: Session) -> None:
    pair, _ = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    first, _ = add_talking_point(session, MANAGER, pair.id, "Once", now=NOW, origin_key="k1")
    again, _ = add_talking_point(session, MANAGER, pair.id, "Once", now=NOW, origin_key="k1")
    assert first.id == again.id
    assert len(agenda_for(session, MANAGER, pair.id, now=NOW).new) == 1


def test_undiscussed_points_carry_over_with_a_count(session: Session) -> None:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    done, _ = add_talking_point(session, MANAGER, pair.id, "Done", now=NOW)
    add_talking_point(session, REPORT, pair.id, "Not yet", now=NOW)
    set_discussed(session, REPORT, [done.id], True, meeting_id=meeting.id)
    after = meeting.starts_at + timedelta(minutes=31)
    roll_forward(session, pair, now=after)
    assert len(close_finished_meetings(session, now=after)) == 1
    agenda = agenda_for(session, MANAGER, pair.id, now=after)
    assert agenda.starts_at == datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    assert [(i.text, i.carried_count) for i in agenda.carried] == [("Not yet", 1)]
    assert agenda.new == []


def test_skip_moves_points_to_the_next_meeting_and_tells_nobody_else(session) -> None:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    add_talking_point(session, REPORT, pair.id, "Keep me", now=NOW)
    with pytest.raises(NotAllowed):
        skip_meeting(session, STRANGER, meeting.id, now=NOW)
    skipped, following = skip_meeting(session, REPORT, meeting.id, now=NOW)
    assert skipped.status == MeetingStatus.SKIPPED
    assert following is not None
    assert following.starts_at == datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    assert [i.text for i in agenda_for(session, MANAGER, pair.id, now=NOW).new] == ["Keep me"]


def test_reschedule_moves_the_meeting_and_retimes_its_work(session: Session) -> None:
    _pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    moved = reschedule_meeting(
        session, REPORT, meeting.id, day=date(2026, 12, 2), at=time(14, 30), now=NOW
    )
    assert moved.starts_at == datetime(2026, 12, 2, 19, 30, tzinfo=UTC)
    agenda_work = session.exec(
        select(DueWork).where(DueWork.meeting_id == meeting.id, DueWork.kind == "agenda")
    ).one()
    assert agenda_work.next_attempt_at == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)
    with pytest.raises(Invalid, match="passed"):
        reschedule_meeting(session, MANAGER, meeting.id, day=date(2026, 11, 1), at=time(9), now=NOW)


def test_pause_cancels_meetings_until_the_date(session: Session) -> None:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    add_talking_point(session, MANAGER, pair.id, "After the break", now=NOW)
    _, following = pause_pair(session, REPORT, pair.id, until=date(2026, 12, 15), now=NOW)
    assert following is not None
    assert following.starts_at == datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
    assert [i.text for i in agenda_for(session, REPORT, pair.id, now=NOW).new] == [
        "After the break"
    ]


def test_either_person_ends_a_pair_and_nobody_else(session: Session) -> None:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    with pytest.raises(NotAllowed):
        end_pair(session, Actor("T1", "USTRANGER"), pair.id, now=NOW)
    end_pair(session, REPORT, pair.id, now=NOW)  # a report may decline, or leave
    assert session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
    assert roll_forward(session, pair, now=NOW + timedelta(days=30)) is None


def test_a_claim_is_taken_once_released_with_backoff_and_recovered_after_the_lease(
    session: Session,
) -> None:
    create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    due = NOW + timedelta(hours=3)
    ids = claimable_ids(session, now=due)
    assert len(ids) == 4  # both prompts and both people's .ics; the agenda is not due yet
    first = claim(session, work_id=ids[0], now=due)
    assert first is not None
    assert claim(session, work_id=ids[0], now=due) is None
    assert release_after_failure(session, first, error="boom", now=due) is True
    assert claim(session, work_id=ids[0], now=due + timedelta(seconds=30)) is None
    again = claim(session, work_id=ids[0], now=due + timedelta(minutes=1))
    assert again is not None and again.attempts == 2
    # a runner that died holding the claim: the work comes back after the lease
    assert claim(session, work_id=ids[0], now=due + timedelta(minutes=2)) is None
    recovered = claim(session, work_id=ids[0], now=due + timedelta(minutes=7))
    assert recovered is not None
    assert finish(session, again, outcome="sent", now=due) is False  # the lost claim
    assert finish(session, recovered, outcome="sent", now=due) is True
    assert claimable_ids(session, now=due + timedelta(minutes=8)) == ids[1:]


def test_one_active_pair_per_two_people_is_enforced_by_the_database(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    # as if both had checked at the same moment, before either pair existed
    monkeypatch.setattr("store.schedule.find_pair_between", lambda *_: None)
    with pytest.raises(Invalid, match="already have a recurring 1:1"):
        create_pair(session, REPORT, tuesday_at_ten(report_id="UMGR"), now=NOW)
    assert len(list_active_pairs(session, MANAGER)) == 1
