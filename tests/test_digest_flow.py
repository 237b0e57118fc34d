"""A manager's weekly digest through the running bot and the fake Slack: Friday 16:00 on the
manager's clock, exactly once, only to people who manage an active series, off and on with
one click."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from blocks.digest import DIGEST_OFF, DIGEST_ON
from store.models import ActionItem, Meeting, MeetingStatus, Pair, Person, TalkingPoint
from tests.running_bot import RunningBot
from tests.test_home_flow import add_reports, open_home
from tests.test_weekly_loop import schedule

FRIDAY_4PM_NEW_YORK = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def digests(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        c.args
        for c in bot.fake.delivered("chat.postMessage")
        if str(c.args.get("text", "")).startswith("Your 1:1s this week")
    ]


def texts(block: dict[str, Any]) -> list[str]:
    return str((block.get("text") or {}).get("text") or "").split("\n")


def people(line: str) -> set[str]:
    return set(re.findall(r"<@(\w+)>", line))


def twelve_reports(bot: RunningBot) -> list[str]:
    """U_MANAGER manages U_REPORT and 11 more, their series three weeks old; this week's
    1:1s: every 4th held, every 4th skipped, the rest with nothing recorded."""
    schedule(bot)
    reports = ["U_REPORT", *add_reports(bot, 11)]
    week = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday 00:00 in New York
    with bot.db() as session:
        pairs = {p.report_id: p for p in session.exec(select(Pair)).all()}
        for pair in pairs.values():
            pair.created_at = week - timedelta(weeks=3)
            session.add(pair)
        for meeting in session.exec(select(Meeting)).all():
            index = reports.index(next(r for r, p in pairs.items() if p.id == meeting.pair_id))
            if index % 4 == 0:
                meeting.status, meeting.closed_at = MeetingStatus.HELD, meeting.starts_at
            elif index % 4 == 1:
                meeting.status = MeetingStatus.SKIPPED
            session.add(meeting)
        earlier = week - timedelta(days=6)  # U_R01 met ten days before Friday: not quiet
        session.add(held_meeting(pairs["U_R01"], earlier))
        for owner, report, due in [
            ("U_REPORT", "U_REPORT", date(2026, 11, 20)),
            ("U_REPORT", "U_REPORT", date(2026, 12, 20)),
            ("U_MANAGER", "U_R02", None),
            ("U_MANAGER", "U_R03", date(2026, 12, 1)),
            ("U_R02", "U_R02", date(2026, 11, 1)),
        ]:
            session.add(item(pairs[report], owner, due))
        session.add(item(pairs["U_R05"], "U_R05", None, done=True))
        session.commit()
        for report, text, private in [("U_R02", "the reorg", False), ("U_R02", "my visa", True)]:
            session.add(stuck_point(session, pairs[report], text, private))
        session.commit()
    return reports


def held_meeting(pair: Pair, start: datetime) -> Meeting:
    return Meeting(
        team_id="T0001",
        pair_id=pair.id or 0,
        slot_at=start,
        starts_at=start,
        status=MeetingStatus.HELD,
        unscheduled=True,
        closed_at=start + timedelta(hours=1),
        created_at=start,
    )


def item(pair: Pair, owner: str, due: date | None, *, done: bool = False) -> ActionItem:
    return ActionItem(
        team_id="T0001",
        pair_id=pair.id or 0,
        owner_id=owner,
        text=f"item of {owner}",
        due_date=due,
        created_by=pair.manager_id,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        done_at=datetime(2026, 11, 2, tzinfo=UTC) if done else None,
    )


def stuck_point(session: Any, pair: Pair, text: str, private: bool) -> TalkingPoint:
    """A point carried twice on this week's 1:1, undiscussed: closing it carries it a third
    time, onto next week's."""
    meeting = session.exec(select(Meeting).where(Meeting.pair_id == pair.id)).first()
    return TalkingPoint(
        team_id="T0001",
        meeting_id=meeting.id,
        author_id=pair.report_id,
        text=text,
        is_private=private,
        carried_count=2,
        created_at=datetime(2026, 11, 16, tzinfo=UTC),
    )


def test_the_digest_of_a_manager_with_twelve_reports(bot: RunningBot) -> None:
    reports = twelve_reports(bot)
    bot.clock.now = FRIDAY_4PM_NEW_YORK - timedelta(minutes=1)
    bot.tick()
    assert digests(bot) == []  # not before Friday 16:00 on the manager's clock
    bot.clock.now = FRIDAY_4PM_NEW_YORK
    assert bot.tick().counts.get("digest_sent") == 1
    (digest,) = digests(bot)
    assert digest["channel"] == "U_MANAGER"
    text = dump(digest["blocks"])
    assert "Week of Mon Nov 30 · 12 reports" in text
    assert "*This week:* 3 held · 3 skipped · 6 not held" in text
    lines = {line.split(":", 1)[0]: line for b in digest["blocks"] for line in texts(b)}
    assert people(lines["✅ Held"]) == set(reports[0::4])
    assert people(lines["⏭️ Skipped"]) == set(reports[1::4])
    assert people(lines["⬛ Not held"]) == set(reports) - set(reports[0::4]) - set(reports[1::4])
    quiet = {r for n, r in enumerate(reports) if n % 4 and r != "U_R01"}
    assert people(lines["*No held 1"]) == quiet
    assert "• You: 2 open · ⚠️ 1 overdue" in text and "<@U_MANAGER>:" not in text
    assert text.index("• You: 2 open") < text.index("• <@U_REPORT>: 2 open")  # the manager's first
    assert "• <@U_REPORT>: 2 open · ⚠️ 1 overdue" in text
    assert "• <@U_R02>: 1 open · ⚠️ 1 overdue" in text and "U_R05>:" not in text
    assert "the reorg — <@U_R02>'s point · carried 3×" in text
    assert "my visa" not in text  # private points never count
    assert not [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.args["channel"] in reports and "this week" in str(c.args.get("text"))
    ]
    assert bot.tick().counts.get("digest_sent") is None  # exactly once
    assert len(digests(bot)) == 1


def test_someone_who_manages_nobody_gets_no_digest(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.now = FRIDAY_4PM_NEW_YORK
    bot.tick()
    assert [d["channel"] for d in digests(bot)] == ["U_MANAGER"]


def click(bot: RunningBot, action_id: str, user_id: str, **where: Any) -> str:
    name = f"click-{uuid.uuid4().hex}"
    if "view" not in where:
        where["response_url"] = bot.fake.response_url(name)
    bot.slack.block_actions([{"type": "button", "action_id": action_id}], user_id=user_id, **where)
    bot.settle()
    return str(bot.fake.responses(name))


def test_the_digest_turns_off_with_one_click_and_on_again_from_home(bot: RunningBot) -> None:
    schedule(bot)
    bot.clock.now = FRIDAY_4PM_NEW_YORK
    bot.tick()
    (digest,) = digests(bot)
    assert DIGEST_OFF in dump(digest["blocks"])
    told = click(
        bot, DIGEST_OFF, "U_MANAGER", message={"blocks": digest["blocks"]}, channel_id="DU_MANAGER"
    )
    assert "Your weekly digest is off" in told
    with bot.db.read() as session:
        person = session.get(Person, ("T0001", "U_MANAGER"))
        assert person is not None and person.digest_off
    bot.clock.advance(days=7)
    bot.tick()
    assert len(digests(bot)) == 1  # none the next Friday
    home = open_home(bot, "U_MANAGER")
    assert "Your weekly digest is off" in dump(home) and DIGEST_ON in dump(home)
    assert DIGEST_OFF not in dump(open_home(bot, "U_REPORT"))  # a report has no switch
    click(bot, DIGEST_ON, "U_MANAGER", view=home)
    assert "Fridays at 16:00" in dump(bot.fake.home_view("U_MANAGER"))
    bot.clock.advance(days=7)
    bot.tick()
    assert len(digests(bot)) == 2


def test_turning_it_off_touches_only_the_clickers_own_digest(bot: RunningBot) -> None:
    schedule(bot)
    click(bot, DIGEST_OFF, "U_STRANGER")
    with bot.db.read() as session:
        off = session.exec(select(Person.user_id).where(col(Person.digest_off))).all()
    assert off == ["U_STRANGER"]
    bot.clock.now = FRIDAY_4PM_NEW_YORK
    bot.tick()
    assert [d["channel"] for d in digests(bot)] == ["U_MANAGER"]
