"""The export's Markdown and CSV: escaping, privacy as a second line of defence, the reader's
clock, formula-safe cells and the file limits."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from blocks.export import (
    PRIVATE,
    Reader,
    csv_rows,
    csv_text,
    file_name,
    md_escape,
    md_text,
    meeting_markdown,
    safe_cell,
    starts_new_file,
)
from store.views import HELD, ActionItemView, ExportedMeeting, ExportedPair, ItemView

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
READER = Reader(user_id="UREP", zone="Asia/Kolkata", now=NOW, names={"UMGR": "Max", "UREP": "Rita"})
PAIR = ExportedPair(1, "UMGR", "UREP", "UMGR", NOW, None)


def point(text: str, author: str, *, private: bool = False) -> ItemView:
    return ItemView(
        id=1, author_id=author, text=text, is_private=private, discussed=True, carried_count=0
    )


def item(text: str, *, done: bool = False, due: date | None = date(2026, 12, 1)) -> ActionItemView:
    return ActionItemView(1, 1, 7, "UREP", "UMGR", text, due, done, NOW)


def meeting(**overrides: object) -> ExportedMeeting:
    values: dict[str, object] = dict(
        meeting_id=7,
        pair_id=1,
        starts_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
        duration_minutes=30,
        state=HELD,
        unscheduled=False,
        points=[],
        shared_notes="",
        private_notes="",
        action_items=[],
    )
    return ExportedMeeting(**(values | overrides))  # type: ignore[arg-type]


def test_user_text_can_never_format_markdown() -> None:
    assert md_escape("# Title") == "\\# Title"
    assert md_escape("- item") == "\\- item"
    assert md_escape("1. first") == "1\\. first"
    assert md_escape("<b>*bold*</b> [x](y) a|b `c` ~d~ &amp;") == (
        "\\<b\\>\\*bold\\*\\</b\\> \\[x\\](y) a\\|b \\`c\\` \\~d\\~ \\&amp;"
    )
    assert md_text("see <https://x.example/a|the doc> now") == (
        "see [the doc](<https://x.example/a>) now"
    )
    assert md_text("<javascript:alert(1)|x>") == "\\<javascript:alert(1)\\|x\\>"


def test_a_meeting_reads_on_the_readers_clock_with_own_private_content_marked() -> None:
    text = meeting_markdown(
        meeting(
            points=[point("Mine", "UREP", private=True), point("Shared", "UMGR")],
            shared_notes="line one\n\n# not a heading",
            private_notes="only mine",
            action_items=[item("Do it")],
        ),
        READER,
    )
    assert text.startswith("### Tue 2026-12-01 20:30 · held")  # Kolkata: UTC+5:30
    assert f"- [x] {PRIVATE} · Mine — Rita (you)" in text
    assert "- [x] Shared — Max" in text
    assert "> line one  \n>\n> \\# not a heading" in text
    assert f"**Your private notes** ({PRIVATE})" in text and "> only mine" in text
    assert "- [ ] Do it — Rita (you) · due 2026-12-01 · overdue" in text


def test_someone_elses_private_point_is_dropped_even_if_a_caller_passed_it() -> None:
    text = meeting_markdown(meeting(points=[point("Their secret", "UMGR", private=True)]), READER)
    assert "Their secret" not in text and "_Nothing recorded._" in text


def test_csv_rows_are_formula_safe() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok", "")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "",
    ]
    rows = csv_rows(PAIR, meeting(action_items=[item("=cmd|'/c calc'!A0", done=True)]), READER)
    (row,) = list(csv.reader(io.StringIO(csv_text(rows))))
    assert row == [
        "Max",
        "2026-12-01 20:30",
        "'=cmd|'/c calc'!A0",
        "Rita",
        "2026-12-01",
        "done",
        "2026-12-02",
    ]


def test_files_split_between_chunks_never_inside_one() -> None:
    assert not starts_new_file(90, 10, has_body=True, limit=100)
    assert starts_new_file(91, 10, has_body=True, limit=100)
    assert not starts_new_file(50, 500, has_body=False, limit=100)  # alone: never split
    assert file_name("x", 1, ".md") == "x.md" and file_name("x", 3, ".md") == "x-part3.md"
