"""The schema, the engine settings and event deduplication, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel

from store.db import create_db_engine, session_factory
from store.events import prune_events, record_event
from store.migrate import alembic_config, upgrade
from store.models import (
    ActionItem,
    DueWork,
    Meeting,
    Pair,
    PointCarry,
    ProcessedEvent,
    TalkingPoint,
    UploadedFile,
)
from tests.db_fixtures import sqlite_engine

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def make_pair(**overrides: object) -> Pair:
    values: dict[str, object] = {
        "team_id": "T1",
        "manager_id": "UMGR",
        "report_id": "UREP",
        "people_key": "UMGR:UREP",
        "weekday": 1,
        "local_time": time(10, 0),
        "timezone": "America/New_York",
        "first_date": date(2026, 12, 1),
        "created_at": NOW,
    }
    values.update(overrides)
    return Pair(**values)


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0016"


def test_timestamps_come_back_utc_and_aware(engine: Engine) -> None:
    tokyo = timezone(timedelta(hours=9))
    with Session(engine) as session:
        pair = make_pair(created_at=datetime(2026, 11, 28, 21, 30, tzinfo=tokyo))
        session.add(pair)
        session.commit()
        pair_id = pair.id
    with Session(engine) as session:
        stored = session.get(Pair, pair_id)
        assert stored is not None
        assert stored.created_at == datetime(2026, 11, 28, 12, 30, tzinfo=UTC)
        assert stored.created_at.utcoffset() == timedelta(0)
        assert stored.local_time == time(10, 0)


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(make_pair(created_at=datetime(2026, 11, 28, 12, 0)))
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()


def test_one_active_pair_per_manager_and_report(engine: Engine) -> None:
    with Session(engine) as session:
        first = make_pair()
        session.add(first)
        session.commit()
        session.add(make_pair())
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        first.ended_at = NOW
        session.add(first)
        session.commit()
        session.add(make_pair())
        session.commit()
        assert len(session.exec(select(Pair)).all()) == 2


def test_meeting_slots_are_unique_per_pair(engine: Engine) -> None:
    with Session(engine) as session:
        pair = make_pair()
        session.add(pair)
        session.commit()
        for _ in range(2):
            session.add(
                Meeting(team_id="T1", pair_id=pair.id, slot_at=NOW, starts_at=NOW, created_at=NOW)
            )
        with pytest.raises(IntegrityError):
            session.commit()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Meeting(team_id="T1", pair_id=999, slot_at=NOW, starts_at=NOW, created_at=NOW))
        with pytest.raises(IntegrityError):
            session.commit()


def test_an_event_is_recorded_once_and_pruned_after_a_day(engine: Engine) -> None:
    with Session(engine) as session:
        assert record_event(session, event_id="Ev1", team_id="T1", now=NOW) is True
        assert record_event(session, event_id="Ev1", team_id="T1", now=NOW) is False
        assert record_event(session, event_id="Ev2", team_id="T1", now=NOW + timedelta(hours=23))
        assert prune_events(session, now=NOW + timedelta(days=1, minutes=1)) == 1
        remaining = session.exec(select(ProcessedEvent.event_id)).scalars().all()
    assert remaining == ["Ev2"]


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_sqlite_serves_several_threads(tmp_path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    errors: list[BaseException] = []

    def record(n: int) -> None:
        try:
            for i in range(20):
                with sessions() as session:
                    record_event(session, event_id=f"Ev{n}-{i}", team_id="T1", now=NOW)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        assert len(session.exec(select(ProcessedEvent)).all()) == 80


def test_0003_gives_open_meetings_from_before_0002_their_summary_work(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0002")
    with Session(engine) as session:
        pair_id = old_pair(session)
        session.commit()
        starts = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        for slot, closed in ((starts, None), (starts - timedelta(days=7), NOW)):
            session.add(
                Meeting(
                    team_id="T1",
                    pair_id=pair_id,
                    slot_at=slot,
                    starts_at=slot,
                    duration_minutes=30,
                    closed_at=closed,
                    created_at=NOW,
                )
            )
        session.commit()
        open_id = session.scalar(select(Meeting.id).where(Meeting.starts_at == starts))
    upgrade(engine)
    upgrade(engine)  # and only once
    with Session(engine) as session:
        work = session.scalars(select(DueWork)).all()
    assert [(w.key, w.kind, w.meeting_id, w.next_attempt_at) for w in work] == [
        (f"summary:{open_id}", "summary", open_id, starts + timedelta(minutes=90))
    ]


def old_pair(
    session: Session,
    *,
    manager_id: str = "UMGR",
    report_id: str = "UREP",
    later: bool = False,
    people_key: str | None = None,
) -> int:
    """A pair inserted as the table was before 0007 (the model has later columns); with
    `people_key`, as it was from 0007 to 0011."""
    created = NOW + timedelta(hours=1) if later else NOW
    values: dict[str, object] = {
        "team_id": "T1",
        "manager_id": manager_id,
        "report_id": report_id,
        "cadence": "weekly",
        "weekday": 1,
        "local_time": time(10, 0),
        "timezone": "America/New_York",
        "first_date": date(2026, 12, 1),
        "duration_minutes": 30,
        "prompt_lead_minutes": 1440,
        "agenda_lead_minutes": 30,
        "created_at": created.replace(tzinfo=None),
    }
    if people_key is not None:
        values["people_key"] = people_key
    types = {"local_time": sa.Time(), "first_date": sa.Date(), "created_at": sa.DateTime()}
    columns = (sa.column(name, types.get(name)) for name in values)
    table = sa.table("pair", sa.column("id"), *columns)
    statement = table.insert().values(**values).returning(sa.column("id"))
    return int(session.execute(statement).scalar_one())


def action_item_at_0002() -> sa.TableClause:
    """The action_item table as it is at 0002."""
    names = ("id", "team_id", "pair_id", "meeting_id", "owner_id", "text", "created_by")
    return sa.table("action_item", *(sa.column(name) for name in (*names, "created_at")))


def due_work_at_0002() -> sa.TableClause:
    """The due_work table as it is at 0002 (the model has columns of later revisions)."""
    names = ("team_id", "key", "kind", "action_item_id", "next_attempt_at", "attempts")
    return sa.table("due_work", *(sa.column(name) for name in names))


def test_0003_keeps_every_row_records_old_carries_and_never_reuses_ids(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0002")
    week1 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    with Session(engine, expire_on_commit=False) as session:
        pair_id = old_pair(session)
        session.commit()
        first, second = (
            Meeting(team_id="T1", pair_id=pair_id, slot_at=at, starts_at=at, created_at=NOW)
            for at in (week1, week1 + timedelta(days=7))
        )
        first.closed_at, first.summary_ts = week1 + timedelta(hours=1), "pending"
        session.add_all([first, second])
        session.commit()
        point_id = old_point(session, second.id, "Stuck", carried_count=1)
        session.commit()
        item_id = session.execute(
            action_item_at_0002()
            .insert()
            .values(
                team_id="T1",
                pair_id=pair_id,
                meeting_id=first.id,
                owner_id="UREP",
                text="Do it",
                created_by="UMGR",
                created_at=NOW.replace(tzinfo=None),
            )
            .returning(sa.column("id"))
        ).scalar_one()
        session.commit()
        session.execute(
            due_work_at_0002()
            .insert()
            .values(
                team_id="T1",
                key="r",
                kind="reminder",
                action_item_id=item_id,
                next_attempt_at=NOW.replace(tzinfo=None),
                attempts=0,
            )
        )
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        assert session.scalars(select(TalkingPoint.text)).all() == ["Stuck"]
        assert session.scalar(select(DueWork.action_item_id)) == item_id
        carries = session.execute(select(PointCarry.point_id, PointCarry.from_meeting_id)).all()
        assert [tuple(c) for c in carries] == [(point_id, first.id)]
        assert session.get(Meeting, first.id).summary_ts is None  # the old claim, released
        session.execute(delete(PointCarry))
        session.execute(delete(DueWork))
        session.execute(delete(TalkingPoint))
        session.execute(delete(ActionItem))
        session.commit()
        again = TalkingPoint(
            team_id="T1", meeting_id=second.id, author_id="UMGR", text="New", created_at=NOW
        )
        other = ActionItem(
            team_id="T1",
            pair_id=pair_id,
            owner_id="UREP",
            text="New",
            created_by="UMGR",
            created_at=NOW,
        )
        session.add_all([again, other])
        session.commit()
        assert again.id > point_id and other.id > item_id  # a deleted row's id never returns
        session.add(
            TalkingPoint(team_id="T1", meeting_id=10**6, author_id="U", text="x", created_at=NOW)
        )
        with pytest.raises(IntegrityError):  # foreign keys are on again
            session.commit()


def test_a_reading_session_never_waits_for_a_writer_on_sqlite(tmp_path) -> None:
    sessions = session_factory(sqlite_engine(tmp_path))
    with sessions() as writer:
        writer.add(make_pair())
        writer.flush()  # BEGIN IMMEDIATE: the write lock is held until commit
        with sessions.read() as reader:  # a writing session would wait here, then fail
            assert reader.scalars(select(Pair)).all() == []  # the last committed state
        writer.commit()
    with sessions.read() as reader:
        assert len(reader.scalars(select(Pair)).all()) == 1


def test_0006_keeps_action_item_ids_from_coming_back(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0005")
    with Session(engine) as session:
        pair_id = old_pair(session)
        session.commit()
        items = action_item_at_0002()
        for label in ("one", "two", "three"):
            values = dict(team_id="T1", pair_id=pair_id, owner_id="UREP", text=label)
            row = values | {"created_by": "UMGR", "created_at": NOW.replace(tzinfo=None)}
            session.execute(items.insert().values(**row))
        session.execute(text("DELETE FROM action_item WHERE text = 'three'"))
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        item = ActionItem(
            team_id="T1", pair_id=1, owner_id="UREP", text="four", created_by="U", created_at=NOW
        )
        session.add(item)
        session.commit()
        assert item.id == 4  # the deleted third item's id is never handed out again


def test_0007_ends_the_newer_of_two_pairs_between_the_same_people_and_tells_both(
    engine: Engine,
) -> None:
    command.downgrade(alembic_config(engine), "0006")
    with Session(engine) as session:
        older = old_pair(session)
        newer = old_pair(session, manager_id="UREP", report_id="UMGR", later=True)
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        kept, ended = session.get(Pair, older), session.get(Pair, newer)
        assert kept.ended_at is None and kept.people_key == "UMGR:UREP"
        assert ended.ended_at is not None and ended.people_key == "UMGR:UREP"
        notices = session.scalars(select(DueWork).where(DueWork.kind == "notice")).all()
        assert sorted(w.user_id for w in notices) == ["UMGR", "UREP"]
        assert {w.key.split(":")[2] for w in notices} == {str(newer)}


def old_point(session: Session, meeting_id: int, text: str, *, carried_count: int = 0) -> int:
    """A talking point inserted as the table was before 0009 (the model has later columns)."""
    names = ("team_id", "meeting_id", "author_id", "text", "is_private", "discussed")
    names += ("carried_count", "position", "created_at")
    table = sa.table("talking_point", sa.column("id"), *(sa.column(n) for n in names))
    values = dict(team_id="T1", meeting_id=meeting_id, author_id="UMGR", text=text)
    values |= dict(is_private=False, discussed=False, carried_count=carried_count, position=1)
    row = values | {"created_at": NOW.replace(tzinfo=None)}
    statement = table.insert().values(**row).returning(sa.column("id"))
    return int(session.execute(statement).scalar_one())


def test_0009_gives_points_a_source_and_keeps_every_row_and_id(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0008")
    with Session(engine) as session:
        pair_id = old_pair(session, people_key="UMGR:UREP")
        session.commit()
        at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        meeting = Meeting(team_id="T1", pair_id=pair_id, slot_at=at, starts_at=at, created_at=NOW)
        session.add(meeting)
        session.commit()
        for label in ("kept", "deleted"):
            old_point(session, meeting.id, label)
        session.execute(text("DELETE FROM talking_point WHERE text = 'deleted'"))
        session.commit()
        meeting_id = meeting.id
    upgrade(engine)
    with Session(engine) as session:
        kept = session.scalars(select(TalkingPoint)).one()
        assert (kept.text, kept.source_url, kept.source_channel) == ("kept", None, None)
        shared = TalkingPoint(
            team_id="T1",
            meeting_id=meeting_id,
            author_id="UMGR",
            text="Hiring plan",
            source_url="https://acme.slack.com/archives/C1/p1",
            source_channel="#general",
            created_at=NOW,
        )
        session.add(shared)
        session.commit()
        assert shared.id == 3  # the deleted point's id is never handed out again
        assert session.get(TalkingPoint, 3).source_channel == "#general"
    command.downgrade(alembic_config(engine), "0008")  # and back: the rows stay, ids too
    with Session(engine) as session:
        left = session.execute(text("SELECT id, text FROM talking_point ORDER BY id")).all()
        assert [tuple(r) for r in left] == [(1, "kept"), (3, "Hiring plan")]
    upgrade(engine)


def test_0011_records_uploaded_files_once_each_and_goes_back_cleanly(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0010")
    assert "uploaded_file" not in sa.inspect(engine).get_table_names()
    upgrade(engine)
    with Session(engine) as session:
        values = dict(team_id="T1", user_id="UREP", channel_id="D1", kind="export")
        session.add(UploadedFile(file_id="F1", filename="a.md", created_at=NOW, **values))
        session.commit()
        session.add(UploadedFile(file_id="F1", filename="again.md", created_at=NOW, **values))
        with pytest.raises(IntegrityError):  # a Slack file is recorded once per workspace
            session.commit()
        session.rollback()
        stored = session.scalars(select(UploadedFile)).one()
        assert (stored.file_id, stored.created_at) == ("F1", NOW)
        session.add(make_pair())
        session.commit()
    command.downgrade(alembic_config(engine), "0010")  # and back: the other tables stay
    assert "uploaded_file" not in sa.inspect(engine).get_table_names()
    with Session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM pair")).scalar_one() == 1
    upgrade(engine)
