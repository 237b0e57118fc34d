"""Deletion leaves no row behind, on SQLite and PostgreSQL, checked table by table; and on
SQLite the deleted text is in neither the database file nor its WAL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from store.access import Actor, Invalid, NotAllowed
from store.db import checkpoint_wal, create_db_engine
from store.deletion import (
    GRACE,
    begin_erase,
    delete_history,
    delete_private,
    due_forgetting,
    erase_key,
    forget_person,
    history_posts,
    mark_left,
    object_to_deletion,
    private_counts,
    private_posts,
    request_history_deletion,
)
from store.due_work import CANCELLED
from store.migrate import upgrade
from store.models import (
    ActionItem,
    DueWork,
    HuddleFollowUp,
    Meeting,
    Note,
    Pair,
    Person,
    PointCarry,
    PostedMessage,
    SuggestedQuestion,
    TalkingPoint,
    WorkKind,
    id_of,
)
from store.schedule import PairRequest, create_pair

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MANAGER, REPORT, STRANGER = "U_MGR", "U_REP", "U_STR"
TEAM = "T1"
SECRET = "zqxj-private"  # in every private text, and nowhere else
SHARED = "wvyk-shared"  # in every shared text of the pair


def seed(session: Session, manager: str = MANAGER, report: str = REPORT) -> tuple[Pair, Meeting]:
    """A pair with a past meeting holding one of every row that can belong to it."""
    request = PairRequest(report, 1, time(10, 0), "UTC")
    pair, upcoming = create_pair(
        session, Actor(TEAM, manager), request, now=NOW - timedelta(days=30)
    )
    pair.channel_id = "G1"
    past = Meeting(
        team_id=TEAM,
        pair_id=id_of(pair),
        slot_at=NOW - timedelta(days=7),
        starts_at=NOW - timedelta(days=7),
        agenda_channel_id="G1",
        agenda_ts="100.1",
        summary_ts="100.2",
        created_at=NOW,
    )
    session.add_all([pair, past])
    session.flush()
    for meeting in (past, upcoming):
        _points_and_notes(session, meeting, manager, report)
    item = ActionItem(
        team_id=TEAM,
        pair_id=id_of(pair),
        meeting_id=past.id,
        owner_id=report,
        text=f"item {SHARED}",
        created_by=manager,
        created_at=NOW,
    )
    session.add(item)
    session.flush()
    session.add_all(
        [
            PostedMessage(
                team_id=TEAM,
                channel_id=f"D{report}",
                ts=f"{past.id}.3",
                kind=WorkKind.PROMPT,
                pair_id=pair.id,
                meeting_id=past.id,
                user_id=report,
                created_at=NOW,
            ),
            DueWork(
                team_id=TEAM,
                key=f"reminder:{item.id}",
                kind=WorkKind.REMINDER,
                action_item_id=item.id,
                user_id=report,
                next_attempt_at=NOW,
            ),
            SuggestedQuestion(
                team_id=TEAM,
                pair_id=id_of(pair),
                meeting_id=id_of(past),
                user_id=manager,
                question_key="general-1",
                created_at=NOW,
            ),
            HuddleFollowUp(
                team_id=TEAM,
                pair_id=id_of(pair),
                call_id=f"R{pair.id}",
                started_at=NOW,
                ended_at=NOW,
                channel_id="G1",
                ts=f"{pair.id}.4",
                meeting_id=past.id,
                created_at=NOW,
            ),
        ]
    )
    carried = session.execute(
        select(TalkingPoint).where(TalkingPoint.meeting_id == upcoming.id)  # type: ignore[arg-type]
    ).scalars()
    session.add(PointCarry(point_id=id_of(next(carried)), from_meeting_id=id_of(past)))
    session.commit()
    return pair, past


def _points_and_notes(session: Session, meeting: Meeting, manager: str, report: str) -> None:
    for author in (manager, report):
        for private in (False, True):
            text = f"{author} {SECRET if private else SHARED}"
            session.add(
                TalkingPoint(
                    team_id=TEAM,
                    meeting_id=id_of(meeting),
                    author_id=author,
                    text=text,
                    is_private=private,
                    created_at=NOW,
                )
            )
            if private or author == manager:  # one shared note per meeting
                note = Note(
                    team_id=TEAM,
                    meeting_id=id_of(meeting),
                    is_private=private,
                    owner_id=author if private else "",
                    text=text,
                    updated_by=author,
                    updated_at=NOW,
                )
                session.add(note)
    session.flush()


def rows_with(session: Session, needle: str) -> dict[str, int]:
    """Per table, the rows any text column of which contains `needle`."""
    found: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(getattr(column.type, "impl", column.type), String):
                count = session.execute(
                    select(func.count()).select_from(table).where(column.contains(needle))
                ).scalar_one()
                if count:
                    found[f"{table.name}.{column.name}"] = count
    return found


REFERENCES = {"pair_id": "pair", "meeting_id": "meeting", "from_meeting_id": "meeting"}


def rows_referencing(session: Session, pair_ids: set[int], meeting_ids: set[int]) -> dict[str, int]:
    """Per table, the rows that reference (or are) one of these pairs or meetings."""
    ids = {"pair": pair_ids, "meeting": meeting_ids}
    found: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            target = REFERENCES.get(column.name) or (table.name if column.name == "id" else None)
            if target in ids:
                count = session.execute(
                    select(func.count()).select_from(table).where(column.in_(ids[target]))
                ).scalar_one()
                if count:
                    found[f"{table.name}.{column.name}"] = count
    return found


def meeting_ids(session: Session, pair_id: int) -> set[int]:
    query = select(Meeting.id).where(Meeting.pair_id == pair_id)  # type: ignore[arg-type]
    return set(session.execute(query).scalars())


def test_delete_my_data_counts_then_deletes_only_the_persons_private_rows(engine: Engine) -> None:
    with Session(engine) as session:
        seed(session)
        seed(session, manager=STRANGER, report=MANAGER)  # a second 1:1 of the manager
        assert private_counts(session, TEAM, MANAGER).__dict__ == {
            "points": 4,
            "notes": 4,
            "pairs": 2,
            "checkins": 0,
        }
        assert private_counts(session, TEAM, REPORT).__dict__ == {
            "points": 2,
            "notes": 2,
            "pairs": 1,
            "checkins": 0,
        }
        assert len(private_posts(session, TEAM, MANAGER)) == 1  # their prompt listed them
        delete_private(session, TEAM, MANAGER)
        session.commit()
        left = rows_with(session, f"{MANAGER} {SECRET}")
        assert left == {}
        assert rows_with(session, f"{REPORT} {SECRET}") == {
            "talking_point.text": 2,
            "note.text": 2,
        }
        assert rows_with(session, SHARED)["talking_point.text"] == 8  # shared points stay
        assert private_counts(session, TEAM, MANAGER).empty


def test_a_history_is_deleted_after_the_grace_unless_someone_objects(engine: Engine) -> None:
    with Session(engine) as session:
        pair, _ = seed(session)
        kept, _ = seed(session, manager=STRANGER, report=MANAGER)
        pair_id, kept_id = id_of(pair), id_of(kept)
        with pytest.raises(NotAllowed):
            request_history_deletion(session, Actor(TEAM, STRANGER), pair_id, now=NOW)
        request, new = request_history_deletion(session, Actor(TEAM, REPORT), pair_id, now=NOW)
        assert new and request.other_id == MANAGER and request.due_at == NOW + GRACE
        assert session.get(Pair, pair_id).ended_at == NOW  # type: ignore[union-attr]
        assert request_history_deletion(session, Actor(TEAM, REPORT), pair_id, now=NOW)[1] is False
        with pytest.raises(NotAllowed):
            object_to_deletion(session, Actor(TEAM, STRANGER), pair_id, now=NOW)
        objected = object_to_deletion(session, Actor(TEAM, MANAGER), pair_id, now=NOW)
        assert objected.objected_by == MANAGER
        query = select(DueWork).where(DueWork.key == erase_key(pair_id))  # type: ignore[arg-type]
        work = session.execute(query).scalar_one()
        assert work.outcome == CANCELLED
        assert begin_erase(session, pair_id, now=NOW + GRACE) == CANCELLED
        with pytest.raises(Invalid, match="objected"):
            request_history_deletion(session, Actor(TEAM, REPORT), pair_id, now=NOW)

        request_history_deletion(session, Actor(TEAM, STRANGER), kept_id, now=NOW)
        meetings = meeting_ids(session, kept_id)
        assert begin_erase(session, kept_id, now=NOW + GRACE) is None
        with pytest.raises(Invalid, match="Too late"):
            object_to_deletion(session, Actor(TEAM, MANAGER), kept_id, now=NOW + GRACE)
        posts = {(p.channel, p.ts) for p in history_posts(session, kept_id)}
        assert {("G1", "100.1"), ("G1", "100.2"), ("G1", f"{kept_id}.4")} <= posts
        assert len(posts) == 4  # and the report's prompt
        delete_history(session, kept_id)
        session.commit()
        assert rows_referencing(session, {kept_id}, meetings) == {}
        assert rows_with(session, f"{STRANGER} ") == {}  # every text of that 1:1 is gone
        assert rows_with(session, f"{MANAGER} {SHARED}")["talking_point.text"] == 2  # the other 1:1
        assert rows_referencing(session, {pair_id}, meeting_ids(session, pair_id))


def test_someone_who_left_has_their_series_ended_and_private_data_forgotten(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        pair, _ = seed(session)
        pair_id = id_of(pair)
        assert mark_left(session, TEAM, "U_NEVER_PAIRED", now=NOW) == []
        assert session.get(Person, (TEAM, "U_NEVER_PAIRED")) is None  # nothing stored
        ended = mark_left(session, TEAM, REPORT, now=NOW)
        assert [p.id for p in ended] == [pair_id]
        assert session.get(Pair, pair_id).ended_at == NOW  # type: ignore[union-attr]
        query = select(DueWork).where(DueWork.kind == WorkKind.NOTICE)  # type: ignore[arg-type]
        notices = session.execute(query).scalars().all()
        assert [(n.key, n.user_id) for n in notices] == [
            (f"notice:left:{pair_id}:{MANAGER}", MANAGER)
        ]
        retention = timedelta(days=30)
        assert due_forgetting(session, now=NOW + timedelta(days=29), retention=retention) == 0
        assert due_forgetting(session, now=NOW + retention, retention=retention) == 1
        assert due_forgetting(session, now=NOW + retention, retention=retention) == 0
        forget_person(session, TEAM, REPORT)
        session.commit()
        assert rows_with(session, f"{REPORT} {SECRET}") == {}
        assert rows_with(session, f"{REPORT} {SHARED}") == {"talking_point.text": 2}
        assert session.get(Person, (TEAM, REPORT)) is None
        assert rows_with(session, f"{MANAGER} {SECRET}") == {
            "talking_point.text": 2,
            "note.text": 2,
        }


def test_sqlite_keeps_no_bytes_of_deleted_text_in_the_file_or_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "secure.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session:
        seed(session)
    assert checkpoint_wal(engine)  # everything is in the database file now
    assert SECRET.encode() in path.read_bytes()
    with Session(engine) as session:  # written again, so the WAL holds pages with it too
        for note in session.execute(select(Note)).scalars():
            note.version += 1
            session.add(note)
        session.commit()
    with Session(engine) as session:
        delete_private(session, TEAM, MANAGER)
        delete_private(session, TEAM, REPORT)
        session.commit()
    assert checkpoint_wal(engine)
    wal = Path(f"{path}-wal")
    for file in (path, wal):
        data = file.read_bytes() if file.exists() else b""
        assert SECRET.encode() not in data, file.name
    assert SHARED.encode() in path.read_bytes()
    engine.dispose()
