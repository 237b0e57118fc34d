"""Notes saves that apply only what changed; carried points; held meetings; reminders;
summary claims and huddle meetings, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.access import NotAllowed
from store.actions import retime_reminders
from store.agenda import set_discussed
from store.huddles import meeting_for_huddle
from store.models import (
    ActionItem,
    DueWork,
    Meeting,
    MeetingStatus,
    Note,
    PointCarry,
    TalkingPoint,
)
from store.notes import notes_view
from store.schedule import create_pair
from store.summary import summary_for
from tests import test_store_notes as store_notes_tests
from tests.test_store_huddles import a_huddle, at
from tests.test_store_notes import (
    FIRST,
    MANAGER,
    MINUTE,
    NOW,
    REPORT,
    ZONES,
    edit_item,
    end_of,
    item_named,
    live_through,
    new_item,
    next_after,
    notes_input,
    point,
    reminders,
    save,
    tuesday_at_ten,
)

# The shared fixtures (pytest finds fixtures by their name in this module).
session = store_notes_tests.session
pair_and_meeting = store_notes_tests.pair_and_meeting

DURING = FIRST + 20 * MINUTE


def ticks(session: Session, *point_ids: int) -> list[bool]:
    return [session.get(TalkingPoint, p).discussed for p in point_ids]


def where(session: Session, point_id: int) -> tuple[int, int, int | None, bool]:
    """(meeting, carried count, last meeting carried out of, discussed) of one talking point."""
    p = session.get(TalkingPoint, point_id)
    carried = session.exec(
        select(PointCarry.from_meeting_id)
        .where(PointCarry.point_id == point_id)
        .order_by(col(PointCarry.id).desc())
    ).first()
    return p.meeting_id, p.carried_count, carried, p.discussed


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


# --- ticks -------------------------------------------------------------------------------------


def test_a_save_applies_only_the_ticks_the_person_changed(session, pair_and_meeting):
    pair, first = pair_and_meeting
    p, q, r = (point(session, MANAGER, pair, text) for text in ("P", "Q", "R"))
    set_discussed(session, MANAGER, [r], True, meeting_id=first.id)
    opened = notes_view(session, MANAGER, first.id)  # P and Q unticked, R ticked
    shown = {i.id for i in opened.points}
    before = {i.id for i in opened.points if i.discussed}
    assert (shown, before) == ({p, q, r}, {r})
    # meanwhile the report ticks P
    save(session, REPORT, first, notes_input(shown=[p], before=[], ticked=[p]), now=DURING)
    assert ticks(session, p, q, r) == [True, False, True]
    # the manager leaves P alone, ticks Q and unticks R
    notes = notes_input(shown=shown, before=before, ticked=[q])
    save(session, MANAGER, first, notes, now=DURING + MINUTE)
    assert ticks(session, p, q, r) == [True, True, False]


# --- carried points and closed meetings --------------------------------------------------------


def test_ticking_a_carried_point_in_the_closed_meetings_notes_brings_it_back(
    session, pair_and_meeting
):
    pair, first = pair_and_meeting
    stuck = point(session, MANAGER, pair, "Stuck")
    live_through(session, first)
    second = next_after(session, pair, first)
    assert where(session, stuck) == (second.id, 1, first.id, False)
    assert session.get(Meeting, first.id).status == MeetingStatus.SCHEDULED  # nothing noted
    opened = notes_view(session, REPORT, first.id)
    assert [(i.id, i.discussed, i.carried_count) for i in opened.points] == [(stuck, False, 1)]
    later = first.starts_at + timedelta(minutes=first.duration_minutes + 5)  # closed by then
    summary = summary_for(session, MANAGER, first.id, now=later)
    assert summary.discussed == []
    assert [(i.id, i.carried_count) for i in summary.carried] == [(stuck, 1)]

    notes = notes_input(shown=[stuck], before=[], ticked=[stuck])
    save(session, REPORT, first, notes, now=later)
    assert where(session, stuck) == (first.id, 0, None, True)
    assert session.get(Meeting, first.id).status == MeetingStatus.HELD
    summary = summary_for(session, MANAGER, first.id, now=later)
    assert ([i.id for i in summary.discussed], summary.carried) == ([stuck], [])
    assert [i.id for i in notes_view(session, REPORT, first.id).points] == [stuck]


def test_a_point_carried_twice_stays_in_both_summaries_and_comes_back_to_the_first(
    session, pair_and_meeting
):
    pair, first = pair_and_meeting
    stuck = point(session, MANAGER, pair, "Stuck")
    live_through(session, first)
    second = next_after(session, pair, first)
    live_through(session, second)
    third = next_after(session, pair, second)
    assert where(session, stuck) == (third.id, 2, second.id, False)
    later = third.starts_at - timedelta(days=1)
    for meeting in (first, second):
        carried = summary_for(session, MANAGER, meeting.id, now=later).carried
        assert [i.id for i in carried] == [stuck]
        assert [i.id for i in notes_view(session, REPORT, meeting.id).points] == [stuck]

    notes = notes_input(shown=[stuck], before=[], ticked=[stuck])
    save(session, REPORT, first, notes, now=later)  # it was discussed in the first after all
    assert where(session, stuck) == (first.id, 0, None, True)
    assert summary_for(session, MANAGER, second.id, now=later).carried == []
    assert notes_view(session, REPORT, second.id).points == []


def test_unticking_in_a_closed_meetings_notes_carries_the_point_on(session, pair_and_meeting):
    pair, first = pair_and_meeting
    done = point(session, MANAGER, pair, "Done")
    set_discussed(session, REPORT, [done], True, meeting_id=first.id)
    live_through(session, first)
    second = next_after(session, pair, first)
    assert where(session, done) == (first.id, 0, None, True)
    notes = notes_input(shown=[done], before=[done], ticked=[])
    save(session, MANAGER, first, notes, now=second.starts_at - timedelta(days=3))
    assert where(session, done) == (second.id, 1, first.id, False)
    assert [i.id for i in summary_for(session, REPORT, first.id, now=NOW).carried] == [done]


# --- removed items -----------------------------------------------------------------------------


def test_removed_items_are_deleted_with_their_reminders(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    items = [new_item("Gone", "UREP", date(2026, 12, 8)), new_item("Kept", "UMGR")]
    save(session, MANAGER, first, notes_input(items=items), now=DURING)
    gone, kept = item_named(session, "Gone").id, item_named(session, "Kept").id
    assert len(reminders(session, gone)) == 1
    save(session, REPORT, first, notes_input(removed=[gone]), now=DURING + MINUTE)
    assert session.get(ActionItem, gone) is None
    assert session.exec(select(DueWork).where(DueWork.action_item_id == gone)).all() == []
    assert [i.id for i in notes_view(session, MANAGER, first.id).action_items] == [kept]


def test_removing_another_pairs_item_is_refused_and_changes_nothing(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    _, other_first = create_pair(session, MANAGER, tuesday_at_ten(report_id="UREP2"), now=NOW)
    save(session, MANAGER, first, notes_input(items=[new_item("Ours")]), now=DURING)
    theirs_items = [new_item("Theirs", "UREP2", date(2026, 12, 8))]
    save(session, MANAGER, other_first, notes_input(items=theirs_items), now=DURING)
    ours, theirs = item_named(session, "Ours").id, item_named(session, "Theirs").id
    forged = notes_input(shared="Sneaky", removed=[ours, theirs])
    with pytest.raises(NotAllowed):
        save(session, MANAGER, first, forged, now=DURING + MINUTE)
    session.rollback()
    assert session.get(ActionItem, ours) is not None
    assert session.get(ActionItem, theirs).pair_id == other_first.pair_id
    assert [r[2] for r in reminders(session, theirs)] == [None]
    assert count(session, Note) == 0


# --- shared notes left alone -------------------------------------------------------------------


def test_unchanged_shared_notes_are_no_conflict_even_from_a_stale_version(
    session, pair_and_meeting
):
    _pair, first = pair_and_meeting
    save(session, MANAGER, first, notes_input(shared="A"), now=DURING)
    save(session, REPORT, first, notes_input(shared="A and B", base=1), now=DURING + MINUTE)
    stale = notes_input(shared_unchanged=True, base=1, private="Mine")
    save(session, MANAGER, first, stale, now=DURING + 2 * MINUTE)
    view = notes_view(session, MANAGER, first.id)
    assert (view.shared_notes, view.shared_version, view.private_notes) == ("A and B", 2, "Mine")
    shared = session.exec(select(Note).where(col(Note.is_private).is_(False))).one()
    assert (shared.updated_by, shared.version) == ("UREP", 2)


# --- held or not -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("empty", MeetingStatus.SCHEDULED),
        ("private", MeetingStatus.SCHEDULED),  # private notes never count: nobody may learn of them
        ("item", MeetingStatus.HELD),
    ],
)
def test_only_a_save_with_content_makes_the_closed_meeting_held(
    session, pair_and_meeting, kind: str, status: MeetingStatus
):
    pair, first = pair_and_meeting
    point(session, MANAGER, pair, "Roadmap")
    contents = {
        "empty": notes_input(),
        "private": notes_input(private="Only mine"),
        "item": notes_input(items=[new_item("Do it")]),
    }
    saved = save(session, REPORT, first, contents[kind], now=DURING)
    assert saved.shared_changed is (kind == "item")
    expected = DURING if kind == "item" else None  # what the other person may learn of
    assert session.get(Meeting, first.id).notes_saved_at == expected
    live_through(session, first)
    closed = session.get(Meeting, first.id)
    assert closed.closed_at is not None
    assert closed.status == status
    # the same save again after the close changes nothing
    save(session, REPORT, first, contents[kind], now=end_of(first) + 2 * MINUTE)
    assert session.get(Meeting, first.id).status == status


# --- reminders ---------------------------------------------------------------------------------


def test_moving_a_due_date_and_back_leaves_one_pending_reminder(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    save(
        session,
        MANAGER,
        first,
        notes_input(items=[new_item("Doc", due=date(2026, 12, 8))]),
        now=DURING,
    )
    doc = item_named(session, "Doc").id
    for due in (date(2026, 12, 10), date(2026, 12, 8)):
        notes = notes_input(items=[edit_item(doc, "Doc", due=due)])
        save(session, MANAGER, first, notes, now=DURING + MINUTE)
    pending = session.exec(
        select(DueWork).where(DueWork.action_item_id == doc, col(DueWork.done_at).is_(None))
    ).all()
    assert [(w.next_attempt_at, w.outcome, w.done_at) for w in pending] == [
        (datetime(2026, 12, 8, 8, 0, tzinfo=UTC), None, None)
    ]
    assert reminders(session, doc) == [
        ("UREP", datetime(2026, 12, 8, 8, 0, tzinfo=UTC), None),  # the same row, reopened
        ("UREP", datetime(2026, 12, 10, 8, 0, tzinfo=UTC), "cancelled"),
    ]


def test_retime_reminders_moves_them_to_nine_in_the_given_zone(session, pair_and_meeting):
    _pair, first = pair_and_meeting
    due = date(2026, 12, 8)
    items = [new_item("Report's", "UREP", due), new_item("Manager's", "UMGR", due)]
    save(session, MANAGER, first, notes_input(items=items), now=DURING)
    theirs, mine = item_named(session, "Report's").id, item_named(session, "Manager's").id
    zones = {"UREP": "Asia/Kolkata"}  # the manager's zone is unknown: theirs stays
    retime_reminders(session, [theirs, mine], zones, now=DURING + MINUTE)
    for item_id, zone in ((theirs, "Asia/Kolkata"), (mine, ZONES["UMGR"])):
        nine = datetime.combine(due, time(9, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        assert reminders(session, item_id) == [
            (session.get(ActionItem, item_id).owner_id, nine, None)
        ]
    assert reminders(session, theirs)[0][1] == datetime(2026, 12, 8, 3, 30, tzinfo=UTC)


# --- summary claims ----------------------------------------------------------------------------


# --- huddles -----------------------------------------------------------------------------------


def unscheduled(session: Session) -> list[int]:
    query = select(Meeting.id).where(col(Meeting.unscheduled).is_(True))
    return list(session.exec(query).all())


def test_a_huddle_gets_the_same_meeting_on_every_click(session, pair_and_meeting):
    follow_up = a_huddle(session, start=0)  # a day before the first 1:1
    meeting = meeting_for_huddle(session, MANAGER, follow_up.id, now=at(3000))
    again = meeting_for_huddle(session, REPORT, follow_up.id, now=at(3100))
    assert again.id == meeting.id
    assert unscheduled(session) == [meeting.id]


@pytest.mark.postgres
def test_a_huddle_double_click_race_records_one_meeting(postgres: Engine) -> None:
    """The other click commits its meeting after this click found none but before it
    wrote its own: both get the same meeting."""
    engine = postgres
    with Session(engine, expire_on_commit=False) as setup:
        create_pair(setup, MANAGER, tuesday_at_ten(), now=NOW)
        follow_up_id = a_huddle(setup, start=0).id
    theirs_ids: list[int] = []

    def the_other_clicks_first(flushing: Session, _context: object, _instances: object) -> None:
        if theirs_ids or not any(isinstance(o, Meeting) for o in flushing.new):
            return
        with Session(engine, expire_on_commit=False) as theirs:
            theirs_ids.append(meeting_for_huddle(theirs, REPORT, follow_up_id, now=at(3000)).id)

    with Session(engine, expire_on_commit=False) as mine:
        event.listen(mine, "before_flush", the_other_clicks_first)
        meeting = meeting_for_huddle(mine, MANAGER, follow_up_id, now=at(3001))
    assert theirs_ids == [meeting.id]
    with Session(engine) as check:
        assert unscheduled(check) == [meeting.id]
        assert check.exec(select(Meeting).where(Meeting.id == meeting.id)).one().unscheduled
