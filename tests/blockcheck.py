"""Block Kit checks: a round trip through slack_sdk.models plus the limits it does not check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
MODAL_TEXT_MAX = 24
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
SECTION_TEXT_MAX = 3000
SECTION_FIELD_MAX = 2000
SECTION_FIELDS_MAX = 10
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
ID_MAX = 255
PRIVATE_METADATA_MAX = 3000

# Round-trip policy. For valid input slack_sdk 3.48 gives back exactly what it was given (key
# order aside), so every difference is reported. What slack_sdk changes is never harmless:
#   - None, "" and [] values are dropped (Slack rejects empty text and empty arrays; null is not
#     "absent" to Slack's schema), so `{"text": ""}` or `"initial_value": ""` are reported;
#   - unknown (e.g. misspelled) keys are dropped, unknown block/element types parse to None;
#   - string shorthands are expanded (`"text": "hi"` -> mrkdwn/plain_text object, + emoji:true),
#     which the Web API itself does not accept.
# Views only: Slack's own view objects (payloads, views.* responses) carry read-only keys and
# null/"" placeholders (`"close": null`, `"external_id": ""`, `"private_metadata": ""`,
# `"state"`, `"app_installed_team_id"`). Echoing a view back with those is the same as leaving
# them out, so at the top level of a view these are tolerated.
VIEW_ECHO_KEYS = frozenset({"state", "app_installed_team_id"})

PLACEHOLDER = {"type": "divider"}

NodeRule = Callable[[str, dict[str, Any]], list[str]]


def check_message(blocks: Any, text: str | None) -> list[str]:
    """Problems of a message's `blocks` (and its top-level `text` fallback); [] if fine."""
    if not isinstance(blocks, list):
        return [f"blocks must be a list, got {type(blocks).__name__}"]
    failed = roundtrip_blocks(blocks)
    problems = list(failed.values())
    problems += max_blocks(blocks, MESSAGE_MAX_BLOCKS, "a message")
    problems += fallback_text(blocks, text)
    problems += unique_block_ids(blocks)
    return problems + node_limits(blocks, skip=set(failed))


def check_view(view: Any) -> list[str]:
    """Problems of a modal or Home tab view; [] if fine."""
    if not isinstance(view, dict):
        return [f"view must be an object, got {type(view).__name__}"]
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list):
        return [f"view.blocks must be a list, got {type(blocks).__name__}"]
    failed = roundtrip_blocks(blocks)
    problems = list(failed.values())
    view_problems = roundtrip_view(view, with_blocks=not failed)
    if not view_problems:  # else slack_sdk already named the first top-level problem
        view_problems = modal_texts(view) + private_metadata(view)
    problems += view_problems + modal_needs_submit(view) + unique_block_ids(blocks)
    return problems + node_limits(blocks, skip=set(failed))


# The view block count (1-100) is left to slack_sdk's View validator. Own rules run only on
# blocks that round-tripped, so a block reports slack_sdk's reason once, not twice.


# --- round trip through slack_sdk.models ---------------------------------------------------


def roundtrip_blocks(blocks: list[Any]) -> dict[int, str]:
    """Index -> problem of each block that does not parse, serialise and come back equal."""
    return {i: p for i, block in enumerate(blocks) if (p := roundtrip_block(block, f"blocks[{i}]"))}


def roundtrip_block(block: Any, path: str) -> str | None:
    """One block's round-trip problem, or None."""
    if not isinstance(block, dict):
        return f"{path}: a block must be an object, got {type(block).__name__}"
    parsed = Block.parse(block)
    if parsed is None:
        return f"{path}: unknown block type {block.get('type')!r}"
    try:
        out = parsed.to_dict()
    except (SlackObjectFormationError, AttributeError, TypeError, ValueError) as e:
        return f"{path} ({block.get('type')}): {e}"
    return first_diff(block, out, path)


def roundtrip_view(view: dict[str, Any], *, with_blocks: bool) -> list[str]:
    """`View(**view).to_dict()` must equal the view; blocks that failed become placeholders."""
    blocks = view.get("blocks")
    sent = view if with_blocks else {**view, "blocks": [PLACEHOLDER] * len(as_list(blocks))}
    try:
        out = View(**sent).to_dict()
    except (SlackObjectFormationError, AttributeError, TypeError, ValueError) as e:
        return [f"view: {e}"]
    diff = first_diff(without_echo(sent), without_echo(out), "view")
    return [diff] if diff else []


def without_echo(view: dict[str, Any]) -> dict[str, Any]:
    """The view without tolerated read-only keys and null/"" placeholders."""
    return {k: v for k, v in view.items() if k not in VIEW_ECHO_KEYS and v not in (None, "")}


def first_diff(sent: Any, parsed: Any, path: str) -> str | None:
    """Where slack_sdk's serialisation first differs from what was sent, or None."""
    if isinstance(sent, dict) and isinstance(parsed, dict):
        return first_dict_diff(sent, parsed, path)
    if isinstance(sent, list) and isinstance(parsed, list):
        return first_list_diff(sent, parsed, path)
    if parsed is None and isinstance(sent, dict):
        return f"{path}: unknown type {sent.get('type')!r}"
    if sent != parsed:
        return f"{path}: sent {short(sent)}, slack_sdk makes it {short(parsed)}"
    return None


def first_dict_diff(sent: dict[str, Any], parsed: dict[str, Any], path: str) -> str | None:
    """First differing key of two dicts, in the order they were sent."""
    for key in [*sent, *(k for k in parsed if k not in sent)]:
        sub = f"{path}.{key}"
        if key not in parsed:
            return f"{sub}: dropped by slack_sdk (unknown key, or null/empty {short(sent[key])})"
        if key not in sent:
            return f"{sub}: added by slack_sdk as {short(parsed[key])} (shorthand not accepted)"
        if diff := first_diff(sent[key], parsed[key], sub):
            return diff
    return None


def first_list_diff(sent: list[Any], parsed: list[Any], path: str) -> str | None:
    """First differing item of two lists."""
    for i, (a, b) in enumerate(zip(sent, parsed, strict=False)):
        if diff := first_diff(a, b, f"{path}[{i}]"):
            return diff
    if len(sent) != len(parsed):
        return f"{path}: {len(sent)} items sent, slack_sdk keeps {len(parsed)}"
    return None


def short(value: Any, limit: int = 60) -> str:
    """A repr cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- surface rules -------------------------------------------------------------------------


def max_blocks(blocks: list[Any], limit: int, surface: str) -> list[str]:
    """At most `limit` blocks (50 in a message; slack_sdk checks a view's 100)."""
    if len(blocks) > limit:
        return [f"{len(blocks)} blocks, {surface} allows at most {limit}"]
    return []


def fallback_text(blocks: list[Any], text: str | None) -> list[str]:
    """A message with blocks needs a non-empty top-level `text` (notifications, screen readers)."""
    if blocks and not (isinstance(text, str) and text.strip()):
        return ["message has blocks but no top-level text fallback"]
    return []


def unique_block_ids(blocks: list[Any]) -> list[str]:
    """block_id values must be unique within one message or view."""
    seen: set[str] = set()
    problems = []
    for i, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str) and block_id in seen:
            problems.append(f"blocks[{i}].block_id: duplicate {block_id!r}")
        if isinstance(block_id, str):
            seen.add(block_id)
    return problems


def modal_needs_submit(view: dict[str, Any]) -> list[str]:
    """A modal with an input block must have a submit button."""
    blocks = as_list(view.get("blocks"))
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if view.get("type") == "modal" and has_input and not view.get("submit"):
        return ["modal has an input block but no submit"]
    return []


def modal_texts(view: dict[str, Any]) -> list[str]:
    """Modal title (required), submit and close: plain_text of 1-24 characters."""
    if view.get("type") != "modal":
        return []
    problems = [] if view.get("title") else ["view.title: a modal needs a title"]
    for key in ("title", "submit", "close"):
        if view.get(key):
            problems += plain_text(f"view.{key}", view[key], MODAL_TEXT_MAX)
    return problems


def private_metadata(view: dict[str, Any]) -> list[str]:
    """private_metadata is at most 3000 characters."""
    return too_long("view.private_metadata", view.get("private_metadata"), PRIVATE_METADATA_MAX)


# --- rules for every object inside the blocks ----------------------------------------------


def node_limits(blocks: list[Any], *, skip: set[int]) -> list[str]:
    """Apply every node rule to every object nested in the blocks not in `skip`."""
    return [
        problem
        for i, block in enumerate(blocks)
        if i not in skip
        for path, node in walk(block, f"blocks[{i}]")
        for rule in NODE_RULES
        for problem in rule(path, node)
    ]


def walk(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every dict inside `value` (itself included) with its path."""
    if isinstance(value, dict):
        yield path, value
        for key, sub in value.items():
            yield from walk(sub, f"{path}.{key}")
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from walk(sub, f"{path}[{i}]")


def option_limits(path: str, node: dict[str, Any]) -> list[str]:
    """Options (selects, overflow, checkboxes, radios, initial_*): text 75, value 150."""
    options = [*as_list(node.get("options")), *as_list(node.get("initial_options"))]
    if isinstance(node.get("initial_option"), dict):
        options.append(node["initial_option"])
    problems = []
    for option in options:
        if isinstance(option, dict):
            text = text_of(option.get("text"))
            problems += too_long(f"{path} option text", text, OPTION_TEXT_MAX)
            problems += too_long(f"{path} option value", option.get("value"), OPTION_VALUE_MAX)
            description = text_of(option.get("description"))
            problems += too_long(f"{path} option description", description, OPTION_TEXT_MAX)
    return problems


def section_limits(path: str, node: dict[str, Any]) -> list[str]:
    """Section text at most 3000 characters; at most 10 fields of 2000 each."""
    if node.get("type") != "section":
        return []
    problems = too_long(f"{path}.text", text_of(node.get("text")), SECTION_TEXT_MAX)
    fields = as_list(node.get("fields"))
    if len(fields) > SECTION_FIELDS_MAX:
        problems.append(f"{path}.fields: {len(fields)} fields, at most {SECTION_FIELDS_MAX}")
    for i, field in enumerate(fields):
        problems += too_long(f"{path}.fields[{i}]", text_of(field), SECTION_FIELD_MAX)
    return problems


def header_limits(path: str, node: dict[str, Any]) -> list[str]:
    """Header text is plain_text of at most 150 characters."""
    if node.get("type") != "header":
        return []
    return plain_text(f"{path}.text", node.get("text"), HEADER_TEXT_MAX)


def button_limits(path: str, node: dict[str, Any]) -> list[str]:
    """Button text plain_text ≤ 75, value ≤ 2000, url ≤ 3000."""
    if node.get("type") != "button":
        return []
    problems = plain_text(f"{path}.text", node.get("text"), BUTTON_TEXT_MAX)
    problems += too_long(f"{path}.value", node.get("value"), BUTTON_VALUE_MAX)
    return problems + too_long(f"{path}.url", node.get("url"), BUTTON_URL_MAX)


def id_limits(path: str, node: dict[str, Any]) -> list[str]:
    """block_id and action_id are at most 255 characters."""
    keys = ("block_id", "action_id")
    return [p for key in keys for p in too_long(f"{path}.{key}", node.get(key), ID_MAX)]


def unique_action_ids(path: str, node: dict[str, Any]) -> list[str]:
    """action_id values are unique within their block (checked at each top-level block)."""
    if not path.endswith("]") or "." in path:
        return []
    ids = [n["action_id"] for _, n in walk(node, path) if isinstance(n.get("action_id"), str)]
    repeated = sorted({a for a in ids if ids.count(a) > 1})
    return [f"{path}: duplicate action_id {a!r}" for a in repeated]


NODE_RULES: tuple[NodeRule, ...] = (
    option_limits,
    section_limits,
    header_limits,
    button_limits,
    id_limits,
    unique_action_ids,
)


# --- small helpers -------------------------------------------------------------------------


def plain_text(path: str, obj: Any, limit: int) -> list[str]:
    """`obj` must be a plain_text object of 1..limit characters."""
    if not isinstance(obj, dict) or obj.get("type") != "plain_text":
        return [f"{path}: must be a plain_text object, got {short(obj)}"]
    return too_long(path, text_of(obj), limit)


def too_long(path: str, value: Any, limit: int) -> list[str]:
    """A problem if the string `value` is longer than `limit`."""
    if isinstance(value, str) and len(value) > limit:
        return [f"{path}: {len(value)} characters, at most {limit}"]
    return []


def text_of(obj: Any) -> str | None:
    """The string inside a text object (or the string itself)."""
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else None
    return obj if isinstance(obj, str) else None


def as_list(value: Any) -> list[Any]:
    """`value` if it is a list, else []."""
    return value if isinstance(value, list) else []
