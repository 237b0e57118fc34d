"""A talking point's text, read the same from every entry point.

Stored form: the text as the person meant it (no `&amp;` entities, mentions as `@Name`,
`#channel`, `@here` — plain words that ping nobody), where a link is kept in Slack's syntax
`<https://…|label>` or `<https://…>`. Only such http(s) links are ever live: anything else
between angle brackets is text, and blocks/ escapes it on the way out.

A person who types `<https://x|y>` literally gets a link too; that is harmless (Slack's
own composer makes labelled links), and it keeps the form free of escapes of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

URL_MAX = 1000  # characters of one link's URL (Slack's permalinks are about 60)
# A link as stored: an http(s) URL without spaces, angle brackets or bars, then a label.
STORED_LINK = re.compile(r"<(https?://[^\s<>|\"]+)(?:\|([^<>]*))?>", re.IGNORECASE)
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_VALID_URL = re.compile(r"https?://[^\s<>|\"]+\Z", re.IGNORECASE)
# A URL typed into a plain-text input, not already inside a link; a closing punctuation
# mark after it belongs to the sentence.
_TYPED = re.compile(STORED_LINK.pattern + r"|(https?://[^\s<>\"]*[^\s<>\".,;:!?)\]}'])", re.I)
_NO_CHANNEL_NAMES = ("directmessage", "privategroup")  # what payloads say for DMs
SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


@dataclass(frozen=True)
class Link:
    """A link in a talking point: a validated http(s) URL and what it reads as."""

    url: str
    label: str

    @property
    def text(self) -> str:
        """What the link reads as: its label, else its URL."""
        return self.label or self.url


Piece = str | Link


@dataclass(frozen=True)
class Source:
    """The message a talking point was made from (the message shortcut)."""

    url: str | None  # its permalink
    channel: str | None  # "#general"; None for a DM

    @classmethod
    def of(cls, url: object, channel: object) -> Source | None:
        """A checked source from untrusted values (a form's metadata), or None."""
        checked = valid_url(url) if isinstance(url, str) else None
        label = channel_label(channel) if isinstance(channel, str) else None
        return cls(checked, label) if checked or label else None


def valid_url(url: str | None) -> str | None:
    """The URL when it is an http(s) URL that can stand in a Slack link, else None."""
    if url and len(url) <= URL_MAX and _VALID_URL.match(url):
        return url
    return None


def pieces(stored: str) -> list[Piece]:
    """The stored text as runs of plain text and links."""
    found: list[Piece] = []
    at = 0
    for match in STORED_LINK.finditer(stored):
        url = valid_url(match.group(1))
        if url is None:
            continue  # too long to be a link: it stays text
        if match.start() > at:
            found.append(stored[at : match.start()])
        found.append(Link(url, (match.group(2) or "").strip()))
        at = match.end()
    if at < len(stored):
        found.append(stored[at:])
    return found


def visible(stored: str) -> str:
    """What a reader sees of the text: a link's label (or URL) only."""
    return "".join(p if isinstance(p, str) else p.text for p in pieces(stored))


def link(url: str, label: str) -> str:
    """A link in stored form (`label` loses any angle brackets)."""
    label = " ".join(label.replace("<", "").replace(">", "").split())
    return f"<{url}|{label}>" if label and label != url else f"<{url}>"


def mentioned_users(encoded: str) -> list[str]:
    """The user ids mentioned in Slack-encoded text (`<@U1>`, `<@U1|name>`), in order."""
    users = [t.partition("|")[0][1:] for t in _SLACK_TOKEN.findall(encoded) if t[:1] == "@"]
    return list(dict.fromkeys(u for u in users if u))


def from_slack(encoded: str, names: Mapping[str, str]) -> str:
    """Text Slack encoded (a command with escaping on, a message) in stored form.

    `names` maps user ids to how Slack shows them; a person missing from it reads as the
    token's own label, else "@someone" — never a raw id.
    """
    out: list[str] = []
    at = 0
    for match in _SLACK_TOKEN.finditer(encoded):
        out.append(_unescape(encoded[at : match.start()]))
        out.append(_token(match.group(1), names))
        at = match.end()
    out.append(_unescape(encoded[at:]))
    return "".join(out)


def _token(token: str, names: Mapping[str, str]) -> str:
    target, _, label = token.partition("|")
    label = _unescape(label).strip()
    if target.startswith("@"):
        name = names.get(target[1:]) or label.lstrip("@") or "someone"
        return f"@{name}"
    if target.startswith("#"):
        return f"#{label.lstrip('#') or 'channel'}"
    if target.startswith("!"):
        return _special(target[1:], label)
    url = valid_url(_unescape(target))
    if url is not None:
        return link(url, label)
    # mailto:, tel: and anything else: the words, never a live link
    return label or _unescape(target).removeprefix("mailto:")


def _special(name: str, label: str) -> str:
    if name.startswith("subteam^"):
        return f"@{label.lstrip('@') or 'group'}"
    if name.startswith("date^"):
        return label
    return SPECIAL.get(name, f"@{label.lstrip('@') or name.split('^')[0]}")


def from_typed(raw: str) -> str:
    """Text typed into a plain-text input in stored form: its URLs become links."""
    return _TYPED.sub(_typed_link, raw)


def _typed_link(match: re.Match[str]) -> str:
    url = valid_url(match.group(1) or match.group(3))
    if url is None:
        return match.group(0)
    return link(url, match.group(2) or "") if match.group(1) else f"<{url}>"


def channel_label(name: str | None) -> str | None:
    """A channel's name (from a payload) as `#name`, None for DMs and unnamed ones."""
    name = " ".join((name or "").replace("<", "").replace(">", "").split()).lstrip("#")
    if not name or name in _NO_CHANNEL_NAMES or name.startswith("mpdm-"):
        return None
    return f"#{name[:80]}"


def shorten(stored: str, limit: int) -> str:
    """At most `limit` visible characters, cut at a word and marked "…"; a link is kept
    whole or left out, never cut."""
    if len(visible(stored)) <= limit:
        return stored
    out: list[str] = []
    left = limit - 1
    for piece in pieces(stored):
        size = len(piece) if isinstance(piece, str) else len(piece.text)
        if size > left:
            if isinstance(piece, str):
                out.append(_cut_at_word(piece, left, first=not out))
            break
        out.append(piece if isinstance(piece, str) else link(piece.url, piece.label))
        left -= size
    return "".join(out).rstrip(" ,;:") + "…"


def _cut_at_word(text: str, limit: int, *, first: bool) -> str:
    """The start of `text` up to a word's end; the first run of a text may cut a long word
    rather than keep almost nothing."""
    cut = text[:limit]
    if text[limit : limit + 1].isspace():
        return cut  # the cut falls between two words
    space = cut.rfind(" ")
    if first and space <= limit // 2:
        return cut
    return cut[: max(space, 0)]


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
