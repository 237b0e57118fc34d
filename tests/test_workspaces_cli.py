"""OAuth mode for the operator: its settings (missing or contradictory ones: one clear
message, exit 2), `oneonone manifest`, and `oneonone workspace purge` (asks first)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from bot.config import ConfigError, load_settings
from store.access import Actor
from store.db import create_db_engine
from store.migrate import upgrade
from store.models import Pair, Workspace
from store.schedule import PairRequest, create_pair
from tests.test_cli import REPO, clean_env, oneonone

MANIFEST = yaml.safe_load((REPO / "manifest.yml").read_text())
OAUTH = {
    "SLACK_CLIENT_ID": "123.456",
    "SLACK_CLIENT_SECRET": "shh",
    "SLACK_SIGNING_SECRET": "secret",
}


def test_oauth_settings_need_no_bot_token() -> None:
    settings = load_settings(OAUTH | {"SLACK_REDIRECT_URI": "https://x.example/r"}, dotenv=None)
    assert settings.oauth and not settings.socket_mode
    assert (settings.client_id, settings.client_secret) == ("123.456", "shh")
    assert settings.redirect_uri == "https://x.example/r" and settings.bot_token == ""
    assert not load_settings({"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "y"}, dotenv=None).oauth


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"SLACK_CLIENT_ID": "1"}, "SLACK_CLIENT_SECRET is missing"),
        ({"SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x"}, "SLACK_CLIENT_ID is missing"),
        (OAUTH | {"SLACK_BOT_TOKEN": "xoxb-1"}, "unset SLACK_BOT_TOKEN"),
        (OAUTH | {"SLACK_APP_TOKEN": "xapp-1"}, "unset SLACK_APP_TOKEN"),
        (OAUTH | {"SLACK_REDIRECT_URI": "not a url"}, "SLACK_REDIRECT_URI"),
    ],
)
def test_missing_or_contradictory_oauth_settings_are_named(
    given: dict[str, str], said: str
) -> None:
    with pytest.raises(ConfigError, match=said):
        load_settings(given, dotenv=None)


def test_run_with_contradictory_settings_explains_and_exits_2(tmp_path: Path) -> None:
    env = clean_env(**OAUTH, SLACK_BOT_TOKEN="xoxb-1")
    result = oneonone("run", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is set as well as SLACK_CLIENT_ID" in result.stderr
    assert "Traceback" not in result.stderr


def test_manifest_is_manifest_yml_for_http_and_oauth(tmp_path: Path) -> None:
    result = oneonone("manifest", "--url", "https://bot.example/", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    events = "https://bot.example/slack/events"
    assert printed["settings"]["socket_mode_enabled"] is False
    assert printed["settings"]["event_subscriptions"]["request_url"] == events
    assert printed["settings"]["interactivity"]["request_url"] == events
    assert [c["url"] for c in printed["features"]["slash_commands"]] == [events]
    assert printed["oauth_config"]["redirect_urls"] == ["https://bot.example/slack/oauth_redirect"]
    assert printed["oauth_config"]["scopes"] == MANIFEST["oauth_config"]["scopes"]
    same = {"display_information", "_metadata"}
    assert {k: printed[k] for k in same} == {k: MANIFEST[k] for k in same}
    assert printed["settings"]["event_subscriptions"]["bot_events"] == [
        *MANIFEST["settings"]["event_subscriptions"]["bot_events"],
        "team_access_granted",  # an org-wide installation learns which workspaces it serves
        "team_access_revoked",
    ]
    assert printed["settings"]["org_deploy_enabled"] is True


def test_manifest_defaults_to_the_public_url_and_needs_one(tmp_path: Path) -> None:
    env = clean_env(ONEONONE_PUBLIC_URL="https://pub.example")
    printed = yaml.safe_load(oneonone("manifest", cwd=tmp_path, env=env).stdout)
    assert printed["oauth_config"]["redirect_urls"] == ["https://pub.example/slack/oauth_redirect"]
    missing = oneonone("manifest", cwd=tmp_path, env=clean_env())
    assert missing.returncode == 2 and "ONEONONE_PUBLIC_URL" in missing.stderr


def seed(database: Path) -> None:
    engine = create_db_engine(f"sqlite:///{database}")
    upgrade(engine)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with Session(engine) as session:
        for team in ("T0001", "T0002"):
            request = PairRequest("U_R", weekday=1, local_time=time(10), timezone="UTC")
            create_pair(session, Actor(team, "U_M"), request, now=now)
        session.commit()
    engine.dispose()


def teams(database: Path) -> set[str]:
    engine = create_db_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        found = {p.team_id for p in session.exec(select(Pair)).all()}
        purged = session.get(Workspace, "T0001")
    engine.dispose()
    return found | ({"purged"} if purged is not None and purged.purged_at else set())


def purge(tmp_path: Path, answer: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'oneonone.db'}")
    return subprocess.run(
        [sys.executable, "-m", "bot", "workspace", "purge", "T0001"],
        cwd=tmp_path,
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_workspace_purge_asks_first_then_deletes_that_workspace_only(tmp_path: Path) -> None:
    database = tmp_path / "oneonone.db"
    seed(database)
    refused = purge(tmp_path, "yes\n")
    assert refused.returncode == 1 and "Nothing was deleted" in refused.stdout
    assert "Type T0001 to delete it" in refused.stdout
    assert teams(database) == {"T0001", "T0002"}
    done = purge(tmp_path, "T0001\n")
    assert done.returncode == 0, done.stderr
    assert "Deleted" in done.stdout and "rows of workspace T0001" in done.stdout
    assert teams(database) == {"T0002", "purged"}
