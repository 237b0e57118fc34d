"""Huddle follow-ups through signed Events API requests and the fake Slack: each person's
`user_huddle_changed` (in any order, retried), Slack's `huddle_thread` message, and the
follow-up's "Take notes" and "Dismiss"; no follow-up for a huddle under two minutes, and one
that says so (with "View notes" / "Add to notes") when the meeting has notes already."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from blocks import ids
from store.models import HuddleEvent, HuddleFollowUp, Meeting, ProcessedEvent
from tests.running_bot import RunningBot
from tests.test_blocks import texts
from tests.test_follow_ups_flow import (
    click,
    db_all,
    dump,
    elements,
    huddle_event,
    move_to,
    posted,
    utc,
)
from tests.test_notes_flow import group_posts, open_notes, opened_view, rich, submit
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
PAIR_DM = ("U_MANAGER", "U_REPORT")


def change(
    bot: RunningBot,
    user_id: str,
    call_id: str | None,
    at: float,
    *,
    event_id: str | None = None,
    retry_num: int | None = None,
) -> str:
    """Send one `user_huddle_changed`; returns its event_id (for retries)."""
    event_id = event_id or f"Ev{uuid.uuid4().hex[:10].upper()}"
    reply = bot.slack.event(
        huddle_event(user_id, call_id, at), event_id=event_id, retry_num=retry_num
    )
    assert reply.status == 200
    return event_id


def huddle_posts(bot: RunningBot, people: tuple[str, ...] = PAIR_DM) -> list[Any]:
    """The follow-ups posted in the group DM of these people."""
    channel = bot.fake.group_id(list(people))
    return [
        c
        for c in group_posts(bot)
        if c.args["channel"] == channel and "huddle" in str(c.args.get("text"))
    ]


def all_huddle_posts(bot: RunningBot) -> list[Any]:
    return [c for c in bot.fake.delivered("chat.postMessage") if "huddle" in str(c.args)]


def tick(bot: RunningBot) -> dict[str, int]:
    bot.settle()
    counts = bot.tick().counts
    bot.settle()
    return counts


def count(bot: RunningBot, model: Any) -> int:
    with bot.db() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def start(bot: RunningBot, when: str = "2026-12-01 16:00") -> float:
    """Move the clock to `when` (UTC) and return it as a Slack timestamp."""
    move_to(bot, when)
    return utc(when).timestamp()


# --- when a follow-up is posted ------------------------------------------------------------


@pytest.mark.parametrize("first_to_leave", ["U_MANAGER", "U_REPORT"])
def test_both_in_one_call_then_both_left_posts_one_follow_up(
    bot: RunningBot, first_to_leave: str
) -> None:
    schedule(bot)
    t = start(bot)
    change(bot, "U_MANAGER", "R1", t)
    change(bot, "U_REPORT", "R1", t + 120)  # together from +2 min
    last_to_leave = "U_REPORT" if first_to_leave == "U_MANAGER" else "U_MANAGER"
    change(bot, first_to_leave, None, t + 20 * 60)  # together until +20 min: 18 min
    assert "huddle_sent" not in tick(bot), "one of them is still in the huddle"
    change(bot, last_to_leave, None, t + 25 * 60)
    move_to(bot, "2026-12-01 16:26")
    assert tick(bot).get("huddle_sent") == 1
    (post,) = huddle_posts(bot)
    assert post.args["channel"].startswith("G")
    text = dump(post.args["blocks"])
    assert "huddle" in text and "≈18 min" in text
    assert elements(post.args["blocks"], ids.HUDDLE_NOTES)[0]["text"]["text"] == "Take notes"
    assert elements(post.args["blocks"], ids.HUDDLE_DISMISS)[0]["text"]["text"] == "Dismiss"
    assert "huddle_sent" not in tick(bot)
    assert len(all_huddle_posts(bot)) == 1


def test_retried_and_repeated_events_still_post_once(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    sent = [
        (change(bot, "U_MANAGER", "R1", t), "U_MANAGER", "R1", t),
        (change(bot, "U_REPORT", "R1", t + 60), "U_REPORT", "R1", t + 60),
        (change(bot, "U_MANAGER", None, t + 900), "U_MANAGER", None, t + 900),
        (change(bot, "U_REPORT", None, t + 960), "U_REPORT", None, t + 960),
    ]
    for event_id, user_id, call_id, at in sent:  # Slack's retries: same event_id
        change(bot, user_id, call_id, at, event_id=event_id, retry_num=1)
    assert tick(bot).get("huddle_sent") == 1
    for event_id, user_id, call_id, at in sent:  # the same change again, a new event_id
        change(bot, user_id, call_id, at)
        change(bot, user_id, call_id, at, event_id=event_id, retry_num=2)
    assert "huddle_sent" not in tick(bot)
    (post,) = huddle_posts(bot)
    assert "≈14 min" in dump(post.args["blocks"])
    assert len(all_huddle_posts(bot)) == 1
    assert count(bot, HuddleEvent) == 4


def test_events_delivered_out_of_order_post_once(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    change(bot, "U_REPORT", None, t + 600)
    change(bot, "U_MANAGER", None, t + 660)
    assert "huddle_sent" not in tick(bot)
    change(bot, "U_MANAGER", "R1", t)
    change(bot, "U_REPORT", "R1", t + 30)
    assert tick(bot).get("huddle_sent") == 1
    (post,) = huddle_posts(bot)
    assert "≈10 min" in dump(post.args["blocks"])  # +0:30 to +10:00
    assert "huddle_sent" not in tick(bot)
    assert len(all_huddle_posts(bot)) == 1


def test_a_dropped_and_rejoined_person_counts_the_whole_huddle(bot: RunningBot) -> None:
    """A network blip: U_REPORT drops out of the call for 20 seconds and rejoins."""
    schedule(bot)
    t = start(bot)
    sent = 0
    for offset, user_id, call_id in (
        (0, "U_MANAGER", "R1"),
        (60, "U_REPORT", "R1"),
        (300, "U_REPORT", None),
        (320, "U_REPORT", "R1"),
        (1200, "U_MANAGER", None),
        (1210, "U_REPORT", None),
    ):
        move_to(bot, f"2026-12-01 16:{offset // 60:02d}:{offset % 60:02d}")
        change(bot, user_id, call_id, t + offset)  # as they happen, the bot ticking meanwhile
        sent += tick(bot).get("huddle_sent", 0)
    assert sent == 1
    (post,) = huddle_posts(bot)
    minutes = re.search(r"≈(\d+) min", dump(post.args["blocks"]))
    assert minutes and int(minutes.group(1)) in (18, 19), post.args["text"]
    assert len(all_huddle_posts(bot)) == 1


def test_different_calls_post_nothing(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    change(bot, "U_MANAGER", "R1", t)
    change(bot, "U_REPORT", "R2", t + 10)
    change(bot, "U_MANAGER", None, t + 600)
    change(bot, "U_REPORT", None, t + 610)
    assert "huddle_sent" not in tick(bot)
    assert not all_huddle_posts(bot)


def test_a_third_person_in_the_call_still_posts_once_for_the_pair(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    for offset, user_id, call_id in (
        (0, "U_MANAGER", "R1"),
        (5, "U_STRANGER", "R1"),
        (10, "U_REPORT", "R1"),
        (600, "U_REPORT", None),
        (700, "U_STRANGER", None),
        (800, "U_MANAGER", None),
    ):
        change(bot, user_id, call_id, t + offset)
    assert tick(bot).get("huddle_sent") == 1
    assert len(huddle_posts(bot)) == 1 and len(all_huddle_posts(bot)) == 1
    assert {e.user_id for e in db_all(bot, HuddleEvent)} == set(PAIR_DM)


def test_three_people_of_two_pairs_in_one_call_get_one_follow_up_per_pair(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "schedule <@U_REPORT2|ravi> wednesday 10:00 weekly 30m")
    t = start(bot)
    for offset, user_id, call_id in (
        (0, "U_MANAGER", "R1"),
        (5, "U_REPORT2", "R1"),
        (10, "U_REPORT", "R1"),
        (600, "U_REPORT", None),
        (700, "U_REPORT2", None),
        (800, "U_MANAGER", None),
    ):
        change(bot, user_id, call_id, t + offset)
    assert tick(bot).get("huddle_sent") == 2
    assert len(huddle_posts(bot)) == 1
    assert len(huddle_posts(bot, ("U_MANAGER", "U_REPORT2"))) == 1
    assert len(all_huddle_posts(bot)) == 2


def test_events_of_people_in_no_pair_write_nothing(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    events = count(bot, ProcessedEvent)
    for offset, call_id in ((0, "R1"), (600, None), (700, "R2"), (800, None)):
        change(bot, "U_STRANGER", call_id, t + offset)
    bot.settle()
    assert count(bot, HuddleEvent) == 0
    assert count(bot, ProcessedEvent) == events
    assert "huddle_sent" not in tick(bot)
    assert not all_huddle_posts(bot)


# --- how long a huddle must be, and what the follow-up says --------------------------------


def huddle_of(bot: RunningBot, seconds: int, when: str = "2026-12-01 16:00") -> None:
    """Both people together in call R1 for `seconds` from `when` (UTC); the clock moves past
    it (the events carry the huddle's own times, not the bot's clock)."""
    t = start(bot, when)
    change(bot, "U_MANAGER", "R1", t)
    change(bot, "U_REPORT", "R1", t)
    change(bot, "U_MANAGER", None, t + seconds)
    change(bot, "U_REPORT", None, t + seconds + 2)
    bot.clock.advance(minutes=30)  # the bot's clock says nothing about the huddle's length


def labels(blocks: list[Payload]) -> list[str]:
    return [e["text"]["text"] for b in blocks for e in b.get("elements") or [] if "text" in e]


@pytest.mark.parametrize("seconds", [30, 119])
def test_a_huddle_under_two_minutes_gets_no_follow_up(bot: RunningBot, seconds: int) -> None:
    schedule(bot)
    huddle_of(bot, seconds)
    assert "huddle_sent" not in tick(bot)
    assert not all_huddle_posts(bot)
    assert count(bot, HuddleFollowUp) == 0


def test_a_ten_minute_huddle_gets_the_offer_to_capture_notes(bot: RunningBot) -> None:
    schedule(bot)
    huddle_of(bot, 600)
    assert tick(bot).get("huddle_sent") == 1
    (post,) = huddle_posts(bot)
    seen = texts(post.args["blocks"])
    assert "you two just had a huddle (≈10 min). Capture notes and action items?" in seen
    assert "already saved" not in seen
    assert labels(post.args["blocks"]) == ["Take notes", "Dismiss"]


def save_shared_notes(bot: RunningBot, text: str, user_id: str = "U_MANAGER") -> None:
    view = open_notes(bot, user_id)
    assert submit(bot, view, {ids.NOTES_SHARED: {ids.VALUE: rich(text)}}, user_id).status == 200


def test_a_huddle_right_after_notes_were_saved_offers_to_view_or_add_to_them(
    bot: RunningBot,
) -> None:
    schedule(bot)
    (scheduled,) = meetings(bot)
    t = start(bot, "2026-12-01 15:00")  # the 1:1, held as a huddle
    change(bot, "U_MANAGER", "R1", t)
    change(bot, "U_REPORT", "R1", t + 5)
    move_to(bot, "2026-12-01 15:09:50")
    save_shared_notes(bot, "We agreed on Q1 goals")
    change(bot, "U_MANAGER", None, t + 600)
    change(bot, "U_REPORT", None, t + 605)
    move_to(bot, "2026-12-01 15:10:30")
    assert tick(bot).get("huddle_sent") == 1

    (post,) = huddle_posts(bot)
    seen = texts(post.args["blocks"])
    assert "you two just had a huddle (≈10 min). Notes for your 1:1 of " in seen
    assert "are already saved." in seen and "Capture" not in seen
    assert labels(post.args["blocks"]) == ["View notes", "Add to notes", "Dismiss"]

    (view_notes,) = elements(post.args["blocks"], ids.SHOW_SUMMARY)
    click(bot, ids.SHOW_SUMMARY, view_notes["value"], "U_REPORT", message=posted(post))
    summary = opened_view(bot)
    assert summary["callback_id"] == ids.SUMMARY_MODAL
    assert "We agreed on Q1 goals" in texts(summary["blocks"])

    (add,) = elements(post.args["blocks"], ids.TAKE_NOTES)
    click(bot, ids.TAKE_NOTES, add["value"], "U_REPORT", message=posted(post))
    form = opened_view(bot)
    assert form["callback_id"] == ids.NOTES_MODAL
    assert json.loads(form["private_metadata"])["meeting"] == scheduled.id
    assert "We agreed on Q1 goals" in texts(form["blocks"])
    more = {ids.NOTES_SHARED: {ids.VALUE: rich("We agreed on Q1 goals. Hiring next.")}}
    assert submit(bot, form, more, "U_REPORT").status == 200
    updates = [
        c for c in group_posts(bot, "chat.update") if "Hiring next" in texts(c.args["blocks"])
    ]
    assert updates, "the summary is updated in place"
    assert len([c for c in group_posts(bot) if "Hiring next" in texts(c.args["blocks"])]) == 0


def test_the_others_private_notes_alone_are_never_told(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot, "2026-12-01 15:00")
    change(bot, "U_MANAGER", "R1", t)
    change(bot, "U_REPORT", "R1", t + 5)
    move_to(bot, "2026-12-01 15:09:50")
    view = open_notes(bot, "U_REPORT")
    private = {ids.NOTES_PRIVATE: {ids.VALUE: rich("my worries")}}
    assert submit(bot, view, private, "U_REPORT").status == 200
    change(bot, "U_MANAGER", None, t + 600)
    change(bot, "U_REPORT", None, t + 605)
    move_to(bot, "2026-12-01 15:10:30")
    assert tick(bot).get("huddle_sent") == 1
    (post,) = huddle_posts(bot)
    seen = texts(post.args["blocks"])
    assert "Capture notes and action items?" in seen and "saved" not in seen
    assert labels(post.args["blocks"]) == ["Take notes", "Dismiss"]
    assert not any("my worries" in dump(c.args) for c in group_posts(bot))


# --- the follow-up's buttons ---------------------------------------------------------------


def follow_up_after_huddle(bot: RunningBot, when: str, call_id: str = "R1") -> Any:
    """Both in `call_id` for 20 minutes from `when` (UTC); returns the posted follow-up."""
    t = start(bot, when)
    change(bot, "U_MANAGER", call_id, t)
    change(bot, "U_REPORT", call_id, t + 1)
    change(bot, "U_MANAGER", None, t + 1200)
    change(bot, "U_REPORT", None, t + 1201)
    bot.clock.advance(minutes=21)
    assert tick(bot).get("huddle_sent") == 1
    return huddle_posts(bot)[-1]


def notes_meeting_after(bot: RunningBot, post: Any, user_id: str) -> int:
    """Click "Take notes" on the follow-up; returns the meeting of the notes modal opened."""
    (button,) = elements(post.args["blocks"], ids.HUDDLE_NOTES)
    before = len(bot.fake.delivered("views.open"))
    click(bot, ids.HUDDLE_NOTES, button["value"], user_id, message=posted(post))
    opened = bot.fake.delivered("views.open")[before:]
    assert len(opened) == 1
    view = opened[0].args["view"]
    assert view["callback_id"] == ids.NOTES_MODAL
    return int(json.loads(view["private_metadata"])["meeting"])


def meetings(bot: RunningBot) -> list[Meeting]:
    return sorted(db_all(bot, Meeting), key=lambda m: m.starts_at)


def test_take_notes_near_the_1on1_opens_that_meetings_notes(bot: RunningBot) -> None:
    schedule(bot)
    (scheduled,) = meetings(bot)
    assert scheduled.starts_at == utc("2026-12-01 15:00")
    post = follow_up_after_huddle(bot, "2026-12-01 14:50")
    assert notes_meeting_after(bot, post, "U_MANAGER") == scheduled.id
    assert notes_meeting_after(bot, post, "U_REPORT") == scheduled.id
    assert [m.id for m in meetings(bot) if m.unscheduled] == []


def test_take_notes_on_another_day_records_one_unscheduled_meeting(bot: RunningBot) -> None:
    schedule(bot)
    post = follow_up_after_huddle(bot, "2026-12-03 17:00")  # a Thursday
    first = notes_meeting_after(bot, post, "U_MANAGER")
    again = notes_meeting_after(bot, post, "U_MANAGER")
    also = notes_meeting_after(bot, post, "U_REPORT")
    assert first == again == also
    (unscheduled,) = [m for m in meetings(bot) if m.unscheduled]
    assert unscheduled.id == first
    assert unscheduled.starts_at == utc("2026-12-03 17:00:01")  # when both were in it
    assert first not in [m.id for m in meetings(bot) if not m.unscheduled]

    view = bot.fake.delivered("views.open")[-1].args["view"]
    view = {**view, "id": "VHUDDLE"}
    notes = {ids.NOTES_SHARED: {ids.VALUE: rich("huddle decisions")}}
    assert submit(bot, view, notes, "U_REPORT").status == 200
    (summary,) = [c for c in group_posts(bot) if "huddle decisions" in dump(c.args["blocks"])]
    assert "Huddle notes" in dump(summary.args["blocks"])


def test_dismiss_replaces_the_follow_up(bot: RunningBot) -> None:
    schedule(bot)
    post = follow_up_after_huddle(bot, "2026-12-03 17:00")
    (button,) = elements(post.args["blocks"], ids.HUDDLE_DISMISS)
    click(bot, ids.HUDDLE_DISMISS, button["value"], "U_REPORT", message=posted(post))
    channel, ts = post.response["channel"], post.response["ts"]
    updates = [
        c
        for c in bot.fake.delivered("chat.update")
        if (c.args["channel"], c.args["ts"]) == (channel, ts)
    ]
    assert updates
    stored = bot.fake.message(channel, ts)
    assert "dismissed" in dump(stored["blocks"])
    assert not elements(stored["blocks"], ids.HUDDLE_NOTES)
    assert "huddle_sent" not in tick(bot)


# --- Slack's huddle_thread message in the group DM -----------------------------------------


def huddle_thread(bot: RunningBot, room_id: str, start_at: float, end_at: float) -> None:
    channel = bot.fake.group_id(list(PAIR_DM))
    event = {
        "type": "message",
        "subtype": "huddle_thread",
        "channel": channel,
        "channel_type": "mpim",
        "user": "U_MANAGER",
        "text": "",
        "ts": f"{start_at:.6f}",
        "room": {
            "id": room_id,
            "date_start": int(start_at),
            "date_end": int(end_at),
            "participant_history": list(PAIR_DM),
            "participants": [],
        },
    }
    assert bot.slack.event(event).status == 200


def test_a_huddle_thread_message_posts_the_follow_up(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    huddle_thread(bot, "R9", t, t + 1500)
    assert tick(bot).get("huddle_sent") == 1
    (post,) = huddle_posts(bot)
    assert "≈25 min" in dump(post.args["blocks"])
    assert "huddle_sent" not in tick(bot)


def test_a_huddle_thread_and_the_huddle_changes_of_one_call_post_once(bot: RunningBot) -> None:
    schedule(bot)
    t = start(bot)
    change(bot, "U_MANAGER", "R9", t)
    change(bot, "U_REPORT", "R9", t + 60)
    change(bot, "U_REPORT", None, t + 1200)
    change(bot, "U_MANAGER", None, t + 1260)
    huddle_thread(bot, "R9", t, t + 1260)
    tick(bot)
    huddle_thread(bot, "R9", t, t + 1260)
    tick(bot)
    assert len(huddle_posts(bot)) == 1 and len(all_huddle_posts(bot)) == 1


def test_the_huddle_thread_updated_when_the_huddle_ends_posts_once(bot: RunningBot) -> None:
    """Slack posts the huddle_thread when the huddle starts and edits it when it ends."""
    schedule(bot)
    t = start(bot)
    channel = bot.fake.group_id(list(PAIR_DM))
    started = {
        "type": "message",
        "subtype": "huddle_thread",
        "user": "U_MANAGER",
        "text": "",
        "ts": f"{t:.6f}",
        "room": {"id": "R7", "date_start": int(t), "date_end": 0, "participants": ["U_MANAGER"]},
    }
    bot.slack.event({**started, "channel": channel, "channel_type": "mpim"})
    assert "huddle_sent" not in tick(bot)
    ended = started | {
        "room": started["room"]
        | {"date_end": int(t) + 900, "participant_history": list(PAIR_DM), "participants": []}
    }
    bot.slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "channel_type": "mpim",
            "hidden": True,
            "ts": f"{t + 900:.6f}",
            "message": ended,
            "previous_message": started,
        }
    )
    assert tick(bot).get("huddle_sent") == 1
    (post,) = huddle_posts(bot)
    assert "≈15 min" in dump(post.args["blocks"])
