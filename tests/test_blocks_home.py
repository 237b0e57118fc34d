"""The Home tab and the summary modal: overview, paging, escaping, limits, button values."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from blocks import ids
from blocks.home import PAGE_SIZE, home_view, summary_modal
from store.views import ActionItemView, HomeData, ItemView, OneOnOne, Square, SummaryView
from tests.blockcheck import check_view

ME = "U_MANAGER"
BOSS = "U_BOSS"
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
INJECTION = "Budget <!channel> & <@U123> <javascript:alert(1)|click>"
LONG = "A long thought about the roadmap, " * 40  # ~1,400 characters
KINDS = ["held", "held", "rescheduled", "skipped", "held", "missed", "held", "upcoming"]


def report_id(n: int) -> str:
    return f"U_R{n:02d}"


def squares(kinds: list[str]) -> list[Square]:
    start = NOW - timedelta(weeks=len(kinds) - 1)
    return [Square(100 + i, kind, start + timedelta(weeks=i)) for i, kind in enumerate(kinds)]


def point(pid: int, author: str, text: str, *, private: bool = False) -> ItemView:
    return ItemView(pid, author, text, private, False, 0)


def item(iid: int, owner: str, other: str, text: str, due: date | None = None) -> ActionItemView:
    return ActionItemView(iid, 1, None, owner, other, text, due, False, NOW - timedelta(days=9))


def one_on_one(n: int, **changes: Any) -> OneOnOne:
    other = report_id(n)
    fields: dict[str, Any] = dict(
        pair_id=n,
        other_id=other,
        role="manager",
        paused_until=None,
        next_meeting_id=1000 + n,
        next_starts_at=NOW + timedelta(days=1, hours=n),
        agenda=[point(n * 100 + 1, other, f"Career plans {n}"), point(n * 100 + 2, ME, "Q1 goals")],
        open_items=[item(n * 100 + 1, other, ME, "Send the retro doc", TODAY + timedelta(days=2))],
        last_meeting_id=2000 + n,
        last_starts_at=NOW - timedelta(days=6),
        squares=squares(KINDS),
        streak=1,
    )
    return OneOnOne(**{**fields, **changes})


def heavy(n: int, role: str = "manager", other: str = "") -> OneOnOne:
    """A 1:1 at its worst: 20 long talking points, 10 long open items, paused, full history."""
    other = other or report_id(n)
    points = [point(n * 100 + i, other, f"{i} {LONG}", private=i % 2 == 0) for i in range(20)]
    items = [
        item(n * 100 + i, other, ME, f"{i} {LONG}", TODAY - timedelta(days=i)) for i in range(10)
    ]
    return one_on_one(
        n,
        role=role,
        other_id=other,
        agenda=points,
        open_items=items,
        paused_until=TODAY + timedelta(days=30),
        next_starts_at=NOW + timedelta(days=30, hours=3),
        streak=123,
    )


def manager(count: int) -> HomeData:
    varied = {
        0: dict(streak=3, open_items=[], squares=squares(["held", "held", "held", "upcoming"])),
        1: dict(
            streak=0,
            open_items=[
                item(11, report_id(1), ME, "Renew the contract", TODAY - timedelta(days=3)),
                item(12, ME, report_id(1), "Book the offsite", TODAY + timedelta(days=3)),
            ],
            squares=squares(["skipped", "missed", "rescheduled", "upcoming"]),
        ),
        2: dict(agenda=[], squares=[], streak=0, last_meeting_id=None, last_starts_at=None),
        3: dict(paused_until=date(2027, 1, 5), next_starts_at=datetime(2027, 1, 5, 15, tzinfo=UTC)),
        4: dict(next_meeting_id=None, next_starts_at=None, streak=7),
    }
    return HomeData(ME, [one_on_one(n, **varied.get(n, {})) for n in range(count)])


def blocks_of(view: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b["type"] == kind]


def texts(view: dict[str, Any]) -> list[str]:
    """Every mrkdwn/plain text in the view, in order."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                found.append(value["text"])
            for sub in value.values():
                walk(sub)
        elif isinstance(value, list):
            for sub in value:
                walk(sub)

    walk(view["blocks"])
    return found


def buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        for element in [*elements, block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                found.append(element)
    return found


def overview_rows(view: dict[str, Any]) -> list[str]:
    """The overview's report lines (sections between "Your reports" and "Your 1:1s", but the
    digest switch's)."""
    start = next(i for i, b in enumerate(view["blocks"]) if b == header_block("Your reports"))
    end = next(i for i, b in enumerate(view["blocks"]) if b == header_block("Your 1:1s"))
    sections = [b for b in view["blocks"][start:end] if is_row_section(b)]
    return [line for b in sections for line in b["text"]["text"].split("\n")]


def header_block(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def assert_view_ok(view: dict[str, Any]) -> None:
    assert check_view(view) == []
    assert view["type"] == "home"
    assert 1 <= len(view["blocks"]) <= 100


def all_pages(data: HomeData) -> list[dict[str, Any]]:
    """Every page, reached by following the "Show more ▶" buttons from the first."""
    views = [home_view(data, today=TODAY)]
    while nexts := [b for b in buttons(views[-1], ids.HOME_PAGE) if "more" in b["text"]["text"]]:
        views.append(home_view(data, today=TODAY, page=int(nexts[0]["value"])))
        assert len(views) <= 100
    return views


# --- no 1:1s -------------------------------------------------------------------------------


def test_empty_state_explains_the_bot_and_offers_to_schedule() -> None:
    view = home_view(HomeData(ME, []), today=TODAY)
    assert_view_ok(view)
    [schedule] = buttons(view, ids.SCHEDULE_OPEN)
    assert schedule["style"] == "primary" and schedule["text"]["text"] == "Schedule a 1:1"
    words = " ".join(texts(view))
    for part in ("talking points", "agenda", "action items", "/oneonone"):
        assert part in words
    assert json.loads(view["private_metadata"]) == {"page": 0}


# --- a manager -----------------------------------------------------------------------------


def test_manager_with_12_reports_sees_every_report_in_the_overview() -> None:
    data = manager(12)
    view = home_view(data, today=TODAY)
    assert_view_ok(view)
    assert blocks_of(view, "header")[0] == header_block("Your reports")
    legend = blocks_of(view, "context")[0]["elements"][0]["text"]
    assert legend.startswith("The last 7 1:1s and the next: 🟩 held (shared notes, an action")
    assert "⬛ not held (nothing recorded) · ⬜ skipped · ▫️ upcoming" in legend
    rows = overview_rows(view)
    assert [r.split()[0] for r in rows] == [f"<@{report_id(n)}>" for n in range(12)]
    assert rows[0] == f"<@{report_id(0)}>  🟩🟩🟩▫️  · 🔥 3 in a row"
    assert rows[1] == f"<@{report_id(1)}>  ⬜⬛🟨▫️  · 2 open action items · ⚠️ 1 overdue"
    assert rows[2] == f"<@{report_id(2)}>  _no 1:1s yet_  · 1 open action item"
    assert "⏸️ paused until Tue Jan 5" in rows[3]
    assert rows[4].startswith(f"<@{report_id(4)}>  🟩🟩🟨⬜🟩⬛🟩▫️  · 🔥 7 in a row")
    assert all("in a row" not in r for r in rows[5:])  # a streak of 1 is no streak
    assert len(blocks_of(view, "section")) > 2 and len(overview_sections(view)) == 1


def overview_sections(view: dict[str, Any]) -> list[dict[str, Any]]:
    end = next(i for i, b in enumerate(view["blocks"]) if b == header_block("Your 1:1s"))
    return [b for b in view["blocks"][:end] if is_row_section(b)]


def is_row_section(block: dict[str, Any]) -> bool:
    """A section of the overview's rows (the digest switch's has its button)."""
    return block["type"] == "section" and "accessory" not in block


def test_manager_with_12_reports_pages_the_1_1s() -> None:
    data = manager(12)
    first = home_view(data, today=TODAY)
    assert "Showing 1:1s 1–8 of 12" in texts(first)
    [more] = buttons(first, ids.HOME_PAGE)
    assert (more["text"]["text"], more["value"]) == ("Show more ▶", "1")
    assert shown_people(first) == [report_id(n) for n in range(PAGE_SIZE)]

    second = home_view(data, today=TODAY, page=1)
    assert_view_ok(second)
    assert json.loads(second["private_metadata"]) == {"page": 1}
    assert "Showing 1:1s 9–12 of 12" in texts(second)
    [back] = buttons(second, ids.HOME_PAGE)
    assert (back["text"]["text"], back["value"]) == ("◀ Previous", "0")
    assert shown_people(second) == [report_id(n) for n in range(PAGE_SIZE, 12)]
    assert len(overview_rows(second)) == 12  # the overview stays on every page


def shown_people(view: dict[str, Any]) -> list[str]:
    """The other person of each 1:1 shown in full, in order."""
    return re.findall(r"^\*<@(\w+)>\* · ", "\n".join(texts(view)), flags=re.MULTILINE)


def test_an_out_of_range_page_shows_the_last_page() -> None:
    data = manager(12)
    assert home_view(data, today=TODAY, page=7) == home_view(data, today=TODAY, page=1)
    assert home_view(data, today=TODAY, page=-3) == home_view(data, today=TODAY, page=0)
    few = home_view(manager(3), today=TODAY, page=5)
    assert json.loads(few["private_metadata"]) == {"page": 0}
    assert buttons(few, ids.HOME_PAGE) == [] and not any("Showing" in t for t in texts(few))


def test_each_1_1_has_its_buttons_with_ids_for_values() -> None:
    view = home_view(manager(5), today=TODAY)
    assert [b["value"] for b in buttons(view, ids.ADD_POINT)] == ["0", "1", "2", "3", "4"]
    assert all(b["style"] == "primary" for b in buttons(view, ids.ADD_POINT))
    assert [b["value"] for b in buttons(view, ids.PAIR_NOTES)] == ["0", "1", "2", "3", "4"]
    # 1:1 number 4 has no upcoming meeting: no Skip or Reschedule
    assert [b["value"] for b in buttons(view, ids.SKIP)] == ["1000", "1001", "1002", "1003"]
    assert [b["value"] for b in buttons(view, ids.RESCHEDULE)] == ["1000", "1001", "1002", "1003"]
    # 1:1 number 2 has no last meeting: no Summary
    assert [b["value"] for b in buttons(view, ids.SHOW_SUMMARY)] == ["2000", "2001", "2003", "2004"]
    # 1:1 number 0 has no open items, number 1 has two
    done = ["11", "12", "201", "301", "401"]
    assert [b["value"] for b in buttons(view, ids.ITEM_DONE)] == done


def test_each_1_1_says_when_it_is_next() -> None:
    view = home_view(manager(5), today=TODAY)
    heads = [t for t in texts(view) if t.startswith("*<@")]
    assert heads[0].startswith(f"*<@{report_id(0)}>* · you manage them\nNext: <!date^")
    assert heads[2].endswith(
        f"Next: <!date^{int((NOW + timedelta(days=1, hours=2)).timestamp())}"
        "^{date_short_pretty} at {time}|2026-12-02 14:00 UTC>"
    )
    assert heads[3].split("\n")[1].startswith("⏸️ Paused until Tue Jan 5 · then <!date^")
    assert heads[4].endswith("\nNo upcoming 1:1")
    assert f"*Agenda so far*\n• Career plans 0 — <@{report_id(0)}>\n• Q1 goals — <@{ME}>" in texts(
        view
    )
    assert "*Agenda so far*\n_No talking points yet._" in texts(view)


def test_a_pause_that_is_over_is_not_shown() -> None:
    data = HomeData(ME, [one_on_one(0, paused_until=TODAY)])
    assert not any("aused" in t for t in texts(home_view(data, today=TODAY)))


def test_open_items_show_owner_due_date_and_overdue() -> None:
    view = home_view(manager(2), today=TODAY)
    items = [b["text"]["text"] for b in blocks_of(view, "section") if "accessory" in b]
    assert f"☐ Renew the contract — <@{report_id(1)}>, due Sat Nov 28 · ⚠️ overdue" in items
    assert f"☐ Book the offsite — <@{ME}>, due Fri Dec 4" in items
    due_today = HomeData(ME, [one_on_one(0, open_items=[item(5, ME, "U_R00", "Today", TODAY)])])
    assert "overdue" not in " ".join(texts(home_view(due_today, today=TODAY)))


def test_more_open_items_than_buttons_are_counted() -> None:
    many = [item(i, ME, "U_R00", f"Item {i}") for i in range(10)]
    view = home_view(HomeData(ME, [one_on_one(0, open_items=many)]), today=TODAY)
    assert len(buttons(view, ids.ITEM_DONE)) == 3
    assert "_…and 7 more open action items (`/oneonone actions`)_" in texts(view)


def test_long_agendas_are_cut_with_a_count() -> None:
    view = home_view(HomeData(ME, [heavy(0)]), today=TODAY)
    [agenda] = [t for t in texts(view) if t.startswith("*Agenda so far*")]
    listed = agenda.count("\n") - 1
    assert 0 < listed < 20 and agenda.endswith(f"\n_…and {20 - listed} more_")
    assert len(agenda) <= 2000 and max(len(line) for line in agenda.split("\n")) < 200
    items = [b["text"]["text"] for b in blocks_of(view, "section") if "accessory" in b]
    assert max(len(text) for text in items) < 250


# --- a report, and someone who is both -----------------------------------------------------


def test_a_report_sees_their_manager_and_no_overview() -> None:
    data = HomeData("U_REPORT", [one_on_one(0, role="report", other_id=BOSS)])
    view = home_view(data, today=TODAY)
    assert_view_ok(view)
    assert blocks_of(view, "header") == [header_block("Your 1:1s")]
    assert any(t.startswith(f"*<@{BOSS}>* · your manager\nNext: ") for t in texts(view))
    assert not any(LEGEND_START in t for t in texts(view))


LEGEND_START = "🟩 held"


def test_someone_who_is_both_sees_only_their_reports_in_the_overview() -> None:
    mine = [one_on_one(n) for n in range(3)]
    boss = one_on_one(9, role="report", other_id=BOSS, streak=4)
    data = HomeData(ME, [mine[0], boss, *mine[1:]])
    view = home_view(data, today=TODAY)
    assert_view_ok(view)
    assert [r.split()[0] for r in overview_rows(view)] == [f"<@{report_id(n)}>" for n in range(3)]
    assert shown_people(view) == [report_id(0), BOSS, report_id(1), report_id(2)]
    heads = [t for t in texts(view) if t.startswith("*<@")]
    assert [h.split("\n")[0].split(" · ")[1] for h in heads] == [
        "you manage them",
        "your manager",
        "you manage them",
        "you manage them",
    ]


# --- privacy and escaping ------------------------------------------------------------------


def test_the_viewers_private_point_is_marked() -> None:
    agenda = [point(1, ME, "My raise", private=True), point(2, "U_R00", "Shared thing")]
    view = home_view(HomeData(ME, [one_on_one(0, agenda=agenda)]), today=TODAY)
    [text] = [t for t in texts(view) if t.startswith("*Agenda so far*")]
    assert f"• My raise — <@{ME}>, 🔒 private" in text
    assert "• Shared thing — <@U_R00>" in text and text.count("🔒") == 1


def test_user_text_cannot_ping_anyone() -> None:
    agenda = [point(1, "U_R00", INJECTION)]
    items = [item(2, "U_R00", ME, INJECTION, TODAY)]
    view = home_view(HomeData(ME, [one_on_one(0, agenda=agenda, open_items=items)]), today=TODAY)
    assert_view_ok(view)
    everything = "\n".join(texts(view))
    assert "<!channel>" not in everything and "<@U123>" not in everything
    assert "<javascript" not in everything
    safe = "Budget &lt;!channel&gt; &amp; &lt;@U123&gt; &lt;javascript:alert(1)|click&gt;"
    assert everything.count(safe) == 2
    assert all(t["verbatim"] for t in walk_mrkdwn(view))


def walk_mrkdwn(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        for obj in [block.get("text"), *block.get("elements", [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                found.append(obj)
    return found


# --- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("reports", [1, 7, 8, 9, 60])
def test_every_page_fits_in_100_blocks(reports: int) -> None:
    """Worst case: every 1:1 paused, 20 long points, 10 long overdue items; plus a manager."""
    data = HomeData(ME, [heavy(n) for n in range(reports)] + [heavy(99, "report", BOSS)])
    views = all_pages(data)
    assert len(views) == -(-(reports + 1) // PAGE_SIZE)
    people = [p for view in views for p in shown_people(view)]
    assert people == [o.other_id for o in data.one_on_ones]  # all reachable, each once
    for view in views:
        assert_view_ok(view)
        assert len(view["blocks"]) <= 100
        assert len(json.dumps(view)) < 100_000  # far from Slack's 250 kB
        assert len(overview_rows(view)) == reports


def test_60_reports_fit_the_overview_in_few_blocks() -> None:
    data = HomeData(ME, [heavy(n) for n in range(60)])
    view = home_view(data, today=TODAY, page=3)
    assert len(overview_sections(view)) <= 3
    assert all(len(b["text"]["text"]) <= 3000 for b in overview_sections(view))
    assert "🔥 123 in a row · 10 open action items · ⚠️ 9 overdue" in overview_rows(view)[0]
    previous, more = buttons(view, ids.HOME_PAGE)
    assert (previous["value"], more["value"]) == ("2", "4")
    assert f"Showing 1:1s {3 * PAGE_SIZE + 1}–{4 * PAGE_SIZE} of 60" in texts(view)


def test_a_huge_team_folds_the_overview() -> None:
    data = HomeData(ME, [heavy(n) for n in range(300)])
    view = home_view(data, today=TODAY, page=1)  # both page buttons: the most blocks
    assert_view_ok(view)
    assert (
        len(view["blocks"]) == 89
    )  # with "Schedule a 1:1", its divider, the digest switch, the footer
    shown = len(overview_rows(view))
    assert 100 < shown < 300 and len(overview_sections(view)) == 4
    notes = [t for t in texts(view) if t.startswith("_…and ") and "reports" in t]
    assert notes == [f"_…and {300 - shown} more reports._"]


# --- the summary modal ---------------------------------------------------------------------


def summary(**changes: Any) -> SummaryView:
    fields: dict[str, Any] = dict(
        meeting_id=7,
        pair_id=3,
        manager_id=ME,
        report_id="U_R00",
        starts_at=NOW - timedelta(days=6),
        duration_minutes=30,
        unscheduled=False,
        notes_saved=True,
        discussed=[point(1, ME, f"Discussed {INJECTION}")],
        carried=[point(2, "U_R00", "Carried")],
        shared_notes=f"Notes {INJECTION}",
        action_items=[item(3, "U_R00", ME, "Do the thing", TODAY)],
        follow_ups=[],
        next_starts_at=NOW + timedelta(days=1),
    )
    return SummaryView(**{**fields, **changes})


def test_summary_modal_is_read_only_and_valid() -> None:
    view = summary_modal(summary())
    assert check_view(view) == []
    assert view["type"] == "modal" and view["callback_id"] == ids.SUMMARY_MODAL
    assert view["title"]["text"] == "1:1 summary" and view["close"]["text"] == "Close"
    assert "submit" not in view
    assert "<!channel>" not in json.dumps(view)


def test_a_huge_summary_modal_stays_within_limits() -> None:
    points = [point(i, ME, f"{i} {LONG}") for i in range(60)]
    items = [item(i, ME, "U_R00", f"{i} {LONG}") for i in range(60)]
    view = summary_modal(
        summary(discussed=points, carried=points, action_items=items, shared_notes=LONG * 20)
    )
    assert check_view(view) == [] and len(view["blocks"]) <= 100


def test_take_notes_names_the_date_when_it_opens_another_meeting_than_the_next() -> None:
    """The 1:1 of 15:00 UTC on Nov 30 is on Dec 1 in Tokyo: the reader's calendar decides."""
    nov_30 = NOW - timedelta(days=1) + timedelta(hours=3)
    data = HomeData(
        ME,
        [
            one_on_one(0, notes_starts_at=NOW + timedelta(days=1)),  # the next one
            one_on_one(1, notes_starts_at=nov_30),  # last week's, its notes still open
            one_on_one(2),  # nothing known: the next one
        ],
    )

    def labels(zone: str | None) -> list[str]:
        view = home_view(data, today=TODAY, zone=zone)
        return [b["text"]["text"] for b in buttons(view, ids.PAIR_NOTES)]

    assert labels("America/New_York") == ["Take notes", "Take notes for Nov 30", "Take notes"]
    assert labels("Asia/Tokyo") == ["Take notes", "Take notes for Dec 1", "Take notes"]


def test_the_summary_modal_says_first_whose_1_1_and_which_meeting() -> None:
    mine = summary_modal(replace(summary(), viewer_id="U_R00"))
    when = f"<!date^{int((NOW - timedelta(days=6)).timestamp())}^"
    first = mine["blocks"][0]
    assert first["type"] == "context"
    assert first["elements"][0]["text"].startswith(f"For your 1:1 with <@{ME}> · {when}")
    assert all(b["type"] != "header" for b in mine["blocks"])  # the title says what it is
    huddle = summary_modal(replace(summary(unscheduled=True), viewer_id=ME))
    assert huddle["blocks"][0]["elements"][0]["text"].startswith("For your huddle with <@U_R00>")
    (take,) = buttons(mine, ids.TAKE_NOTES)
    assert take["text"]["text"] == "Edit notes for Nov 25"


def test_the_footer_links_the_privacy_page_and_offers_delete_my_data() -> None:
    data = HomeData(ME, [])
    linked = home_view(data, today=TODAY, privacy_url="https://example.com/readme#privacy")
    assert_view_ok(linked)
    footer, buttons = linked["blocks"][-2:]
    assert "<https://example.com/readme#privacy|Privacy: who sees what>" in str(footer)
    assert buttons["elements"][0]["action_id"] == ids.DELETE_MY_DATA
    plain = home_view(data, today=TODAY)
    assert "*Privacy* section of oneonone's README" in str(plain["blocks"][-2])
