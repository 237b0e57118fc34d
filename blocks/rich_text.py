"""Notes typed in a `rich_text_input`, kept as plain text (and shown back the same way).

Notes may be 10,000 characters; a `plain_text_input` holds at most 3,000, so the notes
modal uses rich text inputs. Formatting is kept as plain-text conventions (bullets,
quotes, code fences); mentions and broadcasts become inert text, a person by the name Slack
shows for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from store.point_text import SPECIAL, from_typed, link, pieces, valid_url

RichText = dict[str, Any]
INDENT_MAX = 8  # list nesting Slack's editor offers; a forged payload may claim any
DEPTH_MAX = 12  # nested elements read; deeper ones (only a forged payload has them) are not


def to_plain(value: RichText | None, names: Mapping[str, str] | None = None) -> str:
    """The text of a `rich_text_value`, one line per paragraph or list item; a person
    mentioned reads `@name` (by `names`; `@someone` when their name is not known)."""
    return _text(value, Reading(names or {}, point=False))


def to_point_text(value: RichText | None, names: Mapping[str, str]) -> str:
    """A talking point typed in a `rich_text_input`, in store.point_text's stored form: the
    same as the same words sent by command or DM (people by `names`, links kept)."""
    return _text(value, Reading(names, point=True))


def users_in(value: RichText | None) -> list[str]:
    """The people mentioned in a `rich_text_value`, in order, once each."""
    found: list[str] = []
    stack = [value] if isinstance(value, dict) else []
    while stack and len(found) < 1000:
        element = stack.pop(0)
        if element.get("type") == "user" and isinstance(element.get("user_id"), str):
            found.append(element["user_id"])
        stack.extend(_elements(element))
    return list(dict.fromkeys(found))


def from_stored(stored: str) -> RichText:
    """A rich text value showing a talking point's text, its links as links."""
    elements = [
        {"type": "text", "text": piece}
        if isinstance(piece, str)
        else {"type": "link", "url": piece.url} | ({"text": piece.label} if piece.label else {})
        for piece in pieces(stored)
    ]
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


@dataclass(frozen=True)
class Reading:
    """How rich text is read: people by `names`; as a talking point's stored form (`point`:
    links kept, text as typed), or as the plain text of notes."""

    names: Mapping[str, str]
    point: bool


def _text(value: RichText | None, how: Reading) -> str:
    if not value:
        return ""
    text = ""
    for element in _elements(value):
        piece = _block(element, 0, how)
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


def _block(element: dict[str, Any], depth: int, how: Reading) -> str:
    if depth > DEPTH_MAX:
        return ""
    kind = element.get("type")
    children = _elements(element)
    if kind == "rich_text_list":
        indent = "  " * _indent(element.get("indent"))
        ordered = element.get("style") == "ordered"
        lines = [
            f"{indent}{f'{n}.' if ordered else '•'} {_inline(child, depth + 1, how).strip()}"
            for n, child in enumerate(children, start=1)
        ]
        return "\n".join(lines) + "\n"
    if kind == "rich_text_quote":
        quoted = _inline(element, depth + 1, how).split("\n")
        return "\n".join(f"> {line}" for line in quoted) + "\n"
    if kind == "rich_text_preformatted":
        return f"```\n{_inline(element, depth + 1, how)}\n```\n"
    return _inline(element, depth + 1, how)


def _indent(value: object) -> int:
    return min(value, INDENT_MAX) if isinstance(value, int) and value > 0 else 0


def _inline(element: dict[str, Any], depth: int, how: Reading) -> str:
    return "".join(_piece(child, depth, how) for child in _elements(element))


def _piece(element: dict[str, Any], depth: int, how: Reading) -> str:
    if how.point:
        point = _point_piece(element, how.names)
        if point is not None:
            return point
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
        return f"@{how.names.get(str(element.get('user_id')), 'someone')}"
    if kind == "usergroup":
        return f"@{element.get('usergroup_id', '')}"
    if kind == "channel":
        return f"#{element.get('channel_id', '')}"
    if kind == "broadcast":
        return f"@{element.get('range', '')}"
    if kind in ("rich_text_section", "rich_text_list", "rich_text_quote"):
        return _block(element, depth, how)
    return str(element.get("text") or "")


def _point_piece(element: dict[str, Any], names: Mapping[str, str]) -> str | None:
    """How a talking point reads an inline element (None: as notes do)."""
    kind = element.get("type")
    if kind == "text":
        return from_typed(str(element.get("text") or ""))
    if kind == "link":
        url = valid_url(str(element.get("url") or ""))
        label = str(element.get("text") or "")
        return link(url, label) if url else label or str(element.get("url") or "")
    if kind == "user":
        return f"@{names.get(str(element.get('user_id')), 'someone')}"
    if kind == "usergroup":
        return "@group"
    if kind == "channel":
        return "#channel"
    if kind == "broadcast":
        return SPECIAL.get(str(element.get("range")), "@here")
    return None
