"""Huddle follow-ups from `user_huddle_changed` and `huddle_thread`, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from itertools import permutations

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from store.access import Actor, NotAllowed
from store.deliveries import prepare, set_pair_channel
from store.due_work import CANCELLED, add_work, claim
from store.huddles import (
    HuddleChange,
    dismiss_follow_up,
    event_time,
    huddle_offer,
    meeting_for_huddle,
    prune_huddle_events,
    record_huddle_change,
    record_huddle_room,
)
from store.meetings import next_meeting
from store.models import (
    DueWork,
    HuddleEvent,
    HuddleFollowUp,
    Meeting,
    MeetingStatus,
    Pair,
    WorkKind,
)
from store.notes_save import ItemInput, NotesInput, save_notes
from store.schedule import PairRequest, create_pair, end_pair
from store.views import HuddleOffer, NotesSaved

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday; the first 1:1 is Tue 15:00 UTC
EPOCH_NOW = 1796040000  # NOW in seconds since the epoch
FIRST = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")
REPORT2 = Actor("T1", "UREP2")
STRANGER = Actor("T1", "UOTHER")
OTHER_TEAM = Actor("T2", "UMGR")


def tuesday_at_ten(report_id: str = "UREP") -> PairRequest:
    return PairRequest(
        report_id=report_id, weekday=1, local_time=time(10, 0), timezone="America/New_York"
    )


@pytest.fixture
def session(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def pair(session: Session) -> Pair:
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    assert meeting.starts_at == FIRST
    return pair


def ts(seconds: float, base: float = EPOCH_NOW) -> str:
    """Slack's event_ts, `seconds` after NOW (or after `base`)."""
    return f"{base + seconds:.6f}"


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def join(user: str, call: str, seconds: float, team: str = "T1") -> HuddleChange:
    return HuddleChange(team_id=team, user_id=user, call_id=call, event_ts=ts(seconds))


def leave(user: str, seconds: float, team: str = "T1") -> HuddleChange:
    return HuddleChange(team_id=team, user_id=user, call_id=None, event_ts=ts(seconds))


def feed(session: Session, changes: Iterable[HuddleChange]) -> list[list[HuddleFollowUp]]:
    """Deliver changes one by one (received a second after they happened); what each returned."""
    return [
        record_huddle_change(
            session, change, now=event_time(change.event_ts) + timedelta(seconds=1)
        )
        for change in changes
    ]


def follow_ups(session: Session) -> list[tuple[int, str, datetime, datetime]]:
    query = select(HuddleFollowUp).order_by(HuddleFollowUp.pair_id, HuddleFollowUp.call_id)
    return [(f.pair_id, f.call_id, f.started_at, f.ended_at) for f in session.exec(query)]


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def huddle_work(session: Session) -> list[DueWork]:
    return list(session.exec(select(DueWork).where(DueWork.kind == "huddle")).all())


def a_huddle(
    session: Session, call: str = "C1", start: float = 0, minutes: float = 40
) -> HuddleFollowUp:
    """Both people of the pair in one call: the manager from `start`, the report a minute
    later; the manager leaves `minutes` after `start`, the report half a minute after that."""
    end = start + minutes * 60
    results = feed(
        session,
        [
            join("UMGR", call, start),
            join("UREP", call, start + 60),
            leave("UMGR", end),
            leave("UREP", end + 30),
        ],
    )
    assert results[:3] == [[], [], []]
    (follow_up,) = results[3]
    return follow_up


# --- who is followed ---------------------------------------------------------------------------


def test_a_person_in_no_pair_leaves_no_trace(session: Session, pair: Pair) -> None:
    results = feed(session, [join("UOTHER", "C1", 0), join("UOTHER2", "C1", 10)])
    results += feed(session, [leave("UOTHER", 100), leave("UOTHER2", 110)])
    assert results == [[], [], [], []]
    # the same user id in another workspace is not the paired person either
    assert feed(session, [join("UMGR", "C1", 0, team="T2"), leave("UMGR", 100, team="T2")]) == [
        [],
        [],
    ]
    assert count(session, HuddleEvent) == 0
    assert count(session, HuddleFollowUp) == 0


# --- huddles from user_huddle_changed ----------------------------------------------------------


@pytest.mark.parametrize("manager_leaves_first", [True, False])
def test_both_in_one_call_and_gone_is_one_follow_up(
    session: Session, pair: Pair, manager_leaves_first: bool
) -> None:
    first, last = ("UMGR", "UREP") if manager_leaves_first else ("UREP", "UMGR")
    leaves = [leave(first, 2400), leave(last, 2700)]
    results = feed(session, [join("UMGR", "C1", 0), join("UREP", "C1", 60), *leaves])
    assert results[:3] == [[], [], []]  # nothing while one of them is still in the call
    (created,) = results[3]
    assert (created.pair_id, created.call_id, created.team_id) == (pair.id, "C1", "T1")
    assert (created.started_at, created.ended_at) == (at(60), at(2400))  # together only
    assert created.meeting_id is None and created.dismissed_at is None
    assert follow_ups(session) == [(pair.id, "C1", at(60), at(2400))]
    (work,) = huddle_work(session)
    assert work.key == f"huddle:{created.id}" and work.done_at is None
    assert work.next_attempt_at == at(2701)  # due when the huddle ended was recorded


def test_retried_changes_create_nothing_new(session: Session, pair: Pair) -> None:
    a_huddle(session)
    changes = [
        join("UMGR", "C1", 0),
        join("UREP", "C1", 60),
        leave("UMGR", 2400),
        leave("UREP", 2430),
    ]
    assert feed(session, changes) == [[], [], [], []]
    assert feed(session, reversed(changes)) == [[], [], [], []]
    assert count(session, HuddleEvent) == 4
    assert count(session, HuddleFollowUp) == 1
    assert len(huddle_work(session)) == 1


def test_any_delivery_order_gives_the_same_single_follow_up(session: Session, pair: Pair) -> None:
    """All 24 orders of the four changes of one huddle, each huddle in its own hour."""
    for n, order in enumerate(permutations(range(4))):
        start, call = n * 3600, f"C{n}"
        changes = [
            join("UMGR", call, start),
            join("UREP", call, start + 60),
            leave("UMGR", start + 600),
            leave("UREP", start + 900),
        ]
        results = feed(session, [changes[i] for i in order])
        assert results[:3] == [[], [], []], order  # every change is needed to know it ended
        assert [(f.call_id, f.started_at, f.ended_at) for f in results[3]] == [
            (call, at(start + 60), at(start + 600))
        ], order
    assert count(session, HuddleFollowUp) == 24
    assert len(huddle_work(session)) == 24


def test_a_leave_delivered_before_the_join_it_follows(session: Session, pair: Pair) -> None:
    results = feed(
        session,
        [
            join("UREP", "C1", 60),
            leave("UREP", 900),
            leave("UMGR", 600),  # the manager's leave arrives before their join
            join("UMGR", "C1", 0),
        ],
    )
    assert results[:3] == [[], [], []]
    assert [(f.call_id, f.started_at, f.ended_at) for f in results[3]] == [("C1", at(60), at(600))]
    assert feed(session, [leave("UMGR", 600), join("UREP", "C1", 60)]) == [[], []]
    assert count(session, HuddleFollowUp) == 1


def test_different_calls_are_no_huddle_together(session: Session, pair: Pair) -> None:
    results = feed(
        session,
        [join("UMGR", "C1", 0), join("UREP", "C2", 60), leave("UMGR", 600), leave("UREP", 900)],
    )
    assert results == [[], [], [], []]
    assert count(session, HuddleFollowUp) == 0
    assert huddle_work(session) == []


def test_the_same_call_at_different_times_is_no_huddle_together(
    session: Session, pair: Pair
) -> None:
    results = feed(
        session,
        [
            join("UMGR", "C1", 0),
            join("UMGR", "C2", 100),  # moved on to another call before the report came
            join("UREP", "C1", 200),
            leave("UREP", 300),
            leave("UMGR", 900),
        ],
    )
    assert results == [[], [], [], [], []]
    assert count(session, HuddleFollowUp) == 0


def test_moving_to_another_call_after_overlapping_ends_the_first(
    session: Session, pair: Pair
) -> None:
    results = feed(
        session,
        [
            join("UMGR", "C1", 0),
            join("UREP", "C1", 100),
            join("UMGR", "C2", 300),  # straight into another call, no leave in between
            leave("UREP", 400),
        ],
    )
    assert results[:3] == [[], [], []]
    assert [(f.call_id, f.started_at, f.ended_at) for f in results[3]] == [("C1", at(100), at(300))]
    assert feed(session, [leave("UMGR", 900)]) == [[]]  # the report was never in C2
    assert follow_ups(session) == [(pair.id, "C1", at(100), at(300))]


def test_reconnecting_to_the_same_call_does_not_end_the_huddle(
    session: Session, pair: Pair
) -> None:
    """Each drops out of the call for a few seconds and comes back: the huddle goes on."""
    results = feed(
        session,
        [
            join("UMGR", "C1", 0),
            join("UREP", "C1", 60),
            leave("UREP", 300),
            join("UREP", "C1", 310),
            leave("UMGR", 600),  # both still had a stay in the call: R 60-300 and M 0-600
            join("UMGR", "C1", 610),
        ],
    )
    assert results == [[], [], [], [], [], []]  # both are in the call right now
    assert count(session, HuddleFollowUp) == 0
    results = feed(session, [leave("UMGR", 1200), leave("UREP", 1300)])
    assert results[0] == []
    assert [(f.started_at, f.ended_at) for f in results[1]] == [(at(60), at(1200))]
    assert count(session, HuddleFollowUp) == 1


def test_three_people_in_one_call_follow_up_each_pair(session: Session, pair: Pair) -> None:
    second, _ = create_pair(session, MANAGER, tuesday_at_ten("UREP2"), now=NOW)
    results = feed(
        session,
        [
            join("UMGR", "C1", 0),
            join("UREP", "C1", 60),
            join("UREP2", "C1", 120),
            leave("UREP", 500),
            leave("UMGR", 600),
            leave("UREP2", 700),
        ],
    )
    assert results[:4] == [[], [], [], []]
    assert [f.pair_id for f in results[4]] == [pair.id]  # the manager's leave ends UREP's
    assert [f.pair_id for f in results[5]] == [second.id]
    assert follow_ups(session) == [
        (pair.id, "C1", at(60), at(500)),
        (second.id, "C1", at(120), at(600)),
    ]
    assert len(huddle_work(session)) == 2


def test_an_ended_pair_gets_no_follow_up(session: Session, pair: Pair) -> None:
    end_pair(session, MANAGER, pair.id, now=NOW)
    results = feed(
        session,
        [join("UMGR", "C1", 0), join("UREP", "C1", 60), leave("UMGR", 600), leave("UREP", 900)],
    )
    assert results == [[], [], [], []]
    assert count(session, HuddleFollowUp) == 0


# --- huddles too short to follow up ---------------------------------------------------------


def test_a_huddle_shorter_than_two_minutes_together_gets_no_follow_up(
    session: Session, pair: Pair
) -> None:
    short = [join("UMGR", "C1", 0), join("UREP", "C1", 30), leave("UMGR", 149), leave("UREP", 300)]
    assert feed(session, short) == [[], [], [], []]  # together 1:59, though in it for 5 min
    assert count(session, HuddleFollowUp) == 0
    assert huddle_work(session) == []
    two_minutes = [join("UMGR", "C2", 900), join("UREP", "C2", 900)]
    two_minutes += [leave("UMGR", 1020), leave("UREP", 1020)]
    (created,) = feed(session, two_minutes)[3]
    assert (created.call_id, created.started_at, created.ended_at) == ("C2", at(900), at(1020))
    assert len(huddle_work(session)) == 1


def test_a_short_huddle_that_goes_on_in_the_same_call_is_followed_up_then(
    session: Session, pair: Pair
) -> None:
    """A reconnect is no leave: the stay runs from the first join to the last leave."""
    feed(session, [join("UMGR", "C1", 0), join("UREP", "C1", 0), leave("UMGR", 30)])
    assert feed(session, [leave("UREP", 30)]) == [[]]
    results = feed(session, [join("UMGR", "C1", 60), join("UREP", "C1", 60)])
    results += feed(session, [leave("UMGR", 600), leave("UREP", 600)])
    assert [(f.started_at, f.ended_at) for f in results[3]] == [(at(0), at(600))]
    assert count(session, HuddleFollowUp) == 1


def test_a_short_follow_up_recorded_earlier_is_not_posted(session: Session, pair: Pair) -> None:
    """A follow-up recorded before short huddles were left alone, still waiting to be posted."""
    follow_up = HuddleFollowUp(
        team_id="T1",
        pair_id=pair.id,
        call_id="C1",
        started_at=at(0),
        ended_at=at(30),
        created_at=NOW,
    )
    session.add(follow_up)
    session.flush()
    work = add_work(
        session, team_id="T1", key=f"huddle:{follow_up.id}", kind=WorkKind.HUDDLE, due_at=at(31)
    )
    session.commit()
    taken = claim(session, work_id=work.id, now=at(31))
    assert taken is not None
    assert prepare(session, taken, now=at(31)) == CANCELLED


# --- huddles from huddle_thread rooms ----------------------------------------------------------


def room(call: str = "R1", **overrides: object) -> dict:
    values: dict[str, object] = {
        "id": call,
        "date_start": EPOCH_NOW,
        "date_end": EPOCH_NOW + 1800,
        "participant_history": ["UMGR", "UREP", "UGUEST"],
        "participants": [],
    }
    values.update(overrides)
    return values


def test_a_room_in_the_pairs_channel_with_both_people_is_followed_up(
    session: Session, pair: Pair
) -> None:
    set_pair_channel(session, pair.id, "G123")
    session.refresh(pair)
    refused = [
        ("G999", room()),  # not a pair's channel
        ("G123", room(participant_history=["UMGR", "UGUEST"])),  # the report never joined
        ("G123", room(date_end=None)),  # still going
        ("G123", room(date_end=0)),
        ("G123", room(id="")),
    ]
    for channel, data in refused:
        assert record_huddle_room(session, "T1", channel, data, now=NOW) is None
    assert record_huddle_room(session, "T2", "G123", room(), now=NOW) is None  # other workspace
    assert count(session, HuddleFollowUp) == 0

    created = record_huddle_room(session, "T1", "G123", room(), now=at(1801))
    assert created is not None
    assert (created.pair_id, created.call_id) == (pair.id, "R1")
    assert (created.started_at, created.ended_at) == (at(0), at(1800))
    assert record_huddle_room(session, "T1", "G123", room(), now=at(1802)) is None  # once
    assert count(session, HuddleFollowUp) == 1
    assert len(huddle_work(session)) == 1


def test_a_room_shorter_than_two_minutes_gets_no_follow_up(session: Session, pair: Pair) -> None:
    set_pair_channel(session, pair.id, "G123")
    session.refresh(pair)
    short = room(date_start=EPOCH_NOW, date_end=EPOCH_NOW + 119)
    assert record_huddle_room(session, "T1", "G123", short, now=at(120)) is None
    assert record_huddle_room(session, "T1", "G123", room(date_start=None), now=at(1801)) is None
    assert count(session, HuddleFollowUp) == 0
    assert huddle_work(session) == []


def test_a_room_without_history_uses_its_participants(session: Session, pair: Pair) -> None:
    set_pair_channel(session, pair.id, "G123")
    session.refresh(pair)
    data = room(participant_history=None, participants=["UREP", "UMGR"])
    created = record_huddle_room(session, "T1", "G123", data, now=at(1801))
    assert created is not None and created.call_id == "R1"


def test_an_ended_pairs_channel_gets_no_follow_up(session: Session, pair: Pair) -> None:
    set_pair_channel(session, pair.id, "G123")
    session.refresh(pair)
    end_pair(session, MANAGER, pair.id, now=NOW)
    assert record_huddle_room(session, "T1", "G123", room(), now=at(1801)) is None
    assert count(session, HuddleFollowUp) == 0


def test_the_same_call_from_events_and_room_is_one_follow_up(session: Session, pair: Pair) -> None:
    set_pair_channel(session, pair.id, "G123")
    session.refresh(pair)
    a_huddle(session, call="C1")
    data = room("C1", date_start=EPOCH_NOW, date_end=EPOCH_NOW + 2400)
    assert record_huddle_room(session, "T1", "G123", data, now=at(2500)) is None
    # and the other way round: the room first, then the changes of the same call
    data = room("C2", date_start=EPOCH_NOW + 7200, date_end=EPOCH_NOW + 9000)
    assert record_huddle_room(session, "T1", "G123", data, now=at(9001)) is not None
    results = feed(
        session,
        [
            join("UMGR", "C2", 7200),
            join("UREP", "C2", 7260),
            leave("UMGR", 9000),
            leave("UREP", 9000),
        ],
    )
    assert results == [[], [], [], []]
    assert [c for _, c, _, _ in follow_ups(session)] == ["C1", "C2"]
    assert len(huddle_work(session)) == 2


# --- the meeting a huddle's notes go to --------------------------------------------------------


def test_a_huddle_near_the_scheduled_1on1_takes_its_notes_to_it(
    session: Session, pair: Pair
) -> None:
    an_hour_before = (FIRST - NOW).total_seconds() - 3600
    follow_up = a_huddle(session, start=an_hour_before, minutes=40)
    meeting = meeting_for_huddle(session, REPORT, follow_up.id, now=FIRST)
    assert meeting.starts_at == FIRST and meeting.unscheduled is False
    assert meeting.status == MeetingStatus.SCHEDULED
    assert session.get(HuddleFollowUp, follow_up.id).meeting_id == meeting.id
    assert meeting_for_huddle(session, MANAGER, follow_up.id, now=FIRST).id == meeting.id
    assert count(session, Meeting) == 1


def test_a_huddle_far_from_any_1on1_becomes_an_unscheduled_meeting(
    session: Session, pair: Pair
) -> None:
    follow_up = a_huddle(session, start=0, minutes=40)  # 27 hours before the first 1:1
    meetings_before = count(session, Meeting)
    clicked = at(3000)
    meeting = meeting_for_huddle(session, MANAGER, follow_up.id, now=clicked)
    assert (meeting.unscheduled, meeting.status) == (True, MeetingStatus.HELD)
    assert (meeting.pair_id, meeting.team_id) == (pair.id, "T1")
    assert meeting.starts_at == follow_up.started_at == at(60)
    assert meeting.duration_minutes == 39  # together from the first minute to the fortieth
    assert meeting.closed_at == clicked
    for again in (MANAGER, REPORT, MANAGER):
        assert meeting_for_huddle(session, again, follow_up.id, now=clicked).id == meeting.id
    assert count(session, Meeting) == meetings_before + 1
    # the recurring schedule is untouched
    assert next_meeting(session, MANAGER, pair.id, now=clicked).starts_at == FIRST


def notes(shared: str = "", private: str = "", items: list[ItemInput] | None = None) -> NotesInput:
    return NotesInput(
        shown_points=frozenset(),
        ticked_before=frozenset(),
        discussed=frozenset(),
        shared_notes=shared,
        private_notes=private,
        base_version=0,
        items=items or [],
    )


def test_the_offer_after_a_huddle_near_the_1on1_says_when_its_notes_are_saved(
    session: Session, pair: Pair
) -> None:
    (meeting,) = session.exec(select(Meeting)).all()
    an_hour_before = (FIRST - NOW).total_seconds() - 3600
    follow_up = a_huddle(session, start=an_hour_before, minutes=40)
    unsaved = HuddleOffer(follow_up.id, "UMGR", "UREP", 39)
    assert huddle_offer(session, follow_up, pair) == unsaved
    # the report's private notes are theirs alone: the offer to both must not tell
    save_notes(session, REPORT, meeting.id, notes(private="my worries"), now=FIRST)
    assert huddle_offer(session, follow_up, pair) == unsaved
    save_notes(session, MANAGER, meeting.id, notes(shared="We agreed on Q1"), now=FIRST)
    saved = NotesSaved(meeting.id, FIRST, unscheduled=False)
    assert huddle_offer(session, follow_up, pair) == HuddleOffer(
        follow_up.id, "UMGR", "UREP", 39, saved
    )
    assert count(session, Meeting) == 1  # finding out recorded no meeting


def test_an_action_item_alone_counts_as_notes_for_the_offer(session: Session, pair: Pair) -> None:
    (meeting,) = session.exec(select(Meeting)).all()
    follow_up = a_huddle(session, start=(FIRST - NOW).total_seconds() + 1800, minutes=10)
    item = ItemInput(id=None, text="Draft the plan", owner_id="UREP", due_date=None)
    save_notes(session, REPORT, meeting.id, notes(items=[item]), now=FIRST)
    assert huddle_offer(session, follow_up, pair).saved == NotesSaved(meeting.id, FIRST, False)


def test_the_offer_for_a_recorded_huddle_names_the_huddle(session: Session, pair: Pair) -> None:
    follow_up = a_huddle(session, start=0, minutes=40)  # far from any 1:1
    assert huddle_offer(session, follow_up, pair).saved is None  # nothing recorded yet
    assert count(session, Meeting) == 1
    meeting = meeting_for_huddle(session, MANAGER, follow_up.id, now=at(3000))
    save_notes(session, MANAGER, meeting.id, notes(shared="decided"), now=at(3000))
    session.refresh(follow_up)
    saved = huddle_offer(session, follow_up, pair).saved
    assert saved == NotesSaved(meeting.id, at(60), unscheduled=True)


def test_strangers_cannot_use_a_follow_up(session: Session, pair: Pair) -> None:
    follow_up = a_huddle(session)
    for intruder in (STRANGER, OTHER_TEAM, REPORT2):
        with pytest.raises(NotAllowed):
            meeting_for_huddle(session, intruder, follow_up.id, now=at(3000))
        with pytest.raises(NotAllowed):
            dismiss_follow_up(session, intruder, follow_up.id, now=at(3000))
        session.rollback()
    with pytest.raises(NotAllowed):
        meeting_for_huddle(session, MANAGER, 999_999, now=at(3000))
    session.rollback()
    kept = session.get(HuddleFollowUp, follow_up.id)
    assert (kept.meeting_id, kept.dismissed_at) == (None, None)
    assert count(session, Meeting) == 1


def test_dismissing_a_follow_up_records_when(session: Session, pair: Pair) -> None:
    follow_up = a_huddle(session)
    dismissed, of_pair = dismiss_follow_up(session, REPORT, follow_up.id, now=at(3000))
    assert dismissed.dismissed_at == at(3000) and of_pair.id == pair.id
    again, _ = dismiss_follow_up(session, MANAGER, follow_up.id, now=at(4000))
    assert again.dismissed_at == at(3000)  # the first dismissal counts
    assert session.get(HuddleFollowUp, follow_up.id).dismissed_at == at(3000)


# --- forgetting old changes --------------------------------------------------------------------


def test_huddle_changes_are_forgotten_after_a_day(session: Session, pair: Pair) -> None:
    record_huddle_change(session, join("UMGR", "OLD", -90_000), now=at(-90_000))
    record_huddle_change(session, join("UMGR", "NEW", -3_600), now=at(-3_600))
    record_huddle_change(session, leave("UREP", -100), now=at(-100))
    assert count(session, HuddleEvent) == 3
    assert prune_huddle_events(session, now=NOW) == 1
    assert sorted(e.call_id or "" for e in session.exec(select(HuddleEvent))) == ["", "NEW"]
    assert prune_huddle_events(session, now=NOW) == 0
    assert prune_huddle_events(session, now=NOW + timedelta(days=1)) == 2
    assert count(session, HuddleEvent) == 0
