"""One-line helpers for Block Kit dicts, with Slack's length limits applied."""

from __future__ import annotations

from typing import Any

from blocks.i18n import ngettext
from blocks.text import truncate

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
CONTEXT_ELEMENTS_MAX = 10
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MODAL_TITLE_MAX = 24
MESSAGE_TEXT_MAX = 3000
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30


def plain(text: str, *, emoji: bool = True) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": text, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object, cut to the section limit (callers escape user text first)."""
    return {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_MAX), "verbatim": True}


def section(text: str, *, accessory: dict[str, Any] | None = None, block_id: str = "") -> Block:
    """A section block with mrkdwn text."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def header(text: str) -> Block:
    """A header block."""
    return {"type": "header", "text": plain(truncate(text, HEADER_MAX))}


def context(*texts: str) -> Block:
    """A context block of mrkdwn texts."""
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS_MAX]]}


def divider() -> Block:
    """A divider block."""
    return {"type": "divider"}


def confirm_dialog(title: str, text: str, confirm: str, deny: str) -> dict[str, Any]:
    """A confirmation dialog object: Slack asks before the button's action is sent."""
    return {
        "title": plain(truncate(title, CONFIRM_TITLE_MAX)),
        "text": plain(truncate(text, CONFIRM_TEXT_MAX)),
        "confirm": plain(truncate(confirm, CONFIRM_BUTTON_MAX)),
        "deny": plain(truncate(deny, CONFIRM_BUTTON_MAX)),
    }


def button(
    text: str,
    action_id: str,
    value: str = "",
    *,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button element (with `confirm`, a dialog asks first)."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(truncate(text, BUTTON_TEXT_MAX)),
        "action_id": action_id,
    }
    if value:
        element["value"] = value[:BUTTON_VALUE_MAX]
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: dict[str, Any], block_id: str = "") -> Block:
    """An actions block."""
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message body: notification text plus at most 50 blocks."""
    return {
        "text": truncate(text, MESSAGE_TEXT_MAX),
        "blocks": fit_blocks(blocks, MESSAGE_BLOCKS_MAX),
    }


def fit_blocks(blocks: list[Block], limit: int) -> list[Block]:
    """Keep at most `limit` blocks; when cut, a context says how much was left out, and a
    closing actions block (the message's buttons) is kept after it."""
    if len(blocks) <= limit:
        return blocks
    closing = [blocks[-1]] if blocks[-1].get("type") == "actions" else []
    kept = blocks[: limit - 1 - len(closing)]
    left_out = len(blocks) - len(kept) - len(closing)
    more = ngettext(
        "_…and {count} more not shown here._", "_…and {count} more not shown here._", left_out
    )
    return [*kept, context(more.format(count=left_out)), *closing]
