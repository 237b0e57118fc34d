"""Many workspaces in one process (OAuth mode), through the real HTTP server and the fake
Slack, which checks the token of every call: each workspace's requests and due work use its
own token, an Enterprise Grid org-wide installation serves its workspaces (data keyed by each
workspace), and forged requests naming one workspace with another's ids get nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from blocks import ids
from store.models import Meeting, MeetingStatus, Pair, TalkingPoint, Workspace
from tests.fake_slack import Call, FakeSlack
from tests.oauth_bot import install, start_oauth_bot, tick
from tests.running_bot import FakeClock, RunningBot, stop_bot
from tests.slack_requests import FORM, JSON

GLOBEX = {"U_G_MGR": "Europe/London", "U_G_REP": "Europe/Paris"}
ORG = {"U_O_MGR": "America/Chicago", "U_O_REP": "America/Denver"}


@pytest.fixture
def oauth_bot(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[RunningBot]:
    """Acme (T0001) and Globex (T0002); an org E0001 with workspaces T0100 and T0200."""
    fake_slack.add_workspace("T0001", name="Acme")
    fake_slack.add_workspace("T0002", name="Globex")
    fake_slack.add_workspace("T0100", name="Org East", enterprise_id="E0001")
    fake_slack.add_workspace("T0200", name="Org West", enterprise_id="E0001")
    for user, tz in GLOBEX.items():
        fake_slack.add_user(user, tz=tz, team_id="T0002")
    for user, tz in ORG.items():
        fake_slack.add_user(user, tz=tz, team_id="T0100")
    running = start_oauth_bot(fake_slack, tmp_path, clock)
    yield running
    stop_bot(running)


def token_of(bot: RunningBot, where: str) -> str:
    return bot.fake.tokens_of(where)[-1].token


def schedule(bot: RunningBot, manager: str, report: str, team_id: str) -> None:
    reply = bot.slack.command(
        f"schedule <@{report}|r> tuesday 10:00 weekly 30m", user_id=manager, team_id=team_id
    )
    assert reply.status == 200
    bot.settle()


def names(call: Call) -> set[str]:
    """The people a call is about (its user, users, or a DM by user id)."""
    found = {str(call.args[k]) for k in ("user", "user_id") if call.args.get(k)}
    found |= set(str(call.args.get("users") or "").split(",")) - {""}
    channel = str(call.args.get("channel") or "")
    return found | ({channel} if channel[:1] == "U" else set())


def test_two_workspaces_each_with_its_own_token_for_requests_and_due_work(
    oauth_bot: RunningBot,
) -> None:
    install(oauth_bot, "T0001", installer="U_MANAGER")
    install(oauth_bot, "T0002", installer="U_G_MGR")
    acme, globex = token_of(oauth_bot, "T0001"), token_of(oauth_bot, "T0002")
    assert acme != globex
    oauth_bot.fake.reset()
    schedule(oauth_bot, "U_MANAGER", "U_REPORT", "T0001")
    schedule(oauth_bot, "U_G_MGR", "U_G_REP", "T0002")
    for _ in range(3):
        assert oauth_bot.slack.command("list", team_id="T0002", user_id="U_G_MGR").status == 200
    oauth_bot.settle()
    oauth_bot.clock.advance(hours=4)
    report = tick(oauth_bot)
    assert report.counts.get("prompt_sent", 0) >= 3
    calls = oauth_bot.fake.calls()
    assert {c.token for c in calls if names(c) & {"U_MANAGER", "U_REPORT"}} == {acme}
    assert {c.token for c in calls if names(c) & set(GLOBEX)} == {globex}
    prompts = oauth_bot.fake.delivered("chat.postMessage")
    sent = {(c.args["channel"], c.token) for c in prompts if "Your 1:1 with" in str(c.args)}
    assert {("U_MANAGER", acme), ("U_REPORT", acme), ("U_G_MGR", globex)} <= sent
    assert sent <= {
        ("U_MANAGER", acme),
        ("U_REPORT", acme),
        ("U_G_MGR", globex),
        ("U_G_REP", globex),
    }
    # Bolt's authorize asks auth.test once per token, not once per request.
    assert sorted(c.token for c in oauth_bot.fake.calls("auth.test")) == sorted([acme, globex])
    assert oauth_bot.fake.cross_team_calls == []
    with oauth_bot.db.read() as session:
        teams = {(p.team_id, p.manager_id) for p in session.exec(select(Pair)).all()}
    assert teams == {("T0001", "U_MANAGER"), ("T0002", "U_G_MGR")}


def test_a_workspace_that_never_installed_gets_the_reinstall_message_and_no_data(
    oauth_bot: RunningBot,
) -> None:
    install(oauth_bot, "T0001", installer="U_MANAGER")
    name = "not-installed"
    reply = oauth_bot.slack.command(
        "list", team_id="T0002", user_id="U_G_MGR", response_url=oauth_bot.fake.response_url(name)
    )
    assert reply.status == 200
    answered = str(oauth_bot.fake.responses(name)) + reply.body
    assert "reinstall" in answered.lower()
    with oauth_bot.db.read() as session:
        assert session.exec(select(Pair)).all() == []


# --- forgeries: one workspace's team, another's ids -------------------------------------------


def acme_with_a_pair(bot: RunningBot) -> tuple[int, int]:
    """Acme and Globex installed; in Acme a 1:1 with a private point. (pair id, meeting id)"""
    install(bot, "T0001", installer="U_MANAGER")
    install(bot, "T0002", installer="U_G_MGR")
    schedule(bot, "U_MANAGER", "U_REPORT", "T0001")
    bot.slack.command("add private secret raise plan", user_id="U_REPORT")
    bot.slack.command("add roadmap review", user_id="U_MANAGER")
    bot.settle()
    with bot.db.read() as session:
        pair = session.exec(select(Pair)).one()
        meeting = session.exec(select(Meeting).where(Meeting.pair_id == pair.id)).one()
    assert pair.id is not None and meeting.id is not None
    return pair.id, meeting.id


def everything_shown(bot: RunningBot) -> str:
    """Every text the bot sent anyone since the last reset (calls and response_url posts)."""
    sent = [json.dumps(c.args) for c in bot.fake.calls()]
    sent += [json.dumps(bot.fake.responses(name)) for name in ("forged", "default")]
    return "\n".join(sent)


def acme_state(bot: RunningBot) -> list[Any]:
    with bot.db.read() as session:
        points = sorted((p.text, p.discussed) for p in session.exec(select(TalkingPoint)).all())
        meetings = sorted(
            (m.id, m.status, m.starts_at) for m in session.exec(select(Meeting)).all()
        )
        pairs = sorted((p.id, p.ended_at, p.paused_until) for p in session.exec(select(Pair)).all())
    return [points, meetings, pairs]


@pytest.mark.parametrize("forger", ["U_MANAGER", "U_G_MGR"])
def test_forged_requests_naming_globex_with_acme_ids_get_nothing(
    oauth_bot: RunningBot, forger: str
) -> None:
    pair_id, meeting_id = acme_with_a_pair(oauth_bot)
    before = acme_state(oauth_bot)
    oauth_bot.fake.reset()
    forged = oauth_bot.fake.response_url("forged")
    slack = oauth_bot.slack
    kinds: dict[str, Any] = {
        "command": lambda: slack.command(
            "agenda <@U_REPORT|r>", team_id="T0002", user_id=forger, response_url=forged
        ),
        "command add": lambda: slack.command(
            "add <@U_REPORT|r> forged", team_id="T0002", user_id=forger, response_url=forged
        ),
    }
    for action_id, value in (
        (ids.TAKE_NOTES, meeting_id),
        (ids.SKIP, meeting_id),
        (ids.END, pair_id),
        (ids.ADD_POINT, meeting_id),
    ):
        kinds[f"button {action_id}"] = lambda a=action_id, v=value: slack.block_actions(
            [{"type": "button", "action_id": a, "value": str(v), "action_ts": "1.1"}],
            user_id=forger,
            team_id="T0002",
            response_url=forged,
        )
    kinds["view_submission skip"] = lambda: slack.view_submission(
        {"callback_id": ids.SKIP_MODAL, "private_metadata": str(meeting_id)},
        user_id=forger,
        team_id="T0002",
    )
    kinds["message shortcut"] = lambda: slack.message_shortcut(
        ids.SHORTCUT_ADD_TO_AGENDA,
        {"text": "forged point", "user": forger},
        user_id=forger,
        channel_id="C0002",
        team_id="T0002",
        response_url=forged,
    )
    kinds["event home"] = lambda: slack.event(
        {"type": "app_home_opened", "user": forger, "channel": "D1", "tab": "home"},
        team_id="T0002",
    )
    kinds["event dm"] = lambda: slack.event(
        {
            "type": "message",
            "channel": f"D{forger}",
            "channel_type": "im",
            "user": forger,
            "text": "forged dm point",
            "ts": "1700000000.000100",
        },
        team_id="T0002",
    )
    for kind, send in kinds.items():
        assert send().status == 200, kind
        oauth_bot.settle()
    shown = everything_shown(oauth_bot)
    assert "secret raise plan" not in shown and "roadmap review" not in shown
    assert acme_state(oauth_bot) == before
    globex = token_of(oauth_bot, "T0002")
    assert {c.token for c in oauth_bot.fake.calls()} <= {globex}  # never Acme's token


# --- Enterprise Grid -------------------------------------------------------------------------


def org_envelope(bot: RunningBot, event: dict[str, Any], team_id: str | None) -> bytes:
    """An event of an org-wide installation (authorizations name the org, team_id null)."""
    envelope = bot.slack.envelope(event, team_id=team_id or "")
    envelope["authorizations"] = [
        {
            "enterprise_id": "E0001",
            "team_id": None,
            "user_id": "UBOTE0001",
            "is_bot": True,
            "is_enterprise_install": True,
        }
    ]
    envelope["enterprise_id"] = "E0001"
    return json.dumps(envelope).encode()


def org_command(bot: RunningBot, text: str, *, user_id: str, team_id: str) -> str:
    fields = {
        "team_id": team_id,
        "enterprise_id": "E0001",
        "enterprise_name": "Org",
        "channel_id": "C0100",
        "user_id": user_id,
        "command": "/oneonone",
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "true",
        "response_url": bot.fake.response_url("org"),
        "trigger_id": bot.slack.trigger_id(),
    }
    assert bot.slack.post(urlencode(fields).encode(), FORM).status == 200
    bot.settle()
    return json.dumps(bot.fake.responses("org"))


def test_an_org_wide_install_serves_its_workspaces_keyed_by_each(oauth_bot: RunningBot) -> None:
    reply = install(oauth_bot, None, installer="U_O_MGR", enterprise_id="E0001")
    assert reply.status == 200 and "Org E0001" in reply.body
    org_token = token_of(oauth_bot, "E0001")
    welcome = oauth_bot.fake.wait_for("chat.postMessage")[0]
    assert (welcome.args["channel"], welcome.token) == ("U_O_MGR", org_token)
    granted = {"type": "team_access_granted", "team_ids": ["T0100", "T0200"]}
    assert oauth_bot.slack.post(org_envelope(oauth_bot, granted, None), JSON).status == 200
    oauth_bot.settle()
    with oauth_bot.db.read() as session:
        rows = {
            w.team_id: (w.enterprise_id, w.org_install) for w in session.exec(select(Workspace))
        }
    assert rows == {"T0100": ("E0001", True), "T0200": ("E0001", True)}

    org_command(
        oauth_bot, "schedule <@U_O_REP|r> tuesday 10:00", user_id="U_O_MGR", team_id="T0100"
    )
    # An org-installed interactive payload: team is null, the user's team says where.
    payload = oauth_bot.slack._interaction("block_actions", "U_O_MGR", "T0100", None)
    payload |= {
        "team": None,
        "enterprise": {"id": "E0001", "name": "Org"},
        "is_enterprise_install": True,
        "actions": [
            {"type": "button", "action_id": ids.SCHEDULE_OPEN, "value": "", "action_ts": "1.1"}
        ],
        "trigger_id": oauth_bot.slack.trigger_id(),
    }
    assert oauth_bot.slack.interaction(payload).status == 200
    home = {"type": "app_home_opened", "user": "U_O_MGR", "channel": "D1", "tab": "home"}
    assert oauth_bot.slack.post(org_envelope(oauth_bot, home, "T0100"), JSON).status == 200
    oauth_bot.settle()
    assert oauth_bot.fake.wait_for("views.open")[-1].token == org_token
    assert oauth_bot.fake.home_view("U_O_MGR") is not None
    with oauth_bot.db.read() as session:
        pair = session.exec(select(Pair)).one()
    assert (pair.team_id, pair.manager_id, pair.report_id) == ("T0100", "U_O_MGR", "U_O_REP")
    oauth_bot.clock.advance(hours=4)
    assert tick(oauth_bot).counts.get("prompt_sent", 0) >= 1
    posts = oauth_bot.fake.delivered("chat.postMessage")
    prompts = [c for c in posts if "Your 1:1 with" in str(c.args)]
    assert {c.token for c in prompts} == {org_token}
    assert oauth_bot.fake.cross_team_calls == []


def test_an_org_losing_a_workspace_stops_its_due_work(oauth_bot: RunningBot) -> None:
    install(oauth_bot, None, installer="U_O_MGR", enterprise_id="E0001")
    granted = {"type": "team_access_granted", "team_ids": ["T0100"]}
    oauth_bot.slack.post(org_envelope(oauth_bot, granted, None), JSON)
    org_command(
        oauth_bot, "schedule <@U_O_REP|r> tuesday 10:00", user_id="U_O_MGR", team_id="T0100"
    )
    revoked = {"type": "team_access_revoked", "team_ids": ["T0100"]}
    assert oauth_bot.slack.post(org_envelope(oauth_bot, revoked, None), JSON).status == 200
    oauth_bot.settle()
    revoked_at = oauth_bot.clock()
    oauth_bot.fake.reset()
    oauth_bot.clock.advance(hours=4)
    tick(oauth_bot)
    assert oauth_bot.fake.calls() == []
    with oauth_bot.db.read() as session:
        workspace = session.get(Workspace, "T0100")
        assert workspace is not None and workspace.uninstalled_at == revoked_at
        meeting = session.exec(select(Meeting)).one()
        assert meeting.status == MeetingStatus.SCHEDULED
