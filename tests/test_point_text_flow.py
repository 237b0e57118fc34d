"""Mentions and links in talking points read as people and titles, whichever way the point
came in (command, DM, message shortcut, modal), through signed requests (issue 9)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from blocks import ids
from store.models import Pair
from tests.running_bot import RunningBot
from tests.test_weekly_loop import schedule

PLAN = "https://docs.example/plan?q=1&amp;v=2"  # as Slack encodes it
SHOWN = "Hiring plan with @Xena Outsider, see <https://docs.example/plan?q=1&amp;v=2|the plan>"
ENCODED = f"Hiring plan with <@U_XENA>, see <{PLAN}|the plan>"
TYPED_HOSTILE = "<!channel> <@U1> <javascript:x|y> &amp;"
ENCODED_HOSTILE = "&lt;!channel&gt; &lt;@U1&gt; &lt;javascript:x|y&gt; &amp;amp;"
SHOWN_HOSTILE = "&lt;!channel&gt; &lt;@U1&gt; &lt;javascript:x|y&gt; &amp;amp;"


@pytest.fixture
def pair(bot: RunningBot) -> int:
    bot.fake.add_user("U_XENA", real_name="Xena Outsider")  # in no 1:1: the bot must ask Slack
    schedule(bot)
    with bot.db() as session:
        return int(session.exec(select(Pair.id)).one())


def texts(value: Any) -> Iterator[str]:
    """Every text a person reads in blocks (mrkdwn and plain_text objects)."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
            yield value["text"]
        for child in value.values():
            yield from texts(child)
    elif isinstance(value, list):
        for child in value:
            yield from texts(child)


def rich(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


def by_command(bot: RunningBot, encoded: str) -> None:
    bot.slack.command(f"add {encoded}", user_id="U_MANAGER")
    bot.settle()


def by_dm(bot: RunningBot, encoded: str) -> None:
    message = bot.fake.add_user_message("DU_MANAGER", encoded, user="U_MANAGER")
    event = {"type": "message", "channel": "DU_MANAGER", "channel_type": "im"}
    bot.slack.event(event | {"user": "U_MANAGER", "text": encoded, "ts": message["ts"]})
    bot.settle()


def by_shortcut(bot: RunningBot, encoded: str) -> dict[str, Any]:
    """Share a message in #general; the modal opens filled in and is sent as it is."""
    message = {"type": "message", "user": "U_BOSS", "ts": "1700000001.000100", "text": encoded}
    bot.slack.message_shortcut("add_to_agenda", message, user_id="U_MANAGER", channel_id="C0001")
    bot.settle()
    view = bot.fake.calls("views.open")[-1].args["view"]
    (text,) = [b for b in view["blocks"] if b.get("block_id") == ids.POINT_TEXT]
    typed = text["element"]["initial_value"]
    send_modal(bot, view, {"type": "rich_text_input", "rich_text_value": typed})
    return dict(view)


def by_modal(bot: RunningBot, pair_id: int, typed: dict[str, Any]) -> None:
    """The agenda's "Add a talking point" button, then the modal as the person filled it in."""
    button = {"type": "button", "action_id": ids.ADD_POINT, "value": str(pair_id)}
    bot.slack.block_actions([button], user_id="U_MANAGER")
    bot.settle()
    send_modal(bot, bot.fake.calls("views.open")[-1].args["view"], typed)


def send_modal(bot: RunningBot, view: dict[str, Any], typed: dict[str, Any]) -> None:
    submission = {
        "id": f"V{uuid.uuid4().hex[:8]}",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {"values": {ids.POINT_TEXT: {ids.VALUE: typed}}},
    }
    assert bot.slack.view_submission(submission, user_id="U_MANAGER").status == 200
    bot.settle()


def agenda_post(bot: RunningBot) -> list[dict[str, Any]]:
    """Post the agenda (its lead time before the 1:1) and return its blocks."""
    bot.clock.advance(hours=26, minutes=31)
    bot.tick()
    (post,) = [
        c for c in bot.fake.delivered("chat.postMessage") if str(c.args["channel"]).startswith("G")
    ]
    return list(post.args["blocks"])


def point_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The texts of the agenda's talking points (the sections with a tick box)."""
    return [
        b["text"]["text"]
        for b in blocks
        if b.get("accessory", {}).get("action_id") == ids.TICK_POINT
    ]


def test_a_mention_and_a_link_read_the_same_from_every_way_in(bot: RunningBot, pair: int) -> None:
    by_command(bot, ENCODED)
    by_dm(bot, ENCODED)
    shortcut_view = by_shortcut(bot, ENCODED)
    by_modal(
        bot,
        pair,
        {
            "type": "rich_text_input",
            "rich_text_value": rich(
                {"type": "text", "text": "Hiring plan with "},
                {"type": "user", "user_id": "U_XENA"},
                {"type": "text", "text": ", see "},
                {"type": "link", "url": "https://docs.example/plan?q=1&v=2", "text": "the plan"},
            ),
        },
    )
    blocks = agenda_post(bot)
    permalink = "https://acme.slack.com/archives/C0001/p1700000001000100"
    assert point_texts(blocks) == [
        SHOWN,
        SHOWN,
        f"{SHOWN} (<{permalink}|from #general>)",
        SHOWN,
    ]
    everything = "\n".join(texts(blocks))
    assert "<@U_XENA" not in everything and "U_XENA" not in everything
    assert everything.count(permalink) == 1  # behind "from #general", never in the text
    assert any(c.args.get("user") == "U_XENA" for c in bot.fake.calls("users.info"))
    # The modal the shortcut opened shows the same: the name, and a link to the message.
    shown = "\n".join(texts(shortcut_view["blocks"]))
    assert f"<{permalink}|this message in #general>" in shown
    assert "U_XENA" not in str(shortcut_view["blocks"])


def test_plain_text_places_read_the_same_as_the_agenda(bot: RunningBot, pair: int) -> None:
    reply = bot.fake.response_url("added")
    bot.slack.command(f"add {ENCODED}", user_id="U_MANAGER", response_url=reply)
    bot.settle()
    by_shortcut(bot, ENCODED)
    (confirmation,) = bot.fake.responses("added")
    confirmed = "\n".join(texts(confirmation))  # as the agenda shows it: the link is live
    assert (
        "Hiring plan with @Xena Outsider, see <https://docs.example/plan?q=1&amp;v=2|the plan>"
        in confirmed
    )
    bot.slack.command("notes", user_id="U_MANAGER")
    bot.settle()
    notes = bot.fake.calls("views.open")[-1].args["view"]
    labels = [t for t in texts(notes["blocks"]) if t.startswith("Hiring plan")]
    assert labels == [
        "Hiring plan with @Xena Outsider, see the plan",
        "Hiring plan with @Xena Outsider, see the plan (from #general)",
    ]


def test_a_shared_message_becomes_its_opening_words(bot: RunningBot, pair: int) -> None:
    long = "Hiring plan for the next two quarters, " + "with every detail spelt out " * 20
    by_shortcut(bot, f"{long} <https://acme.slack.com/archives/C0001/p1|thread>")
    (text,) = point_texts(agenda_post(bot))
    words, source = text.split(" (<", 1)
    assert words.startswith("Hiring plan for the next two quarters,") and words.endswith("…")
    assert len(words) <= 200 and words.endswith(" every detail…")  # cut after a word
    assert source.endswith("|from #general>)")


def test_hostile_text_pings_nobody_and_shows_as_typed(bot: RunningBot, pair: int) -> None:
    by_command(bot, ENCODED_HOSTILE)
    by_dm(bot, ENCODED_HOSTILE)
    typed = rich({"type": "text", "text": TYPED_HOSTILE})
    by_modal(bot, pair, {"type": "rich_text_input", "rich_text_value": typed})
    by_modal(bot, pair, {"type": "plain_text_input", "value": TYPED_HOSTILE})  # an older form
    by_command(bot, "<!channel> <!subteam^S1|@everyone-eng> <@U_XENA> <javascript:x|y> now")
    blocks = agenda_post(bot)
    assert point_texts(blocks) == [SHOWN_HOSTILE] * 4 + [
        "@channel @everyone-eng @Xena Outsider y now"
    ]
    everything = "\n".join(texts(blocks))
    for live in ("<!channel", "<!subteam", "<!here", "<@U1", "<@U_XENA", "<javascript", "<#"):
        assert live not in everything
