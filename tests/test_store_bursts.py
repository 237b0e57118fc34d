"""Same-minute merging and prompts too close to the meeting, in the store, on SQLite and
PostgreSQL (store.bursts, store.meetings.schedule_meeting_work)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from store.access import Actor
from store.bursts import take_reminders_along, welcome_prompt
from store.deliveries import TOO_LATE, prepare
from store.due_work import claim, claimable_ids
from store.models import ActionItem, DueWork
from store.schedule import PairRequest, create_pair, reschedule_meeting

MANAGER = Actor("T1", "UMGR")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 07:00 in New York


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def request(weekday: int, at: time, zone: str = "Europe/Berlin") -> PairRequest:
    return PairRequest(report_id="UREP", weekday=weekday, local_time=at, timezone=zone)


def prompts(session: Session) -> dict[str, DueWork]:
    rows = session.exec(select(DueWork).where(DueWork.kind == "prompt")).all()
    return {w.user_id or "": w for w in rows}


def test_the_first_prompt_due_now_is_held_for_the_welcome(session: Session) -> None:
    _, meeting = create_pair(session, MANAGER, request(1, time(13)), now=NOW, welcome=True)
    held = welcome_prompt(session, meeting.id or 0, "UREP")
    assert held is not None and held.user_id == "UREP"
    assert held.work_id not in claimable_ids(session, now=NOW + timedelta(minutes=4))
    assert claim(session, work_id=held.work_id, now=NOW) is None  # nobody else takes it
    again = claim(session, work_id=held.work_id, now=NOW + timedelta(minutes=6))
    assert again is not None and again.uncertain_since == NOW  # a dead welcome: look first


def test_without_a_welcome_nothing_is_held(session: Session) -> None:
    _, meeting = create_pair(session, MANAGER, request(1, time(13)), now=NOW)
    assert welcome_prompt(session, meeting.id or 0, "UREP") is None


def test_a_prompt_with_no_working_moment_left_is_recorded_once_and_reopens(
    session: Session,
) -> None:
    # Monday 13:30 Berlin, 30 minutes from now... and a 1:1 at 13:30: no prompt, the agenda goes
    _, meeting = create_pair(session, MANAGER, request(0, time(13, 30)), now=NOW)
    assert {w.outcome for w in prompts(session).values()} == {TOO_LATE}
    work = prompts(session)["UREP"]
    assert work.done_at == NOW and work.id not in claimable_ids(session, now=NOW)
    moved = reschedule_meeting(
        session,
        MANAGER,
        meeting.id or 0,
        day=meeting.starts_at.date() + timedelta(days=1),
        at=time(15),
        now=NOW,
    )
    assert moved.starts_at.hour == 14
    reopened = prompts(session)["UREP"]
    assert reopened.done_at is None  # 24 h before Tuesday 15:00 Berlin: Monday 15:00
    assert reopened.next_attempt_at == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_a_prompt_that_reaches_its_turn_inside_the_hour_is_not_sent(session: Session) -> None:
    _, meeting = create_pair(session, MANAGER, request(0, time(16)), now=NOW)
    work = prompts(session)["UREP"]
    late = meeting.starts_at - timedelta(minutes=50)
    taken = claim(session, work_id=work.id or 0, now=late)
    assert taken is not None
    assert prepare(session, taken, now=late) == TOO_LATE


def test_reminders_due_with_a_prompt_are_taken_along_once(session: Session) -> None:
    pair, _ = create_pair(session, MANAGER, request(1, time(13)), now=NOW)
    item = ActionItem(
        team_id="T1",
        pair_id=pair.id or 0,
        owner_id="UREP",
        text="plan",
        created_by="UMGR",
        created_at=NOW,
    )
    session.add(item)
    session.flush()
    due = DueWork(
        team_id="T1",
        key=f"reminder:{item.id}:UREP:x",
        kind="reminder",
        action_item_id=item.id,
        user_id="UREP",
        next_attempt_at=NOW + timedelta(seconds=30),
    )
    session.add(due)
    session.commit()
    taken = claim(session, work_id=prompts(session)["UREP"].id or 0, now=NOW)
    assert taken is not None
    along = take_reminders_along(session, taken, [item.id or 0], now=NOW)
    assert [key for key, _ in along] == [due.key]
    assert take_reminders_along(session, taken, [item.id or 0], now=NOW) == []
    session.refresh(due)
    assert due.claim_token == taken.token
