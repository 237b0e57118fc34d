"""Findings of the outside review, each through the real request path: stale and forged
payloads get a clear refusal, never a 404 or 500."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from blocks import ids
from store.models import ActionItem, DueWork, Meeting, Pair, TalkingPoint
from store.questions import BANK
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, RunningBot, start_bot, stop_bot
from tests.test_follow_ups_flow import tick_at
from tests.test_notes_flow import item_values, open_notes, rich, row_keys, submit
from tests.test_weekly_loop import schedule

REFUSAL = "That button doesn't belong to one of your 1:1s."


def pair_and_meeting(bot: RunningBot) -> tuple[int, int]:
    with bot.db.read() as session:
        meeting = session.exec(select(Meeting)).first()
    assert meeting is not None and meeting.id is not None
    return meeting.pair_id, meeting.id


def click(bot: RunningBot, action: dict[str, Any], user_id: str = "U_MANAGER") -> str:
    name = f"click-{uuid.uuid4().hex}"
    reply = bot.slack.block_actions(
        [action], user_id=user_id, response_url=bot.fake.response_url(name)
    )
    assert reply.status == 200
    bot.settle()
    return str(bot.fake.responses(name))


# --- 7: an old "Add a talking point" button after the series ended --------------------------


def test_an_add_button_of_an_ended_series_says_it_has_ended(bot: RunningBot) -> None:
    schedule(bot)
    pair_id, _ = pair_and_meeting(bot)
    with bot.db() as session:
        pair = session.get(Pair, pair_id)
        assert pair is not None
        pair.ended_at = bot.clock()
        session.add(pair)
        session.commit()
    answer = click(bot, {"type": "button", "action_id": ids.ADD_POINT, "value": str(pair_id)})
    assert "This 1:1 has ended." in answer
    assert bot.fake.calls("views.open") == []
    submitted = bot.slack.view_submission(
        {
            "callback_id": ids.ADD_POINT_MODAL,
            "private_metadata": json.dumps({"pair": pair_id}),
            "state": {"values": {ids.POINT_TEXT: {ids.VALUE: {"value": "late topic"}}}},
        },
        user_id="U_MANAGER",
    )
    assert submitted.status == 200
    bot.settle()
    dms = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"]
    assert "This 1:1 has ended." in str(dms[-1].args)
    with bot.db.read() as session:
        assert session.exec(select(TalkingPoint)).all() == []


# --- 8: forged or malformed values ----------------------------------------------------------

HUGE = ["9" * 30, str(2**31), "-1", "0", "1e9", "١٢٣", " 12", ""]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    "action_id", [ids.SKIP, ids.RESCHEDULE, ids.PAUSE, ids.END, ids.ITEM_DONE, ids.TAKE_NOTES]
)
def test_forged_button_values_are_refused_with_one_answer(
    bot: RunningBot, action_id: str, value: str
) -> None:
    schedule(bot)
    answer = click(bot, {"type": "button", "action_id": action_id, "value": value})
    assert REFUSAL in answer or "isn't one of yours" in answer, answer


@pytest.mark.parametrize("metadata", ["9" * 30, str(2**40), "x", ""])
def test_forged_modal_metadata_is_refused(bot: RunningBot, metadata: str) -> None:
    schedule(bot)
    reply = bot.slack.view_submission(
        {
            "callback_id": ids.PAUSE_MODAL,
            "private_metadata": metadata,
            "state": {"values": {ids.PAUSE_UNTIL: {ids.VALUE: {"selected_date": "2027-01-05"}}}},
        },
        user_id="U_MANAGER",
    )
    assert reply.status == 200
    bot.settle()
    dms = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"]
    assert REFUSAL in str(dms[-1].args) or "isn't one of yours" in str(dms[-1].args)


def test_a_due_date_that_does_not_exist_and_a_huge_indent_do_not_break_the_notes(
    bot: RunningBot,
) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    view = open_notes(bot, "U_MANAGER")
    (key,) = row_keys(view)
    deep = {
        "type": "rich_text_input",
        "rich_text_value": {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "indent": 10**12,
                    "elements": [rich("nested")["rich_text_value"]["elements"][0]],
                }
            ],
        },
    }
    values = item_values(key, "Write the RFC", "U_REPORT", "2027-02-30") | {
        ids.NOTES_SHARED: {ids.VALUE: deep}
    }
    assert submit(bot, view, values).status == 200
    with bot.db.read() as session:
        (item,) = session.exec(select(ActionItem)).all()
    assert item.text == "Write the RFC" and item.due_date is None


def test_forged_ids_in_notes_metadata_are_refused(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    view = open_notes(bot, "U_MANAGER")
    meta = json.loads(view["private_metadata"])
    meta["points"] = [2**40]
    forged = {**view, "private_metadata": json.dumps(meta)}
    reply = submit(bot, forged, {ids.NOTES_SHARED: {ids.VALUE: rich("x")}})
    assert reply.status == 200
    dms = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"]
    assert "isn't one of yours" in str(dms[-1].args) or REFUSAL in str(dms[-1].args)


# --- 11: "Add this" on a question that comes round again -------------------------------------


def test_add_this_for_the_same_question_a_later_meeting_adds_it_again(bot: RunningBot) -> None:
    schedule(bot)
    pair_id, _ = pair_and_meeting(bot)
    button = {"type": "button", "action_id": ids.ADD_QUESTION, "value": f"{pair_id}:{BANK[0].key}"}
    click(bot, {**button, "action_ts": "1.1"}, "U_REPORT")
    click(bot, {**button, "action_ts": "1.2"}, "U_REPORT")  # a double click: once
    tick_at(bot, "2026-12-01 15:31")  # the meeting is over; the next one is next week
    click(bot, {**button, "action_ts": "1.3"}, "U_REPORT")
    with bot.db.read() as session:
        added = session.exec(select(TalkingPoint)).all()
    assert len(added) == 2 and len({p.origin_key for p in added}) == 2  # one per meeting


# --- 12: "Reschedule" on the Home tab opens the form ----------------------------------------


def test_reschedule_on_the_home_tab_opens_the_form(bot: RunningBot) -> None:
    schedule(bot)
    _, meeting_id = pair_and_meeting(bot)
    home = {"id": "VHOME1", "type": "home", "blocks": []}
    reply = bot.slack.block_actions(
        [{"type": "button", "action_id": ids.RESCHEDULE, "value": str(meeting_id)}],
        user_id="U_MANAGER",
        view=home,
    )
    assert reply.status == 200
    bot.settle()
    assert bot.fake.calls("views.update") == []
    (opened,) = bot.fake.calls("views.open")
    assert opened.args["view"]["callback_id"] == ids.RESCHEDULE_MODAL


# --- 9: a report who saves only private notes ------------------------------------------------


def test_private_only_notes_post_nothing_and_count_for_nothing(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 14:30")  # the agenda is posted
    tick_at(bot, "2026-12-01 15:05")  # the 1:1 is on
    before = {m.method: len(bot.fake.calls(m.method)) for m in bot.fake.calls()}
    view = open_notes(bot, "U_REPORT")
    assert submit(bot, view, {ids.NOTES_PRIVATE: {ids.VALUE: rich("for me")}}, "U_REPORT")
    group = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"][0] == "G"]
    assert [c for c in group if "summary" in str(c.args.get("text")).lower()] == []
    assert len(bot.fake.calls("chat.update")) == before.get("chat.update", 0)
    tick_at(bot, "2026-12-01 15:31")  # the meeting is over
    with bot.db.read() as session:
        meeting = session.exec(select(Meeting)).first()
    assert meeting is not None and meeting.status == "scheduled" and meeting.notes_saved_at is None
    nudge = tick_at(bot, "2026-12-01 16:31")  # an hour after: the nudge, as if nobody wrote
    assert nudge.get("summary_sent") == 1


# --- 1 and 2: a notes form sent twice; two people editing one action item --------------------


def items(bot: RunningBot) -> list[ActionItem]:
    with bot.db.read() as session:
        return list(session.exec(select(ActionItem)).all())


def test_a_notes_form_sent_twice_adds_its_action_items_once(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    view = open_notes(bot, "U_MANAGER")
    (key,) = row_keys(view)
    values = item_values(key, "Write the RFC", "U_REPORT", "2026-12-08")
    for _ in range(2):  # a double click on Save, or Save again after Slack's timeout
        assert submit(bot, view, values).status == 200
    assert [i.text for i in items(bot)] == ["Write the RFC"]
    with bot.db.read() as session:
        reminders = [w for w in session.exec(select(DueWork)) if w.kind == "reminder"]
    assert len(reminders) == 1


def saved_item_form(bot: RunningBot, user_id: str) -> tuple[dict[str, Any], str]:
    view = open_notes(bot, user_id)
    (key,) = [k for k in row_keys(view) if k.startswith("i")]
    return view, key


def test_two_people_editing_one_action_item_merge_field_by_field(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    first = open_notes(bot, "U_MANAGER")
    (new,) = row_keys(first)
    submit(bot, first, item_values(new, "Write RFC", "U_REPORT", "2026-12-08"))
    managers, key = saved_item_form(bot, "U_MANAGER")  # opened first
    reports, _ = saved_item_form(bot, "U_REPORT")
    submit(
        bot,
        reports,
        item_values(key, "Write the RFC, with numbers", "U_REPORT", "2026-12-08"),
        "U_REPORT",
    )
    moved = item_values(key, "Write RFC", "U_REPORT", "2026-12-10")  # only the due date
    assert submit(bot, managers, moved).status == 200
    (item,) = items(bot)
    assert (item.text, item.due_date.isoformat()) == ("Write the RFC, with numbers", "2026-12-10")


def test_two_people_changing_the_same_field_are_told_not_overwritten(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    first = open_notes(bot, "U_MANAGER")
    (new,) = row_keys(first)
    submit(bot, first, item_values(new, "Write RFC", "U_REPORT"))
    managers, key = saved_item_form(bot, "U_MANAGER")
    reports, _ = saved_item_form(bot, "U_REPORT")
    submit(bot, reports, item_values(key, "Report's wording", "U_REPORT"), "U_REPORT")
    reply = submit(bot, managers, item_values(key, "Manager's wording", "U_REPORT"))
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "changed this action item" in answer["errors"][f"{ids.ITEM_TEXT}:{key}"]
    assert [i.text for i in items(bot)] == ["Report's wording"]


# --- 3: the report can decline a new series, and leave one ---------------------------------


def test_the_report_declines_a_series_from_its_intro_and_the_manager_is_told(
    bot: RunningBot,
) -> None:
    schedule(bot)
    (intro,) = [
        c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_REPORT"
    ]
    (decline,) = [
        e
        for b in intro.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Decline"
    ]
    asked = click(bot, {**decline, "type": "button"}, "U_REPORT")
    assert "End your recurring 1:1 with <@U_MANAGER>?" in asked
    done = click(
        bot, {"type": "button", "action_id": ids.END_CONFIRM, "value": decline["value"]}, "U_REPORT"
    )
    assert "ended the recurring 1:1" in done
    told = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"]
    assert "<@U_REPORT> ended the recurring 1:1 with <@U_MANAGER>" in str(told[-1].args)
    with bot.db.read() as session:
        (pair,) = session.exec(select(Pair)).all()
    assert pair.ended_at is not None
    assert "prompt_sent" not in tick_at(bot, "2026-11-30 15:00")  # nothing more comes


def test_the_report_can_leave_a_series_with_the_command(bot: RunningBot) -> None:
    schedule(bot)
    name = "leave"
    bot.slack.command(
        "end <@U_MANAGER|m>", user_id="U_REPORT", response_url=bot.fake.response_url(name)
    )
    bot.settle()
    (asked,) = bot.fake.responses(name)
    confirm = [
        e
        for b in asked["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.END_CONFIRM
    ]
    assert confirm
    assert "ended" in click(bot, {**confirm[0], "type": "button"}, "U_REPORT")


# --- 6: dates at the edge --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("reschedule 9999-12-31 23:30", "at most a year ahead"),
        ("pause until 9999-12-31", "at most a year ahead"),
        ("reschedule 0001-01-01 00:00", "already passed"),
    ],
)
def test_dates_at_the_edge_are_refused_with_a_reason(
    bot: RunningBot, command: str, answer: str
) -> None:
    bot.slack.command("schedule <@U_STRANGER|s> tuesday 10:00", user_id="U_REPORT2")  # Kolkata
    bot.settle()
    name = f"edge-{uuid.uuid4().hex}"
    bot.slack.command(command, user_id="U_REPORT2", response_url=bot.fake.response_url(name))
    (reply,) = bot.fake.wait_for_response(name)
    assert answer in reply["text"] and "Try `/oneonone " in reply["text"]


@pytest.mark.parametrize(
    ("callback_id", "values", "field"),
    [
        (
            ids.RESCHEDULE_MODAL,
            {
                ids.RESCHEDULE_DATE: {ids.VALUE: {"selected_date": "9999-12-31"}},
                ids.RESCHEDULE_TIME: {ids.VALUE: {"selected_time": "23:30"}},
            },
            ids.RESCHEDULE_DATE,
        ),
        (
            ids.PAUSE_MODAL,
            {ids.PAUSE_UNTIL: {ids.VALUE: {"selected_date": "9999-12-31"}}},
            ids.PAUSE_UNTIL,
        ),
    ],
)
def test_far_dates_in_the_forms_are_refused_on_their_field(
    bot: RunningBot, callback_id: str, values: dict[str, Any], field: str
) -> None:
    schedule(bot)
    pair_id, meeting_id = pair_and_meeting(bot)
    metadata = str(meeting_id if callback_id == ids.RESCHEDULE_MODAL else pair_id)
    reply = bot.slack.view_submission(
        {"callback_id": callback_id, "private_metadata": metadata, "state": {"values": values}},
        user_id="U_MANAGER",
    )
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "at most a year ahead" in answer["errors"][field]


# --- 10: A schedules B while B schedules A -------------------------------------------------


def test_two_people_scheduling_each_other_at_once_get_one_series(
    engine: Engine, fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    bot = start_bot(fake_slack, tmp_path, clock, engine=engine)
    try:
        start = threading.Barrier(2)

        def schedule_other(user: str, other: str) -> None:
            start.wait()
            bot.slack.command(f"schedule <@{other}|x> tuesday 10:00", user_id=user)

        threads = [
            threading.Thread(target=schedule_other, args=pair)
            for pair in (("U_MANAGER", "U_REPORT"), ("U_REPORT", "U_MANAGER"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        bot.settle()
        with bot.db.read() as session:
            active = [p for p in session.exec(select(Pair)) if p.ended_at is None]
        assert len(active) == 1
    finally:
        stop_bot(bot)


def test_a_notice_of_a_duplicate_ended_by_the_migration_reaches_both(bot: RunningBot) -> None:
    schedule(bot)
    pair_id, _ = pair_and_meeting(bot)
    with bot.db() as session:  # what migration 0007 leaves for the bot to post
        for person in ("U_MANAGER", "U_REPORT"):
            session.add(
                DueWork(
                    team_id="T0001",
                    key=f"notice:duplicate:{pair_id}:{person}",
                    kind="notice",
                    user_id=person,
                    next_attempt_at=bot.clock(),
                )
            )
        session.commit()
    assert bot.tick().counts.get("notice_sent") == 2
    for person, other in (("U_MANAGER", "U_REPORT"), ("U_REPORT", "U_MANAGER")):
        dms = [c for c in bot.fake.delivered("chat.postMessage") if c.args["channel"] == person]
        assert f"You and <@{other}> had two recurring 1:1s" in dms[-1].args["text"]
