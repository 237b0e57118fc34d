"""A person's export in the store: paging covers every meeting once, in a constant number of
queries a page; only the actor's own pairs (ended ones too), their own private content, and
the record of uploaded files — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.access import Actor, Invalid, NotAllowed
from store.export import export_page, export_pairs
from store.files import EXPORT, list_uploaded_files, record_uploaded_files
from store.models import ActionItem, Meeting, MeetingStatus, Note, Pair, TalkingPoint, id_of
from store.schedule import PairRequest, create_pair, end_pair
from store.views import HELD, NOT_HELD, ExportedMeeting
from tests.test_home_store import counted

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MANAGER = Actor("T1", "UMGR")
REPORT = Actor("T1", "UREP")
OTHER = Actor("T1", "UOTHER")
FIRST = datetime(2022, 6, 7, 14, 0, tzinfo=UTC)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def pair_with(session: Session, report_id: str, manager: Actor = MANAGER) -> Pair:
    request = PairRequest(
        report_id=report_id, weekday=1, local_time=time(10, 0), timezone="America/New_York"
    )
    pair, _meeting = create_pair(session, manager, request, now=NOW)
    return pair


def add_meetings(session: Session, pair: Pair, count: int, *, same_start: int = 0) -> list[int]:
    """`count` past meetings, weekly from FIRST (the last `same_start` of them all at one
    instant: the cursor must still tell them apart), each with a shared and a private point
    of both people, shared notes, both people's private notes and an action item."""
    ids = []
    for n in range(count):
        start = FIRST + timedelta(weeks=min(n, count - same_start))
        meeting = Meeting(
            team_id=pair.team_id,
            pair_id=id_of(pair),
            slot_at=start + timedelta(seconds=n),  # slots are unique per pair
            starts_at=start,
            status=MeetingStatus.HELD if n % 5 else MeetingStatus.SKIPPED,
            closed_at=start + timedelta(hours=1),
            created_at=start,
        )
        session.add(meeting)
        session.flush()
        mid = id_of(meeting)
        ids.append(mid)
        for author in (pair.manager_id, pair.report_id):
            for private in (False, True):
                kind = "private" if private else "shared"
                session.add(point(pair, mid, author, f"{kind} point {n} by {author}", private))
            session.add(note(pair, mid, author, f"private note {n} by {author}", private=True))
        session.add(note(pair, mid, "", f"shared notes {n}", private=False))
        session.add(
            ActionItem(
                team_id=pair.team_id,
                pair_id=id_of(pair),
                meeting_id=mid,
                owner_id=pair.report_id,
                text=f"item {n}",
                due_date=(start + timedelta(days=7)).date(),
                created_by=pair.manager_id,
                created_at=start,
                done_at=start if n % 2 else None,
            )
        )
    session.commit()
    return ids


def point(pair: Pair, meeting_id: int, author: str, text: str, private: bool) -> TalkingPoint:
    return TalkingPoint(
        team_id=pair.team_id,
        meeting_id=meeting_id,
        author_id=author,
        text=text,
        is_private=private,
        created_at=NOW,
    )


def note(pair: Pair, meeting_id: int, owner: str, text: str, *, private: bool) -> Note:
    return Note(
        team_id=pair.team_id,
        meeting_id=meeting_id,
        is_private=private,
        owner_id=owner if private else "",
        text=text,
        updated_by=owner or pair.manager_id,
        updated_at=NOW,
    )


def all_pages(
    session: Session, actor: Actor, pair_id: int, limit: int
) -> list[list[ExportedMeeting]]:
    pages = []
    after = None
    while True:
        page = export_page(session, actor, pair_id, now=NOW, after=after, limit=limit)
        pages.append(page.meetings)
        if page.after is None:
            return pages
        after = page.after


def test_paging_covers_every_meeting_exactly_once_in_order(session: Session) -> None:
    pair = pair_with(session, "UREP")
    made = add_meetings(session, pair, 230, same_start=7)
    pages = all_pages(session, MANAGER, id_of(pair), limit=50)
    assert [len(p) for p in pages] == [50, 50, 50, 50, 31]  # 230 past and the upcoming one
    seen = [m.meeting_id for page in pages for m in page]
    assert len(seen) == len(set(seen)) == 231
    assert set(made) <= set(seen)
    starts = [(m.starts_at, m.meeting_id) for page in pages for m in page]
    assert starts == sorted(starts)


def test_a_page_costs_the_same_few_queries_however_big(engine: Engine, session: Session) -> None:
    pair = pair_with(session, "UREP")
    add_meetings(session, pair, 120)
    counts = []
    for limit in (5, 50, 100):
        with Session(engine) as fresh, counted(engine) as statements:
            page = export_page(fresh, MANAGER, id_of(pair), now=NOW, limit=limit)
        assert len(page.meetings) == limit
        counts.append(len(selects(statements)))
    assert counts == [7, 7, 7]  # the pair, meetings, points, notes, items, check-ins, ticks
    with Session(engine) as fresh, counted(engine) as statements:
        after = (NOW + timedelta(days=365), 0)
        assert export_page(fresh, MANAGER, id_of(pair), now=NOW, after=after).meetings == []
    assert len(selects(statements)) == 2


def selects(statements: list[str]) -> list[str]:
    """The queries (SQLite's driver also runs a BEGIN, which reads nothing)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_each_person_sees_shared_content_and_only_their_own_private(session: Session) -> None:
    pair = pair_with(session, "UREP")
    add_meetings(session, pair, 3)
    for actor, other in ((MANAGER, "UREP"), (REPORT, "UMGR")):
        (page,) = all_pages(session, actor, id_of(pair), limit=50)
        first = page[1]  # week 1: held
        assert first.state == HELD
        texts = [p.text for p in first.points]
        assert f"shared point 1 by {other}" in texts
        assert f"private point 1 by {actor.user_id}" in texts
        assert f"private point 1 by {other}" not in texts
        assert first.shared_notes == "shared notes 1"
        assert first.private_notes == f"private note 1 by {actor.user_id}"
        assert [(i.text, i.owner_id, i.done) for i in first.action_items] == [
            ("item 1", "UREP", True)
        ]
    assert page[0].state == "skipped" and page[-1].state == "upcoming"


def test_a_past_meeting_with_nothing_recorded_is_not_held(session: Session) -> None:
    pair = pair_with(session, "UREP")
    start = NOW - timedelta(days=3)
    session.add(
        Meeting(
            team_id="T1",
            pair_id=id_of(pair),
            slot_at=start,
            starts_at=start,
            closed_at=start + timedelta(hours=1),
            created_at=start,
        )
    )
    session.commit()
    (page,) = all_pages(session, REPORT, id_of(pair), limit=50)
    assert [m.state for m in page] == [NOT_HELD, "upcoming"]


def test_only_the_actors_pairs_ended_ones_too_and_one_person(session: Session) -> None:
    ended = pair_with(session, "UREP")
    end_pair(session, MANAGER, id_of(ended), now=NOW)
    again = pair_with(session, "UREP")
    other = pair_with(session, "UREP2")
    pair_with(session, "UREP3", manager=OTHER)  # a third person's pair
    everything = export_pairs(session, MANAGER)
    assert [p.pair_id for p in everything] == [id_of(ended), id_of(again), id_of(other)]
    assert everything[0].ended_at is not None
    with_rep = export_pairs(session, MANAGER, person_id="UREP")
    assert [p.pair_id for p in with_rep] == [id_of(ended), id_of(again)]
    assert {p.other_id for p in export_pairs(session, REPORT)} == {"UMGR"}
    with pytest.raises(Invalid, match="don't have a 1:1 with"):
        export_pairs(session, OTHER, person_id="UREP")
    with pytest.raises(Invalid, match="nothing to export"):
        export_pairs(session, Actor("T1", "UNOBODY"))
    with pytest.raises(NotAllowed):
        export_pairs(session, REPORT, pair_id=id_of(other))
    with pytest.raises(NotAllowed):  # another workspace never sees these rows
        export_page(session, Actor("T2", "UMGR"), id_of(again), now=NOW)
    with pytest.raises(NotAllowed):
        export_page(session, OTHER, id_of(again), now=NOW)


def test_uploaded_files_are_listed_per_person(session: Session) -> None:
    record_uploaded_files(
        session, REPORT, [("F1", "a.md"), ("F2", "a.csv")], channel_id="D1", kind=EXPORT, now=NOW
    )
    later = NOW + timedelta(minutes=1)
    record_uploaded_files(
        session, MANAGER, [("F3", "b.md")], channel_id="D2", kind=EXPORT, now=later
    )
    listed = list_uploaded_files(session, REPORT)
    assert [(f.file_id, f.filename, f.channel_id, f.kind) for f in listed] == [
        ("F1", "a.md", "D1", EXPORT),
        ("F2", "a.csv", "D1", EXPORT),
    ]
    assert listed[0].created_at == NOW
    assert [f.file_id for f in list_uploaded_files(session, MANAGER)] == ["F3"]
    assert list_uploaded_files(session, Actor("T2", "UREP")) == []
