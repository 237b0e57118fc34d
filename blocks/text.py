"""Making user text safe for mrkdwn, and cutting text to Slack's limits."""

from __future__ import annotations

import re

_SPECIAL_TOKEN = re.compile(r"<([!@#][^>]*)>")


def escape(text: str) -> str:
    """Escape Slack's control characters so user text can never mention or link anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralize(encoded: str) -> str:
    """Defuse mentions in text Slack already encoded (message events, escaped commands).

    Message text arrives with `&amp;`, `&lt;`, `&gt;` already escaped and mentions as live
    `<@U…>` / `<!here>` tokens; re-escaping would double the entities, so only the tokens'
    angle brackets are escaped, leaving them visible but inert.
    """
    return _SPECIAL_TOKEN.sub(lambda m: f"&lt;{m.group(1)}&gt;", encoded)


def unescape(encoded: str) -> str:
    """Turn Slack-encoded text back into what the person typed (mention tokens stay as text)."""
    return encoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut text to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)].rstrip() + ellipsis
