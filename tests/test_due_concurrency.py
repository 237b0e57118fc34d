"""Two bot processes running due work on one database never both post (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from blocks import ids
from bot.due import run_due
from store.access import Actor
from store.db import session_factory
from store.models import Meeting, TalkingPoint
from store.schedule import PairRequest, create_pair
from tests.fake_slack import FakeSlack
from tests.running_bot import FakeClock, clients_for, start_bot, stop_bot
from tests.test_follow_ups_flow import move_to, tick_at
from tests.test_weekly_loop import schedule

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_two_concurrent_runners_post_each_prompt_and_agenda_once(
    engine: Engine, fake_slack: FakeSlack
) -> None:
    db = session_factory(engine)
    with db() as session:
        for n in range(5):
            create_pair(
                session,
                Actor("T0001", "U_MANAGER"),
                PairRequest(f"U_R{n}", weekday=1, local_time=time(10), timezone="UTC"),
                now=NOW,
            )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def runner(at: datetime) -> None:
        clients = clients_for(fake_slack)  # each runner is a process of its own
        try:
            barrier.wait()
            run_due(db, clients, at)
        except BaseException as error:  # asserted below
            errors.append(error)

    for at in (NOW + timedelta(hours=1), NOW + timedelta(hours=21, minutes=31)):
        threads = [threading.Thread(target=runner, args=(at,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    posts = fake_slack.delivered("chat.postMessage")
    prompts = [c for c in posts if not str(c.args["channel"]).startswith("G")]
    agendas = [c for c in posts if str(c.args["channel"]).startswith("G")]
    assert len(prompts) == 10
    assert len({c.args["channel"] for c in prompts}) == 6  # the manager and five reports
    assert len(agendas) == 5
    assert len({c.args["channel"] for c in agendas}) == 5


def test_while_slack_holds_a_due_post_people_still_add_points_and_save_modals(
    engine: Engine, fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    """No transaction is open while due work waits for Slack: a person's `/oneonone add` and
    a modal that writes before its ack both commit while the agenda post hangs."""
    bot = start_bot(fake_slack, tmp_path, clock, engine=engine)
    hold = None
    ticking = threading.Thread(target=bot.tick, name="due work")
    try:
        schedule(bot)
        tick_at(bot, "2026-11-30 15:00")  # the prompts, posted normally
        move_to(bot, "2026-12-01 14:30")
        hold = fake_slack.hold("chat.postMessage")
        ticking.start()
        hold.wait_held(1)  # the agenda post is in Slack's hands, unanswered
        bot.slack.command(
            "add while it posts", user_id="U_REPORT", response_url=fake_slack.response_url("add")
        )
        (added,) = fake_slack.wait_for_response("add", timeout=5)
        assert "while it posts" in str(added)
        with bot.db.read() as session:
            meeting = session.exec(select(Meeting)).first()
        assert meeting is not None
        moved = bot.slack.view_submission(
            {
                "callback_id": ids.RESCHEDULE_MODAL,
                "private_metadata": str(meeting.id),
                "state": {
                    "values": {
                        ids.RESCHEDULE_DATE: {ids.VALUE: {"selected_date": "2026-12-03"}},
                        ids.RESCHEDULE_TIME: {ids.VALUE: {"selected_time": "09:00"}},
                    }
                },
            },
            user_id="U_MANAGER",
        )
        assert moved.status == 200 and moved.body == ""  # acked: the modal closes
        assert ticking.is_alive()  # still waiting for Slack meanwhile
        with bot.db.read() as session:
            points = [p.text for p in session.exec(select(TalkingPoint))]
            rescheduled = session.get(Meeting, meeting.id)
        assert points == ["while it posts"]
        assert rescheduled is not None and rescheduled.starts_at.day == 3
    finally:
        if hold is not None:
            hold.release()
        if ticking.is_alive():
            ticking.join(timeout=10)
        bot.settle()
        stop_bot(bot)
