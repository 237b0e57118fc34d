"""Two people with the notes modal open at once, through signed requests and the fake Slack:
a save applies what its author changed, nothing of the other's is lost."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from blocks import ids
from store.models import ActionItem, DueWork, Meeting, Note, PointCarry, TalkingPoint
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import click, db_all, state_of, summary_posts, tick_at, utc
from tests.test_notes_flow import item_values, open_notes, rich, row_keys, submit
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
DURING = "2026-12-01 15:05"  # the first 1:1 of `schedule(bot)` is on


def ticks(view: Payload, point_ids: list[int]) -> Payload:
    """The first checkbox group with these points ticked."""
    chosen = [{"value": str(p)} for p in point_ids]
    return {
        f"{ids.NOTES_POINTS}:0": {ids.VALUE: {"type": "checkboxes", "selected_options": chosen}}
    }


def point_id(bot: RunningBot, text: str) -> int:
    (point,) = [p for p in db_all(bot, TalkingPoint) if p.text == text]
    return point.id


def point_ticked(bot: RunningBot, text: str) -> bool:
    return next(p.discussed for p in db_all(bot, TalkingPoint) if p.text == text)


def shared_notes(bot: RunningBot) -> list[str]:
    return [n.text for n in db_all(bot, Note) if not n.is_private]


def test_a_tick_saved_by_the_other_survives_a_save_that_did_not_touch_it(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    tick_at(bot, DURING)
    managers = open_notes(bot, "U_MANAGER")
    reports = open_notes(bot, "U_REPORT")
    roadmap = point_id(bot, "roadmap")
    assert submit(bot, reports, state_of(reports) | ticks(reports, [roadmap]), "U_REPORT").status
    assert point_ticked(bot, "roadmap")
    typed = state_of(managers) | {ids.NOTES_PRIVATE: {ids.VALUE: rich("my worry")}}
    reply = submit(bot, managers, typed)  # roadmap unticked there, as it was at opening
    assert reply.status == 200 and not reply.body
    assert point_ticked(bot, "roadmap")


def test_editing_only_private_notes_is_no_conflict_with_the_others_shared_notes(
    bot: RunningBot,
) -> None:
    schedule(bot)
    tick_at(bot, DURING)
    managers = open_notes(bot, "U_MANAGER")
    reports = open_notes(bot, "U_REPORT")
    shared = {ids.NOTES_SHARED: {ids.VALUE: rich("report's shared")}}
    assert submit(bot, reports, state_of(reports) | shared, "U_REPORT").status == 200
    private = {ids.NOTES_PRIVATE: {ids.VALUE: rich("manager's own")}}
    reply = submit(bot, managers, state_of(managers) | private)
    assert reply.status == 200 and not reply.body  # no errors: the modal closes
    assert shared_notes(bot) == ["report's shared"]
    assert [n.text for n in db_all(bot, Note) if n.is_private] == ["manager's own"]
    # Changing the shared notes from the stale modal is still refused.
    stale = state_of(managers) | {ids.NOTES_SHARED: {ids.VALUE: rich("manager's shared")}}
    assert ids.NOTES_SHARED in submit(bot, managers, stale).json()["errors"]


def test_remove_on_a_saved_item_deletes_it_on_save(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, DURING)
    view = open_notes(bot)
    items = item_values("n1", "Write the RFC", "U_REPORT", "2026-12-08")
    assert submit(bot, view, state_of(view) | items).status == 200
    again = open_notes(bot)
    (key,) = row_keys(again)
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.NOTES_REMOVE_ITEM, "value": key, "action_ts": "2.1"}],
        user_id="U_MANAGER",
        view={**again, "state": {"values": state_of(again)}},
    )
    bot.settle()
    shrunk = bot.fake.calls("views.update")[-1].response["view"]
    assert key not in row_keys(shrunk)
    assert json.loads(shrunk["private_metadata"])["removed"] == [int(key[1:])]
    assert submit(bot, shrunk, state_of(shrunk)).status == 200
    assert db_all(bot, ActionItem) == []
    assert [w for w in db_all(bot, DueWork) if w.kind == "reminder"] == []
    (summary,) = summary_posts(bot)
    updated = bot.fake.delivered("chat.update")[-1]
    assert updated.args["ts"] == summary.response["ts"]
    assert "Write the RFC" not in json.dumps(updated.args["blocks"])


def test_a_point_carried_out_of_a_closed_meeting_can_still_be_ticked_in_its_notes(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    tick_at(bot, DURING)
    tick_at(bot, "2026-12-01 16:00")  # closed with nothing ticked: roadmap moves on
    (moved,) = [p for p in db_all(bot, TalkingPoint) if p.text == "roadmap"]
    (carry,) = db_all(bot, PointCarry)
    assert moved.carried_count == 1 and carry.point_id == moved.id
    view = open_notes(bot)  # still the notes of the meeting that just ended
    meta = json.loads(view["private_metadata"])
    assert meta["meeting"] == carry.from_meeting_id and moved.id in meta["points"]
    assert "→ moved to next 1:1 · roadmap" in json.dumps(view["blocks"], ensure_ascii=False)
    assert submit(bot, view, state_of(view) | ticks(view, [moved.id])).status == 200
    (back,) = [p for p in db_all(bot, TalkingPoint) if p.text == "roadmap"]
    assert (back.meeting_id, back.discussed, back.carried_count) == (meta["meeting"], True, 0)
    assert db_all(bot, PointCarry) == []
    (summary,) = summary_posts(bot)
    assert "roadmap" in json.dumps(summary.args["blocks"])


def test_an_untouched_item_row_keeps_the_others_edit(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, DURING)
    view = open_notes(bot)
    items = item_values("n1", "Write the RFC", "U_REPORT", "2026-12-08")
    assert submit(bot, view, state_of(view) | items).status == 200
    managers = open_notes(bot, "U_MANAGER")
    reports = open_notes(bot, "U_REPORT")
    (key,) = row_keys(reports)
    edited = item_values(key, "Write the RFC and the FAQ", "U_REPORT", "2026-12-09")
    assert submit(bot, reports, state_of(reports) | edited, "U_REPORT").status == 200
    private = {ids.NOTES_PRIVATE: {ids.VALUE: rich("manager's own")}}
    assert submit(bot, managers, state_of(managers) | private).status == 200
    (item,) = db_all(bot, ActionItem)
    assert (item.text, str(item.due_date)) == ("Write the RFC and the FAQ", "2026-12-09")


def test_bringing_a_point_back_updates_the_next_meetings_posted_agenda(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    tick_at(bot, "2026-12-01 16:00")  # week 1 closes undiscussed: roadmap moves to week 2
    tick_at(bot, "2026-12-08 14:31")  # week 2's agenda is posted, roadmap carried over
    week2_agenda = bot.fake.delivered("chat.postMessage")[-1]
    assert "roadmap" in json.dumps(week2_agenda.args["blocks"])
    (carry,) = db_all(bot, PointCarry)
    click(bot, ids.TAKE_NOTES, str(carry.from_meeting_id), "U_MANAGER", message={"blocks": []})
    view = bot.fake.calls("views.open")[-1].response["view"]
    assert json.loads(view["private_metadata"])["meeting"] == carry.from_meeting_id
    assert submit(bot, view, state_of(view) | ticks(view, [carry.point_id])).status == 200
    updates = [
        c for c in bot.fake.delivered("chat.update") if c.args["ts"] == week2_agenda.response["ts"]
    ]
    assert updates and "roadmap" not in json.dumps(updates[-1].args["blocks"])


def test_a_summary_someone_else_is_posting_is_retried_until_posted(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 16:00")
    (meeting,) = [m for m in db_all(bot, Meeting) if m.starts_at.day == 1]
    key = f"summary:{meeting.id}"
    with bot.db() as session:  # a poster claimed the summary at 16:29 and died
        (stuck,) = [w for w in session.exec(select(DueWork)) if w.key == key]
        stuck.claimed_at, stuck.claim_token = utc("2026-12-01 16:29"), "dead"
        stuck.next_attempt_at = utc("2026-12-01 16:29")
        session.add(stuck)
        session.commit()
    assert "summary_sent" not in tick_at(bot, "2026-12-01 16:31")  # the claim is fresh: not yet
    assert summary_posts(bot) == []
    tick_at(bot, "2026-12-01 16:40")  # the claim's lease has run out: taken over
    assert len(summary_posts(bot)) == 1
    (work,) = [w for w in db_all(bot, DueWork) if w.key == key]
    assert work.outcome == "sent"
    looked = bot.fake.calls("conversations.history")  # the dead poster may have posted it
    assert looked and looked[-1].args["include_all_metadata"] in (True, "true", "1")
