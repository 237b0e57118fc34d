"""A person's export as files: Markdown of their 1:1s and a CSV of the action items, and the
limits that split an export into files.

Pure functions of the store's export views. User text is escaped for Markdown (it can never
become a heading, a list, a link or HTML) and CSV cells are guarded against formula injection;
dates are on the reader's clock; people are named as their stored Slack profiles say.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from blocks.checkin import MOODS
from blocks.i18n import N_, _, current_language, ngettext
from store.health_views import CheckInView
from store.point_text import Link, pieces, valid_url
from store.views import (
    EXPORT_OPEN,
    EXPORT_UPCOMING,
    ActionItemView,
    ExportedMeeting,
    ExportedPair,
    ItemView,
    may_see,
)

# Slack takes files of up to 1 GB; an export is split into files of at most this much (at
# meeting boundaries), so that no upload holds much memory (slack_sdk reads each file whole).
FILE_BYTES_MAX = 10 * 1024 * 1024
FILES_MAX = 30  # files in one export; a bigger history is refused (say which 1:1 instead)
UPLOAD_BATCH = 10  # files shared in one message (one files_upload_v2 call)
PRIVATE = N_("🔒 private")  # marks the reader's own private points and notes
CSV_HEADER = (
    N_("1:1 with"),
    N_("meeting"),
    N_("action item"),
    N_("owner"),
    N_("due date"),
    N_("status"),
    N_("created"),
)
CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to a spreadsheet

_INLINE = re.compile(r"([\\`*_\[\]<>|~#&])")
_LIST_START = re.compile(r"^([-+=])")
_NUMBERED = re.compile(r"^(\d+)([.)])")


@dataclass(frozen=True)
class Reader:
    """Who the export is for: their zone, when it was made, and everyone's name."""

    user_id: str
    zone: str
    now: datetime
    names: Mapping[str, str]  # user id → display name (from stored profiles)

    def name(self, user_id: str) -> str:
        """The person's name, escaped; "you" is marked."""
        name = md_escape(self.names.get(user_id) or user_id)
        return _("{name} (you)").format(name=name) if user_id == self.user_id else name

    def local(self, when: datetime) -> datetime:
        """The instant on the reader's clock."""
        return when.astimezone(ZoneInfo(self.zone))

    @property
    def today(self) -> date:
        """Today on the reader's clock."""
        return self.local(self.now).date()


# --- Markdown ------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """User text for one Markdown line: every character that could format it escaped, and a
    line start that would make a list, a heading or a rule made inert."""
    escaped = _INLINE.sub(r"\\\1", text.strip())
    escaped = _LIST_START.sub(r"\\\1", escaped)
    return _NUMBERED.sub(r"\1\\\2", escaped)


def md_text(stored: str) -> str:
    """Text in store.point_text's stored form, on one line: links as Markdown links (http(s)
    only, checked again), the rest escaped."""
    parts = []
    for piece in pieces(" ".join(stored.split())):
        parts.append(_link(piece) if isinstance(piece, Link) else _plain(piece))
    return "".join(parts).strip()


def _plain(text: str) -> str:
    edges = ("" if text[:1] != " " else " ", "" if text[-1:] != " " else " ")
    return edges[0] + md_escape(text) + edges[1] if text.strip() else text


def _link(link: Link) -> str:
    url = valid_url(link.url)
    label = md_escape(link.text)
    return f"[{label}](<{url}>)" if url else label


def document_head(reader: Reader, *, part: int) -> str:
    """The top of each Markdown file: whose export, when, and what is (not) in it."""
    name = reader.name(reader.user_id)
    if part > 1:
        title = _("# 1:1s of {name} — oneonone export (part {part})").format(name=name, part=part)
    else:
        title = _("# 1:1s of {name} — oneonone export").format(name=name)
    body = _(
        "Exported {when} · times are on your clock ({zone}).\n"
        "Everything you may see: shared talking points and notes, your own private ones "
        "(marked {private}), and action items. The other person's private points and notes "
        "are theirs alone and are not in it."
    ).format(when=_when(reader, reader.now), zone=md_escape(reader.zone), private=_(PRIVATE))
    return f"{title}\n\n{body}\n\n"


def pair_head(pair: ExportedPair, reader: Reader, *, continued: bool = False) -> str:
    """A 1:1's heading: with whom, your role, since when (and when it ended)."""
    facts = {"person": reader.name(pair.other_id)}
    if pair.manager_id == reader.user_id:
        head = _("## 1:1 with {person} — you manage them")
        if continued:
            head = _("## 1:1 with {person} — you manage them (continued)")
    else:
        head = _("## 1:1 with {person} — your manager")
        if continued:
            head = _("## 1:1 with {person} — your manager (continued)")
    since = _day(reader.local(pair.started_at).date())
    if pair.ended_at is not None:
        ended = _day(reader.local(pair.ended_at).date())
        span = _("Since {day} · ended {end}").format(day=since, end=ended)
    else:
        span = _("Since {day}").format(day=since)
    text = f"{head.format(**facts)}\n\n_{span}_\n\n"
    if pair.standing and not continued:
        items = [f"- {md_escape(item.text)} ({_cadence(item.cadence)})" for item in pair.standing]
        text += "\n".join([_("**Standing items**"), *items]) + "\n\n"
    return text


def _cadence(cadence: str) -> str:
    words = {"every_2nd": _("every 2nd 1:1"), "monthly": _("the first 1:1 of each month")}
    return words.get(cadence, _("every 1:1"))


NO_MEETINGS = N_("_No meetings yet._\n\n")


def meeting_markdown(meeting: ExportedMeeting, reader: Reader) -> str:
    """One meeting: its date and outcome, talking points, notes and action items."""
    facts = {"when": _when(reader, meeting.starts_at), "state": _state(meeting.state)}
    if meeting.unscheduled:
        lines = [_("### {when} · {state} · huddle").format(**facts), ""]
    else:
        lines = ["### {when} · {state}".format(**facts), ""]
    if meeting.checkins:
        lines += [_("**Check-ins**"), *(_checkin(c, reader) for c in meeting.checkins), ""]
    points = [p for p in meeting.points if may_see(reader.user_id, p.author_id, p.is_private)]
    if points:
        lines += [_("**Talking points**"), *(_point(p, reader) for p in points), ""]
    if meeting.standing_ticked:
        ticked = [f"- [x] {md_escape(text)}" for text in meeting.standing_ticked]
        lines += [_("**Standing items discussed**"), *ticked, ""]
    if meeting.shared_notes.strip():
        lines += [_("**Shared notes**"), "", *_quoted(meeting.shared_notes), ""]
    if meeting.private_notes.strip():
        own = _("**Your private notes** ({private})").format(private=_(PRIVATE))
        lines += [own, "", *_quoted(meeting.private_notes), ""]
    if meeting.action_items:
        lines += [_("**Action items**"), *(_item(i, reader) for i in meeting.action_items), ""]
    if len(lines) == 2:
        lines += [_("_Nothing recorded._"), ""]
    return "\n".join(lines) + "\n"


def _checkin(answer: CheckInView, reader: Reader) -> str:
    """ "- Rita: 🙂 (4 of 5) — a long week" """
    line = _("- {person}: {mood} ({n} of 5)").format(
        person=reader.name(answer.user_id), mood=MOODS[answer.mood], n=answer.mood
    )
    return line + (f" — {md_escape(answer.text)}" if answer.text else "")


def _point(point: ItemView, reader: Reader) -> str:
    tick = "x" if point.discussed else " "
    mark = f"{_(PRIVATE)} · " if point.is_private else ""
    carried = ""
    if point.carried_count:
        carried = " " + _("_(carried over {count}×)_").format(count=point.carried_count)
    source = ""
    if point.source_channel:
        source = " " + _("(from {channel})").format(channel=md_escape(point.source_channel))
    return (
        f"- [{tick}] {mark}{md_text(point.text)}{source} — {reader.name(point.author_id)}{carried}"
    )


def _quoted(notes: str) -> list[str]:
    """Notes as a block quote, line by line (a blank line stays a paragraph break)."""
    return [f"> {md_text(line)}  " if line.strip() else ">" for line in notes.splitlines()]


def _item(item: ActionItemView, reader: Reader) -> str:
    tick = "x" if item.done else " "
    due = " · " + _("due {day}").format(day=item.due_date.isoformat()) if item.due_date else ""
    status = item_status(item, reader.today)
    return f"- [{tick}] {md_text(item.text)} — {reader.name(item.owner_id)}{due} · {status}"


def item_status(item: ActionItemView, today: date) -> str:
    """done, open, or overdue (open past its due date on the reader's clock)."""
    if item.done:
        return _("done")
    return _("overdue") if item.due_date is not None and item.due_date < today else _("open")


STATES = {
    EXPORT_UPCOMING: N_("upcoming"),
    EXPORT_OPEN: N_("in progress"),
    "held": N_("held"),
    "not held": N_("not held"),
    "skipped": N_("skipped"),
    "cancelled": N_("cancelled"),
}


def _state(state: str) -> str:
    return _(STATES[state]) if state in STATES else state


def _when(reader: Reader, when: datetime) -> str:
    """ "Tue 2026-12-01 10:00" on the reader's clock, the weekday in their language."""
    return format_datetime(reader.local(when), "EEE yyyy-MM-dd HH:mm", locale=current_language())


def _day(day: date) -> str:
    return day.isoformat()


# --- CSV -------------------------------------------------------------------------------------


def csv_head() -> str:
    """The CSV's header row."""
    return csv_text([[_(name) for name in CSV_HEADER]])


def csv_rows(pair: ExportedPair, meeting: ExportedMeeting, reader: Reader) -> list[list[str]]:
    """One row per action item decided in the meeting."""
    with_whom = reader.names.get(pair.other_id) or pair.other_id
    held = f"{reader.local(meeting.starts_at):%Y-%m-%d %H:%M}"
    return [
        [
            with_whom,
            held,
            item.text,
            reader.names.get(item.owner_id) or item.owner_id,
            item.due_date.isoformat() if item.due_date else "",
            item_status(item, reader.today),
            reader.local(item.created_at).date().isoformat(),
        ]
        for item in meeting.action_items
    ]


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text, every cell guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage
    return) gets a leading quote, so it is never run as a formula."""
    return f"'{value}" if value.startswith(CSV_RISKY) else value


# --- files -----------------------------------------------------------------------------------


def starts_new_file(used: int, adding: int, *, has_body: bool, limit: int) -> bool:
    """Whether a chunk of `adding` bytes goes into a new file: it would take the file past
    `limit`, and the file holds more than its head (one chunk alone is never split)."""
    return has_body and used + adding > limit


def file_name(stem: str, part: int, suffix: str) -> str:
    """`<stem>.md`, then `<stem>-part2.md`, …"""
    return f"{stem}{f'-part{part}' if part > 1 else ''}{suffix}"


def file_stem(reader: Reader, other_name: str | None) -> str:
    """`oneonone-export-2026-11-30`, or with the other person of the one 1:1 exported."""
    slug = re.sub(r"[^a-z0-9]+", "-", (other_name or "").lower()).strip("-")[:40]
    return "-".join(p for p in ("oneonone-export", slug, reader.today.isoformat()) if p)


def export_comment(*, pairs: int, meetings: int) -> str:
    """The message the files arrive with (mrkdwn; no user text)."""
    one_on_ones = ngettext("{count} 1:1", "{count} 1:1s", pairs).format(count=pairs)
    count = ngettext("{count} meeting", "{count} meetings", meetings).format(count=meetings)
    # TRANSLATORS: {pairs}: "2 1:1s"; {meetings}: "14 meetings".
    return _(
        "Here is your oneonone export: {pairs}, {meetings} — everything you may see, as "
        "Markdown, and the action items as CSV. Your private points and notes are marked; "
        "the other person's are not in it."
    ).format(pairs=one_on_ones, meetings=count)


CONTINUED = N_("Your oneonone export, continued.")
