"""Notes typed in a `rich_text_input`, kept as plain text (and shown back the same way).

Notes may be 10,000 characters; a `plain_text_input` holds at most 3,000, so the notes
modal uses rich text inputs. Formatting is kept as plain-text conventions (bullets,
quotes, code fences); mentions and broadcasts become inert text.
"""

from __future__ import annotations

from typing import Any

RichText = dict[str, Any]


def to_plain(value: RichText | None) -> str:
    """The text of a `rich_text_value`, one line per paragraph or list item."""
    if not value:
        return ""
    text = ""
    for element in value.get("elements") or []:
        piece = _block(element)
        if text and not text.endswith("\n") and element.get("type") != "rich_text_section":
            text += "\n"  # a list, quote or code block starts on its own line
        text += piece
    return text.strip()


def from_plain(text: str) -> RichText:
    """A rich text value showing `text` as typed (the modal's initial value)."""
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


def _block(element: dict[str, Any]) -> str:
    kind = element.get("type")
    children = element.get("elements") or []
    if kind == "rich_text_list":
        indent = "  " * int(element.get("indent") or 0)
        ordered = element.get("style") == "ordered"
        lines = [
            f"{indent}{f'{n}.' if ordered else '•'} {_inline(child).strip()}"
            for n, child in enumerate(children, start=1)
        ]
        return "\n".join(lines) + "\n"
    if kind == "rich_text_quote":
        return "\n".join(f"> {line}" for line in _inline(element).split("\n")) + "\n"
    if kind == "rich_text_preformatted":
        return f"```\n{_inline(element)}\n```\n"
    return _inline(element)


def _inline(element: dict[str, Any]) -> str:
    return "".join(_piece(child) for child in element.get("elements") or [])


def _piece(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "link":
        url = str(element.get("url") or "")
        label = str(element.get("text") or "")
        return f"{label} ({url})" if label and label != url else url
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "user":
        return f"@{element.get('user_id', '')}"
    if kind == "usergroup":
        return f"@{element.get('usergroup_id', '')}"
    if kind == "channel":
        return f"#{element.get('channel_id', '')}"
    if kind == "broadcast":
        return f"@{element.get('range', '')}"
    if kind in ("rich_text_section", "rich_text_list", "rich_text_quote"):
        return _block(element)
    return str(element.get("text") or "")
