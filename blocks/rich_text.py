"""Notes typed in a `rich_text_input`, kept as plain text (and shown back the same way).

Notes may be 10,000 characters; a `plain_text_input` holds at most 3,000, so the notes
modal uses rich text inputs. Formatting is kept as plain-text conventions (bullets,
quotes, code fences); mentions and broadcasts become inert text.
"""

from __future__ import annotations

from typing import Any

RichText = dict[str, Any]
INDENT_MAX = 8  # list nesting Slack's editor offers; a forged payload may claim any
DEPTH_MAX = 12  # nested elements read; deeper ones (only a forged payload has them) are not


def to_plain(value: RichText | None) -> str:
    """The text of a `rich_text_value`, one line per paragraph or list item."""
    if not value:
        return ""
    text = ""
    for element in _elements(value):
        piece = _block(element, 0)
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


def _elements(element: dict[str, Any]) -> list[dict[str, Any]]:
    children = element.get("elements") if isinstance(element, dict) else None
    return [c for c in children if isinstance(c, dict)] if isinstance(children, list) else []


def _block(element: dict[str, Any], depth: int) -> str:
    if depth > DEPTH_MAX:
        return ""
    kind = element.get("type")
    children = _elements(element)
    if kind == "rich_text_list":
        indent = "  " * _indent(element.get("indent"))
        ordered = element.get("style") == "ordered"
        lines = [
            f"{indent}{f'{n}.' if ordered else '•'} {_inline(child, depth + 1).strip()}"
            for n, child in enumerate(children, start=1)
        ]
        return "\n".join(lines) + "\n"
    if kind == "rich_text_quote":
        quoted = _inline(element, depth + 1).split("\n")
        return "\n".join(f"> {line}" for line in quoted) + "\n"
    if kind == "rich_text_preformatted":
        return f"```\n{_inline(element, depth + 1)}\n```\n"
    return _inline(element, depth + 1)


def _indent(value: object) -> int:
    return min(value, INDENT_MAX) if isinstance(value, int) and value > 0 else 0


def _inline(element: dict[str, Any], depth: int) -> str:
    return "".join(_piece(child, depth) for child in _elements(element))


def _piece(element: dict[str, Any], depth: int) -> str:
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
        return _block(element, depth)
    return str(element.get("text") or "")
