"""OAuth mode's install flow through the real HTTP server and the fake Slack: the install
page, the redirect (state good once, for ten minutes, in the browser that started it), the
stored installation, the pages people read, and the welcome DM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from blocks import ids
from blocks.welcome import reinstall_message
from bot.oauth import manifest_scopes
from store.models import Workspace
from tests.blockcheck import check_message
from tests.fake_slack import FakeSlack
from tests.oauth_bot import (
    CLIENT_ID,
    Started,
    finish_install,
    install,
    oauth_of,
    page_text,
    start_install,
    start_oauth_bot,
)
from tests.running_bot import FakeClock, RunningBot, stop_bot
from tests.test_blocks import texts
from tests.test_weekly_loop import schedule

MANIFEST = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())


@pytest.fixture
def oauth_bot(fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock) -> Iterator[RunningBot]:
    """An OAuth-mode bot; workspace T0001 (Acme) is known to Slack, not installed yet."""
    fake_slack.add_workspace("T0001", name="Acme")
    running = start_oauth_bot(fake_slack, tmp_path, clock)
    yield running
    stop_bot(running)
    assert fake_slack.cross_team_calls == []


def test_the_install_page_links_to_slack_with_the_manifest_scopes_and_a_state(
    oauth_bot: RunningBot,
) -> None:
    started = start_install(oauth_bot)
    assert "Add to Slack" in page_text(started.reply)
    link = urlsplit(started.authorize_url)
    assert (link.netloc, link.path) == ("slack.com", "/oauth/v2/authorize")
    query = parse_qs(link.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == MANIFEST["oauth_config"]["scopes"]["bot"]
    assert manifest_scopes() == MANIFEST["oauth_config"]["scopes"]["bot"]
    assert "HttpOnly" in started.reply.headers["set-cookie"]


def test_the_install_pages_are_in_the_browsers_language(oauth_bot: RunningBot) -> None:
    german = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
    started = start_install(oauth_bot, german)
    assert "Zu Slack hinzufügen" in page_text(started.reply)
    assert "Add to Slack" not in page_text(started.reply)
    code = oauth_bot.fake.authorize(installer="U_MANAGER", team_id="T0001")
    done = finish_install(oauth_bot, started, code, german)
    assert done.status == 200 and "oneonone ist installiert" in page_text(done)
    french_first = start_install(oauth_bot, {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Add to Slack" in page_text(french_first.reply)  # no French: the next one, English


def test_installing_stores_the_installation_and_welcomes_the_installer(
    oauth_bot: RunningBot,
) -> None:
    reply = install(oauth_bot, "T0001", installer="U_MANAGER")
    assert reply.status == 200
    text = page_text(reply)
    assert (
        "oneonone is now installed in Acme. Look for oneonone under Apps in Slack's sidebar — "
        "I've sent you a welcome DM." in text
    )
    assert "app_redirect?app=A0001&amp;team=T0001" in reply.body
    exchange = oauth_bot.fake.delivered("oauth.v2.access")
    assert len(exchange) == 1 and exchange[0].token is None  # client credentials, no token
    token = oauth_bot.fake.tokens_of("T0001")[0].token
    bot = oauth_of(oauth_bot).store.find_bot(enterprise_id=None, team_id="T0001")
    assert bot is not None and bot.bot_token == token
    welcome = oauth_bot.fake.wait_for("chat.postMessage")[0]
    assert welcome.token == token
    assert welcome.args["channel"] == "U_MANAGER"
    blocks = welcome.args["blocks"]
    assert blocks[0]["text"]["text"] == "Thanks for adding oneonone!"
    lines = blocks[1]["text"]["text"]
    assert "• Before each 1:1 you and your report are asked for talking points." in lines
    button = blocks[2]["elements"][0]
    assert (button["text"]["text"], button["action_id"]) == ("Schedule a 1:1", ids.SCHEDULE_OPEN)
    with oauth_bot.db.read() as session:
        workspace = session.get(Workspace, "T0001")
        assert workspace is not None and workspace.installer_id == "U_MANAGER"


def test_the_welcome_is_in_the_installers_slack_language(oauth_bot: RunningBot) -> None:
    oauth_bot.fake.add_user("U_MANAGER", tz="Europe/Berlin", locale="de-DE")
    install(oauth_bot, "T0001", installer="U_MANAGER")
    welcome = oauth_bot.fake.wait_for("chat.postMessage")[0]
    assert welcome.args["blocks"][0]["text"]["text"] == "Danke, dass du oneonone hinzugefügt hast!"
    button = welcome.args["blocks"][2]["elements"][0]
    assert button["text"]["text"] == "1:1 planen"


def test_the_welcome_button_opens_the_scheduling_modal(oauth_bot: RunningBot) -> None:
    install(oauth_bot, "T0001", installer="U_MANAGER")
    reply = oauth_bot.slack.block_actions(
        [{"action_id": ids.SCHEDULE_OPEN, "value": ""}],
        user_id="U_MANAGER",
        message={"text": "welcome", "channel": "DU_MANAGER"},
    )
    assert reply.status == 200
    oauth_bot.settle()
    opened = oauth_bot.fake.wait_for("views.open")[0]
    assert opened.args["view"]["callback_id"] == ids.SCHEDULE_MODAL
    assert opened.token == oauth_bot.fake.tokens_of("T0001")[0].token


def test_a_state_is_good_once(oauth_bot: RunningBot) -> None:
    started = start_install(oauth_bot)
    code = oauth_bot.fake.authorize(installer="U_MANAGER", team_id="T0001")
    assert finish_install(oauth_bot, started, code).status == 200
    code = oauth_bot.fake.authorize(installer="U_BOSS", team_id="T0001")
    again = finish_install(oauth_bot, started, code)
    assert again.status == 401
    text = page_text(again)
    assert "This install link has expired or was used already." in text
    assert 'href="/slack/install"' in again.body  # try again
    assert len(oauth_bot.fake.calls("oauth.v2.access")) == 1


def test_a_state_expires_after_ten_minutes(oauth_bot: RunningBot) -> None:
    started = start_install(oauth_bot)
    oauth_bot.clock.advance(minutes=10, seconds=1)
    code = oauth_bot.fake.authorize(installer="U_MANAGER", team_id="T0001")
    reply = finish_install(oauth_bot, started, code)
    assert reply.status == 401
    assert "expired" in page_text(reply)
    assert oauth_bot.fake.calls("oauth.v2.access") == []


def test_a_state_that_was_never_issued_or_from_another_browser_is_refused(
    oauth_bot: RunningBot,
) -> None:
    started = start_install(oauth_bot)
    code = oauth_bot.fake.authorize(installer="U_MANAGER", team_id="T0001")
    forged = Started(started.reply, "not-a-state", "slack-app-oauth-state=not-a-state", "")
    assert finish_install(oauth_bot, forged, code).status == 401
    other_browser = Started(started.reply, started.state, "other=1", "")
    reply = finish_install(oauth_bot, other_browser, code)
    assert reply.status == 400
    assert "another browser" in page_text(reply)
    assert oauth_bot.fake.calls("oauth.v2.access") == []
    assert finish_install(oauth_bot, started, code).status == 200  # the real one still works


def test_a_cancelled_or_refused_install_says_what_happened(oauth_bot: RunningBot) -> None:
    started = start_install(oauth_bot)
    cancelled = oauth_bot.slack.get(
        f"/slack/oauth_redirect?error=access_denied&state={started.state}",
        headers={"Cookie": started.cookie},
    )
    assert "The installation was cancelled in Slack" in page_text(cancelled)
    started = start_install(oauth_bot)
    reply = finish_install(oauth_bot, started, "a-code-slack-never-gave")
    assert reply.status == 401
    assert "Slack did not accept the installation" in page_text(reply)
    assert oauth_bot.fake.tokens_of("T0001") == []


def test_reinstalling_a_served_workspace_welcomes_nobody_again(oauth_bot: RunningBot) -> None:
    install(oauth_bot, "T0001", installer="U_MANAGER")
    again = page_text(install(oauth_bot, "T0001", installer="U_BOSS"))
    assert [c.args["channel"] for c in oauth_bot.fake.calls("chat.postMessage")] == ["U_MANAGER"]
    assert "Look for oneonone under Apps in Slack's sidebar." in again
    assert "welcome DM" not in again  # none was sent this time
    tokens = oauth_bot.fake.tokens_of("T0001")
    bot = oauth_of(oauth_bot).installations.bot("T0001")
    assert bot is not None and bot.bot_token == tokens[-1].token


def test_a_missing_scope_links_the_installer_to_the_install_page(
    fake_slack: FakeSlack, tmp_path: Path, clock: FakeClock
) -> None:
    fake_slack.add_workspace("T0001", name="Acme")
    bot = start_oauth_bot(fake_slack, tmp_path, clock, public_url="https://1on1.example.com/")
    try:
        older = {"commands", "chat:write", "im:write", "im:history", "mpim:write"}
        install(bot, "T0001", installer="U_BOSS", scopes=older | {"mpim:history", "users:read"})
        schedule(bot)
        bot.slack.command("export", response_url=bot.fake.response_url("export"))
        bot.settle()
        (told,) = [
            c
            for c in bot.fake.calls("chat.postMessage")
            if c.args["channel"] == "U_BOSS" and "install oneonone again" in str(c.args)
        ]
        shown = texts(told.args["blocks"])
        assert "(`files:write`)" in shown
        assert "👉 <https://1on1.example.com/slack/install|Install oneonone again>" in shown
    finally:
        stop_bot(bot)


def test_without_a_public_address_the_reinstall_note_has_no_link() -> None:
    body = reinstall_message(scope="files:write")
    assert check_message(body["blocks"], body["text"]) == []
    assert "/slack/install" not in texts(body["blocks"])
    linked = reinstall_message(scope="files:write", install_url="https://x.example/slack/install")
    assert check_message(linked["blocks"], linked["text"]) == []
