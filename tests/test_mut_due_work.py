"""The due-work claims, operation by operation, in the store (SQLite and PostgreSQL): what
each one takes, gives back and records, at its boundaries (the lease, due times, stopped
workspaces), read back in a separate read session, so a write that was never committed fails
too. The flows (tests/test_deliver.py, tests/test_workspaces_lifecycle.py) show the same
rules through the bot; these are fast enough to run for every mutant (README, "Testing")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, event, false, insert
from sqlalchemy.engine import Engine, Result
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from store.access import Actor
from store.db import SessionFactory, session_factory
from store.due_work import (
    CANCELLED,
    FIRST_BACKOFF,
    LEASE,
    LOOK_AGAIN,
    MAX_ATTEMPTS,
    MERGED,
    SENT,
    TOO_LATE,
    Claim,
    Planned,
    abandon,
    add_work,
    bring_forward,
    claim,
    claim_along,
    claimable_ids,
    finish,
    finish_along,
    held_claim,
    hold,
    kind_of,
    not_wanted,
    planned,
    release,
    release_after_failure,
    release_along,
    release_uncertain,
    waiting,
    work_id_of,
)
from store.models import ActionItem, DueWork
from store.schedule import PairRequest, create_pair
from store.workspaces import installed, suspend, uninstalled
from tests.db_fixtures import unordered_selects_reversed

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SECOND, MINUTE, HOUR = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)
TEAM, OTHER_TEAM = "T1", "T2"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def db(engine: Engine) -> SessionFactory:
    return session_factory(unordered_selects_reversed(engine))


@pytest.fixture
def session(db: SessionFactory) -> Iterator[Session]:
    with db() as session:
        yield session


def add(session: Session, key: str, due: datetime = NOW, team: str = TEAM, **fields: object) -> int:
    """Add a piece of work (committed) and return its id."""
    work = add_work(session, team_id=team, key=key, kind="prompt", due_at=due, **fields)  # type: ignore[arg-type]
    session.commit()
    assert work.id is not None
    return work.id


def row(db: SessionFactory, work_id: int) -> DueWork:
    """The work as another session sees it (committed writes only)."""
    with db.read() as reader:
        work = reader.get(DueWork, work_id)
        assert work is not None
        return work


def taken(session: Session, work_id: int, now: datetime = NOW) -> Claim:
    held = claim(session, work_id=work_id, now=now)
    assert held is not None
    return held


def stop(session: Session, team_id: str, how: str) -> None:
    """Stop a workspace's due work: Slack refused its token, or the app was uninstalled."""
    if how == "suspended":
        suspend(session, team_id, reason="token_revoked", failed_token=None, now=NOW)
    else:
        uninstalled(session, [team_id], now=NOW)


def a_meeting_and_an_item(session: Session) -> tuple[int, int]:
    """A real meeting and action item for work to point at (their own due work removed)."""
    request = PairRequest("UREP", weekday=1, local_time=time(13), timezone="UTC")
    pair, meeting = create_pair(session, Actor(TEAM, "UMGR"), request, now=NOW)
    assert pair.id is not None and meeting.id is not None
    item = ActionItem(
        team_id=TEAM, pair_id=pair.id, owner_id="UREP", text="x", created_by="UMGR", created_at=NOW
    )
    session.add(item)
    session.execute(delete(DueWork))
    session.commit()
    assert item.id is not None
    return meeting.id, item.id


# --- add_work, not_wanted, work_id_of, bring_forward ----------------------------------------


def test_new_work_is_stored_with_everything_it_was_given(
    session: Session, db: SessionFactory
) -> None:
    meeting_id, item_id = a_meeting_and_an_item(session)
    expires = NOW + HOUR
    work_id = add(
        session,
        "k",
        NOW + MINUTE,
        expires_at=expires,
        meeting_id=meeting_id,
        action_item_id=item_id,
        user_id="U1",
    )
    work = row(db, work_id)
    assert (work.team_id, work.key, work.kind, work.user_id) == (TEAM, "k", "prompt", "U1")
    assert (work.meeting_id, work.action_item_id) == (meeting_id, item_id)
    assert (work.next_attempt_at, work.expires_at) == (NOW + MINUTE, expires)
    assert (work.attempts, work.done_at, work.outcome, work.claimed_at) == (0, None, None, None)


def test_adding_open_work_again_re_times_it_and_keeps_the_rest(
    session: Session, db: SessionFactory
) -> None:
    work_id = add(session, "k", NOW, expires_at=NOW + HOUR, user_id="U1")
    held = taken(session, work_id)
    again = add_work(session, team_id=OTHER_TEAM, key="k", kind="agenda", due_at=NOW + 2 * HOUR)
    session.commit()
    work = row(db, work_id)
    assert again.id == work_id
    assert (work.next_attempt_at, work.expires_at) == (NOW + 2 * HOUR, None)
    assert (work.team_id, work.kind, work.user_id) == (TEAM, "prompt", "U1")
    assert (work.claim_token, work.attempts) == (held.token, 1)  # a held claim stays held


@pytest.mark.parametrize("outcome", [CANCELLED, TOO_LATE])
def test_work_closed_unposted_is_reopened_when_it_is_wanted_again(
    session: Session, db: SessionFactory, outcome: str
) -> None:
    work_id = add(session, "k")
    finish(session, taken(session, work_id), outcome=outcome, now=NOW)
    add_work(session, team_id=TEAM, key="k", kind="prompt", due_at=NOW + HOUR, expires_at=NOW)
    session.commit()
    work = row(db, work_id)
    assert (work.done_at, work.outcome, work.claimed_at, work.claim_token) == (None,) * 4
    assert (work.attempts, work.next_attempt_at, work.expires_at) == (0, NOW + HOUR, NOW)
    assert claimable_ids(session, now=NOW + HOUR) == [work_id]


@pytest.mark.parametrize("outcome", [SENT, "failed", MERGED])
def test_work_done_otherwise_is_left_as_it_is(
    session: Session, db: SessionFactory, outcome: str
) -> None:
    work_id = add(session, "k", expires_at=NOW + HOUR)
    finish(session, taken(session, work_id), outcome=outcome, now=NOW + SECOND)
    again = add_work(session, team_id=TEAM, key="k", kind="prompt", due_at=NOW + HOUR)
    session.commit()
    work = row(db, work_id)
    assert again.id == work_id
    assert (work.done_at, work.outcome, work.attempts) == (NOW + SECOND, outcome, 1)
    assert (work.next_attempt_at, work.expires_at) == (NOW, NOW + HOUR)


def test_work_another_process_added_after_the_lookup_is_that_work(
    session: Session, db: SessionFactory
) -> None:
    """The lookup by key finds nothing, then the insert meets the row another process added
    meanwhile (here: the lookup is made to miss it): that row is the work, re-timed and
    reopened as if it had been found, and no second row or error comes of it."""
    work_id = add(session, "k", expires_at=NOW)
    finish(session, taken(session, work_id), outcome=CANCELLED, now=NOW)
    session.commit()
    with db() as mine:
        missed: list[bool] = []

        def the_lookup_misses_it(state: ORMExecuteState) -> Result[Any] | None:
            entities = [d.get("entity") for d in state.statement.column_descriptions]  # type: ignore[attr-defined]
            if missed or not state.is_select or DueWork not in entities:
                return None
            missed.append(True)
            return state.invoke_statement(statement=state.statement.where(false()))  # type: ignore[attr-defined]

        event.listen(mine, "do_orm_execute", the_lookup_misses_it)
        again = add_work(
            mine, team_id=TEAM, key="k", kind="prompt", due_at=NOW + HOUR, expires_at=NOW + 2 * HOUR
        )
        mine.commit()
    assert missed and again.id == work_id
    work = row(db, work_id)
    assert (work.done_at, work.outcome, work.claimed_at, work.attempts) == (None, None, None, 0)
    assert (work.next_attempt_at, work.expires_at) == (NOW + HOUR, NOW + 2 * HOUR)
    assert claimable_ids(session, now=NOW + HOUR) == [work_id]


def test_the_kind_of_a_key_is_its_first_part() -> None:
    assert kind_of("reminder:12:U1:2026-12-07") == "reminder"
    assert kind_of("prompt:3:U_REPORT") == "prompt" and kind_of("digest") == "digest"


def test_not_wanted_closes_only_open_work_nobody_holds(
    session: Session, db: SessionFactory
) -> None:
    free, held, done = add(session, "free"), add(session, "held"), add(session, "done")
    taken(session, held)
    finish(session, taken(session, done), outcome=SENT, now=NOW)
    for work_id in (free, held, done):
        not_wanted(session, session.get(DueWork, work_id), outcome=CANCELLED, now=NOW + HOUR)  # type: ignore[arg-type]
    session.commit()
    assert (row(db, free).done_at, row(db, free).outcome) == (NOW + HOUR, CANCELLED)
    assert (row(db, held).done_at, row(db, held).outcome) == (None, None)
    assert (row(db, done).done_at, row(db, done).outcome) == (NOW, SENT)


def test_the_id_of_a_key_is_that_of_its_open_work_only(session: Session) -> None:
    open_id, done_id = add(session, "open"), add(session, "done")
    finish(session, taken(session, done_id), outcome=SENT, now=NOW)
    assert work_id_of(session, "open") == open_id
    assert work_id_of(session, "done") is None
    assert work_id_of(session, "unknown") is None


def test_bring_forward_makes_later_work_due_now_and_never_delays_any(
    session: Session, db: SessionFactory
) -> None:
    later, overdue, other = (
        add(session, "later", NOW + HOUR),
        add(session, "due", NOW),
        add(session, "other", NOW + HOUR),
    )
    done = add(session, "done", NOW + HOUR)
    finish(session, taken(session, done, now=NOW + HOUR), outcome=SENT, now=NOW)
    assert bring_forward(session, "later", now=NOW + MINUTE) == later
    assert bring_forward(session, "due", now=NOW + MINUTE) == overdue
    assert bring_forward(session, "done", now=NOW + MINUTE) is None
    assert row(db, later).next_attempt_at == NOW + MINUTE
    assert row(db, overdue).next_attempt_at == NOW  # not pushed back to `now`
    assert row(db, other).next_attempt_at == NOW + HOUR
    assert row(db, done).next_attempt_at == NOW + HOUR


# --- what is due: claimable_ids, planned, waiting -------------------------------------------


def test_claimable_work_is_due_open_and_unheld_or_held_past_its_lease(session: Session) -> None:
    due, at_now = add(session, "due", NOW - MINUTE), add(session, "at-now", NOW)
    add(session, "later", NOW + SECOND)
    finish(session, taken(session, add(session, "done", NOW - HOUR)), outcome=SENT, now=NOW)
    live = add(session, "live", NOW - HOUR)
    taken(session, live, now=NOW - LEASE)  # its lease ends exactly now: still live
    stale = add(session, "stale", NOW - 2 * HOUR)
    taken(session, stale, now=NOW - LEASE - SECOND)
    assert claimable_ids(session, now=NOW) == [stale, due, at_now]  # oldest due first
    assert claimable_ids(session, now=NOW, limit=2) == [stale, due]


def test_a_runner_claims_at_most_a_hundred_pieces_a_round(session: Session) -> None:
    ids = [add(session, f"k{n}", NOW - n * SECOND) for n in range(101)]
    assert claimable_ids(session, now=NOW) == ids[::-1][:100]  # the oldest hundred


@pytest.mark.parametrize("how", ["suspended", "uninstalled"])
def test_a_stopped_workspaces_work_is_neither_claimable_planned_nor_waiting(
    session: Session, how: str
) -> None:
    installed(
        session, OTHER_TEAM, enterprise_id=None, org_install=False, installer_id=None, now=NOW
    )
    mine, theirs = add(session, "mine", NOW), add(session, "theirs", NOW - MINUTE, OTHER_TEAM)
    assert claimable_ids(session, now=NOW) == [theirs, mine]  # a served workspace's row
    stop(session, OTHER_TEAM, how)
    assert claimable_ids(session, now=NOW) == [mine]
    assert [p.work_id for p in planned(session, now=NOW, until=NOW + HOUR)] == [mine]
    assert waiting(session, now=NOW) == (1, NOW)
    assert claim(session, work_id=theirs, now=NOW) is None
    assert taken(session, mine).work_id == mine


def test_planned_is_unheld_work_due_by_until_soonest_first(session: Session) -> None:
    meeting_id, _ = a_meeting_and_an_item(session)
    person = add(session, "person", NOW + 2 * MINUTE, user_id="U1")
    meeting = add(session, "meeting", NOW + MINUTE, meeting_id=meeting_id)
    team = add(session, "team", NOW + HOUR)  # due exactly at `until`
    add(session, "after", NOW + HOUR + SECOND)
    taken(session, add(session, "live", NOW - HOUR), now=NOW - LEASE)
    stale = add(session, "stale", NOW - HOUR)
    taken(session, stale, now=NOW - LEASE - SECOND)
    finish(session, taken(session, add(session, "done")), outcome=SENT, now=NOW)
    closed = add(session, "closed", NOW - HOUR)  # closed without a claim: never held
    not_wanted(session, session.get_one(DueWork, closed), outcome=CANCELLED, now=NOW)
    session.commit()
    assert planned(session, now=NOW, until=NOW + HOUR) == [
        Planned(stale, TEAM, NOW - HOUR, "stale"),
        Planned(meeting, TEAM, NOW + MINUTE, f"meeting:{meeting_id}"),
        Planned(person, TEAM, NOW + 2 * MINUTE, "U1"),
        Planned(team, TEAM, NOW + HOUR, "team"),
    ]
    assert [p.work_id for p in planned(session, now=NOW, until=NOW + HOUR, limit=2)] == [
        stale,
        meeting,
    ]


def test_a_planning_pass_reads_at_most_fifty_thousand_pieces_soonest_first(
    session: Session,
) -> None:
    rows = [
        {"team_id": TEAM, "key": f"k{n}", "kind": "prompt", "next_attempt_at": NOW + n * SECOND}
        for n in range(50_001)
    ]
    session.execute(insert(DueWork), rows)
    session.commit()
    pieces = planned(session, now=NOW, until=NOW + 2 * 50_000 * SECOND)
    assert len(pieces) == 50_000
    assert (pieces[0].due_at, pieces[-1].due_at) == (NOW, NOW + 49_999 * SECOND)


def test_planned_work_due_at_the_same_moment_comes_in_the_order_it_was_added(
    session: Session,
) -> None:
    ids = [add(session, f"k{n}", NOW + MINUTE, user_id=f"U{n}") for n in range(5)]
    assert [p.work_id for p in planned(session, now=NOW, until=NOW + HOUR)] == ids


def test_waiting_counts_open_due_work_and_gives_the_oldest_due_time(session: Session) -> None:
    assert waiting(session, now=NOW) == (0, None)
    add(session, "old", NOW - HOUR)
    add(session, "now", NOW)
    add(session, "later", NOW + SECOND)
    taken(session, add(session, "held", NOW - MINUTE))  # held is still waiting to be done
    finish(session, taken(session, add(session, "done", NOW - 2 * HOUR)), outcome=SENT, now=NOW)
    count, oldest = waiting(session, now=NOW)
    assert (count, oldest) == (3, NOW - HOUR)
    assert oldest is not None and oldest.utcoffset() == timedelta(0)
    assert waiting(session, now=NOW.astimezone(BERLIN)) == (3, NOW - HOUR)  # the same instant


# --- claim, hold, held_claim ----------------------------------------------------------------


def test_a_claim_takes_due_work_once_and_carries_all_of_it(
    session: Session, db: SessionFactory
) -> None:
    meeting_id, item_id = a_meeting_and_an_item(session)
    work_id = add(
        session,
        "k",
        NOW,
        expires_at=NOW + HOUR,
        meeting_id=meeting_id,
        action_item_id=item_id,
        user_id="U1",
    )
    held = taken(session, work_id, now=NOW + MINUTE)
    assert held == Claim(
        work_id=work_id,
        token=held.token,
        key="k",
        kind="prompt",
        team_id=TEAM,
        meeting_id=meeting_id,
        action_item_id=item_id,
        user_id="U1",
        due_at=NOW,
        expires_at=NOW + HOUR,
        attempts=1,
        claimed_at=NOW + MINUTE,
        uncertain_since=None,
        taken_over=False,
    )
    assert len(held.token) == 32
    work = row(db, work_id)
    assert (work.claimed_at, work.claim_token, work.attempts) == (NOW + MINUTE, held.token, 1)
    for later in (MINUTE, LEASE):  # live for its whole lease
        assert claim(session, work_id=work_id, now=NOW + MINUTE + later) is None
    assert row(db, work_id).attempts == 1


def test_a_claim_takes_only_work_due_by_its_time(session: Session, db: SessionFactory) -> None:
    work_id = add(session, "k", NOW + HOUR)
    assert claim(session, work_id=work_id, now=NOW) is None
    assert claim(session, work_id=work_id, now=NOW, due_by=NOW + HOUR - SECOND) is None
    assert row(db, work_id).attempts == 0
    early = claim(session, work_id=work_id, now=NOW, due_by=NOW + HOUR)
    assert early is not None and early.claimed_at == NOW
    assert claim(session, work_id=add(session, "at-now", NOW), now=NOW) is not None


def test_done_work_is_never_claimed(session: Session) -> None:
    work_id = add(session, "k")
    finish(session, taken(session, work_id), outcome=SENT, now=NOW)
    assert claim(session, work_id=work_id, now=NOW + HOUR) is None
    assert claim(session, work_id=work_id, now=NOW + HOUR, due_by=NOW + HOUR) is None


def test_a_claim_past_its_lease_is_taken_over_as_an_attempt_of_unknown_outcome(
    session: Session, db: SessionFactory
) -> None:
    work_id = add(session, "k")
    first = taken(session, work_id, now=NOW)
    assert claim(session, work_id=work_id, now=NOW + LEASE) is None  # not yet
    second = taken(session, work_id, now=NOW + LEASE + SECOND)
    assert (second.taken_over, second.attempts, second.uncertain_since) == (True, 2, NOW)
    assert second.token != first.token and second.claimed_at == NOW + LEASE + SECOND
    third = taken(session, work_id, now=NOW + 3 * LEASE)
    assert third.uncertain_since == NOW  # the earliest attempt that may have posted it
    work = row(db, work_id)
    assert (work.claim_token, work.attempts, work.uncertain_since) == (third.token, 3, NOW)
    assert finish(session, first, outcome=SENT, now=NOW) is False


def test_a_claim_in_the_creating_transaction_is_held_and_found_by_its_token(
    session: Session, db: SessionFactory
) -> None:
    work = add_work(session, team_id=TEAM, key="k", kind="prompt", due_at=NOW, user_id="U1")
    hold(session, work, token="tok", now=NOW + SECOND)
    session.commit()
    stored = row(db, work.id or 0)
    assert (stored.claimed_at, stored.claim_token, stored.attempts) == (NOW + SECOND, "tok", 1)
    found = held_claim(session, "k", "tok")
    assert found is not None
    assert (found.work_id, found.token, found.claimed_at) == (work.id, "tok", NOW + SECOND)
    assert (found.user_id, found.attempts, found.taken_over) == ("U1", 1, False)
    assert held_claim(session, "k", "other") is None
    assert held_claim(session, "unknown", "tok") is None
    assert claim(session, work_id=work.id or 0, now=NOW + MINUTE) is None
    finish(session, found, outcome=SENT, now=NOW + MINUTE)
    assert held_claim(session, "k", "tok") is None  # done: no longer held


def test_holding_work_that_was_attempted_before_counts_one_more_attempt(
    session: Session, db: SessionFactory
) -> None:
    work_id = add(session, "k")
    release_after_failure(session, taken(session, work_id), error="e", now=NOW)
    work = add_work(session, team_id=TEAM, key="k", kind="prompt", due_at=NOW + HOUR)
    hold(session, work, token="tok", now=NOW + HOUR)
    session.commit()
    assert (row(db, work_id).attempts, row(db, work_id).claim_token) == (2, "tok")


def test_a_token_left_on_work_nobody_holds_is_no_claim(session: Session) -> None:
    work = add_work(session, team_id=TEAM, key="k", kind="prompt", due_at=NOW)
    work.claim_token = "tok"
    session.add(work)
    session.commit()
    assert held_claim(session, "k", "tok") is None


# --- work that goes out inside another post: claim_along, finish_along, release_along --------


def test_work_due_before_a_moment_is_taken_along_under_the_claims_token(
    session: Session, db: SessionFactory
) -> None:
    main = taken(session, add(session, "main"))
    along = add(session, "along", NOW + MINUTE - SECOND)
    at = add(session, "at", NOW + MINUTE)
    held = add(session, "held")
    other = taken(session, held)
    done = add(session, "done")
    finish(session, taken(session, done), outcome=SENT, now=NOW)
    closed = add(session, "closed")  # closed without a claim
    not_wanted(session, session.get_one(DueWork, closed), outcome=CANCELLED, now=NOW)
    session.commit()
    args = {"token": main.token, "now": NOW + SECOND, "due_before": NOW + MINUTE}
    assert claim_along(session, work_id=along, **args) is True  # type: ignore[arg-type]
    assert claim_along(session, work_id=at, **args) is False  # type: ignore[arg-type]
    assert claim_along(session, work_id=held, **args) is False  # type: ignore[arg-type]
    assert claim_along(session, work_id=done, **args) is False  # type: ignore[arg-type]
    assert claim_along(session, work_id=closed, **args) is False  # type: ignore[arg-type]
    session.commit()
    assert row(db, closed).claim_token is None
    work = row(db, along)
    assert (work.claimed_at, work.claim_token, work.attempts) == (NOW + SECOND, main.token, 1)
    assert row(db, held).claim_token == other.token
    assert (row(db, at).claim_token, row(db, done).attempts) == (None, 1)


def taken_along(
    session: Session, keys: tuple[str, ...], main: str = "main"
) -> tuple[Claim, list[int]]:
    """A claim (of the work keyed `main`), and the ids of the work taken along with it."""
    claim = taken(session, add(session, main))
    ids = [add(session, key) for key in keys]
    for work_id in ids:
        along = claim_along(
            session, work_id=work_id, token=claim.token, now=NOW, due_before=NOW + MINUTE
        )
        assert along is True
    session.commit()
    return claim, ids


def test_work_taken_along_is_done_as_merged_into_the_post_that_carried_it(
    session: Session, db: SessionFactory
) -> None:
    main, (a, b) = taken_along(session, ("a", "b"))
    other = taken(session, add(session, "other"))
    finish_along(session, main, ("a", "other"), now=NOW + SECOND, channel="D1", ts="1.5")
    finish_along(session, main, (), now=NOW + SECOND, channel="D1", ts="1.5")
    session.commit()
    merged = row(db, a)
    assert (merged.done_at, merged.outcome) == (NOW + SECOND, MERGED)
    assert (merged.posted_channel_id, merged.posted_ts) == ("D1", "1.5")
    assert row(db, b).done_at is None  # not named: not finished
    untouched = row(db, other.work_id)  # another claim's
    assert (untouched.done_at, untouched.claim_token) == (None, other.token)


def test_finishing_or_giving_back_a_claim_leaves_the_work_taken_along_with_it(
    session: Session, db: SessionFactory
) -> None:
    """That work shares the claim's token: finish_along and release_along see to it."""
    main, (a,) = taken_along(session, ("a",))
    assert finish(session, main, outcome=SENT, now=NOW) is True
    assert (row(db, main.work_id).done_at, row(db, a).done_at) == (NOW, None)
    assert row(db, a).claim_token == main.token
    other, (b,) = taken_along(session, ("b",), main="other")
    release(session, other)
    assert (row(db, other.work_id).claim_token, row(db, b).claim_token) == (None, other.token)


def test_finishing_along_leaves_work_already_done_as_it_was(
    session: Session, db: SessionFactory
) -> None:
    main, (a,) = taken_along(session, ("a",))
    finish_along(session, main, ("a",), now=NOW, channel="D1", ts="1.5")
    finish_along(session, main, ("a",), now=NOW + HOUR, channel="D2", ts="2.5")
    session.commit()
    release_along(session, main, ("a",), uncertain=True)  # nor given back
    work = row(db, a)
    assert (work.done_at, work.posted_channel_id, work.posted_ts) == (NOW, "D1", "1.5")
    assert (work.claim_token, work.uncertain_since) == (main.token, None)


def test_work_taken_along_a_post_that_did_not_go_out_is_given_back_unattempted(
    session: Session, db: SessionFactory
) -> None:
    main, ids = taken_along(session, ("a", "b"))
    other = taken(session, add(session, "other"))
    release_along(session, main, ("a", "other"), uncertain=False)
    release_along(session, main, (), uncertain=False)
    a, b = (row(db, work_id) for work_id in ids)
    assert (a.claimed_at, a.claim_token, a.attempts, a.uncertain_since) == (None, None, 0, None)
    assert (b.claim_token, b.attempts) == (main.token, 1)
    assert row(db, other.work_id).claim_token == other.token
    assert claimable_ids(session, now=NOW) == [a.id]


def test_work_taken_along_a_post_that_may_have_gone_out_looks_for_it_first(
    session: Session, db: SessionFactory
) -> None:
    main, (a,) = taken_along(session, ("a",))
    release_along(session, main, ("a",), uncertain=True)
    work = row(db, a)
    assert (work.claimed_at, work.claim_token, work.attempts) == (None, None, 1)
    assert work.uncertain_since == NOW
    again = taken(session, work.id or 0, now=NOW + MINUTE)
    assert again.uncertain_since == NOW
    release(session, again)
    along = claim_along(
        session, work_id=a, token=main.token, now=NOW + HOUR, due_before=NOW + 2 * HOUR
    )
    assert along is True
    release_along(session, main, ("a",), uncertain=True)
    assert row(db, a).uncertain_since == NOW  # the earliest attempt that may have posted it


# --- finish, release, release_uncertain, release_after_failure, abandon ----------------------


def test_finish_records_the_outcome_and_where_it_was_posted_only_with_a_ts(
    session: Session, db: SessionFactory
) -> None:
    posted, unposted = add(session, "posted"), add(session, "unposted")
    assert finish(session, taken(session, posted), outcome=SENT, now=NOW, channel="D", ts="1.2")
    assert finish(session, taken(session, unposted), outcome=CANCELLED, now=NOW, channel="D")
    work = row(db, posted)
    assert (work.done_at, work.outcome, work.posted_channel_id, work.posted_ts) == (
        NOW,
        SENT,
        "D",
        "1.2",
    )
    work = row(db, unposted)
    assert (work.outcome, work.posted_channel_id, work.posted_ts) == (CANCELLED, None, None)


def test_release_gives_work_back_as_not_attempted_and_not_before_a_moment(
    session: Session, db: SessionFactory
) -> None:
    soon, late = add(session, "soon", NOW), add(session, "late", NOW + HOUR)
    release(session, taken(session, soon), not_before=NOW + MINUTE)
    release(session, taken(session, late, now=NOW + HOUR), not_before=NOW + MINUTE)
    plain = add(session, "plain", NOW)
    release(session, taken(session, plain))
    zoned = add(session, "zoned", NOW)
    release(session, taken(session, zoned), not_before=(NOW + MINUTE).astimezone(BERLIN))
    assert row(db, zoned).next_attempt_at == NOW + MINUTE
    assert claimable_ids(session, now=NOW + MINUTE - SECOND) == [plain]
    for work_id, next_at in ((soon, NOW + MINUTE), (late, NOW + HOUR), (plain, NOW)):
        work = row(db, work_id)
        assert (work.claimed_at, work.claim_token, work.attempts) == (None, None, 0)
        assert work.next_attempt_at == next_at  # later if asked, never earlier


def test_a_lost_claim_releases_and_finishes_nothing(session: Session, db: SessionFactory) -> None:
    work_id = add(session, "k")
    stale = taken(session, work_id)
    owner = taken(session, work_id, now=NOW + LEASE + SECOND)
    release(session, stale, not_before=NOW + HOUR)
    release_uncertain(session, stale, error="lost", now=NOW + LEASE + MINUTE)
    assert finish(session, stale, outcome=SENT, now=NOW + LEASE + MINUTE) is False
    work = row(db, work_id)
    assert (work.claim_token, work.attempts, work.next_attempt_at) == (owner.token, 2, NOW)
    assert (work.done_at, work.last_error) == (None, None)


def test_an_attempt_that_may_have_posted_is_looked_for_soon(
    session: Session, db: SessionFactory
) -> None:
    work_id = add(session, "k")
    held = taken(session, work_id, now=NOW + SECOND)
    assert release_uncertain(session, held, error="timeout" * 100, now=NOW + MINUTE) is True
    work = row(db, work_id)
    assert (work.claimed_at, work.claim_token, work.attempts) == (None, None, 1)
    assert work.next_attempt_at == NOW + MINUTE + LOOK_AGAIN
    assert work.uncertain_since == NOW + SECOND  # since this attempt began
    assert work.last_error == ("timeout" * 100)[:500]
    again = taken(session, work_id, now=NOW + MINUTE + LOOK_AGAIN)
    assert again.uncertain_since == NOW + SECOND
    release_uncertain(session, again, error="again", now=NOW + HOUR)
    assert row(db, work_id).uncertain_since == NOW + SECOND  # the earliest one stays


def test_uncertain_attempts_give_up_after_the_last_one(
    session: Session, db: SessionFactory
) -> None:
    work_id = add(session, "k")
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        again = release_uncertain(session, taken(session, work_id, now=now), error="e", now=now)
        assert again is (attempt < MAX_ATTEMPTS)
        now += LOOK_AGAIN
    work = row(db, work_id)
    assert (work.outcome, work.done_at, work.attempts) == ("failed", now - LOOK_AGAIN, 6)


def test_a_failed_attempt_backs_off_and_is_not_uncertain(
    session: Session, db: SessionFactory
) -> None:
    work_id = add(session, "k")
    assert release_after_failure(session, taken(session, work_id), error="e", now=NOW) is True
    work = row(db, work_id)
    assert (work.next_attempt_at, work.uncertain_since) == (NOW + FIRST_BACKOFF, None)
    assert (work.claimed_at, work.claim_token, work.last_error) == (None, None, "e")


def test_abandon_gives_held_work_back_at_once_as_of_unknown_outcome(
    session: Session, db: SessionFactory
) -> None:
    one, two = add(session, "one"), add(session, "two")
    free, done = add(session, "free"), add(session, "done")
    taken(session, one, now=NOW + SECOND)
    release_uncertain(session, taken(session, two), error="e", now=NOW + MINUTE)
    taken(session, two, now=NOW + MINUTE + LOOK_AGAIN)
    finished = taken(session, done)
    finish(session, finished, outcome=SENT, now=NOW)
    unlisted = taken(session, add(session, "unlisted"))  # another runner's
    assert abandon(session, [one, two, free, done]) == 2
    assert row(db, unlisted.work_id).claim_token == unlisted.token
    assert abandon(session, []) == 0
    for work_id, since in ((one, NOW + SECOND), (two, NOW)):
        work = row(db, work_id)
        assert (work.claimed_at, work.claim_token, work.uncertain_since) == (None, None, since)
    assert row(db, free).uncertain_since is None
    assert (row(db, done).claim_token, row(db, done).uncertain_since) == (finished.token, None)
    assert claimable_ids(session, now=NOW + MINUTE + LOOK_AGAIN) == [one, free, two]
