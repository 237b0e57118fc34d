"""Deletion through the real request path (signed requests, the fake Slack, the injected
clock): delete my data, ending a 1:1 and deleting its history after 7 days' grace (or not,
when someone objects), and someone who leaves the workspace."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from blocks import ids
from store.access import Actor
from store.checkins import record_checkin
from store.models import (
    CheckIn,
    Meeting,
    Note,
    Pair,
    PostedMessage,
    TalkingPoint,
    UploadedFile,
    WorkKind,
    id_of,
)
from tests.running_bot import RunningBot
from tests.test_weekly_loop import schedule


def click(bot: RunningBot, action_id: str, value: str, user_id: str) -> str:
    """Click a button; returns what the bot answered through the response_url."""
    name = f"click-{uuid.uuid4().hex}"
    bot.slack.block_actions(
        [{"type": "button", "action_id": action_id, "value": value, "action_ts": "1.1"}],
        user_id=user_id,
        response_url=bot.fake.response_url(name),
    )
    bot.settle()
    return str(bot.fake.responses(name))


def pair_id(bot: RunningBot) -> int:
    with bot.db.read() as session:
        pair = session.exec(select(Pair)).first()
    assert pair is not None and pair.id is not None
    return pair.id


def dms_to(bot: RunningBot, user_id: str) -> list[str]:
    return [
        str(c.args.get("blocks"))
        for c in bot.fake.delivered("chat.postMessage")
        if c.args.get("channel") in (user_id, f"D{user_id}")
    ]


def private_rows(bot: RunningBot, user_id: str) -> tuple[int, int]:
    with bot.db.read() as session:
        points = session.exec(
            select(TalkingPoint).where(
                TalkingPoint.author_id == user_id, col(TalkingPoint.is_private)
            )
        ).all()
        notes = session.exec(
            select(Note).where(Note.owner_id == user_id, col(Note.is_private))
        ).all()
    return len(points), len(notes)


def add_private_note(bot: RunningBot, user_id: str, text: str) -> None:
    """A private note on the next meeting, as the notes form would save it."""
    from datetime import UTC

    from store.models import Meeting

    with bot.db() as session:
        meeting = session.exec(select(Meeting)).first()
        assert meeting is not None and meeting.id is not None
        session.add(
            Note(
                team_id="T0001",
                meeting_id=meeting.id,
                is_private=True,
                owner_id=user_id,
                text=text,
                updated_by=user_id,
                updated_at=bot.clock().astimezone(UTC),
            )
        )
        session.commit()


def to_the_agenda(bot: RunningBot) -> dict[str, Any]:
    """Prompts (24 h before the Tue 15:00 UTC 1:1), then the agenda post (30 min before)."""
    bot.clock.advance(hours=4)
    bot.tick()
    bot.clock.advance(hours=22, minutes=31)
    assert bot.tick().counts.get("agenda_sent") == 1
    (agenda,) = [
        c for c in bot.fake.delivered("chat.postMessage") if str(c.args["channel"]).startswith("G")
    ]
    return agenda.response if isinstance(agenda.response, dict) else {}


def test_delete_my_data_shows_the_counts_then_deletes_and_updates_the_posts(
    bot: RunningBot,
) -> None:
    schedule(bot)
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.slack.command("add roadmap", user_id="U_REPORT")
    bot.settle()
    add_private_note(bot, "U_REPORT", "thinking of leaving")
    agenda = to_the_agenda(bot)
    (prompt,) = [d for d in bot.fake.delivered("chat.postMessage") if "my raise" in str(d.args)]

    bot.slack.command("delete-my-data", user_id="U_REPORT")
    bot.settle()
    (opened,) = bot.fake.delivered("views.open")
    modal = str(opened.args["view"])
    assert "1 private talking point and 1 private note, across 1 1:1" in modal
    assert ids.EXPORT in modal  # the export is offered first
    assert private_rows(bot, "U_REPORT") == (1, 1)  # nothing goes before the confirmation

    bot.slack.view_submission(
        {"callback_id": ids.DELETE_MY_DATA_MODAL, "state": {"values": {}}}, user_id="U_REPORT"
    )
    bot.settle()
    assert private_rows(bot, "U_REPORT") == (0, 0)
    deleted = [(c.args["channel"], c.args["ts"]) for c in bot.fake.delivered("chat.delete")]
    assert deleted == [(prompt.response["channel"], prompt.response["ts"])]  # type: ignore[index]
    updated = [c.args["ts"] for c in bot.fake.delivered("chat.update")]
    assert agenda["ts"] in updated  # re-rendered (it never showed the private point)
    assert "roadmap" in str(bot.fake.message(agenda["channel"], agenda["ts"]))
    assert any("Deleted 1 private talking point" in d for d in dms_to(bot, "U_REPORT"))
    with bot.db.read() as session:
        assert (
            session.exec(
                select(PostedMessage).where(PostedMessage.ts == prompt.response["ts"])
            ).first()
            is None
        )  # type: ignore[index]


def test_delete_my_data_counts_and_deletes_check_in_answers_too(bot: RunningBot) -> None:
    schedule(bot)
    with bot.db() as session:
        meeting = session.exec(select(Meeting)).one()
        record_checkin(session, Actor("T0001", "U_REPORT"), id_of(meeting), 4, now=bot.clock())
    bot.slack.command("delete-my-data", user_id="U_REPORT")
    bot.settle()
    (opened,) = bot.fake.delivered("views.open")
    modal = str(opened.args["view"])
    assert "0 private talking points, 0 private notes and 1 check-in answer, across 1 1:1" in modal
    assert "'submit'" in modal  # something to delete: the button is there
    bot.slack.view_submission(
        {"callback_id": ids.DELETE_MY_DATA_MODAL, "state": {"values": {}}}, user_id="U_REPORT"
    )
    bot.settle()
    with bot.db.read() as session:
        assert session.exec(select(CheckIn)).all() == []
    assert any(
        "Deleted 0 private talking points, 0 private notes and 1 check-in" in d
        for d in dms_to(bot, "U_REPORT")
    )


def test_ending_and_deleting_waits_seven_days_and_an_objection_keeps_the_history(
    bot: RunningBot,
) -> None:
    schedule(bot)
    bot.slack.command("add roadmap", user_id="U_MANAGER")
    bot.settle()
    to_the_agenda(bot)
    pair = pair_id(bot)
    answer = click(bot, ids.DELETE_HISTORY, str(pair), "U_REPORT")
    assert "will be deleted on" in answer
    told = dms_to(bot, "U_MANAGER")[-1]
    assert ids.EXPORT in told and ids.OBJECT_DELETION in told  # export and objection offered
    assert "isn't one of yours" in click(bot, ids.OBJECT_DELETION, str(pair), "U_STRANGER")
    assert "isn't one of yours" in click(bot, ids.DELETE_HISTORY, str(pair), "U_STRANGER")

    assert "objected" in click(bot, ids.OBJECT_DELETION, str(pair), "U_MANAGER")
    assert "objected" in dms_to(bot, "U_REPORT")[-1]  # both are told
    bot.clock.advance(days=8)
    report = bot.tick()
    assert not report.counts.get("erase_erased")
    assert bot.fake.delivered("chat.delete") == []
    with bot.db.read() as session:
        assert session.get(Pair, pair) is not None and session.exec(select(TalkingPoint)).all()
    assert "objected" in click(bot, ids.DELETE_HISTORY, str(pair), "U_REPORT")  # it stays


def test_without_an_objection_the_history_goes_after_seven_days_with_its_posts(
    bot: RunningBot,
) -> None:
    schedule(bot)
    bot.slack.command("add roadmap", user_id="U_MANAGER")
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.settle()
    agenda = to_the_agenda(bot)
    pair = pair_id(bot)
    answer = click(bot, ids.DELETE_HISTORY, str(pair), "U_MANAGER")
    assert "will be deleted on" in answer
    assert "asked to delete its history" in dms_to(bot, "U_REPORT")[-1]
    bot.clock.advance(days=6, hours=23)
    assert not bot.tick().counts.get("erase_erased")
    bot.clock.advance(hours=1)
    assert bot.tick().counts.get("erase_erased") == 1
    deleted = {(c.args["channel"], c.args["ts"]) for c in bot.fake.delivered("chat.delete")}
    assert (agenda["channel"], agenda["ts"]) in deleted  # the group-DM post
    prompts = {str(c.args["channel"]) for c in bot.fake.delivered("chat.delete")}
    assert {"DU_MANAGER", "DU_REPORT"} <= prompts  # and the DMs about it
    assert bot.fake.messages(agenda["channel"]) == []
    with bot.db.read() as session:
        assert session.get(Pair, pair) is None
        assert session.exec(select(TalkingPoint)).all() == []
        assert session.exec(select(PostedMessage)).all() == []
    bot.clock.advance(days=1)
    assert not bot.tick().counts.get("erase_erased")  # exactly once


def test_someone_who_leaves_ends_their_series_and_their_private_data_goes_after_retention(
    bot: RunningBot,
) -> None:
    schedule(bot)
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.slack.command("add private their growth", user_id="U_MANAGER")
    bot.settle()
    gone = {"id": "U_REPORT", "team_id": "T0001", "deleted": True, "profile": {}}
    assert bot.slack.event({"type": "user_change", "user": gone}).status == 200
    bot.settle()
    with bot.db.read() as session:
        ended = session.get(Pair, pair_id(bot))
        assert ended is not None and ended.ended_at is not None
    assert bot.tick().counts.get("notice_sent") == 1
    assert "left the workspace" in dms_to(bot, "U_MANAGER")[-1]
    bot.clock.advance(days=29)
    bot.tick()
    assert private_rows(bot, "U_REPORT") == (1, 0)
    bot.clock.advance(days=1)
    assert bot.tick().counts.get("forget_forgotten") == 1
    assert private_rows(bot, "U_REPORT") == (0, 0)
    assert private_rows(bot, "U_MANAGER") == (1, 0)  # the other person's stay


def test_slack_refusing_a_persons_id_ends_their_series(bot: RunningBot) -> None:
    schedule(bot)
    bot.fake.fail("chat.postMessage", error="account_inactive")
    bot.clock.advance(hours=4)
    report = bot.tick()
    assert report.counts.get(f"{WorkKind.PROMPT}_gone") == 1
    with bot.db.read() as session:
        ended = session.get(Pair, pair_id(bot))
        assert ended is not None and ended.ended_at is not None
    assert report.counts.get("notice_sent") == 1


def test_the_export_files_the_bot_sent_go_with_the_data_they_hold(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.slack.command("add roadmap", user_id="U_MANAGER")
    bot.settle()
    for person in ("U_REPORT", "U_MANAGER"):
        bot.slack.command("export", user_id=person)
        bot.settle()
    shared = {f.file_id for f in bot.fake.files()}
    assert len(shared) == 4  # Markdown and CSV for each

    bot.slack.view_submission(
        {"callback_id": ids.DELETE_MY_DATA_MODAL, "state": {"values": {}}}, user_id="U_REPORT"
    )
    bot.settle()
    deleted = {str(c.args["file"]) for c in bot.fake.delivered("files.delete")}
    assert len(deleted) == 2 and deleted < shared  # the report's own exports
    assert {f.file_id for f in bot.fake.files()} == shared - deleted
    with bot.db.read() as session:
        assert {f.user_id for f in session.exec(select(UploadedFile)).all()} == {"U_MANAGER"}

    click(bot, ids.DELETE_HISTORY, str(pair_id(bot)), "U_MANAGER")
    bot.clock.advance(days=7, minutes=1)
    assert bot.tick().counts.get("erase_erased") == 1
    assert bot.fake.files() == []  # the manager's export held this 1:1's history too
    with bot.db.read() as session:
        assert session.exec(select(UploadedFile)).all() == []


def test_someone_who_comes_back_keeps_their_private_data(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.settle()
    user = {"id": "U_REPORT", "team_id": "T0001", "profile": {}}
    bot.slack.event({"type": "user_change", "user": user | {"deleted": True}})
    bot.settle()
    bot.tick()
    bot.clock.advance(days=10)
    bot.slack.event({"type": "user_change", "user": user | {"deleted": False}})
    bot.settle()
    bot.clock.advance(days=30)
    assert "forget_forgotten" not in bot.tick().counts
    assert private_rows(bot, "U_REPORT") == (1, 0)


def test_a_return_just_before_the_deletion_runs_stops_it_and_a_later_departure_starts_again(
    bot: RunningBot,
) -> None:
    from datetime import timedelta

    from store.deletion import due_forgetting

    schedule(bot)
    bot.slack.command("add private my raise", user_id="U_REPORT")
    bot.settle()
    user = {"id": "U_REPORT", "team_id": "T0001", "profile": {}}
    bot.slack.event({"type": "user_change", "user": user | {"deleted": True}})
    bot.settle()
    bot.tick()
    bot.clock.advance(days=30)
    with bot.db() as session:  # the deletion falls due …
        assert due_forgetting(session, now=bot.clock.now, retention=timedelta(days=30)) == 1
    bot.slack.event({"type": "user_change", "user": user | {"deleted": False}})  # … they return
    bot.settle()
    assert bot.tick().counts.get("forget_cancelled") == 1
    assert private_rows(bot, "U_REPORT") == (1, 0)
    bot.slack.event({"type": "user_change", "user": user | {"deleted": True}})  # and leave again
    bot.settle()
    bot.tick()
    bot.clock.advance(days=30)
    assert bot.tick().counts.get("forget_forgotten") == 1
    assert private_rows(bot, "U_REPORT") == (0, 0)
