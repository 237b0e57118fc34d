"""The notes modal as pure output: its metadata, labels, limits, and rich text as plain text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from blocks import ids
from blocks.notes import (
    POINTS_SHOWN,
    ROWS_MAX,
    ItemRow,
    NotesMeta,
    Typed,
    notes_modal,
    row_fingerprint,
)
from blocks.rich_text import from_plain, to_plain
from store.views import ItemView, NotesView
from tests.blockcheck import check_view

ME, THEM = "U_MANAGER", "U_REPORT"
NAMES = {ME: "Maria", THEM: "Rita"}
BIG_ID = 10**11  # ids as long as private_metadata may ever need to hold


def notes(points: list[ItemView], *, moved_on: frozenset[int] = frozenset()) -> NotesView:
    return NotesView(
        meeting_id=7,
        pair_id=3,
        manager_id=ME,
        report_id=THEM,
        viewer_id=ME,
        starts_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
        duration_minutes=30,
        unscheduled=False,
        points=points,
        moved_on=moved_on,
        shared_notes="We agreed.\nSecond line",
        shared_version=2,
        private_notes="",
        action_items=[],
        default_due=date(2026, 12, 8),
    )


def point(pid: int, text: str, *, discussed: bool = False, carried: int = 0) -> ItemView:
    return ItemView(pid, ME, text, False, discussed, carried)


def labels(view: dict[str, Any]) -> list[str]:
    return [
        option["text"]["text"]
        for block in view["blocks"]
        if block.get("block_id", "").startswith(f"{ids.NOTES_POINTS}:")
        for option in block["element"]["options"]
    ]


def ticked(view: dict[str, Any]) -> list[str]:
    return [
        option["value"]
        for block in view["blocks"]
        if block.get("block_id", "").startswith(f"{ids.NOTES_POINTS}:")
        for option in block["element"].get("initial_options", [])
    ]


def test_the_metadata_records_what_was_shown_and_parses_back() -> None:
    rows = [ItemRow("i5", "Write the RFC", THEM, date(2026, 12, 8)), ItemRow("n1", "", ME, None)]
    view = notes_modal(notes([point(1, "a", discussed=True), point(2, "b")]), rows, NAMES)
    meta = NotesMeta.from_json(view["private_metadata"])
    assert (meta.meeting_id, meta.version, meta.rows) == (7, 2, ("i5", "n1"))
    assert (meta.points, meta.ticked, meta.removed) == ((1, 2), (1,), ())
    assert meta.saved == {"i5": row_fingerprint(rows[0])}
    assert NotesMeta.from_json(meta.to_json()) == meta


@pytest.mark.parametrize(
    "broken",
    ["", "[]", '{"meeting": 1}', '{"meeting":1,"version":0,"shared":"","rows":["x1"],'
     '"points":[],"ticked":[],"saved":{},"removed":[]}'],
)  # fmt: skip
def test_malformed_metadata_does_not_parse(broken: str) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        NotesMeta.from_json(broken)


def test_the_fullest_modal_stays_within_slacks_limits() -> None:
    points = [point(BIG_ID + n, "x" * 300, discussed=n % 2 == 0) for n in range(60)]
    rows = [ItemRow(f"i{BIG_ID + n}", "y" * 500, THEM, date(2026, 12, 8)) for n in range(20)]
    view = notes_modal(notes(points), rows, NAMES)
    assert check_view(view) == []
    assert len(view["blocks"]) <= 100
    meta = NotesMeta.from_json(view["private_metadata"])
    assert len(meta.points) == POINTS_SHOWN and len(meta.rows) == ROWS_MAX
    assert len(view["private_metadata"]) < 3000
    assert "more talking points" in json.dumps(view["blocks"])


def test_point_labels_say_private_carried_and_moved_on_first() -> None:
    points = [
        ItemView(1, ME, "mine  only", True, False, 0),
        point(2, "again", carried=2),
        point(3, "later " + "z" * 100, carried=1),
    ]
    view = notes_modal(notes(points, moved_on=frozenset({3})), [], NAMES)
    assert labels(view)[:2] == ["🔒 mine only", "↻2 again"]
    assert labels(view)[2].startswith("→ moved to next 1:1 · later")
    assert all(len(label) <= 75 for label in labels(view))


def test_a_rebuild_keeps_the_persons_ticks_and_takes_new_points_as_they_are() -> None:
    first = notes_modal(notes([point(1, "a", discussed=True), point(2, "b")]), [], NAMES)
    before = NotesMeta.from_json(first["private_metadata"])
    now = notes([point(1, "a", discussed=True), point(2, "b"), point(3, "c", discussed=True)])
    typed = Typed(discussed=frozenset({2}))  # they unticked a and ticked b
    rows = [ItemRow("n2", "", ME, None)]
    again = notes_modal(now, rows, NAMES, before=before, typed=typed)
    assert ticked(again) == ["2", "3"]
    meta = NotesMeta.from_json(again["private_metadata"])
    assert (meta.points, meta.ticked) == ((1, 2, 3), (1, 3))  # as first shown, c as it is


def test_removing_a_saved_row_is_remembered_across_rebuilds() -> None:
    rows = [ItemRow("i5", "Keep", THEM, None), ItemRow("i6", "Drop", ME, None)]
    first = notes_modal(notes([]), rows, NAMES)
    before = NotesMeta.from_json(first["private_metadata"])
    after = notes_modal(notes([]), rows[:1], NAMES, before=before, typed=Typed())
    meta = NotesMeta.from_json(after["private_metadata"])
    assert (meta.rows, meta.removed) == (("i5",), (6,))
    grown = notes_modal(notes([]), [*rows[:1], ItemRow("n1", "", ME, None)], NAMES, before=meta)
    assert NotesMeta.from_json(grown["private_metadata"]).removed == (6,)


def test_a_row_fingerprint_changes_with_text_owner_or_due_date() -> None:
    row = ItemRow("i1", "Write the RFC", THEM, date(2026, 12, 8))
    assert row_fingerprint(row) == row_fingerprint(
        ItemRow("i1", " Write the RFC ", THEM, row.due_date)
    )
    for changed in (
        ItemRow("i1", "Write the FAQ", THEM, row.due_date),
        ItemRow("i1", "Write the RFC", ME, row.due_date),
        ItemRow("i1", "Write the RFC", THEM, None),
    ):
        assert row_fingerprint(changed) != row_fingerprint(row)


# --- rich text ---------------------------------------------------------------------------------

TEXTS = ["", "one line", "two\nlines", "a & b <@U1> <!channel>", ":tada: see https://x.example"]


@pytest.mark.parametrize("text", TEXTS)
def test_plain_text_survives_the_round_trip_through_the_input(text: str) -> None:
    assert to_plain(from_plain(text)) == text


def test_slack_returning_links_and_emoji_as_elements_reads_the_same() -> None:
    text = ":tada: see https://x.example"
    section = {
        "type": "rich_text_section",
        "elements": [
            {"type": "emoji", "name": "tada"},
            {"type": "text", "text": " see "},
            {"type": "link", "url": "https://x.example"},
        ],
    }
    assert to_plain({"type": "rich_text", "elements": [section]}) == text


def test_lists_quotes_code_and_mentions_become_inert_plain_text() -> None:
    def section(*pieces: dict[str, Any]) -> dict[str, Any]:
        return {"type": "rich_text_section", "elements": list(pieces)}

    value = {
        "type": "rich_text",
        "elements": [
            section({"type": "text", "text": "Hi "}, {"type": "broadcast", "range": "channel"}),
            {
                "type": "rich_text_list",
                "style": "ordered",
                "indent": 0,
                "elements": [
                    section({"type": "text", "text": "first"}),
                    section({"type": "user", "user_id": "U1"}),
                ],
            },
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "said"}]},
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "x = 1"}]},
        ],
    }
    assert to_plain(value) == "Hi @channel\n1. first\n2. @someone\n> said\n```\nx = 1\n```"
    named = to_plain(value, {"U1": "Dana Smith"})  # people by the name Slack shows for them
    assert named == "Hi @channel\n1. first\n2. @Dana Smith\n> said\n```\nx = 1\n```"


def test_the_modal_says_first_whose_1_1_and_which_meeting_it_is_for() -> None:
    """The notes may be for a past meeting: its date comes first (a token: the reader's
    calendar), and the other person (a mention reads as their name, pinging nobody)."""
    when = f"<!date^{int(datetime(2026, 12, 1, 15, 0, tzinfo=UTC).timestamp())}^"

    def first(view: NotesView) -> str:
        block = notes_modal(view, [], NAMES)["blocks"][0]
        assert block["type"] == "context"
        return str(block["elements"][0]["text"])

    assert first(notes([])).startswith(f"For your 1:1 with <@{THEM}> · {when}")
    as_report = replace(notes([]), viewer_id=THEM)
    assert first(as_report).startswith(f"For your 1:1 with <@{ME}> · {when}")
    huddle = replace(notes([]), unscheduled=True)
    assert first(huddle).startswith(f"For your huddle with <@{THEM}> · {when}")
