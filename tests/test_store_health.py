"""The store side of healthy 1:1s: check-ins (one per person and meeting, the drop rule),
the digest's constant number of queries and its timing, and check-ins in export and
deletion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from store.access import Actor, Invalid, NotAllowed
from store.checkins import meeting_checkins, record_checkin, set_checkin_text
from store.deletion import delete_history, delete_private, private_counts
from store.digest import digest_time, digest_view, managers_without_digest, plan_digests
from store.export import export_page
from store.health_views import CheckInView
from store.models import ActionItem, CheckIn, DueWork, Meeting, Pair, WorkKind, id_of
from store.schedule import PairRequest, create_pair
from store.views import PrivateCounts
from tests.test_home_store import counted

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def pair_with(session: Session, report_id: str, manager: Actor = MANAGER) -> tuple[Pair, Meeting]:
    request = PairRequest(
        report_id=report_id, weekday=1, local_time=time(10, 0), timezone="America/New_York"
    )
    return create_pair(session, manager, request, now=NOW)


def test_answering_again_changes_the_one_answer(session: Session) -> None:
    pair, meeting = pair_with(session, "UREP")
    record_checkin(session, REPORT, id_of(meeting), 4, now=NOW)
    record_checkin(session, REPORT, id_of(meeting), 2, now=NOW)
    set_checkin_text(session, REPORT, id_of(meeting), "  tired \n but ok ", now=NOW)
    (answer,) = session.exec(select(CheckIn)).all()
    assert (answer.user_id, answer.mood, answer.text) == ("UREP", 2, "tired but ok")
    with pytest.raises(Invalid, match="off for you"):
        record_checkin(session, MANAGER, id_of(meeting), 3, now=NOW)  # off by default
    with pytest.raises(NotAllowed):
        record_checkin(session, Actor("T1", "USTRANGER"), id_of(meeting), 3, now=NOW)
    with pytest.raises(NotAllowed):
        record_checkin(session, Actor("T2", "UREP"), id_of(meeting), 3, now=NOW)
    with pytest.raises(Invalid):
        record_checkin(session, REPORT, id_of(meeting), 6, now=NOW)
    pair.checkins_manager = True
    session.add(pair)
    session.commit()
    with pytest.raises(Invalid, match="Pick how"):
        set_checkin_text(session, MANAGER, id_of(meeting), "x", now=NOW)
    with pytest.raises(Invalid, match="over"):
        record_checkin(
            session, REPORT, id_of(meeting), 3, now=meeting.starts_at + timedelta(days=1)
        )


@pytest.mark.parametrize(
    ("earlier", "mood", "low"),
    [
        ((), 1, False),  # nothing to compare with
        ((3,), 1, True),
        ((5, 5, 4, 4), 2, True),  # mean 4.5
        ((5, 5, 4, 3), 3, False),  # mean 4.25: 1.25 below
        ((1, 5, 5, 5, 5), 3, True),  # the last four only: mean 5
    ],
)
def test_a_check_in_is_low_two_steps_below_the_mean_of_the_last_four(
    earlier: tuple[int, ...], mood: int, low: bool
) -> None:
    assert CheckInView("U", mood, "", earlier[-4:]).low is low


def test_earlier_answers_come_from_the_same_series_oldest_first(session: Session) -> None:
    pair, meeting = pair_with(session, "UREP")
    for weeks, mood in ((3, 5), (2, 4), (1, 3)):
        start = meeting.starts_at - timedelta(weeks=weeks)
        past = Meeting(
            team_id="T1", pair_id=id_of(pair), slot_at=start, starts_at=start, created_at=start
        )
        session.add(past)
        session.flush()
        session.add(
            CheckIn(
                team_id="T1",
                pair_id=id_of(pair),
                meeting_id=id_of(past),
                user_id="UREP",
                mood=mood,
                answered_at=start,
            )
        )
    session.commit()
    record_checkin(session, REPORT, id_of(meeting), 1, now=NOW)
    checkins = meeting_checkins(session, meeting, pair)
    assert checkins is not None
    (answer,) = checkins.answers
    assert answer.earlier == (5, 4, 3) and answer.low
    assert checkins.report_low == answer


def test_a_digest_takes_the_same_five_queries_for_3_and_12_reports(
    engine: Engine, session: Session
) -> None:
    small, big = Actor("T1", "USMALL"), Actor("T1", "UBIG")
    for n in range(3):
        pair_with(session, f"US{n}", small)
    for n in range(12):
        pair, _meeting = pair_with(session, f"UB{n}", big)
        session.add(
            ActionItem(
                team_id="T1",
                pair_id=id_of(pair),
                owner_id=f"UB{n}",
                text="x",
                due_date=date(2026, 11, 1),
                created_by="UBIG",
                created_at=NOW,
            )
        )
    session.commit()
    counts = []
    for actor in (small, big):
        with Session(engine) as fresh, counted(engine) as statements:
            view = digest_view(fresh, "T1", actor.user_id, now=NOW)
        counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    assert counts == [5, 5]
    assert len(view.reports) == 12 and len(view.week) == 12
    assert sum(i.overdue for i in view.items) == 12
    assert digest_view(session, "T1", "UB0", now=NOW).reports == ()  # manages nobody


def test_digests_are_planned_for_friday_16_00_on_each_managers_clock(session: Session) -> None:
    pair_with(session, "UREP")
    pair_with(session, "UREP2", Actor("T1", "UOTHER"))
    assert plan_digests(session, managers_without_digest(session), now=NOW) == 2
    assert managers_without_digest(session) == []  # one waiting each: nothing more
    work = session.exec(select(DueWork).where(DueWork.kind == WorkKind.DIGEST)).all()
    assert {w.user_id for w in work} == {"UMGR", "UOTHER"}
    assert {w.next_attempt_at for w in work} == {datetime(2026, 12, 4, 21, 0, tzinfo=UTC)}
    assert digest_time("Asia/Kolkata", now=NOW) == datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    friday = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    assert digest_time("America/New_York", now=friday) == friday
    assert digest_time("America/New_York", now=friday + timedelta(seconds=1)) == friday + timedelta(
        days=7
    )


@pytest.mark.postgres
def test_a_digest_another_process_plans_meanwhile_is_kept_not_an_error(postgres: Engine) -> None:
    """Both housekeepers read that the manager has no digest waiting; the other's insert
    commits after this one looked for the key but before it inserted: this plan keeps the
    other's digest (and counts it: both managers now have theirs waiting), plans the rest,
    and does not fail."""
    with Session(postgres, expire_on_commit=False) as setup:
        pair_with(setup, "UREP")
        pair_with(setup, "UREP2", Actor("T1", "UOTHER"))
    with Session(postgres, expire_on_commit=False) as mine:
        managers = managers_without_digest(mine)
        fired = []

        def the_other_plans_first(flushing: Session, _context: object, _instances: object) -> None:
            if fired or not any(isinstance(o, DueWork) for o in flushing.new):
                return
            fired.append(True)
            with Session(postgres) as theirs:
                assert plan_digests(theirs, managers_without_digest(theirs)[:1], now=NOW) == 1

        event.listen(mine, "before_flush", the_other_plans_first)
        assert plan_digests(mine, managers, now=NOW) == 2
        assert fired
    with Session(postgres) as check:
        work = check.exec(select(DueWork).where(DueWork.kind == WorkKind.DIGEST)).all()
        assert sorted(w.user_id or "" for w in work) == ["UMGR", "UOTHER"]


def test_only_a_waiting_digest_holds_back_the_next_and_other_work_does_not(
    session: Session,
) -> None:
    pair_with(session, "UREP")
    session.add(
        DueWork(
            team_id="T1",
            key="prompt:T1:UMGR",
            kind=WorkKind.PROMPT,
            user_id="UMGR",
            next_attempt_at=NOW,
        )
    )
    session.commit()
    assert [m[:2] for m in managers_without_digest(session)] == [("T1", "UMGR")]
    plan_digests(session, managers_without_digest(session), now=NOW)
    assert managers_without_digest(session) == []
    (digest,) = session.exec(select(DueWork).where(DueWork.kind == WorkKind.DIGEST)).all()
    digest.done_at, digest.outcome = NOW, "posted"
    session.add(digest)
    session.commit()
    assert [m[:2] for m in managers_without_digest(session)] == [("T1", "UMGR")]  # next week's
    friday = datetime(2026, 12, 4, 21, 0, tzinfo=UTC) + timedelta(hours=1)
    assert plan_digests(session, managers_without_digest(session), now=friday) == 1


def test_check_ins_are_exported_and_deleted_with_the_persons_data_and_the_history(
    session: Session,
) -> None:
    pair, meeting = pair_with(session, "UREP")
    record_checkin(session, REPORT, id_of(meeting), 4, now=NOW)
    set_checkin_text(session, REPORT, id_of(meeting), "good week", now=NOW)
    for reader in (MANAGER, REPORT):
        (exported,) = export_page(session, reader, id_of(pair), now=NOW).meetings
        assert exported.checkins == (CheckInView("UREP", 4, "good week", ()),)
    with pytest.raises(NotAllowed):
        export_page(session, Actor("T1", "USTRANGER"), id_of(pair), now=NOW)
    assert private_counts(session, "T1", "UMGR") == PrivateCounts(0, 0, 0, checkins=0)
    delete_private(session, "T1", "UMGR")
    session.commit()
    assert len(session.exec(select(CheckIn)).all()) == 1  # the manager's deletion: not theirs
    counted = private_counts(session, "T1", "UREP")  # what "delete my data" says it deletes
    assert counted == PrivateCounts(points=0, notes=0, pairs=1, checkins=1) and not counted.empty
    assert delete_private(session, "T1", "UREP") == counted
    session.commit()
    assert session.exec(select(CheckIn)).all() == []
    assert private_counts(session, "T1", "UREP").empty
    record_checkin(session, REPORT, id_of(meeting), 2, now=NOW)
    delete_history(session, id_of(pair))
    session.commit()
    assert session.exec(select(CheckIn)).all() == []
