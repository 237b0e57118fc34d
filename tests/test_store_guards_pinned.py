"""Behaviours a mutation run found unpinned: each test fails when its guard is removed
(privacy of private notes, ticks across pairs, stale claims, naming someone else, ended
pairs, ids with no row, the retry ladder, an item edited from two forms). SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from store.access import (
    Actor,
    Invalid,
    NotAllowed,
    find_pair_with,
    get_meeting,
    get_pair,
    list_active_pairs,
    list_pairs,
)
from store.agenda import add_talking_point, point_target, set_discussed
from store.due_work import (
    FIRST_BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    claim,
    claimable_ids,
    finish,
    release_after_failure,
)
from store.models import DueWork, Meeting, TalkingPoint, WorkKind
from store.notes_save import ItemConflict, NotesInput
from store.schedule import create_pair, end_pair
from store.summary import history, summary_for
from store.views import item_prints
from tests.db_fixtures import unordered_selects_reversed
from tests.test_store_notes import (
    FIRST,
    MANAGER,
    MINUTE,
    NOW,
    REPORT,
    edit_item,
    item_named,
    new_item,
    notes_input,
    save,
)
from tests.test_store_schedule import tuesday_at_ten

OTHER_MANAGER = Actor("T1", "UMGR2")
OTHER_REPORT_ID = "UREP2"


@pytest.fixture
def session(engine: Engine):
    with Session(unordered_selects_reversed(engine), expire_on_commit=False) as session:
        yield session


def two_pairs(session: Session) -> tuple[int, Meeting, int, Meeting]:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    other, theirs = create_pair(
        session, OTHER_MANAGER, tuesday_at_ten(report_id=OTHER_REPORT_ID), now=NOW
    )
    assert pair.id is not None and other.id is not None
    return pair.id, meeting, other.id, theirs


# --- private notes alone -------------------------------------------------------------------


def test_private_notes_alone_reach_neither_the_summary_nor_the_history(session: Session) -> None:
    pair_id, meeting, _, _ = two_pairs(session)
    save(session, MANAGER, meeting, notes_input(private="my private worry"), now=FIRST + MINUTE)
    later = FIRST + timedelta(hours=2)
    for actor in (MANAGER, REPORT):
        summary = summary_for(session, actor, meeting.id, now=later)  # type: ignore[arg-type]
        assert summary.shared_notes == ""
        assert "worry" not in repr(summary)
        assert all("worry" not in repr(s) for s in history(session, actor, pair_id, now=later))
    assert session.get(Meeting, meeting.id).notes_saved_at is None  # private: not held


# --- one action item edited from two forms ------------------------------------------------


def test_two_people_moving_one_items_due_date_are_told_not_overwritten(session: Session) -> None:
    _, meeting, _, _ = two_pairs(session)
    first = notes_input(items=[new_item("Write the RFC", due=date(2026, 12, 8))])
    save(session, MANAGER, meeting, first, now=FIRST + MINUTE)
    item = item_named(session, "Write the RFC")
    shown = item_prints(item.text, item.owner_id, item.due_date)  # both forms showed this

    def moved_to(day: int) -> NotesInput:
        row = edit_item(item.id, item.text, due=date(2026, 12, day))  # type: ignore[arg-type]
        return notes_input(
            shared_unchanged=True, items=[replace(row, changed=frozenset({"due"}), shown=shown)]
        )

    save(session, REPORT, meeting, moved_to(10), now=FIRST + 2 * MINUTE)
    with pytest.raises(ItemConflict):
        save(session, MANAGER, meeting, moved_to(11), now=FIRST + 3 * MINUTE)
    session.rollback()
    assert item_named(session, "Write the RFC").due_date == date(2026, 12, 10)


# --- a tick naming another pair's point ----------------------------------------------------


def test_a_tick_naming_another_pairs_point_is_refused(session: Session) -> None:
    _, meeting, other_id, _ = two_pairs(session)
    theirs, _ = add_talking_point(session, OTHER_MANAGER, other_id, "their point", now=NOW)
    with pytest.raises(NotAllowed):
        set_discussed(session, MANAGER, [theirs.id], True, meeting_id=meeting.id)  # type: ignore[list-item,arg-type]
    session.rollback()
    assert session.get(TalkingPoint, theirs.id).discussed is False


# --- a stale claim cannot release the new owner's claim -----------------------------------


def test_a_runner_whose_lease_ran_out_cannot_release_the_new_owners_claim(
    session: Session,
) -> None:
    two_pairs(session)
    due = NOW + timedelta(hours=3)
    work_id = claimable_ids(session, now=due)[0]
    stale = claim(session, work_id=work_id, now=due)
    owner = claim(session, work_id=work_id, now=due + LEASE + MINUTE)  # taken over
    assert stale is not None and owner is not None and owner.taken_over
    release_after_failure(session, stale, error="late", now=due + LEASE + 2 * MINUTE)
    assert claim(session, work_id=work_id, now=due + LEASE + 3 * MINUTE) is None
    work = session.get(DueWork, work_id)
    session.refresh(work)
    assert work.claim_token == owner.token and work.last_error is None
    assert finish(session, owner, outcome="sent", now=due + LEASE + 3 * MINUTE) is True


# --- naming someone you have no 1:1 with ---------------------------------------------------


def test_naming_someone_else_with_exactly_one_pair_is_refused(session: Session) -> None:
    pair_id, _, _, _ = two_pairs(session)
    assert find_pair_with(session, MANAGER, None).id == pair_id  # the only pair: no name needed
    assert find_pair_with(session, MANAGER, REPORT.user_id).id == pair_id
    assert find_pair_with(session, REPORT, MANAGER.user_id).id == pair_id
    for person in (OTHER_REPORT_ID, "UNOBODY"):
        with pytest.raises(Invalid) as refused:
            find_pair_with(session, MANAGER, person)
        assert str(refused.value) == f"You don't have a 1:1 with <@{person}>."
        assert refused.value.message == "You don't have a 1:1 with {person}."  # the catalog's
        assert refused.value.params == {"person": f"<@{person}>"}  # filled in its language


def test_a_refusal_keeps_its_values_for_the_readers_language() -> None:
    day = date(2026, 12, 1)
    refused = NotAllowed("Nothing on {day} is yours among {count} points.", day=day, count=1200)
    assert refused.params == {"day": day, "count": 1200}
    assert str(refused) == "Nothing on Tue Dec 01, 2026 is yours among 1,200 points."
    assert (str(NotAllowed()), NotAllowed().params) == ("That 1:1 isn't one of yours.", {})


def test_a_new_point_is_for_an_active_pair_of_ones_own_only(session: Session) -> None:
    pair_id, _, other_id, _ = two_pairs(session)
    assert point_target(session, REPORT, pair_id, now=NOW).pair_id == pair_id
    with pytest.raises(NotAllowed):
        point_target(session, MANAGER, other_id, now=NOW)
    end_pair(session, REPORT, pair_id, now=NOW)
    with pytest.raises(Invalid) as ended:
        point_target(session, MANAGER, pair_id, now=NOW)
    assert str(ended.value) == "This 1:1 has ended."
    with pytest.raises(NotAllowed):  # ended or not, a stranger is told only "not yours"
        point_target(session, OTHER_MANAGER, pair_id, now=NOW)


# --- ended pairs ---------------------------------------------------------------------------


def test_an_ended_pair_is_listed_nowhere_and_cannot_be_named(session: Session) -> None:
    pair_id, _, _, _ = two_pairs(session)
    end_pair(session, REPORT, pair_id, now=NOW)
    for actor in (MANAGER, REPORT):
        assert list_active_pairs(session, actor) == []
    with pytest.raises(Invalid):
        find_pair_with(session, MANAGER, "UREP")
    with pytest.raises(Invalid):
        find_pair_with(session, MANAGER, None)


# --- ids with no row -----------------------------------------------------------------------


def test_ids_with_no_row_are_refused_not_crashed_on(session: Session) -> None:
    pair_id, meeting, _, _ = two_pairs(session)
    missing = 10_000_000
    with pytest.raises(NotAllowed):
        get_pair(session, MANAGER, missing)
    with pytest.raises(NotAllowed):
        get_meeting(session, MANAGER, missing)
    with pytest.raises(NotAllowed):
        set_discussed(session, MANAGER, [missing], True, meeting_id=meeting.id)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        summary_for(session, MANAGER, missing, now=NOW)
    assert get_pair(session, MANAGER, pair_id).id == pair_id


# --- the retry ladder ----------------------------------------------------------------------


def test_the_retry_ladder_doubles_then_gives_up_as_failed(session: Session) -> None:
    two_pairs(session)
    now = NOW + timedelta(hours=3)
    work_id = claimable_ids(session, now=now)[0]
    backoffs = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        held = claim(session, work_id=work_id, now=now)
        assert held is not None and held.attempts == attempt
        again = release_after_failure(session, held, error="x" * 2_000, now=now)
        work = session.get(DueWork, work_id)
        session.refresh(work)
        assert len(work.last_error or "") == 500  # stored errors are truncated
        if attempt < MAX_ATTEMPTS:
            assert again is True and work.outcome is None
            backoffs.append(work.next_attempt_at - now)
            now = work.next_attempt_at
        else:
            assert again is False  # given up: never retried forever
            assert work.outcome == "failed" and work.done_at == now
    assert backoffs == [FIRST_BACKOFF * 2**n for n in range(MAX_ATTEMPTS - 1)]
    assert claim(session, work_id=work_id, now=now + timedelta(days=30)) is None
    assert work_id not in claimable_ids(session, now=now + timedelta(days=30))


# --- what the first mutation run found unpinned --------------------------------------------


def test_claimable_work_is_the_oldest_due_first_within_the_limit_and_never_a_live_claim(
    session: Session,
) -> None:
    two_pairs(session)  # two prompts each: four pieces due 24 h before their 1:1s
    # (each person's .ics, due at once, is not what this pins)
    session.execute(delete(DueWork).where(col(DueWork.kind) == WorkKind.CALENDAR))
    session.commit()
    due = NOW + timedelta(hours=3)
    everything = claimable_ids(session, now=due)
    assert len(everything) == 4
    assert claimable_ids(session, now=due, limit=3) == everything[:3]
    starts = [session.get(DueWork, i).next_attempt_at for i in everything]
    assert starts == sorted(starts)
    held = claim(session, work_id=everything[0], now=due)
    assert held is not None
    for later in (MINUTE, LEASE - MINUTE, LEASE):  # a claim is live for its whole lease
        assert everything[0] not in claimable_ids(session, now=due + later)
    assert everything[0] in claimable_ids(session, now=due + LEASE + MINUTE)


def test_finishing_records_where_the_post_went(session: Session) -> None:
    two_pairs(session)
    due = NOW + timedelta(hours=3)
    held = claim(session, work_id=claimable_ids(session, now=due)[0], now=due)
    assert held is not None
    assert finish(session, held, outcome="sent", now=due, channel="D1", ts="1.2") is True
    work = session.get(DueWork, held.work_id)
    session.refresh(work)
    assert (work.posted_channel_id, work.posted_ts, work.outcome) == ("D1", "1.2", "sent")


def test_pairs_are_listed_oldest_first_and_ended_ones_only_when_asked(session: Session) -> None:
    first, _ = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    second, _ = create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP3"), now=NOW)
    third, _ = create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP4"), now=NOW)
    end_pair(session, MANAGER, second.id, now=NOW)  # type: ignore[arg-type]
    assert [p.id for p in list_pairs(session, MANAGER)] == [first.id, second.id, third.id]
    assert [p.id for p in list_active_pairs(session, MANAGER)] == [first.id, third.id]
    with pytest.raises(Invalid) as several:
        find_pair_with(session, MANAGER, None)
    assert str(several.value) == (
        "You have several 1:1s (<@UREP>, <@UREP4>): say which one, e.g. with `@person`."
    )


def test_no_pairs_yet_says_how_to_start_one(session: Session) -> None:
    with pytest.raises(Invalid) as none:
        find_pair_with(session, MANAGER, None)
    assert str(none.value) == (
        "You don't have any 1:1s yet. Start one with `/oneonone schedule @person`."
    )
    with pytest.raises(NotAllowed) as refused:
        get_pair(session, MANAGER, 1)
    assert str(refused.value) == "That 1:1 isn't one of yours."
