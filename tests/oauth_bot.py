"""A real bot in OAuth mode for scenario tests: the install flow through its real HTTP server
(a browser's GETs, with the state cookie), every workspace on the fake Slack."""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy.engine import Engine

from bot.app import create_app
from bot.due import DueReport, run_due
from bot.http import create_http_server, create_wsgi_app
from bot.oauth import OAuth, OAuthConfig
from bot.runtime import build_runtime
from tests.db_fixtures import sqlite_engine
from tests.fake_slack import FakeSlack
from tests.running_bot import (
    HOME_DELAY,
    SIGNING_SECRET,
    FakeClock,
    RunningBot,
    TrackingExecutor,
    _serve,
    unlimited,
)
from tests.slack_requests import Reply, SlackRequests

CLIENT_ID, CLIENT_SECRET = "client-id", "client-secret"
RETENTION = timedelta(days=30)
COOKIE = "slack-app-oauth-state"


def start_oauth_bot(
    fake: FakeSlack,
    tmp_path: Path,
    clock: FakeClock,
    *,
    engine: Engine | None = None,
    public_url: str | None = None,
) -> RunningBot:
    """Build the app as `oneonone run` does in OAuth mode (with ONEONONE_PUBLIC_URL
    `public_url`); serve it on 127.0.0.1, port 0."""
    fake.installs.client_id, fake.installs.client_secret = CLIENT_ID, CLIENT_SECRET
    runtime = build_runtime(
        engine=engine or sqlite_engine(tmp_path),
        api_url=fake.url,
        clock=clock,
        limiter=unlimited(),
        home_delay=HOME_DELAY,
        agenda_delay=HOME_DELAY,
        oauth=OAuthConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, public_url=public_url),
    )
    executor = TrackingExecutor(max_workers=4)
    app = create_app(
        clients=runtime.clients,
        signing_secret=SIGNING_SECRET,
        db=runtime.db,
        clock=clock,
        executor=executor,
        homes=runtime.homes,
        agendas=runtime.agendas,
        lane=executor,
        oauth=runtime.oauth,
    )
    wsgi = create_wsgi_app(app, runtime.engine, runtime.metrics, signing_secret=SIGNING_SECRET)
    server = create_http_server(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=_serve, args=(server,), name="http", daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"
    slack = SlackRequests(url, SIGNING_SECRET, response_urls=fake.response_url)
    return RunningBot(slack, fake, app, runtime, clock, url, executor, server)


def oauth_of(bot: RunningBot) -> OAuth:
    """The bot's OAuth side."""
    assert bot.runtime.oauth is not None
    return bot.runtime.oauth


def tick(bot: RunningBot, retention: timedelta = RETENTION) -> DueReport:
    """Run due work once at the clock's time, as `oneonone tick` does in OAuth mode."""
    return run_due(
        bot.db,
        bot.clients,
        bot.clock(),
        bot.homes,
        bot.runtime.metrics,
        retention=retention,
        oauth=bot.runtime.oauth,
    )


@dataclass
class Started:
    """GET /slack/install as a browser sees it: the state in the link, the cookie it set."""

    reply: Reply
    state: str
    cookie: str
    authorize_url: str


def start_install(bot: RunningBot, headers: dict[str, str] | None = None) -> Started:
    """Open the install page (in a browser sending `headers`); read the Add to Slack link
    and the state cookie."""
    reply = bot.slack.get("/slack/install", headers=headers)
    assert reply.status == 200, reply.body
    link = re.search(r'href="([^"]+)"', reply.body)
    assert link is not None, reply.body
    url = html.unescape(link.group(1))
    state = parse_qs(urlsplit(url).query)["state"][0]
    cookie = reply.headers["set-cookie"].split(";")[0]
    assert cookie == f"{COOKIE}={state}"
    return Started(reply, state, cookie, url)


def finish_install(
    bot: RunningBot, started: Started, code: str, headers: dict[str, str] | None = None
) -> Reply:
    """Slack's redirect back to the bot, in the browser that started the install."""
    query = urlencode({"code": code, "state": started.state})
    sent = {**(headers or {}), "Cookie": started.cookie}
    return bot.slack.get(f"/slack/oauth_redirect?{query}", headers=sent)


def install(
    bot: RunningBot,
    team_id: str | None,
    *,
    installer: str,
    enterprise_id: str | None = None,
    rotation: bool = False,
    scopes: set[str] | None = None,
) -> Reply:
    """The whole install flow for one workspace (or an org, with `team_id` None)."""
    started = start_install(bot)
    code = bot.fake.authorize(
        installer=installer,
        team_id=team_id,
        enterprise_id=enterprise_id,
        rotation=rotation,
        scopes=scopes,
    )
    reply = finish_install(bot, started, code)
    bot.settle()
    return reply


def page_text(reply: Reply) -> str:
    """What a person reads on an HTML page (tags dropped, entities decoded)."""
    body = re.sub(r"<(style|title)>.*?</\1>", "", reply.body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))).strip()
