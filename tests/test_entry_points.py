"""Every entry point of the weekly loop, through signed requests (issue 3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from blocks import ids
from store.models import Meeting, MeetingStatus, Pair, TalkingPoint
from tests.running_bot import RunningBot
from tests.test_weekly_loop import command_reply, schedule


def points(bot: RunningBot) -> list[tuple[str, str, bool]]:
    with bot.db() as session:
        rows = session.exec(select(TalkingPoint).order_by(col(TalkingPoint.id))).all()
        return [(p.author_id, p.text, p.is_private) for p in rows]


def test_a_reply_in_a_prompt_thread_goes_to_that_prompts_1on1(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("schedule <@U_REPORT2|r2> friday 9:00")
    bot.settle()
    bot.clock.advance(hours=4)
    bot.tick()
    prompt = next(
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] == "U_MANAGER" and "Suggested" in str(c.args["blocks"])
    )
    channel, ts = prompt.response["channel"], prompt.response["ts"]
    reply = bot.fake.add_user_message(channel, "hiring plan", user="U_MANAGER")
    bot.slack.event(
        {
            "type": "message",
            "channel": channel,
            "channel_type": "im",
            "user": "U_MANAGER",
            "text": "hiring plan",
            "ts": reply["ts"],
            "thread_ts": ts,
        }
    )
    bot.settle()
    with bot.db() as session:
        point = session.exec(select(TalkingPoint)).one()
        meeting = session.get(Meeting, point.meeting_id)
        pair = session.get(Pair, meeting.pair_id)
    assert (pair.report_id, point.text) == ("U_REPORT", "hiring plan")
    confirmation = bot.fake.calls("chat.postMessage")[-1]
    assert confirmation.args.get("thread_ts") == ts


def test_a_top_level_dm_with_several_pairs_asks_which_and_the_button_adds_it(
    bot: RunningBot,
) -> None:
    schedule(bot)
    bot.slack.command("schedule <@U_REPORT2|r2> friday 9:00")
    bot.settle()
    message = bot.fake.add_user_message("DU_MANAGER", "offsite &amp; budget", user="U_MANAGER")
    bot.slack.event(
        {
            "type": "message",
            "channel": "DU_MANAGER",
            "channel_type": "im",
            "user": "U_MANAGER",
            "text": "offsite &amp; budget",
            "ts": message["ts"],
        }
    )
    bot.settle()
    question = bot.fake.calls("chat.postMessage")[-1].args
    buttons = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [ids.CHOOSE_PAIR, ids.CHOOSE_PAIR]
    assert points(bot) == []
    second = buttons[1]
    for _ in range(2):  # a double click adds it once
        bot.slack.block_actions([{**second, "action_ts": "1.1"}], user_id="U_MANAGER")
        bot.settle()
    assert points(bot) == [("U_MANAGER", "offsite & budget", False)]
    bot.slack.block_actions([{**second, "action_ts": "1.2"}], user_id="U_STRANGER")
    bot.settle()
    assert len(points(bot)) == 1


def test_the_add_button_opens_the_modal_and_its_submission_adds_a_private_point(
    bot: RunningBot,
) -> None:
    schedule(bot)
    with bot.db() as session:
        pair_id = session.exec(select(Pair.id)).one()
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.ADD_POINT, "value": str(pair_id), "action_ts": "1.1"}],
        user_id="U_REPORT",
    )
    bot.settle()
    (opened,) = bot.fake.calls("views.open")
    view = opened.args["view"]
    submission = {
        "id": "V123",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {
            "values": {
                ids.POINT_TEXT: {
                    ids.VALUE: {"type": "plain_text_input", "value": "<!here> growth"}
                },
                ids.POINT_PRIVATE: {
                    ids.VALUE: {"type": "checkboxes", "selected_options": [{"value": "private"}]}
                },
            }
        },
    }
    for _ in range(2):  # a double submit adds it once
        assert bot.slack.view_submission(submission, user_id="U_REPORT").status == 200
        bot.settle()
    assert points(bot) == [("U_REPORT", "<!here> growth", True)]
    too_long = json.loads(json.dumps(submission))
    too_long["id"] = "V124"
    too_long["state"]["values"][ids.POINT_TEXT][ids.VALUE]["value"] = "x" * 2001
    reply = bot.slack.view_submission(too_long, user_id="U_REPORT").json()
    assert reply["response_action"] == "errors" and ids.POINT_TEXT in reply["errors"]
    assert "2,000" in command_reply(bot, "add " + "y" * 2001, user_id="U_REPORT")
    assert "growth" in command_reply(bot, "agenda", user_id="U_REPORT")
    assert "growth" not in command_reply(bot, "agenda", user_id="U_MANAGER")


def test_skip_suggests_rescheduling_then_skips_and_moves_points(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("add budget", user_id="U_REPORT")
    bot.slack.command("skip", user_id="U_REPORT")
    bot.settle()
    (opened,) = bot.fake.calls("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == ids.SKIP_MODAL and ids.RESCHEDULE in json.dumps(view)
    bot.slack.view_submission(
        {
            "callback_id": ids.SKIP_MODAL,
            "private_metadata": view["private_metadata"],
            "state": {"values": {}},
        },
        user_id="U_REPORT",
    )
    bot.settle()
    with bot.db() as session:
        meetings = session.exec(select(Meeting).order_by(col(Meeting.starts_at))).all()
    assert [m.status for m in meetings] == [MeetingStatus.SKIPPED, MeetingStatus.SCHEDULED]
    told = {
        c.args["channel"]
        for c in bot.fake.delivered("chat.postMessage")
        if "skipped" in str(c.args).lower()
    }
    assert {"U_MANAGER", "U_REPORT"} <= told
    assert "budget" in command_reply(bot, "agenda", user_id="U_MANAGER")
    forged = bot.slack.view_submission(
        {
            "callback_id": ids.SKIP_MODAL,
            "private_metadata": str(meetings[1].id),
            "state": {"values": {}},
        },
        user_id="U_STRANGER",
    )
    assert forged.status == 200
    bot.settle()
    with bot.db() as session:
        assert session.get(Meeting, meetings[1].id).status == MeetingStatus.SCHEDULED


def test_end_asks_first_and_only_the_two_people_can(bot: RunningBot) -> None:
    schedule(bot)
    name = "end-confirm"
    bot.slack.command("end <@U_REPORT|rita>", response_url=bot.fake.response_url(name))
    bot.settle()
    (confirmation,) = bot.fake.responses(name)
    confirm = next(
        e
        for b in confirmation["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.END_CONFIRM
    )
    bot.slack.block_actions(
        [{**confirm, "action_ts": "1.1"}],
        user_id="U_STRANGER",
        response_url=bot.fake.response_url("refusal"),
    )
    bot.settle()
    with bot.db() as session:
        assert session.exec(select(Pair)).one().ended_at is None
    assert "isn't one of yours" in str(bot.fake.responses("refusal"))
    bot.slack.block_actions([{**confirm, "action_ts": "1.2"}], user_id="U_MANAGER")
    bot.settle()
    with bot.db() as session:
        assert session.exec(select(Pair)).one().ended_at is not None


def test_ten_oclock_new_york_stays_ten_across_the_march_change(bot: RunningBot) -> None:
    bot.clock.now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    schedule(bot)
    starts = []
    for _ in range(3):
        with bot.db() as session:
            meeting = session.exec(select(Meeting).order_by(col(Meeting.starts_at).desc())).first()
        starts.append(meeting.starts_at)
        bot.clock.now = meeting.starts_at + timedelta(minutes=31)
        bot.tick()
    local = [s.astimezone(ZoneInfo("America/New_York")) for s in starts]
    assert [(d.day, d.hour, d.minute) for d in local] == [(2, 10, 0), (9, 10, 0), (16, 10, 0)]
    assert [s.hour for s in starts] == [15, 15, 14]


def test_add_this_adds_the_suggested_question_once(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(hours=4)
    bot.tick()
    prompt = next(
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] == "U_REPORT" and "Suggested" in str(c.args["blocks"])
    )
    button = next(
        b["accessory"]
        for b in prompt.args["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.ADD_QUESTION
    )
    for ts in ("1.1", "1.2"):
        bot.slack.block_actions([{**button, "action_ts": ts}], user_id="U_REPORT")
        bot.settle()
    (added,) = points(bot)
    assert added[0] == "U_REPORT" and added[1].endswith("?")


def test_a_refused_agenda_post_is_retried_on_a_later_tick(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.advance(hours=26, minutes=31)  # 14:31 UTC Tuesday, after the agenda lead
    # the agenda is the only post: prompts half an hour before the 1:1 are not sent
    bot.fake.fail("chat.postMessage", error="not_in_channel", times=1)
    first = bot.tick()
    assert first.counts.get("agenda_retry") == 1
    assert bot.tick().counts.get("agenda_sent") is None  # backing off
    bot.clock.advance(minutes=2)
    assert bot.tick().counts.get("agenda_sent") == 1
    assert bot.fake.calls("conversations.history") == []  # Slack had refused: nothing to look for


def test_an_agenda_post_that_slack_may_have_failed_is_looked_for_then_posted(
    bot: RunningBot,
) -> None:
    schedule(bot)
    bot.clock.advance(hours=26, minutes=31)  # the agenda is due; the prompts are too late
    bot.fake.fail("chat.postMessage", error="internal_error", times=1)
    assert bot.tick().counts.get("agenda_unknown") == 1
    assert bot.tick().counts.get("agenda_sent") is None  # a moment before looking
    bot.clock.advance(seconds=10)
    assert bot.tick().counts.get("agenda_sent") == 1
    (looked,) = [c for c in bot.fake.calls("conversations.history") if c.args["channel"][0] == "G"]
    assert looked.args["include_all_metadata"] in (True, "true", "1")


def test_forged_buttons_and_modals_for_another_pair_are_refused(bot: RunningBot) -> None:
    schedule(bot)
    with bot.db() as session:
        meeting = session.exec(select(Meeting)).one()
        pair_id = meeting.pair_id
    forged = [
        {
            "type": "checkboxes",
            "action_id": ids.TICK_POINT,
            "block_id": f"{ids.TICK_POINT}:{meeting.id}:1",
            "selected_options": [],
        },
        {"type": "button", "action_id": ids.RESCHEDULE, "value": str(meeting.id)},
        {"type": "button", "action_id": ids.SKIP, "value": str(meeting.id)},
        {"type": "button", "action_id": ids.PAUSE, "value": str(pair_id)},
        {"type": "button", "action_id": ids.END_CONFIRM, "value": str(pair_id)},
        {"type": "button", "action_id": ids.ADD_POINT, "value": "not-a-number"},
    ]
    for n, action in enumerate(forged):
        name = f"forged-{n}"
        bot.slack.block_actions(
            [{**action, "action_ts": f"1.{n}"}],
            user_id="U_STRANGER",
            response_url=bot.fake.response_url(name),
        )
        bot.settle()
        assert "isn't one of yours" in str(bot.fake.responses(name)) or "doesn't belong" in str(
            bot.fake.responses(name)
        ), action["action_id"]
    for callback_id, metadata, values in (
        (
            ids.RESCHEDULE_MODAL,
            str(meeting.id),
            {
                ids.RESCHEDULE_DATE: {ids.VALUE: {"selected_date": "2026-12-03"}},
                ids.RESCHEDULE_TIME: {ids.VALUE: {"selected_time": "09:00"}},
            },
        ),
        (
            ids.PAUSE_MODAL,
            str(pair_id),
            {ids.PAUSE_UNTIL: {ids.VALUE: {"selected_date": "2027-01-05"}}},
        ),
    ):
        bot.slack.view_submission(
            {"callback_id": callback_id, "private_metadata": metadata, "state": {"values": values}},
            user_id="U_STRANGER",
        )
        bot.settle()
    assert bot.fake.calls("views.open") == []
    with bot.db() as session:
        unchanged = session.get(Meeting, meeting.id)
        pair = session.get(Pair, pair_id)
    assert unchanged.starts_at == meeting.starts_at and unchanged.status == "scheduled"
    assert pair.paused_until is None and pair.ended_at is None


def test_people_are_looked_up_once_not_on_every_modal(bot: RunningBot) -> None:
    schedule(bot)
    bot.slack.command("schedule <@U_REPORT2|r2> friday 9:00")
    bot.settle()
    before = len(bot.fake.calls("users.info"))
    for _ in range(3):
        bot.slack.block_actions(
            [{"type": "button", "action_id": ids.ADD_POINT, "value": "", "action_ts": "1.1"}],
            user_id="U_MANAGER",
        )
        bot.settle()
    assert len(bot.fake.calls("views.open")) == 3
    assert len(bot.fake.calls("users.info")) == before
