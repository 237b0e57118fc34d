"""A workspace's life in OAuth mode, through the real HTTP server and the fake Slack: the app
uninstalled (due work stops at once, the data goes after the retention, kept before it;
reinstalling in time resumes), tokens revoked or refused during due work (suspended, counted,
resumed by a working token), rotation one process at a time, a missing scope told once, and
moving from single-workspace mode keeping every row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.due import DueReport
from bot.oauth import PROBE_EVERY
from store.models import DueWork, Meeting, Pair, TalkingPoint, Workspace
from store.workspaces import team_rows
from tests.db_fixtures import sqlite_engine
from tests.fake_slack import FakeSlack
from tests.oauth_bot import install, oauth_of, start_oauth_bot, tick
from tests.running_bot import FakeClock, RunningBot, start_bot, stop_bot
from tests.test_weekly_loop import schedule

GLOBEX = {"U_G_MGR": "Europe/London", "U_G_REP": "Europe/Paris"}


@pytest.fixture
def oauth_bot(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock, engine: Engine
) -> Iterator[RunningBot]:
    """Acme (T0001) and Globex (T0002) installed, on SQLite and PostgreSQL."""
    fake_slack.add_workspace("T0001", name="Acme")
    fake_slack.add_workspace("T0002", name="Globex")
    for user, tz in GLOBEX.items():
        fake_slack.add_user(user, tz=tz, team_id="T0002")
    running = start_oauth_bot(fake_slack, tmp_path, clock, engine=engine)
    install(running, "T0001", installer="U_MANAGER")
    install(running, "T0002", installer="U_G_MGR")
    yield running
    stop_bot(running)
    assert fake_slack.cross_team_calls == []


def acme(bot: RunningBot) -> str:
    return bot.fake.tokens_of("T0001")[-1].token


def both_scheduled(bot: RunningBot) -> None:
    schedule(bot)  # Acme: U_MANAGER with U_REPORT
    reply = bot.slack.command(
        "schedule <@U_G_REP|g> tuesday 10:00", user_id="U_G_MGR", team_id="T0002"
    )
    assert reply.status == 200
    bot.slack.command("add roadmap", user_id="U_MANAGER")
    bot.settle()


def acme_rows(bot: RunningBot) -> int:
    with bot.db.read() as session:
        return team_rows(session, "T0001")


def uninstall(bot: RunningBot, team_id: str = "T0001") -> None:
    reply = bot.slack.event({"type": "app_uninstalled"}, team_id=team_id)
    assert reply.status == 200
    bot.settle()


def test_uninstall_stops_every_call_for_that_workspace_at_once(oauth_bot: RunningBot) -> None:
    both_scheduled(oauth_bot)
    uninstall(oauth_bot)
    assert oauth_of(oauth_bot).installations.token("T0001") is None
    oauth_bot.fake.reset()
    for hours in (4, 23, 24, 48):
        oauth_bot.clock.advance(hours=hours)
        tick(oauth_bot)
    globex = oauth_bot.fake.tokens_of("T0002")[-1].token
    assert oauth_bot.fake.calls() and {c.token for c in oauth_bot.fake.calls()} == {globex}
    # A request from the uninstalled workspace is not served either.
    oauth_bot.fake.reset()
    oauth_bot.slack.command("list", user_id="U_MANAGER")
    oauth_bot.settle()
    assert [c for c in oauth_bot.fake.calls() if c.token != globex] == []


def test_the_data_is_kept_through_the_retention_and_deleted_after_it(
    oauth_bot: RunningBot,
) -> None:
    both_scheduled(oauth_bot)
    kept = acme_rows(oauth_bot)
    uninstall(oauth_bot)
    oauth_bot.clock.advance(days=29, hours=23)
    assert tick(oauth_bot).counts.get("workspaces_purged") is None
    assert acme_rows(oauth_bot) >= kept > 0
    oauth_bot.clock.advance(hours=1)
    assert tick(oauth_bot).counts.get("workspaces_purged") == 1
    assert acme_rows(oauth_bot) == 0
    with oauth_bot.db.read() as session:
        assert {p.team_id for p in session.exec(select(Pair)).all()} == {"T0002"}
        workspace = session.get(Workspace, "T0001")
        assert workspace is not None and workspace.purged_at == oauth_bot.clock()
    assert tick(oauth_bot).counts.get("workspaces_purged") is None  # once


def test_reinstalling_before_the_retention_resumes_where_it_stopped(
    oauth_bot: RunningBot,
) -> None:
    both_scheduled(oauth_bot)
    uninstall(oauth_bot)
    oauth_bot.clock.advance(days=10)
    tick(oauth_bot)
    oauth_bot.fake.reset()
    install(oauth_bot, "T0001", installer="U_MANAGER")
    welcome = [
        c for c in oauth_bot.fake.calls("chat.postMessage") if c.args["channel"] == "U_MANAGER"
    ]
    assert len(welcome) == 1  # welcomed back
    oauth_bot.clock.advance(days=25)
    report = tick(oauth_bot)
    assert report.counts.get("workspaces_purged") is None
    with oauth_bot.db.read() as session:
        points = [p.text for p in session.exec(select(TalkingPoint)).all()]
    assert "roadmap" in points
    assert any(c.token == acme(oauth_bot) for c in oauth_bot.fake.delivered("chat.postMessage"))


def suspended(report: DueReport) -> int:
    """How many pieces of due work a tick gave back because their workspace is suspended."""
    return sum(n for outcome, n in report.counts.items() if outcome.endswith("_suspended"))


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive", "token_revoked"])
def test_a_refused_token_during_due_work_suspends_that_workspace_only(
    oauth_bot: RunningBot, error: str
) -> None:
    both_scheduled(oauth_bot)
    dead = acme(oauth_bot)
    oauth_bot.fake.revoke(dead, error=error)
    oauth_bot.fake.reset()
    oauth_bot.clock.advance(hours=4)
    report = tick(oauth_bot)
    assert suspended(report) == 1  # the first of its due work (a prompt or a calendar file)
    refused = [c for c in oauth_bot.fake.calls() if c.token == dead]
    assert len(refused) == 1  # one refusal, then nothing more with that token
    with oauth_bot.db.read() as session:
        workspace = session.get(Workspace, "T0001")
        assert workspace is not None and workspace.suspended_reason == error
        waiting = session.exec(select(DueWork).where(DueWork.team_id == "T0001")).all()
        assert all(w.done_at is None and w.attempts == 0 for w in waiting if w.kind == "prompt")
        assert session.exec(select(Pair).where(Pair.team_id == "T0001")).one().ended_at is None
    metrics = oauth_bot.runtime.metrics.render().decode()
    assert f'oneonone_workspaces_suspended_total{{error="{error}"}} 1.0' in metrics
    assert 'oneonone_workspaces{status="suspended"} 1.0' in metrics
    for _ in range(3):  # not retried: the probe waits an hour for an unchanged token
        oauth_bot.clock.advance(minutes=5)
        tick(oauth_bot)
    assert [c for c in oauth_bot.fake.calls() if c.token == dead] == refused
    # Globex goes on meanwhile.
    globex = oauth_bot.fake.tokens_of("T0002")[-1].token
    assert any(c.token == globex for c in oauth_bot.fake.delivered("chat.postMessage"))

    oauth_bot.fake.restore(dead)  # Slack takes the token back (e.g. the workspace reactivated)
    oauth_bot.clock.advance(seconds=PROBE_EVERY.total_seconds())
    report = tick(oauth_bot)
    assert report.counts.get("workspaces_resumed") == 1
    assert report.counts.get("prompt_sent", 0) >= 1
    assert 'oneonone_workspaces{status="active"} 2.0' in oauth_bot.runtime.metrics.render().decode()


def test_a_reinstall_resumes_a_suspended_workspace_at_once(oauth_bot: RunningBot) -> None:
    both_scheduled(oauth_bot)
    oauth_bot.fake.revoke(acme(oauth_bot), error="invalid_auth")
    oauth_bot.clock.advance(hours=4)
    assert suspended(tick(oauth_bot)) == 1
    install(oauth_bot, "T0001", installer="U_MANAGER")
    report = tick(oauth_bot)
    assert report.counts.get("prompt_sent", 0) >= 1
    sent = [
        c for c in oauth_bot.fake.delivered("chat.postMessage") if c.args["channel"] == "U_MANAGER"
    ]
    assert sent[-1].token == acme(oauth_bot)


def test_tokens_revoked_removes_the_bot_token_and_stops_the_due_work(
    oauth_bot: RunningBot,
) -> None:
    both_scheduled(oauth_bot)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTT0001"]}}
    assert oauth_bot.slack.event(event, team_id="T0001").status == 200
    oauth_bot.settle()
    oauth = oauth_of(oauth_bot)
    assert oauth.store.find_bot(enterprise_id=None, team_id="T0001") is None
    oauth_bot.fake.reset()
    oauth_bot.clock.advance(hours=4)
    tick(oauth_bot)
    assert {c.token for c in oauth_bot.fake.calls()} == {
        oauth_bot.fake.tokens_of("T0002")[-1].token
    }
    with oauth_bot.db.read() as session:
        workspace = session.get(Workspace, "T0001")
        assert workspace is not None and workspace.suspended_reason == "tokens_revoked"
        assert workspace.uninstalled_at is None  # no retention clock: nothing is deleted
    oauth_bot.clock.advance(days=60)
    tick(oauth_bot)
    assert acme_rows(oauth_bot) > 0


def test_a_missing_scope_tells_the_installer_once_and_the_feature_says_so(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    fake_slack.add_workspace("T0001", name="Acme")
    bot = start_oauth_bot(fake_slack, tmp_path, clock)
    try:
        older = {"commands", "chat:write", "im:write", "im:history", "mpim:write"}
        install(bot, "T0001", installer="U_BOSS", scopes=older | {"mpim:history", "users:read"})
        schedule(bot)
        for _ in range(2):
            name = f"export-{_}"
            bot.slack.command("export", response_url=bot.fake.response_url(name))
            bot.settle()
        told = [c for c in bot.fake.calls("chat.postMessage") if c.args["channel"] == "U_BOSS"]
        texts = [str(c.args["blocks"]) for c in told]
        assert sum("install oneonone again" in t and "files:write" in t for t in texts) == 1
        for name in ("export-0", "export-1"):  # the feature says it is unavailable, each time
            assert "Exports are unavailable in this workspace" in str(bot.fake.responses(name))
    finally:
        stop_bot(bot)


def test_token_rotation_one_process_at_a_time(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock, engine: Engine
) -> None:
    fake_slack.add_workspace("T0001", name="Acme")
    first = start_oauth_bot(fake_slack, tmp_path / "one", clock, engine=engine)
    second = start_oauth_bot(fake_slack, tmp_path / "two", clock, engine=engine)
    try:
        install(first, "T0001", installer="U_MANAGER", rotation=True)
        original = acme(first)
        assert oauth_of(second).installations.token("T0001") == original
        clock.advance(hours=10, minutes=1)  # within two hours of the 12-hour expiry
        hold = fake_slack.hold("oauth.v2.access", after_accept=True)
        rotating = first.executor.submit(oauth_of(first).installations.token, "T0001")
        fake_slack.wait_for("oauth.v2.access", count=2)  # the install, then this refresh
        # Meanwhile the other process goes on with the current token, which still works.
        assert oauth_of(second).installations.token("T0001") == original
        hold.release()
        rotated = rotating.result(timeout=10)
        assert rotated != original and rotated == acme(first)
        oauth_of(second).installations.forget()
        assert oauth_of(second).installations.token("T0001") == rotated
        refreshes = [c for c in fake_slack.calls("oauth.v2.access") if c.args.get("grant_type")]
        assert len(refreshes) == 1 and not refreshes[0].failed
        reply = second.slack.command("help")
        assert reply.status == 200
        second.settle()
        assert fake_slack.calls("auth.test")[-1].token == rotated
    finally:
        stop_bot(second)
        stop_bot(first)


def test_moving_from_single_workspace_mode_keeps_every_row(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    engine = sqlite_engine(tmp_path)
    single = start_bot(fake_slack, tmp_path, clock, engine=engine)
    schedule(single)
    single.slack.command("add roadmap", user_id="U_MANAGER")
    single.settle()
    with single.db.read() as session:
        before = team_rows(session, "T0001")
    stop_bot(single)
    engine = sqlite_engine(tmp_path)  # the same file, opened again
    fake_slack.add_workspace("T0001", name="Acme")
    bot = start_oauth_bot(fake_slack, tmp_path, clock, engine=engine)
    try:
        clock.advance(hours=4)
        assert suspended(tick(bot)) == 1  # not installed yet: it waits
        assert [
            c
            for c in fake_slack.calls()
            if c.method == "chat.postMessage" and c.token and c.token.startswith("xoxb-T")
        ] == []
        install(bot, "T0001", installer="U_MANAGER")
        with bot.db.read() as session:
            assert team_rows(session, "T0001") >= before
            assert session.exec(select(Meeting)).all()
        report = tick(bot)
        assert report.counts.get("prompt_sent", 0) >= 1
        agenda = bot.slack.command(
            "agenda", user_id="U_MANAGER", response_url=fake_slack.response_url("agenda")
        )
        assert agenda.status == 200
        bot.settle()
        assert "roadmap" in str(fake_slack.responses("agenda"))
    finally:
        stop_bot(bot)
