"""Notes, action items, reminders, closing meetings and summaries, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.access import Actor, Invalid, NotAllowed
from store.actions import complete_item, open_items_owned, snooze_item
from store.agenda import (
    add_talking_point,
    agenda_for,
    drop_talking_point,
    set_discussed,
)
from store.carry import close_finished_meetings
from store.meetings import pairs_to_roll, roll_forward, upcoming_meeting
from store.models import ActionItem, DueWork, Meeting, MeetingStatus, Note, Pair, TalkingPoint
from store.notes import Conflict, notes_meeting, notes_view
from store.notes_save import ItemInput, NotesInput, SavedNotes, save_notes
from store.schedule import PairRequest, create_pair, end_pair, skip_meeting
from store.summary import history, summary_for

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday, 07:00 in New York
FIRST = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # the first 1:1: Tuesday 10:00 in New York
WEEK = timedelta(days=7)
MINUTE = timedelta(minutes=1)
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")
STRANGER = Actor("T1", "UOTHER")
OTHER_TEAM = Actor("T2", "UMGR")
ZONES = {"UMGR": "America/New_York", "UREP": "Europe/Berlin"}


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


@pytest.fixture
def pair_and_meeting(session: Session) -> tuple[Pair, Meeting]:
    """UMGR manages UREP: weekly, Tuesdays 10:00 New York, the first on 2026-12-01."""
    pair, meeting = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    assert meeting.starts_at == FIRST
    return pair, meeting


def notes_input(
    *,
    shared: str = "",
    private: str = "",
    base: int = 0,
    shown: Iterable[int] = (),
    ticked: Iterable[int] = (),
    before: Iterable[int] | None = None,
    items: Iterable[ItemInput] = (),
    removed: Iterable[int] = (),
    shared_unchanged: bool = False,
) -> NotesInput:
    """A save; `before` are the points ticked at opening (by default: every shown point's
    tick counts as changed)."""
    shown, ticked = frozenset(shown), frozenset(ticked)
    return NotesInput(
        shown_points=shown,
        ticked_before=shown - ticked if before is None else frozenset(before),
        discussed=ticked,
        shared_notes=None if shared_unchanged else shared,
        private_notes=private,
        base_version=base,
        items=list(items),
        removed_items=frozenset(removed),
    )


def new_item(text: str, owner: str = "UREP", due: date | None = None) -> ItemInput:
    return ItemInput(id=None, text=text, owner_id=owner, due_date=due)


def edit_item(item_id: int, text: str, owner: str = "UREP", due: date | None = None) -> ItemInput:
    return ItemInput(id=item_id, text=text, owner_id=owner, due_date=due)


def save(
    session: Session, actor: Actor, meeting: Meeting, notes: NotesInput, *, now: datetime
) -> SavedNotes:
    return save_notes(session, actor, meeting.id, notes, now=now, timezones=ZONES)


def items_of(session: Session, meeting: Meeting) -> list[ActionItem]:
    query = select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
    return list(session.exec(query).all())


def item_named(session: Session, text: str) -> ActionItem:
    return session.exec(select(ActionItem).where(ActionItem.text == text)).one()


def reminders(session: Session, item_id: int) -> list[tuple[str | None, datetime, str | None]]:
    """(user, due at, outcome) of every reminder of one item, oldest first."""
    query = (
        select(DueWork)
        .where(DueWork.action_item_id == item_id, DueWork.kind == "reminder")
        .order_by(col(DueWork.id))
    )
    return [(w.user_id, w.next_attempt_at, w.outcome) for w in session.exec(query)]


def pending_reminders(session: Session, item_id: int) -> list[tuple[str | None, datetime]]:
    query = select(DueWork).where(
        DueWork.action_item_id == item_id,
        DueWork.kind == "reminder",
        col(DueWork.done_at).is_(None),
    )
    return [(w.user_id, w.next_attempt_at) for w in session.exec(query)]


def end_of(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def run_due_like(session: Session, now: datetime) -> None:
    """What bot/due.py's run_due does to meetings at `now`: close the finished ones, then
    make sure every active pair's next meeting exists."""
    close_finished_meetings(session, now=now)
    for pair in pairs_to_roll(session, now=now):
        roll_forward(session, pair, now=now)
    session.commit()


def live_through(session: Session, meeting: Meeting) -> None:
    """The bot ticking during a meeting (5 minutes in) and just after its end."""
    run_due_like(session, meeting.starts_at + 5 * MINUTE)
    run_due_like(session, end_of(meeting) + MINUTE)


def next_after(session: Session, pair: Pair, meeting: Meeting) -> Meeting:
    following = upcoming_meeting(session, pair, end_of(meeting))
    assert following is not None and following.id != meeting.id
    return following


def point(session: Session, actor: Actor, pair: Pair, text: str, *, private: bool = False) -> int:
    added, _ = add_talking_point(session, actor, pair.id, text, private=private, now=NOW)
    return added.id  # type: ignore[return-value]


# --- which meeting the notes are for ---------------------------------------------------------


def test_notes_before_the_hour_before_are_for_the_upcoming_meeting(session, pair_and_meeting):
    pair, first = pair_and_meeting
    assert notes_meeting(session, MANAGER, pair.id, now=NOW).id == first.id
    assert notes_meeting(session, REPORT, pair.id, now=FIRST - 61 * MINUTE).id == first.id
    for intruder in (STRANGER, OTHER_TEAM):
        with pytest.raises(NotAllowed):
            notes_meeting(session, intruder, pair.id, now=NOW)


def test_notes_are_for_the_current_meeting_from_an_hour_before_its_start(session, pair_and_meeting):
    pair, first = pair_and_meeting
    live_through(session, first)  # nobody saved notes: the first stays "open" for a week
    second = next_after(session, pair, first)
    assert second.starts_at == FIRST + WEEK
    just_before_the_hour = second.starts_at - 61 * MINUTE
    assert notes_meeting(session, MANAGER, pair.id, now=just_before_the_hour).id == first.id
    for now in (second.starts_at - 60 * MINUTE, second.starts_at + 10 * MINUTE):
        assert notes_meeting(session, MANAGER, pair.id, now=now).id == second.id


def test_notes_stay_with_the_last_meeting_for_a_day_after_its_end(session, pair_and_meeting):
    pair, first = pair_and_meeting
    save(session, MANAGER, first, notes_input(shared="Done"), now=FIRST + 20 * MINUTE)
    live_through(session, first)
    second = next_after(session, pair, first)
    a_day_after = end_of(first) + timedelta(days=1)
    assert notes_meeting(session, REPORT, pair.id, now=end_of(first) + MINUTE).id == first.id
    assert notes_meeting(session, REPORT, pair.id, now=a_day_after - MINUTE).id == first.id
    assert notes_meeting(session, REPORT, pair.id, now=a_day_after).id == second.id


def test_a_meeting_without_saved_notes_stays_the_one_for_a_week(session: Session) -> None:
    pair, first = create_pair(session, MANAGER, tuesday_at_ten(cadence="biweekly"), now=NOW)
    live_through(session, first)
    second = next_after(session, pair, first)
    assert second.starts_at == FIRST + 2 * WEEK
    a_week_after = end_of(first) + WEEK
    for now in (end_of(first) + timedelta(days=2), a_week_after - MINUTE):
        assert notes_meeting(session, MANAGER, pair.id, now=now).id == first.id
    assert notes_meeting(session, MANAGER, pair.id, now=a_week_after).id == second.id
    # once someone saved them, the usual day applies
    saved_at = end_of(first) + timedelta(days=2)
    save(session, REPORT, first, notes_input(shared="Late notes"), now=saved_at)
    assert notes_meeting(session, MANAGER, pair.id, now=saved_at + MINUTE).id == second.id


def test_skipped_meetings_are_never_picked_for_notes(session, pair_and_meeting):
    pair, first = pair_and_meeting
    _, second = skip_meeting(session, MANAGER, first.id, now=NOW)
    assert second is not None and second.starts_at == FIRST + WEEK
    # during the skipped meeting's slot: the next one, not the skipped one
    assert notes_meeting(session, MANAGER, pair.id, now=FIRST + 10 * MINUTE).id == second.id
    assert notes_meeting(session, MANAGER, pair.id, now=FIRST - 30 * MINUTE).id == second.id
    live_through(session, second)  # took place, no notes
    third = next_after(session, pair, second)
    _, fourth = skip_meeting(session, REPORT, third.id, now=third.starts_at - timedelta(days=2))
    assert fourth is not None
    # during the skipped third: the second (unsaved, within a week), never the third
    during_third = third.starts_at + 10 * MINUTE
    assert notes_meeting(session, MANAGER, pair.id, now=during_third).id == second.id
    after_the_week = end_of(second) + WEEK
    assert notes_meeting(session, MANAGER, pair.id, now=after_the_week).id == fourth.id


# --- what the notes modal shows ----------------------------------------------------------------


def test_notes_view_shows_shared_and_own_private_items_only(session, pair_and_meeting):
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    reorg = point(session, MANAGER, pair, "Reorg rumours", private=True)
    raise_ = point(session, REPORT, pair, "A raise", private=True)
    growth = point(session, REPORT, pair, "Growth")

    empty = notes_view(session, MANAGER, first.id)
    assert (empty.shared_notes, empty.shared_version, empty.private_notes) == ("", 0, "")
    assert [p.id for p in empty.points] == [roadmap, reorg, growth]
    assert [p.id for p in notes_view(session, REPORT, first.id).points] == [roadmap, raise_, growth]

    save(
        session,
        MANAGER,
        first,
        notes_input(
            shared="Shared words", private="Only for me", shown=[roadmap], ticked=[roadmap]
        ),
        now=FIRST + 20 * MINUTE,
    )
    mine = notes_view(session, MANAGER, first.id)
    theirs = notes_view(session, REPORT, first.id)
    assert (mine.shared_notes, mine.shared_version) == ("Shared words", 1)
    assert (theirs.shared_notes, theirs.shared_version) == ("Shared words", 1)
    assert mine.private_notes == "Only for me"
    assert theirs.private_notes == ""
    assert "Only for me" not in repr(theirs)
    assert "Reorg rumours" not in repr(theirs) and "A raise" not in repr(mine)
    assert (theirs.viewer_id, theirs.manager_id, theirs.report_id) == ("UREP", "UMGR", "UREP")
    for intruder in (STRANGER, OTHER_TEAM):
        with pytest.raises(NotAllowed):
            notes_view(session, intruder, first.id)


def test_the_default_due_date_is_the_next_meetings_local_date(session: Session) -> None:
    # Tuesdays 18:00 in Los Angeles are Wednesdays 02:00 UTC: the local date is what counts.
    request = tuesday_at_ten(local_time=time(18, 0), timezone="America/Los_Angeles")
    pair, first = create_pair(session, MANAGER, request, now=NOW)
    assert first.starts_at == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    run_due_like(session, first.starts_at + 5 * MINUTE)  # the next one now exists
    second = next_after(session, pair, first)
    assert second.starts_at == datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
    view = notes_view(session, REPORT, first.id)
    assert view.default_due == date(2026, 12, 8)


# --- saving notes ------------------------------------------------------------------------------


def test_saving_notes_round_trip(session, pair_and_meeting):
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    reorg = point(session, MANAGER, pair, "Reorg", private=True)
    raise_ = point(session, REPORT, pair, "A raise", private=True)
    growth = point(session, REPORT, pair, "Growth")
    t1 = FIRST + 20 * MINUTE

    saved = save(
        session,
        MANAGER,
        first,
        notes_input(
            shared="  We agreed on the roadmap.  ",
            private="Mine only",
            shown=[roadmap, reorg, growth],
            ticked=[roadmap, reorg],
            items=[
                new_item("Write the doc", "UREP", date(2026, 12, 8)),
                new_item("Book the room", "UMGR"),
                new_item("   ", "UMGR"),  # an empty row adds nothing
            ],
        ),
        now=t1,
    )
    assert saved.reminded_items == [item_named(session, "Write the doc").id]
    assert (saved.meeting.id, saved.pair.id) == (first.id, pair.id)
    assert session.get(Meeting, first.id).notes_saved_at == t1

    mine = notes_view(session, MANAGER, first.id)
    assert {p.id: p.discussed for p in mine.points} == {roadmap: True, reorg: True, growth: False}
    assert (mine.shared_notes, mine.shared_version) == ("We agreed on the roadmap.", 1)
    assert mine.private_notes == "Mine only"
    assert [(i.text, i.owner_id, i.other_id, i.due_date, i.done) for i in mine.action_items] == [
        ("Write the doc", "UREP", "UMGR", date(2026, 12, 8), False),
        ("Book the room", "UMGR", "UREP", None, False),
    ]
    doc, room = (i.id for i in mine.action_items)
    assert all(i.meeting_id == first.id and i.pair_id == pair.id for i in mine.action_items)
    assert item_named(session, "Write the doc").created_by == "UMGR"

    saved = save(
        session,
        REPORT,
        first,
        notes_input(
            shared="We agreed on the roadmap. Growth next time.",
            private="Report's own",
            base=1,
            shown=[roadmap, raise_, growth],
            ticked=[growth],  # roadmap unticked, growth ticked
            items=[
                edit_item(doc, "Write the design doc", "UREP", date(2026, 12, 9)),
                edit_item(room, "", "UMGR"),  # removed
                new_item("Ask HR", "UREP"),
            ],
        ),
        now=t1 + 5 * MINUTE,
    )
    assert saved.reminded_items == [doc]  # its due date changed
    assert session.get(Meeting, first.id).notes_saved_at == t1  # the first save's time

    theirs = notes_view(session, REPORT, first.id)
    assert {p.id: p.discussed for p in theirs.points} == {
        roadmap: False,
        raise_: False,
        growth: True,
    }
    assert (theirs.shared_notes, theirs.shared_version) == (
        "We agreed on the roadmap. Growth next time.",
        2,
    )
    assert theirs.private_notes == "Report's own"
    assert [(i.id, i.text, i.owner_id, i.due_date) for i in theirs.action_items] == [
        (doc, "Write the design doc", "UREP", date(2026, 12, 9)),
        (theirs.action_items[1].id, "Ask HR", "UREP", None),
    ]
    assert session.get(ActionItem, room) is None
    mine = notes_view(session, MANAGER, first.id)
    assert mine.private_notes == "Mine only"  # untouched by the other's save
    assert {p.id: p.discussed for p in mine.points}[reorg] is True  # not shown to the report


def test_a_stale_version_with_other_text_is_a_conflict_and_saves_nothing(session, pair_and_meeting):
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    t = FIRST + 20 * MINUTE
    save(session, MANAGER, first, notes_input(shared="A"), now=t)
    save(session, REPORT, first, notes_input(shared="A and B", base=1), now=t + MINUTE)
    stale = notes_input(
        shared="A and C",
        private="mine",
        base=1,
        shown=[roadmap],
        ticked=[roadmap],
        items=[new_item("Lost item", "UMGR")],
    )
    with pytest.raises(Conflict) as raised:
        save(session, MANAGER, first, stale, now=t + 2 * MINUTE)
    assert isinstance(raised.value, Invalid)
    assert raised.value.field == "shared_notes"
    session.rollback()
    view = notes_view(session, MANAGER, first.id)
    assert (view.shared_notes, view.shared_version) == ("A and B", 2)
    assert view.private_notes == ""
    assert view.action_items == []
    assert [p.discussed for p in view.points] == [False]


def test_both_saving_their_first_notes_from_version_zero_conflict(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    save(session, MANAGER, first, notes_input(shared="Manager's"), now=t)
    for text in ("Report's", ""):  # even an empty field would wipe the other's notes
        with pytest.raises(Conflict):
            save(session, REPORT, first, notes_input(shared=text, base=0), now=t + MINUTE)
        session.rollback()
    view = notes_view(session, REPORT, first.id)
    assert (view.shared_notes, view.shared_version) == ("Manager's", 1)


@pytest.mark.postgres
def test_the_first_save_race_between_two_sessions_is_a_conflict(postgres: Engine) -> None:
    """Both open the modal at version 0; the other's first save commits after this save
    checked for shared notes but before it wrote its own: a Conflict, not a crash."""
    engine = postgres
    with Session(engine, expire_on_commit=False) as setup:
        _pair, first = create_pair(setup, MANAGER, tuesday_at_ten(), now=NOW)
    t = FIRST + 20 * MINUTE
    with Session(engine, expire_on_commit=False) as mine:
        fired = []

        def the_other_saves_first(flushing: Session, _context: object, _instances: object) -> None:
            if fired or not any(isinstance(o, Note) for o in flushing.new):
                return
            fired.append(True)
            with Session(engine, expire_on_commit=False) as theirs:
                save(theirs, REPORT, first, notes_input(shared="Report's"), now=t)

        event.listen(mine, "before_flush", the_other_saves_first)
        with pytest.raises(Conflict):
            save(mine, MANAGER, first, notes_input(shared="Manager's"), now=t + MINUTE)
        assert fired
        mine.rollback()
    with Session(engine) as check:
        notes = check.exec(select(Note).where(Note.meeting_id == first.id)).all()
        assert [(n.text, n.version, n.updated_by) for n in notes] == [("Report's", 1, "UREP")]


def test_no_conflict_while_the_shared_text_is_unchanged(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    save(session, MANAGER, first, notes_input(shared="Agreed"), now=t)
    # the manager adds an item only: the version stays, so the report's open modal is current
    save(
        session,
        MANAGER,
        first,
        notes_input(shared="Agreed", base=1, items=[new_item("Do it", "UREP")]),
        now=t + MINUTE,
    )
    assert notes_view(session, REPORT, first.id).shared_version == 1
    save(session, REPORT, first, notes_input(shared="Agreed, mostly", base=1), now=t + 2 * MINUTE)
    # a stale version with the current text is no conflict either; the rest is saved
    save(
        session,
        MANAGER,
        first,
        notes_input(shared="Agreed, mostly", private="fine", base=1),
        now=t + 3 * MINUTE,
    )
    view = notes_view(session, MANAGER, first.id)
    assert (view.shared_notes, view.shared_version, view.private_notes) == (
        "Agreed, mostly",
        2,
        "fine",
    )
    assert [i.text for i in view.action_items] == ["Do it"]


@pytest.mark.parametrize("field", ["shared", "private"])
def test_notes_are_limited_to_ten_thousand_characters(session, pair_and_meeting, field: str):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    with pytest.raises(Invalid, match="10,000"):
        save(session, MANAGER, first, notes_input(**{field: "x" * 10_001}), now=t)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Note)).one() == 0
    save(session, MANAGER, first, notes_input(**{field: "x" * 10_000 + "  "}), now=t)
    view = notes_view(session, MANAGER, first.id)
    assert len(view.shared_notes if field == "shared" else view.private_notes) == 10_000


def test_action_item_text_is_limited_to_500_characters(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    with pytest.raises(Invalid) as raised:
        save(session, MANAGER, first, notes_input(items=[new_item("y" * 501)]), now=t)
    assert raised.value.field == "text"
    session.rollback()
    assert items_of(session, first) == []
    save(session, MANAGER, first, notes_input(items=[new_item("y" * 500)]), now=t)
    assert [len(i.text) for i in items_of(session, first)] == [500]


@pytest.mark.parametrize("owner", ["UOTHER", "", "UREP2"])
def test_an_action_items_owner_is_one_of_the_two(session, pair_and_meeting, owner: str):
    _pair, first = pair_and_meeting
    create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP2"), now=NOW)
    with pytest.raises(Invalid) as raised:
        save(session, MANAGER, first, notes_input(items=[new_item("Do it", owner)]), now=NOW)
    assert raised.value.field == "owner"
    session.rollback()
    assert items_of(session, first) == []
    # a blank row is nothing to save, whoever its owner field says
    save(session, MANAGER, first, notes_input(items=[new_item("  ", owner)]), now=NOW)
    assert items_of(session, first) == []


def test_moving_an_item_to_the_other_person_is_allowed(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    save(session, MANAGER, first, notes_input(items=[new_item("Do it", "UMGR")]), now=NOW)
    item_id = item_named(session, "Do it").id
    save(session, REPORT, first, notes_input(items=[edit_item(item_id, "Do it")]), now=NOW)
    assert [(i.id, i.owner_id) for i in items_of(session, first)] == [(item_id, "UREP")]


def test_items_of_another_meeting_or_pair_are_refused(session, pair_and_meeting):
    pair, first = pair_and_meeting
    other_pair, other_first = create_pair(
        session, MANAGER, tuesday_at_ten(report_id="UREP2"), now=NOW
    )
    save(session, MANAGER, first, notes_input(items=[new_item("Ours", "UREP")]), now=FIRST)
    save(session, MANAGER, other_first, notes_input(items=[new_item("Theirs", "UREP2")]), now=FIRST)
    live_through(session, first)
    second = next_after(session, pair, first)
    ours, theirs = item_named(session, "Ours").id, item_named(session, "Theirs").id
    attempts = [
        (second, edit_item(ours, "Hijacked", "UREP")),  # an item of an earlier meeting
        (second, edit_item(ours, "", "UREP")),  # ...may not be removed from here either
        (first, edit_item(theirs, "Hijacked", "UREP")),  # an item of another pair
    ]
    for meeting, row in attempts:
        with pytest.raises(NotAllowed):
            save(session, MANAGER, meeting, notes_input(items=[row]), now=second.starts_at)
        session.rollback()
    for meeting, removed in ((second, ours), (first, theirs)):  # nor removed with "Remove"
        with pytest.raises(NotAllowed):
            save(session, MANAGER, meeting, notes_input(removed=[removed]), now=second.starts_at)
        session.rollback()
    # An item that no longer exists was removed meanwhile: its row is skipped, not recreated.
    gone = notes_input(items=[edit_item(999_999, "Made up", "UREP")], removed=[999_998])
    save(session, MANAGER, first, gone, now=second.starts_at)
    assert item_named(session, "Ours").meeting_id == first.id
    assert item_named(session, "Theirs").pair_id == other_pair.id
    assert session.exec(select(func.count()).select_from(ActionItem)).one() == 2


def test_points_the_actor_may_not_see_are_refused(session, pair_and_meeting):
    pair, first = pair_and_meeting
    secret = point(session, REPORT, pair, "Their private point", private=True)
    other_pair, _ = create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP2"), now=NOW)
    elsewhere = point(session, MANAGER, other_pair, "Another pair's point")
    live_through(session, first)  # the undiscussed points move on to the second meeting
    second = next_after(session, pair, first)
    point(session, MANAGER, pair, "On the next agenda")
    moved = session.get(TalkingPoint, secret)
    assert moved.meeting_id == second.id
    for meeting, ids in (
        (second, [secret]),  # the other's private point
        (first, [secret]),  # not on this meeting (any more)
        (second, [elsewhere]),  # another pair's
    ):
        with pytest.raises(NotAllowed):
            save(
                session,
                MANAGER,
                meeting,
                notes_input(shown=ids, ticked=ids, shared="tick"),
                now=second.starts_at,
            )
        session.rollback()
    assert session.get(TalkingPoint, secret).discussed is False
    assert session.get(TalkingPoint, elsewhere).discussed is False
    assert session.exec(select(func.count()).select_from(Note)).one() == 0


def test_notes_submitted_just_after_the_meeting_closed_are_saved(session, pair_and_meeting):
    """The modal was opened near the end; the meeting closed (its undiscussed points moved
    on) while the notes were being typed: the save still goes through, ticks included."""
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    growth = point(session, REPORT, pair, "Growth")
    opened = notes_view(session, MANAGER, first.id)
    assert {p.id for p in opened.points} == {roadmap, growth}
    live_through(session, first)  # closes it at end + 1 minute
    second = next_after(session, pair, first)
    assert session.get(TalkingPoint, growth).meeting_id == second.id
    save(
        session,
        MANAGER,
        first,
        notes_input(
            shared="Typed during the last minutes",
            base=opened.shared_version,
            shown=[p.id for p in opened.points],
            ticked=[roadmap],
        ),
        now=end_of(first) + 5 * MINUTE,
    )
    assert notes_view(session, MANAGER, first.id).shared_notes == "Typed during the last minutes"
    assert session.get(Meeting, first.id).status == MeetingStatus.HELD
    assert session.get(TalkingPoint, roadmap).discussed is True
    assert session.get(TalkingPoint, growth).discussed is False


@pytest.mark.parametrize("intruder", [STRANGER, OTHER_TEAM])
def test_a_stranger_cannot_save_notes_and_nothing_changes(session, pair_and_meeting, intruder):
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    with pytest.raises(NotAllowed):
        save(
            session,
            intruder,
            first,
            notes_input(
                shared="Sneaky",
                private="Sneaky",
                shown=[roadmap],
                ticked=[roadmap],
                items=[new_item("Sneaky", "UREP", date(2026, 12, 8))],
            ),
            now=FIRST,
        )
    session.rollback()
    assert session.get(Meeting, first.id).notes_saved_at is None
    assert session.get(TalkingPoint, roadmap).discussed is False
    assert session.exec(select(func.count()).select_from(Note)).one() == 0
    assert session.exec(select(func.count()).select_from(ActionItem)).one() == 0
    assert session.exec(select(DueWork).where(DueWork.kind == "reminder")).all() == []


def test_a_skipped_meeting_takes_no_notes(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    skip_meeting(session, MANAGER, first.id, now=NOW)
    with pytest.raises(Invalid, match="skipped"):
        save(session, MANAGER, first, notes_input(shared="Notes"), now=FIRST)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Note)).one() == 0
    assert session.get(Meeting, first.id).notes_saved_at is None


# --- reminders ---------------------------------------------------------------------------------


def test_a_due_date_schedules_one_reminder_at_nine_in_the_owners_time_zone(
    session, pair_and_meeting
):
    _pair, first = pair_and_meeting
    items = [
        new_item("Berlin", "UREP", date(2026, 12, 8)),
        new_item("New York, winter", "UMGR", date(2027, 3, 12)),
        new_item("New York, summer time", "UMGR", date(2027, 3, 15)),  # after 2027-03-14
        new_item("No date", "UMGR"),
    ]
    save(session, MANAGER, first, notes_input(items=items), now=FIRST)
    expected = {
        "Berlin": [("UREP", datetime(2026, 12, 8, 8, 0, tzinfo=UTC))],
        "New York, winter": [("UMGR", datetime(2027, 3, 12, 14, 0, tzinfo=UTC))],
        "New York, summer time": [("UMGR", datetime(2027, 3, 15, 13, 0, tzinfo=UTC))],
        "No date": [],
    }
    for text, want in expected.items():
        assert pending_reminders(session, item_named(session, text).id) == want


def test_a_due_date_in_the_past_is_reminded_at_once(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    save(
        session, MANAGER, first, notes_input(items=[new_item("Late", "UREP", FIRST.date())]), now=t
    )
    assert pending_reminders(session, item_named(session, "Late").id) == [("UREP", t)]


def test_changing_due_date_or_owner_replaces_the_pending_reminder(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    save(
        session,
        MANAGER,
        first,
        notes_input(items=[new_item("Doc", "UREP", date(2026, 12, 8))]),
        now=t,
    )
    doc = item_named(session, "Doc").id
    # a text edit keeps the one reminder
    save(
        session,
        MANAGER,
        first,
        notes_input(items=[edit_item(doc, "Doc v2", "UREP", date(2026, 12, 8))]),
        now=t,
    )
    assert reminders(session, doc) == [("UREP", datetime(2026, 12, 8, 8, 0, tzinfo=UTC), None)]

    save(
        session,
        REPORT,
        first,
        notes_input(items=[edit_item(doc, "Doc v2", "UREP", date(2026, 12, 10))]),
        now=t,
    )
    assert reminders(session, doc) == [
        ("UREP", datetime(2026, 12, 8, 8, 0, tzinfo=UTC), "cancelled"),
        ("UREP", datetime(2026, 12, 10, 8, 0, tzinfo=UTC), None),
    ]
    save(
        session,
        REPORT,
        first,
        notes_input(items=[edit_item(doc, "Doc v2", "UMGR", date(2026, 12, 10))]),
        now=t,
    )
    assert pending_reminders(session, doc) == [("UMGR", datetime(2026, 12, 10, 14, 0, tzinfo=UTC))]
    assert [r[2] for r in reminders(session, doc)] == ["cancelled", "cancelled", None]

    save(session, REPORT, first, notes_input(items=[edit_item(doc, "Doc v2", "UMGR", None)]), now=t)
    assert pending_reminders(session, doc) == []


def test_removing_an_item_with_a_reminder_cancels_it(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    t = FIRST + 20 * MINUTE
    save(
        session,
        MANAGER,
        first,
        notes_input(items=[new_item("Doc", "UREP", date(2026, 12, 8))]),
        now=t,
    )
    doc = item_named(session, "Doc").id
    save(session, MANAGER, first, notes_input(items=[edit_item(doc, "", "UREP")]), now=t + MINUTE)
    assert session.get(ActionItem, doc) is None
    pending = session.exec(
        select(DueWork).where(DueWork.kind == "reminder", col(DueWork.done_at).is_(None))
    ).all()
    assert pending == []


def test_completing_an_item_cancels_its_reminder_and_is_idempotent(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    items = [
        new_item("Mine", "UMGR", date(2026, 12, 8)),
        new_item("Theirs", "UREP", date(2026, 12, 8)),
    ]
    save(session, MANAGER, first, notes_input(items=items), now=FIRST)
    mine, theirs = item_named(session, "Mine").id, item_named(session, "Theirs").id
    done_at = FIRST + timedelta(days=2)

    for intruder in (STRANGER, OTHER_TEAM):
        with pytest.raises(NotAllowed):
            complete_item(session, intruder, mine, now=done_at)
        session.rollback()
    assert session.get(ActionItem, mine).done_at is None
    assert len(pending_reminders(session, mine)) == 1

    item, pair, was_open = complete_item(session, REPORT, mine, now=done_at)  # either person
    assert was_open is True and (item.done_at, item.done_by) == (done_at, "UREP")
    assert pair.id == first.pair_id
    assert pending_reminders(session, mine) == []
    assert [r[2] for r in reminders(session, mine)] == ["cancelled"]
    item, _, was_open = complete_item(session, MANAGER, mine, now=done_at + timedelta(hours=1))
    assert was_open is False and (item.done_at, item.done_by) == (done_at, "UREP")

    _, _, was_open = complete_item(session, REPORT, theirs, now=done_at)
    assert was_open is True
    assert pending_reminders(session, theirs) == []


def test_snoozing_moves_the_due_date_a_week_and_reschedules(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    items = [new_item("Soon", "UREP", date(2026, 12, 8)), new_item("Undated", "UREP")]
    save(session, MANAGER, first, notes_input(items=items), now=FIRST)
    soon, undated = item_named(session, "Soon"), item_named(session, "Undated")
    soon.reminded_at = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    session.add(soon)
    session.commit()

    monday = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    item, _ = snooze_item(session, REPORT, soon.id, now=monday, timezone="Europe/Berlin")
    assert item.due_date == date(2026, 12, 15)
    assert item.reminded_at is None
    assert pending_reminders(session, soon.id) == [
        ("UREP", datetime(2026, 12, 15, 8, 0, tzinfo=UTC))
    ]
    assert [r[2] for r in reminders(session, soon.id)] == ["cancelled", None]

    # overdue: a week from today, and "today" is the owner's (already the 21st in Berlin)
    late = datetime(2026, 12, 20, 23, 30, tzinfo=UTC)
    item, _ = snooze_item(session, MANAGER, soon.id, now=late, timezone="Europe/Berlin")
    assert item.due_date == date(2026, 12, 28)
    assert pending_reminders(session, soon.id) == [
        ("UREP", datetime(2026, 12, 28, 8, 0, tzinfo=UTC))
    ]

    item, _ = snooze_item(session, REPORT, undated.id, now=monday, timezone="Europe/Berlin")
    assert item.due_date == date(2026, 12, 14)
    assert pending_reminders(session, undated.id) == [
        ("UREP", datetime(2026, 12, 14, 8, 0, tzinfo=UTC))
    ]

    with pytest.raises(NotAllowed):
        snooze_item(session, STRANGER, soon.id, now=late, timezone="Europe/Berlin")
    session.rollback()
    complete_item(session, REPORT, soon.id, now=late)
    with pytest.raises(Invalid, match="already done"):
        snooze_item(session, REPORT, soon.id, now=late, timezone="Europe/Berlin")
    session.rollback()
    assert session.get(ActionItem, soon.id).due_date == date(2026, 12, 28)
    assert pending_reminders(session, soon.id) == []


# --- open items --------------------------------------------------------------------------------


def test_open_items_owned_are_the_actors_own_open_items_of_active_pairs(session: Session) -> None:
    _, first = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    _, second_report = create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP2"), now=NOW)
    _, as_report = create_pair(
        session, Actor("T1", "UBOSS"), tuesday_at_ten(report_id="UMGR"), now=NOW
    )
    ended, ended_meeting = create_pair(
        session, Actor("T1", "UOLD"), tuesday_at_ten(report_id="UMGR"), now=NOW
    )
    _, elsewhere = create_pair(session, OTHER_TEAM, tuesday_at_ten(), now=NOW)

    def add(actor: Actor, meeting: Meeting, minutes: int, *rows: ItemInput) -> None:
        save(session, actor, meeting, notes_input(items=rows), now=NOW + minutes * MINUTE)

    add(MANAGER, second_report, 1, new_item("B: for UREP2's 1:1", "UMGR"))
    add(MANAGER, first, 2, new_item("A: mine", "UMGR"), new_item("C: the report's", "UREP"))
    add(MANAGER, first, 3, new_item("D: done", "UMGR"))
    add(Actor("T1", "UBOSS"), as_report, 4, new_item("G: as a report", "UMGR"))
    add(Actor("T1", "UOLD"), ended_meeting, 5, new_item("E: of an ended 1:1", "UMGR"))
    add(OTHER_TEAM, elsewhere, 6, new_item("F: another workspace", "UMGR"))
    complete_item(session, REPORT, item_named(session, "D: done").id, now=NOW + 7 * MINUTE)
    end_pair(session, Actor("T1", "UOLD"), ended.id, now=NOW + 8 * MINUTE)

    assert [i.text for i in open_items_owned(session, MANAGER)] == [
        "B: for UREP2's 1:1",
        "A: mine",
        "G: as a report",
    ]
    assert [(i.text, i.other_id) for i in open_items_owned(session, REPORT)] == [
        ("C: the report's", "UMGR")
    ]
    assert [i.text for i in open_items_owned(session, OTHER_TEAM)] == ["F: another workspace"]
    assert open_items_owned(session, STRANGER) == []


# --- closing meetings --------------------------------------------------------------------------


def test_a_meeting_with_saved_notes_is_held_when_it_closes(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    save(session, REPORT, first, notes_input(shared="We met"), now=FIRST + 20 * MINUTE)
    assert session.get(Meeting, first.id).status == MeetingStatus.SCHEDULED  # not over yet
    live_through(session, first)
    closed = session.get(Meeting, first.id)
    assert (closed.status, closed.closed_at) == (MeetingStatus.HELD, end_of(first) + MINUTE)


def test_a_meeting_with_a_ticked_point_is_held_when_it_closes(session, pair_and_meeting):
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    set_discussed(session, REPORT, [roadmap], True, meeting_id=first.id)
    live_through(session, first)
    assert session.get(Meeting, first.id).status == MeetingStatus.HELD


def test_a_meeting_with_neither_stays_scheduled_until_notes_are_saved(session, pair_and_meeting):
    pair, first = pair_and_meeting
    point(session, MANAGER, pair, "Roadmap")
    live_through(session, first)
    closed = session.get(Meeting, first.id)
    assert (closed.status, closed.closed_at) == (MeetingStatus.SCHEDULED, end_of(first) + MINUTE)
    assert close_finished_meetings(session, now=end_of(first) + timedelta(hours=1)) == []
    save(
        session,
        MANAGER,
        first,
        notes_input(shared="Late notes"),
        now=end_of(first) + timedelta(hours=2),
    )
    assert session.get(Meeting, first.id).status == MeetingStatus.HELD


def test_undiscussed_points_carry_over_and_count_the_weeks(session, pair_and_meeting):
    pair, first = pair_and_meeting
    stuck = point(session, MANAGER, pair, "Stuck")
    done = point(session, REPORT, pair, "Done")
    set_discussed(session, MANAGER, [done], True, meeting_id=first.id)
    live_through(session, first)
    second = next_after(session, pair, first)
    assert (
        session.get(TalkingPoint, stuck).meeting_id,
        session.get(TalkingPoint, stuck).carried_count,
    ) == (second.id, 1)
    assert (
        session.get(TalkingPoint, done).meeting_id,
        session.get(TalkingPoint, done).carried_count,
    ) == (first.id, 0)

    live_through(session, second)  # not discussed again
    third = next_after(session, pair, second)
    assert session.get(TalkingPoint, stuck).meeting_id == third.id
    assert session.get(TalkingPoint, stuck).carried_count == 2
    agenda = agenda_for(session, REPORT, pair.id, now=end_of(second) + MINUTE)
    assert agenda.meeting_id == third.id
    assert [(i.text, i.carried_count) for i in agenda.carried] == [("Stuck", 2)]
    assert session.get(Meeting, second.id).status == MeetingStatus.SCHEDULED  # nothing happened


def test_points_carry_over_even_when_the_bot_was_down_during_the_meeting(session, pair_and_meeting):
    """The first tick after the end closes the meeting before the next one exists."""
    pair, first = pair_and_meeting
    stuck = point(session, MANAGER, pair, "Stuck")
    run_due_like(session, end_of(first) + timedelta(hours=2))
    second = next_after(session, pair, first)
    moved = session.get(TalkingPoint, stuck)
    assert (moved.meeting_id, moved.carried_count) == (second.id, 1)
    agenda = agenda_for(session, MANAGER, pair.id, now=end_of(first) + timedelta(hours=2))
    assert [i.text for i in agenda.carried] == ["Stuck"]


# --- dropping a talking point ------------------------------------------------------------------


def test_only_the_author_drops_a_talking_point(session, pair_and_meeting):
    pair, first = pair_and_meeting
    mine = point(session, REPORT, pair, "Drop me")
    ticked = point(session, REPORT, pair, "Discussed")
    set_discussed(session, MANAGER, [ticked], True, meeting_id=first.id)
    for other in (MANAGER, STRANGER, Actor("T2", "UREP")):
        with pytest.raises(NotAllowed):
            drop_talking_point(session, other, mine)
        session.rollback()
    assert session.get(TalkingPoint, mine) is not None
    with pytest.raises(Invalid):
        drop_talking_point(session, REPORT, ticked)
    session.rollback()
    meeting, dropped_from = drop_talking_point(session, REPORT, mine)
    assert (meeting.id, dropped_from.id) == (first.id, pair.id)
    assert session.get(TalkingPoint, mine) is None
    assert [i.text for i in agenda_for(session, REPORT, pair.id, now=NOW).new] == ["Discussed"]


# --- summaries and history ---------------------------------------------------------------------


def test_the_summary_shows_shared_things_only_before_and_after_close(session, pair_and_meeting):
    pair, first = pair_and_meeting
    roadmap = point(session, MANAGER, pair, "Roadmap")
    growth = point(session, REPORT, pair, "Growth")
    raise_ = point(session, REPORT, pair, "PRIVATE-RAISE", private=True)
    reorg = point(session, MANAGER, pair, "PRIVATE-REORG", private=True)
    t = FIRST + 20 * MINUTE
    save(
        session,
        MANAGER,
        first,
        notes_input(
            shared="Shared words",
            private="MANAGER-SECRET-NOTE",
            shown=[roadmap, growth, reorg],
            ticked=[roadmap],
            items=[new_item("Write the doc", "UREP", date(2026, 12, 8))],
        ),
        now=t,
    )
    save(
        session,
        REPORT,
        first,
        notes_input(
            shared="Shared words",
            base=1,
            private="REPORT-SECRET-NOTE",
            shown=[raise_],
            ticked=[raise_],
        ),
        now=t,
    )
    run_due_like(session, FIRST + 5 * MINUTE)
    second = upcoming_meeting(session, pair, end_of(first))
    assert second is not None and second.id != first.id

    during = summary_for(session, REPORT, first.id, now=t + MINUTE)
    assert [p.text for p in during.discussed] == ["Roadmap"]
    assert [p.text for p in during.carried] == ["Growth"]
    assert (during.shared_notes, during.notes_saved) == ("Shared words", True)
    assert [(i.text, i.owner_id) for i in during.action_items] == [("Write the doc", "UREP")]
    assert during.follow_ups == []
    assert during.next_starts_at == second.starts_at
    for secret in ("SECRET", "PRIVATE"):
        assert secret not in repr(during)

    run_due_like(session, end_of(first) + MINUTE)  # Growth moves on, counted
    after = summary_for(session, MANAGER, first.id, now=end_of(first) + 2 * MINUTE)
    assert [p.text for p in after.discussed] == ["Roadmap"]
    assert [(p.text, p.carried_count) for p in after.carried] == [("Growth", 1)]
    assert after.next_starts_at == second.starts_at
    for secret in ("SECRET", "PRIVATE"):
        assert secret not in repr(after)
    for intruder in (STRANGER, OTHER_TEAM):
        with pytest.raises(NotAllowed):
            summary_for(session, intruder, first.id, now=t)


def test_summary_follow_ups_are_earlier_items_open_or_done_since_the_last_meeting(
    session, pair_and_meeting
):
    pair, first = pair_and_meeting
    save(
        session,
        MANAGER,
        first,
        notes_input(items=[new_item("A", "UREP"), new_item("B", "UMGR"), new_item("C", "UREP")]),
        now=FIRST + 20 * MINUTE,
    )
    complete_item(session, REPORT, item_named(session, "A").id, now=FIRST + timedelta(days=2))
    live_through(session, first)
    second = next_after(session, pair, first)
    complete_item(
        session, MANAGER, item_named(session, "B").id, now=second.starts_at + timedelta(days=2)
    )
    save(
        session,
        MANAGER,
        second,
        notes_input(items=[new_item("D", "UMGR")]),
        now=second.starts_at + 20 * MINUTE,
    )
    live_through(session, second)
    third = next_after(session, pair, second)
    save(
        session,
        MANAGER,
        third,
        notes_input(items=[new_item("E", "UREP")]),
        now=third.starts_at + 20 * MINUTE,
    )
    live_through(session, third)

    later = end_of(third) + MINUTE
    of_first = summary_for(session, MANAGER, first.id, now=later)
    assert [i.text for i in of_first.action_items] == ["A", "B", "C"]
    assert of_first.follow_ups == []
    of_second = summary_for(session, MANAGER, second.id, now=later)
    assert [i.text for i in of_second.action_items] == ["D"]
    # since the first meeting's start: A (done in between), B (done since), C (open); not E
    assert [(i.text, i.done) for i in of_second.follow_ups] == [
        ("A", True),
        ("B", True),
        ("C", False),
    ]
    of_third = summary_for(session, REPORT, third.id, now=later)
    assert [i.text for i in of_third.action_items] == ["E"]
    # since the second meeting's start: A was done before it
    assert [(i.text, i.done) for i in of_third.follow_ups] == [
        ("B", True),
        ("C", False),
        ("D", False),
    ]


def test_history_is_the_held_meetings_newest_first(session, pair_and_meeting):
    pair, first = pair_and_meeting
    save(session, MANAGER, first, notes_input(shared="First notes"), now=FIRST + 20 * MINUTE)
    live_through(session, first)
    second = next_after(session, pair, first)
    _, third = skip_meeting(session, REPORT, second.id, now=second.starts_at - timedelta(days=1))
    assert third is not None
    live_through(session, third)  # nothing noted: scheduled but closed
    fourth = next_after(session, pair, third)
    now = fourth.starts_at + 10 * MINUTE
    run_due_like(session, now)  # the fifth now exists, in the future
    fifth = upcoming_meeting(session, pair, end_of(fourth) + MINUTE)
    assert fifth is not None and fifth.starts_at > now
    assert history(session, MANAGER, pair.id, now=now)[0].meeting_id == first.id  # 4th: on

    save(session, REPORT, fourth, notes_input(shared="Fourth notes"), now=now)
    past = history(session, MANAGER, pair.id, now=now)
    assert [s.meeting_id for s in past] == [fourth.id, first.id]  # the third was not held
    assert [s.shared_notes for s in past] == ["Fourth notes", "First notes"]
    assert [s.meeting_id for s in history(session, REPORT, pair.id, now=now, limit=1)] == [
        fourth.id
    ]
    for intruder in (STRANGER, OTHER_TEAM):
        with pytest.raises(NotAllowed):
            history(session, intruder, pair.id, now=now)


def test_an_older_summary_lists_only_its_own_carried_points(session, pair_and_meeting):
    pair, first = pair_and_meeting
    done = point(session, MANAGER, pair, "Discussed in the first")
    set_discussed(session, MANAGER, [done], True, meeting_id=first.id)
    live_through(session, first)
    second = next_after(session, pair, first)
    add_talking_point(session, REPORT, pair.id, "Raised for the second", now=end_of(first) + MINUTE)
    live_through(session, second)  # not discussed: carried into the third
    third = next_after(session, pair, second)

    now = third.starts_at - timedelta(days=1)
    (of_first,) = history(session, MANAGER, pair.id, now=now)  # the second was not held
    of_second = summary_for(session, MANAGER, second.id, now=now)
    assert [p.text for p in of_second.carried] == ["Raised for the second"]
    assert of_second.next_starts_at == third.starts_at
    assert [p.text for p in of_first.discussed] == ["Discussed in the first"]
    assert of_first.carried == []  # nothing of the first meeting was carried over


def test_the_default_due_date_is_the_next_slot_even_before_that_meeting_exists(
    session: Session,
) -> None:
    _pair, first = create_pair(session, MANAGER, tuesday_at_ten(), now=NOW)
    assert session.exec(select(func.count()).select_from(Meeting)).one() == 1
    assert notes_view(session, MANAGER, first.id).default_due == date(2026, 12, 8)  # type: ignore[arg-type]
