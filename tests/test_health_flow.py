"""Keeping 1:1s healthy, through signed requests and the fake Slack: the check-in in the
prompt and on the agenda, the nudge when it drops, who fills the agenda, points carried over
three times, and refusals for anyone who is not the pair (or the point's author)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from blocks.checkin import CHECKIN_MODAL, CHECKIN_NOTE, CHECKIN_TEXT, DROP_STUCK, KEEP_POINT
from blocks.ids import VALUE
from store.models import CheckIn, Meeting, MeetingStatus, Pair, TalkingPoint
from tests.running_bot import RunningBot
from tests.test_blocks import texts
from tests.test_home_flow import open_home
from tests.test_weekly_loop import schedule

Payload = dict[str, Any]
ASK = "How are you doing this week?"


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def the_pair(bot: RunningBot) -> Pair:
    with bot.db.read() as session:
        pair = session.exec(select(Pair)).one()
    return pair


def upcoming(bot: RunningBot) -> Meeting:
    with bot.db.read() as session:
        meeting = session.exec(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.SCHEDULED, col(Meeting.closed_at).is_(None))
            .order_by(col(Meeting.starts_at).desc())
        ).first()
    assert meeting is not None
    return meeting


def prompts(bot: RunningBot) -> dict[str, Payload]:
    """Each person's prompt as it reads now (after any update in place), with channel, ts."""
    found = {}
    for call in bot.fake.delivered("chat.postMessage"):
        if call.args.get("channel") in ("U_MANAGER", "U_REPORT") and "what do you want" in str(
            call.args.get("text")
        ):
            channel, ts = call.response["channel"], call.response["ts"]
            found[call.args["channel"]] = bot.fake.message(channel, ts) | {"channel": channel}
    return found


def agenda(bot: RunningBot) -> Payload:
    (post,) = [
        c for c in bot.fake.delivered("chat.postMessage") if str(c.args["channel"]).startswith("G")
    ]
    return bot.fake.message(post.response["channel"], post.response["ts"])


def button_in(message: Payload, action_id: str) -> Payload:
    for block in message["blocks"]:
        for element in [block.get("accessory") or {}, *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in {dump(message['blocks'])[:500]}")


def click(
    bot: RunningBot, action_id: str, value: str, user_id: str, message: Payload | None = None
) -> str:
    """Click a button (in `message` when given); returns what the bot answered there."""
    name = f"click-{uuid.uuid4().hex}"
    shown = {"ts": message["ts"], "blocks": message["blocks"]} if message else None
    bot.slack.block_actions(
        [{"type": "button", "action_id": action_id, "value": value}],
        user_id=user_id,
        message=shown,
        channel_id=message["channel"] if message else None,
        response_url=bot.fake.response_url(name),
    )
    bot.settle()
    return str(bot.fake.responses(name))


def to_the_prompts(bot: RunningBot) -> dict[str, Payload]:
    bot.clock.advance(hours=4)  # the 1:1 is Tue 15:00 UTC; prompts are due 24 h before
    assert bot.tick().counts.get("prompt_sent") == 2
    return prompts(bot)


def to_the_agenda(bot: RunningBot) -> Payload:
    bot.clock.advance(hours=22, minutes=31)
    assert bot.tick().counts.get("agenda_sent") == 1
    return agenda(bot)


def add_history(bot: RunningBot, moods: list[int], *, user_id: str = "U_REPORT") -> None:
    """Earlier weekly meetings of the pair, each with this person's check-in."""
    pair = the_pair(bot)
    first = upcoming(bot).starts_at
    with bot.db() as session:
        for weeks_ago, mood in enumerate(reversed(moods), start=1):
            start = first - timedelta(weeks=weeks_ago)
            meeting = Meeting(
                team_id="T0001",
                pair_id=pair.id or 0,
                slot_at=start,
                starts_at=start,
                status=MeetingStatus.HELD,
                closed_at=start + timedelta(hours=1),
                created_at=start,
            )
            session.add(meeting)
            session.flush()
            session.add(
                CheckIn(
                    team_id="T0001",
                    pair_id=pair.id or 0,
                    meeting_id=meeting.id or 0,
                    user_id=user_id,
                    mood=mood,
                    answered_at=start,
                )
            )
        session.commit()


# --- the check-in ---------------------------------------------------------------------------


def test_a_check_in_is_answered_in_the_prompt_and_shown_to_both(bot: RunningBot) -> None:
    schedule(bot)
    add_history(bot, [3, 4, 4])
    sent = to_the_prompts(bot)
    assert ASK in dump(sent["U_REPORT"]["blocks"])
    assert ASK not in dump(sent["U_MANAGER"]["blocks"])  # the manager's is off by default
    seen_by = "Only you and <@U_MANAGER> see it, at the top of the agenda."
    assert seen_by in texts(sent["U_REPORT"]["blocks"])
    meeting_id = str(upcoming(bot).id)
    click(bot, "checkin_4", meeting_id, "U_REPORT", sent["U_REPORT"])
    click(bot, "checkin_2", meeting_id, "U_REPORT", prompts(bot)["U_REPORT"])  # changed
    click(bot, "checkin_2", meeting_id, "U_REPORT", prompts(bot)["U_REPORT"])  # a double click
    with bot.db.read() as session:
        answers = session.exec(select(CheckIn).where(CheckIn.meeting_id == int(meeting_id))).all()
    assert [(a.user_id, a.mood) for a in answers] == [("U_REPORT", 2)]
    now = prompts(bot)["U_REPORT"]
    assert "You said 😕" in dump(now["blocks"])
    assert button_in(now, "checkin_2").get("style") == "primary"

    click(bot, CHECKIN_NOTE, meeting_id, "U_REPORT", now)
    (form,) = [c.args["view"] for c in bot.fake.delivered("views.open")]
    assert form["callback_id"] == CHECKIN_MODAL
    line = {CHECKIN_TEXT: {VALUE: {"type": "plain_text_input", "value": "long week <!here>"}}}
    view = {"callback_id": CHECKIN_MODAL, "private_metadata": meeting_id, "state": {"values": line}}
    assert bot.slack.view_submission(view, user_id="U_REPORT").status == 200
    bot.settle()

    posted = to_the_agenda(bot)
    top = dump(posted["blocks"][:4])
    assert "<@U_REPORT> · Check-in: 😕 · last weeks: 😐 🙂 🙂" in top
    assert "long week &lt;!here&gt;" in top and "<!here>" not in dump(posted)
    bot.slack.command("notes", user_id="U_MANAGER")
    bot.settle()
    notes = bot.fake.delivered("views.open")[-1].args["view"]
    assert "Check-in: 😕 · last weeks: 😐 🙂 🙂" in dump(notes["blocks"][:3])


def test_a_drop_nudges_the_manager_in_place_and_never_on_the_agenda(bot: RunningBot) -> None:
    schedule(bot)
    add_history(bot, [4, 5, 4, 5])  # a mean of 4.5: 2 (😕) is two steps or more below it
    sent = to_the_prompts(bot)
    nudge = "<@U_REPORT>'s check-in is lower than usual — maybe start there."
    assert nudge not in dump(sent["U_MANAGER"]["blocks"])
    click(bot, "checkin_3", str(upcoming(bot).id), "U_REPORT", sent["U_REPORT"])
    assert nudge not in dump(prompts(bot)["U_MANAGER"]["blocks"])  # 3: only 1.5 below
    click(bot, "checkin_2", str(upcoming(bot).id), "U_REPORT", prompts(bot)["U_REPORT"])
    manager = prompts(bot)["U_MANAGER"]
    assert nudge in dump(manager["blocks"][:4])  # updated in place, at the top
    assert nudge not in dump(prompts(bot)["U_REPORT"]["blocks"])
    agenda = to_the_agenda(bot)  # the report reads the group DM too
    assert "<@U_REPORT> · Check-in: 😕" in dump(agenda["blocks"][:4])
    assert "lower than usual" not in dump(agenda)


def test_the_manager_is_asked_only_when_their_series_says_so(bot: RunningBot) -> None:
    schedule(bot)
    with bot.db() as session:
        pair = session.exec(select(Pair)).one()
        pair.checkins_manager, pair.checkins_report = True, False
        session.add(pair)
        session.commit()
    sent = to_the_prompts(bot)
    assert ASK in dump(sent["U_MANAGER"]["blocks"]) and ASK not in dump(sent["U_REPORT"]["blocks"])
    told = click(bot, "checkin_5", str(upcoming(bot).id), "U_REPORT", sent["U_REPORT"])
    assert "Check-ins are off for you" in told
    click(bot, "checkin_5", str(upcoming(bot).id), "U_MANAGER", sent["U_MANAGER"])
    assert "<@U_MANAGER> · Check-in: 😄" in dump(to_the_agenda(bot)["blocks"][:4])


def test_strangers_and_forged_payloads_get_refusals_and_see_nothing(bot: RunningBot) -> None:
    schedule(bot)
    sent = to_the_prompts(bot)
    meeting_id = str(upcoming(bot).id)
    click(bot, "checkin_1", meeting_id, "U_REPORT", sent["U_REPORT"])
    for action_id in ("checkin_5", CHECKIN_NOTE):
        assert "isn't one of yours" in click(bot, action_id, meeting_id, "U_STRANGER")
    assert "doesn't belong" in click(bot, "checkin_9", meeting_id, "U_STRANGER")
    assert "doesn't belong" in click(bot, "checkin_3", "1; drop", "U_REPORT")
    line = {CHECKIN_TEXT: {VALUE: {"type": "plain_text_input", "value": "sneaky"}}}
    view = {"callback_id": CHECKIN_MODAL, "private_metadata": meeting_id, "state": {"values": line}}
    assert bot.slack.view_submission(view, user_id="U_STRANGER").status == 200
    bot.settle()
    to_stranger = [
        dump(c.args)
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] == "U_STRANGER"
    ]
    assert to_stranger and all("😣" not in text for text in to_stranger)
    assert any("isn't one of yours" in text for text in to_stranger)
    with bot.db.read() as session:
        answers = session.exec(select(CheckIn)).all()
    assert [(a.user_id, a.mood, a.text) for a in answers] == [("U_REPORT", 1, "")]
    assert not [
        c
        for c in bot.fake.delivered("views.open")
        if c.args["view"]["callback_id"] == CHECKIN_MODAL
    ]


# --- who fills the agenda -----------------------------------------------------------------------


def add_points_history(bot: RunningBot) -> None:
    """Nine earlier meetings (one skipped): over the last 8 that were not skipped (the
    upcoming one included), the manager wrote 17 shared points and the report 3; the report's
    private points and the oldest meeting's points never count."""
    pair = the_pair(bot)
    first = upcoming(bot).starts_at
    plan = [  # weeks ago: (status, manager's points, report's points, report's private ones)
        (1, MeetingStatus.HELD, 3, 1, 2),
        (2, MeetingStatus.SKIPPED, 5, 5, 0),
        (3, MeetingStatus.HELD, 3, 0, 1),
        (4, MeetingStatus.HELD, 3, 1, 0),
        (5, MeetingStatus.HELD, 2, 0, 3),
        (6, MeetingStatus.HELD, 2, 1, 0),
        (7, MeetingStatus.HELD, 2, 0, 0),
        (8, MeetingStatus.HELD, 2, 0, 0),
        (9, MeetingStatus.HELD, 0, 6, 0),  # the 9th not skipped: out of the window
    ]
    with bot.db() as session:
        for weeks_ago, status, by_manager, by_report, private in plan:
            start = first - timedelta(weeks=weeks_ago)
            meeting = Meeting(
                team_id="T0001",
                pair_id=pair.id or 0,
                slot_at=start,
                starts_at=start,
                status=status,
                closed_at=start + timedelta(hours=1),
                created_at=start,
            )
            session.add(meeting)
            session.flush()
            authors = (
                [("U_MANAGER", False)] * by_manager
                + [("U_REPORT", False)] * by_report
                + [("U_REPORT", True)] * private
            )
            for n, (author, is_private) in enumerate(authors):
                session.add(
                    TalkingPoint(
                        team_id="T0001",
                        meeting_id=meeting.id or 0,
                        author_id=author,
                        text=f"point {weeks_ago}.{n}",
                        is_private=is_private,
                        discussed=True,
                        created_at=start,
                    )
                )
        session.commit()


def test_the_share_of_points_the_report_wrote_shows_on_both_homes_and_nudges(
    bot: RunningBot,
) -> None:
    schedule(bot)
    add_points_history(bot)
    bot.slack.command("add one more of mine", user_id="U_REPORT")  # the upcoming meeting's
    bot.settle()
    # 17 by the manager and 3 by the report in the 7 latest earlier meetings that were not
    # skipped, and the report's new one: neither the private points nor the 9th count.
    assert "✍️ <@U_REPORT> wrote 4 of the last 21 talking points" in dump(
        open_home(bot, "U_MANAGER")
    )
    mine = dump(open_home(bot, "U_REPORT"))
    assert "✍️ You wrote 4 of the last 21 talking points" in mine
    assert "<@U_REPORT> wrote" not in mine
    sent = to_the_prompts(bot)
    assert (
        "💬 <@U_MANAGER> wrote most of the last talking points — this is your meeting, "
        "bring yours first." in texts(sent["U_REPORT"]["blocks"])
    )
    assert "leave room for <@U_REPORT>" in dump(sent["U_MANAGER"]["blocks"])
    assert "This is your meeting" not in dump(sent["U_MANAGER"]["blocks"])


def test_no_nudge_when_the_report_leads(bot: RunningBot) -> None:
    schedule(bot)
    for n in range(4):
        bot.slack.command(f"add topic {n}", user_id="U_REPORT")
    bot.slack.command("add one of mine", user_id="U_MANAGER")
    bot.settle()
    assert "<@U_REPORT> wrote 4 of the last 5 talking points" in dump(open_home(bot, "U_MANAGER"))
    sent = to_the_prompts(bot)
    assert "This is your meeting" not in dump(sent["U_REPORT"]["blocks"])
    assert "leave room" not in dump(sent["U_MANAGER"]["blocks"])


# --- a point carried over three times ---------------------------------------------------------


def carried_point(bot: RunningBot, text: str, author: str, *, times: int = 3) -> int:
    """A point of `author` on the upcoming agenda, carried over `times` times."""
    with bot.db() as session:
        point = TalkingPoint(
            team_id="T0001",
            meeting_id=upcoming(bot).id or 0,
            author_id=author,
            text=text,
            carried_count=times,
            position=1,
            created_at=datetime(2026, 11, 10, tzinfo=UTC),
        )
        session.add(point)
        session.commit()
        return point.id or 0


def test_a_point_carried_three_times_is_marked_and_its_author_keeps_or_drops_it(
    bot: RunningBot,
) -> None:
    schedule(bot)
    stale = carried_point(bot, "the offsite budget", "U_REPORT")
    other = carried_point(bot, "hiring plan", "U_REPORT", times=4)
    young = carried_point(bot, "team lunch", "U_REPORT", times=2)
    sent = to_the_prompts(bot)
    question = "discuss it this week, or drop it?"
    mine = dump(sent["U_REPORT"]["blocks"])
    assert mine.count(question) == 2 and "team lunch* has been" not in mine
    # Asked about above, not listed again under "Talking points so far"; the young one is.
    assert mine.count("the offsite budget") == mine.count("hiring plan") == 1
    assert "team lunch" in mine
    assert question not in dump(sent["U_MANAGER"]["blocks"])
    assert button_in(sent["U_REPORT"], KEEP_POINT)["value"] == str(stale)

    # Only its author may keep or drop it.
    for action_id in (KEEP_POINT, DROP_STUCK):
        refused = click(bot, action_id, str(stale), "U_MANAGER", sent["U_MANAGER"])
        assert "only" in refused and "your own talking points" in refused
        assert "your own talking points" in click(bot, action_id, str(stale), "U_STRANGER")

    kept = click(bot, KEEP_POINT, str(stale), "U_REPORT", sent["U_REPORT"])
    assert "Kept" in kept
    now = dump(prompts(bot)["U_REPORT"]["blocks"])
    assert now.count(question) == 1 and "*hiring plan* has been carried over 4 times" in now
    assert "Dropped" in click(bot, DROP_STUCK, str(other), "U_REPORT", prompts(bot)["U_REPORT"])
    assert question not in dump(prompts(bot)["U_REPORT"]["blocks"])

    posted = dump(to_the_agenda(bot)["blocks"])
    assert "the offsite budget" in posted and "hiring plan" not in posted
    assert "🔁 carried 3× — discuss it, or drop it" in posted
    assert "carried 2×" in posted and "carried 2× —" not in posted
    with bot.db.read() as session:
        assert session.get(TalkingPoint, other) is None
        assert session.get(TalkingPoint, young) is not None
