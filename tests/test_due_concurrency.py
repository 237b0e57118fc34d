"""Two bot processes running due work on one database never both post (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.due import run_due
from store.access import Actor
from store.db import session_factory
from store.schedule import PairRequest, create_pair
from tests.fake_slack import FakeSlack
from tests.running_bot import clients_for

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
