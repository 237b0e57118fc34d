"""Formatting every surface shares: Slack dates, item lines, long lists split over sections
within Slack's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from blocks.i18n import _, ngettext
from blocks.kit import SECTION_TEXT_MAX, Block, context, section
from blocks.text import escape
from blocks.when import day_name, day_name_with_year
from store.point_text import Link, Piece, pieces, valid_url, visible
from store.views import FollowUpView, ItemView

# Slack rejects a message whose blocks hold about 12,000 characters of text in all, less some
# undisclosed overhead per block (`msg_blocks_too_long`; slackapi/bolt-js#2509, #2867 saw it
# at 11,341), so long agendas are fitted to this budget as well as to the 50-block limit.
TEXT_BUDGET = 10_000
LINE_MAX = 300  # an item's text on one line of a list
LIST_SECTIONS_MAX = 2  # sections of a folded list before "…and N more"
NOTE_MAX = 60  # characters of one "…and N more" note


def slack_date(when: datetime, fmt: str | None = None) -> str:
    """A date Slack shows in each reader's time zone, with a UTC fallback (naive = UTC)."""
    utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    # TRANSLATORS: a Slack date token's format: keep {date_short_pretty} and {time} as they are.
    fmt = fmt or _("{date_short_pretty} at {time}")
    return f"<!date^{int(utc.timestamp())}^{fmt}|{utc:%Y-%m-%d %H:%M} UTC>"


def day_text(iso_day: str, *, year: bool = False) -> str:
    """A calendar date ("2026-12-03") as "Thu Dec 3" (", 2026" with `year`)."""
    try:
        day = date.fromisoformat(iso_day)
    except ValueError:
        return escape(iso_day)
    return day_name_with_year(day) if year else day_name(day)


def clip(text: str, limit: int) -> str:
    """User text escaped for mrkdwn, cut so that the escaped form fits in `limit`."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return _escaped_prefix(text, limit - 1).rstrip() + "…"


def _escaped_prefix(text: str, limit: int) -> str:
    """The longest start of `text` whose escaped form fits in `limit` (no entity is cut)."""
    kept: list[str] = []
    size = 0
    for char in text:
        piece = escape(char)
        if size + len(piece) > limit:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept)


def one_line(text: str) -> str:
    """User text on one line of a list: escaped, whitespace folded, cut to LINE_MAX."""
    return clip(" ".join(text.split()), LINE_MAX)


def follow_up_line(item: FollowUpView) -> str:
    """An open action item on one line: "• text — @owner, due Thu Dec 3"."""
    text, owner = one_line(item.text), f"<@{item.owner_id}>"
    if item.due_date:
        due = day_text(item.due_date)
        return _("• {text} — {owner}, due {day}").format(text=text, owner=owner, day=due)
    return f"• {text} — {owner}"


def done_line(item: FollowUpView) -> str:
    """A done action item on one line: "✅ ~text~ — @owner" (and who marked it, if another)."""
    text, owner = one_line(item.text), f"<@{item.owner_id}>"
    if item.done_by and item.done_by != item.owner_id:
        return _("✅ ~{text}~ — {owner} · marked by {person}").format(
            text=text, owner=owner, person=f"<@{item.done_by}>"
        )
    return f"✅ ~{text}~ — {owner}"


def point_line(item: ItemView, *, author: bool = True) -> str:
    """A talking point on one line: ticked when discussed, with its author and marks."""
    marks = [f"<@{item.author_id}>"] if author else []
    if item.carried_count:
        marks.append(_("carried {count}×").format(count=item.carried_count))
    if item.is_private:
        marks.append(_("🔒 private"))
    bullet = "✅" if item.discussed else "•"
    text = point_text(item, LINE_MAX, fold=True)
    return f"{bullet} {text}" + (f" — {', '.join(marks)}" if marks else "")


def point_text(item: ItemView, limit: int, *, fold: bool = False) -> str:
    """A talking point as mrkdwn of at most `limit` characters: its text escaped, its links
    live (http(s) only, checked again here), then "(from #general)" linking its message."""
    text = " ".join(item.text.split()) if fold else item.text
    source = _source(item)
    return linked(text, limit - len(source)) + source


def point_plain(item: ItemView) -> str:
    """A talking point for plain-text places: what the mrkdwn shows, without the links."""
    where = _where(item)
    return visible(item.text) + (f" ({where})" if where else "")


def _where(item: ItemView) -> str:
    if not (item.source_url or item.source_channel):
        return ""
    if item.source_channel:
        return _("from {channel}").format(channel=item.source_channel)
    return _("from a message")


def _source(item: ItemView) -> str:
    where = _where(item)
    if not where:
        return ""
    url = valid_url(item.source_url)
    return f" ({_mrkdwn(Link(url, where)) if url else escape(where)})"


def linked(stored: str, limit: int) -> str:
    """Text in store.point_text's stored form as mrkdwn within `limit` characters: plain
    runs escaped, links as `<url|label>`; when cut, "…" marks it (a link is never cut)."""
    parts = [_mrkdwn(piece) for piece in pieces(stored)]
    if sum(map(len, parts)) <= limit:
        return "".join(parts)
    out: list[str] = []
    left = limit - 1
    for piece, encoded in zip(pieces(stored), parts, strict=True):
        if len(encoded) > left:
            if isinstance(piece, str):
                out.append(_escaped_prefix(piece, left))
            break
        out.append(encoded)
        left -= len(encoded)
    return "".join(out).rstrip() + "…"


def _mrkdwn(piece: Piece) -> str:
    if isinstance(piece, str):
        return escape(piece)
    # The URL is checked; escaping it too keeps `&` from starting an entity.
    return f"<{escape(piece.url)}|{escape(piece.text)}>"


def list_sections(
    lines: list[str], *, title: str = "", max_sections: int, max_chars: int
) -> tuple[list[Block], int]:
    """Lines packed into sections of ≤3000 characters; returns the blocks and lines shown."""
    texts: list[str] = []
    current = title
    used = len(title)
    shown = 0
    for line in lines:
        if used + 1 + len(line) > max_chars:
            break
        if current and len(current) + 1 + len(line) > SECTION_TEXT_MAX:
            if len(texts) + 1 >= max_sections:
                break
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
        used += 1 + len(line)
        shown += 1
    if current:
        texts.append(current)
    return [section(text) for text in texts], shown


def more_note(count: int, what: str) -> list[Block]:
    """The "…and N more" context under a list that was cut, or nothing. `what` is one of
    MORE's keys (each kind has its own sentence, so that it can be translated whole)."""
    return [context(MORE[what](count).format(count=count))] if count else []


MORE = {
    "talking points": lambda n: ngettext(
        "_…and {count} more talking point._", "_…and {count} more talking points._", n
    ),
    "open action items": lambda n: ngettext(
        "_…and {count} more open action item._", "_…and {count} more open action items._", n
    ),
    "done action items": lambda n: ngettext(
        "_…and {count} more done action item._", "_…and {count} more done action items._", n
    ),
    "items": lambda n: ngettext("_…and {count} more item._", "_…and {count} more items._", n),
    "notes": lambda n: ngettext("_…and {count} more note._", "_…and {count} more notes._", n),
    "action items": lambda n: ngettext(
        "_…and {count} more action item._", "_…and {count} more action items._", n
    ),
    "from before": lambda n: ngettext(
        "_…and {count} more from before._", "_…and {count} more from before._", n
    ),
    "earlier 1:1s": lambda n: ngettext(
        "_…and {count} more earlier 1:1._", "_…and {count} more earlier 1:1s._", n
    ),
    "": lambda n: ngettext("_…and {count} more._", "_…and {count} more._", n),
}


def text_size(value: Any) -> int:
    """Characters of text in a block tree (what Slack's aggregate limit counts)."""
    if isinstance(value, dict):
        own = len(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(text_size(v) for v in value.values() if not isinstance(v, str))
    if isinstance(value, list):
        return sum(text_size(v) for v in value)
    return 0
