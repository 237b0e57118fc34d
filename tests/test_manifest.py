"""manifest.yml and the listeners the code registers agree, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from blocks import ids
from handlers.events import SUBSCRIBED_EVENTS
from tests.running_bot import RunningBot

MANIFEST = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())
BOT_EVENTS = MANIFEST["settings"]["event_subscriptions"]["bot_events"]

# A minimal event of each subscribed type, as Slack sends it.
SAMPLE_EVENTS = {
    "app_home_opened": {
        "type": "app_home_opened",
        "user": "U_REPORT",
        "channel": "D1",
        "tab": "home",
    },
    "message.im": {
        "type": "message",
        "channel": "DXYZ",
        "channel_type": "im",
        "user": "U_STRANGER",
        "text": "hello",
        "ts": "1700000000.000100",
    },
    "message.mpim": {
        "type": "message",
        "channel": "GXYZ",
        "channel_type": "mpim",
        "user": "U_STRANGER",
        "text": "hello",
        "ts": "1700000000.000200",
    },
    "user_huddle_changed": {
        "type": "user_huddle_changed",
        "user": {
            "id": "U_STRANGER",
            "team_id": "T0001",
            "profile": {"huddle_state": "in_a_huddle", "huddle_state_call_id": "R1"},
        },
    },
    "user_change": {
        "type": "user_change",
        "user": {"id": "U_STRANGER", "team_id": "T0001", "tz": "Europe/Paris", "profile": {}},
    },
    "app_uninstalled": {"type": "app_uninstalled"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}},
}

MESSAGE_SUBTYPES = [
    {
        "subtype": "message_changed",
        "message": {"type": "message", "user": "U_STRANGER", "text": "edited", "ts": "1.1"},
        "previous_message": {"type": "message", "text": "x", "ts": "1.1"},
    },
    {"subtype": "message_deleted", "deleted_ts": "1.1", "hidden": True},
    {"subtype": "huddle_thread", "user": "USLACKBOT", "room": {"id": "R1"}},
    {"subtype": "channel_join", "user": "U_STRANGER"},
]


def bolt_event_type(manifest_event: str) -> str:
    """message.im / message.mpim arrive as `message` events."""
    return manifest_event.split(".")[0]


def test_every_manifest_event_has_a_listener_and_every_listener_is_subscribed() -> None:
    assert {bolt_event_type(e) for e in BOT_EVENTS} == set(SUBSCRIBED_EVENTS)
    assert set(BOT_EVENTS) == set(SAMPLE_EVENTS)


def test_the_manifest_has_what_the_product_needs() -> None:
    features = MANIFEST["features"]
    (command,) = features["slash_commands"]
    assert command["command"] == ids.COMMAND and command["should_escape"] is True
    assert command["description"] and command["usage_hint"]
    (shortcut,) = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", ids.SHORTCUT_ADD_TO_AGENDA)
    assert shortcut["name"] == "Add to 1:1 agenda"
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "mpim:write",
        "mpim:history",
        "users:read",
        "files:write",
    }


@pytest.mark.parametrize("name", sorted(SAMPLE_EVENTS))
def test_each_subscribed_event_is_answered_200(bot: RunningBot, name: str) -> None:
    assert bot.slack.event(SAMPLE_EVENTS[name]).status == 200


@pytest.mark.parametrize("extra", MESSAGE_SUBTYPES, ids=lambda e: e["subtype"])
@pytest.mark.parametrize("channel_type", ["im", "mpim"])
def test_message_subtypes_are_answered_200(bot: RunningBot, extra: dict, channel_type: str) -> None:
    event = {
        "type": "message",
        "channel": "D1",
        "channel_type": channel_type,
        "ts": "1700000000.000300",
        **extra,
    }
    assert bot.slack.event(event).status == 200


def test_the_registered_command_and_shortcut_match_the_manifest(bot: RunningBot) -> None:
    assert bot.slack.command("help", command=ids.COMMAND).status == 200
    assert bot.slack.command("help", command="/not-ours").status == 404
