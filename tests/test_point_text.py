"""A talking point's text: read from Slack's encoding or as typed, and shown as mrkdwn."""

from __future__ import annotations

import pytest

from blocks.format import linked, point_line, point_plain, point_text
from store.point_text import (
    Link,
    Source,
    channel_label,
    from_slack,
    from_typed,
    mentioned_users,
    pieces,
    shorten,
    visible,
)
from store.views import ItemView

NAMES = {"U1": "Xena Outsider", "U2": "Dana"}
HOSTILE = "<!channel> <@U1> <javascript:x|y> &amp;"


def item(text: str, **source: str) -> ItemView:
    return ItemView(1, "U_AUTHOR", text, False, False, 0, **source)


@pytest.mark.parametrize(
    ("encoded", "stored"),
    [
        ("ask <@U1> about it", "ask @Xena Outsider about it"),
        ("ask <@U1|xena> about it", "ask @Xena Outsider about it"),
        ("ask <@U9|ghost>", "ask @ghost"),  # not known to the bot: Slack's label
        ("ask <@U9>", "ask @someone"),  # never a raw id
        ("in <#C1|general> and <#C2>", "in #general and #channel"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!subteam^S1|@design> and <!subteam^S2>", "@design and @group"),
        ("due <!date^1700000000^{date}|Nov 14>", "due Nov 14"),
        (
            "see <https://x.example/a?b=1&amp;c=2|the doc>",
            "see <https://x.example/a?b=1&c=2|the doc>",
        ),
        ("see <https://x.example>", "see <https://x.example>"),
        ("see <https://x.example|https://x.example>", "see <https://x.example>"),
        ("mail <mailto:a@b.example|a@b.example>", "mail a@b.example"),
        ("<javascript:alert(1)|click>", "click"),  # only http(s) links stay links
        ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"),  # what the person typed
        ("<https://x.example|a &lt;b&gt; label>", "<https://x.example|a b label>"),
    ],
)
def test_slack_encoded_text_reads_as_people_channels_and_links(encoded: str, stored: str) -> None:
    assert from_slack(encoded, NAMES) == stored


def test_mentioned_users_are_listed_once_in_order() -> None:
    assert mentioned_users("<@U2> <#C1|x> <@U1|x> <@U2> &lt;@U3&gt;") == ["U2", "U1"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("see https://x.example/a.", "see <https://x.example/a>."),
        ("(https://x.example/a)", "(<https://x.example/a>)"),
        ("<https://x.example|label> stays", "<https://x.example|label> stays"),
        ("ftp://x.example and javascript:x", "ftp://x.example and javascript:x"),
        (HOSTILE, HOSTILE),  # as typed: nothing in it is a link
    ],
)
def test_typed_text_keeps_its_characters_and_links_its_urls(typed: str, stored: str) -> None:
    assert from_typed(typed) == stored


def test_the_same_mention_and_link_read_the_same_from_slack_and_typed() -> None:
    encoded = "Hiring plan with <@U1> <https://docs.example/plan>"
    assert from_slack(encoded, NAMES) == from_typed(
        "Hiring plan with @Xena Outsider https://docs.example/plan"
    )


def test_stored_text_comes_apart_into_text_and_checked_links() -> None:
    stored = "a <https://x.example|doc> b <javascript:x|y> <http://z.example>"
    assert pieces(stored) == [
        "a ",
        Link("https://x.example", "doc"),
        " b <javascript:x|y> ",
        Link("http://z.example", ""),
    ]
    assert visible(stored) == "a doc b <javascript:x|y> http://z.example"


def test_mrkdwn_escapes_everything_but_checked_links() -> None:
    assert linked(HOSTILE, 3000) == "&lt;!channel&gt; &lt;@U1&gt; &lt;javascript:x|y&gt; &amp;amp;"
    assert linked("<https://x.example/?a=1&b=2|a & c>", 3000) == (
        "<https://x.example/?a=1&amp;b=2|a &amp; c>"
    )
    assert linked("<https://x.example|a <b>>", 3000) == "&lt;https://x.example|a &lt;b&gt;&gt;"
    assert linked("<https://x.example|<@U1>>", 3000) == "&lt;https://x.example|&lt;@U1&gt;&gt;"


def test_mrkdwn_is_cut_before_a_link_never_inside_one() -> None:
    stored = "& " * 10 + "<https://x.example|doc>"
    cut = linked(stored, 40)
    assert len(cut) <= 40 and cut.endswith("…") and "<https" not in cut
    assert "&amp…" not in cut and "&am…" not in cut


def test_shorten_cuts_at_a_word_and_keeps_links_whole() -> None:
    assert shorten("Hiring plan for the next quarter", 16) == "Hiring plan for…"
    assert shorten("see <https://x.example|the doc> now", 6) == "see…"
    assert shorten("see <https://x.example|the doc> now please", 14) == (
        "see <https://x.example|the doc>…"
    )
    assert shorten("short", 10) == "short"


def test_a_point_from_a_message_says_where_it_came_from_and_links_there() -> None:
    shared = item(
        "Hiring plan…",
        source_url="https://acme.slack.com/archives/C1/p1",
        source_channel="#general",
    )
    assert (
        point_text(shared, 3000)
        == "Hiring plan… (<https://acme.slack.com/archives/C1/p1|from #general>)"
    )
    assert (
        point_line(shared, author=False)
        == "• Hiring plan… (<https://acme.slack.com/archives/C1/p1|from #general>)"
    )
    assert point_plain(shared) == "Hiring plan… (from #general)"
    forged = item("x", source_url="javascript:alert(1)", source_channel="#general")
    assert point_text(forged, 3000) == "x (from #general)"
    from_dm = item("x", source_url="https://acme.slack.com/archives/D1/p1")
    assert point_text(from_dm, 3000) == "x (<https://acme.slack.com/archives/D1/p1|from a message>)"


def test_sources_from_untrusted_values_are_checked() -> None:
    assert Source.of("https://a.example/p1", "general") == Source(
        "https://a.example/p1", "#general"
    )
    assert Source.of("javascript:x", "directmessage") is None
    assert Source.of(None, "mpdm-a--b-1") is None
    assert Source.of(3, ["x"]) is None
    assert channel_label("<!channel>") == "#!channel"
