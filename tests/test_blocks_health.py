"""The health surfaces at their limits: a prompt with everything in it, an agenda with both
check-ins, the check-in form, a digest of 60 reports with long texts, a Home tab with shares;
each through the Block Kit checks, asserting on what a person reads."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from blocks.agenda import agenda_message
from blocks.checkin import checkin_modal, share_line
from blocks.digest import digest_message
from blocks.home import home_view
from blocks.prompt import prompt_message
from store.health_views import (
    DIGEST_HELD,
    DIGEST_NOT_HELD,
    DIGEST_SKIPPED,
    AgendaShare,
    CheckInView,
    DigestMeeting,
    DigestView,
    MeetingCheckIns,
    OwnerItems,
    PromptHealth,
    StuckPoint,
)
from store.questions import Question
from store.views import HomeData
from tests.blockcheck import check_message, check_view
from tests.test_blocks import huge, typical
from tests.test_blocks_home import TODAY, heavy, manager

LONG = "<!channel> & " + "x" * 2000


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_prompt_with_every_nudge_stays_valid_and_reads_in_order() -> None:
    low = CheckInView("U_REPORT", 1, LONG, (4, 5, 5, 4))
    health = PromptHealth(
        meeting_id=7,
        ask_checkin=True,
        mine=CheckInView("U_MANAGER", 3, LONG, ()),
        report_low=low,
        share=AgendaShare("U_REPORT", "U_MANAGER", 1, 20),
        stuck=tuple(StuckPoint(n, "U_MANAGER", LONG, 3 + n) for n in range(6)),
    )
    body = prompt_message(
        agenda=huge(),
        viewer_id="U_MANAGER",
        suggestion=Question("general-how-are-you", "General", "How are you?", "both"),
        health=health,
    )
    assert check_message(body["blocks"], body["text"]) == []
    text = dump(body["blocks"])
    assert (
        text.index("lower than usual") < text.index("How are you doing") < text.index("leave room")
    )
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert text.count("discuss it this week, or drop it?") == 6


def test_the_agenda_shows_both_check_ins_and_the_low_line_at_the_top() -> None:
    checkins = MeetingCheckIns(
        "U_REPORT",
        "U_MANAGER",
        (CheckInView("U_REPORT", 2, "rough week", (4, 4, 5)), CheckInView("U_MANAGER", 4, "", ())),
    )
    for agenda in (typical(), huge()):
        body = agenda_message(agenda, checkins=checkins)
        assert check_message(body["blocks"], body["text"]) == []
        top = [b["text"]["text"] for b in body["blocks"][1:4] if b["type"] == "section"]
        assert "<@U_REPORT> · Check-in: 😕 · last weeks: 🙂 🙂 😄\n> rough week" in top[1]
        assert "<@U_MANAGER> · Check-in: 🙂" in top[1]
        assert "lower than usual" in dump(body["blocks"][3])


def test_the_check_in_form_is_a_valid_modal() -> None:
    assert check_view(checkin_modal(7, "x" * 300)) == []
    assert check_view(checkin_modal(7, "")) == []


def test_a_digest_of_sixty_reports_with_long_texts_fits() -> None:
    reports = tuple(f"U_R{n:03d}" for n in range(60))
    states = (DIGEST_HELD, DIGEST_SKIPPED, DIGEST_NOT_HELD)
    start = datetime(2026, 12, 1, 15, tzinfo=UTC)
    view = DigestView(
        manager_id="U_MANAGER",
        week_of=date(2026, 11, 30),
        reports=reports,
        week=tuple(DigestMeeting(r, start, states[n % 3]) for n, r in enumerate(reports)),
        quiet=reports[::2],
        items=tuple(OwnerItems(r, 9, 3) for r in reports),
        stuck=tuple(StuckPoint(n, r, LONG, 7, r) for n, r in enumerate(reports)),
    )
    body = digest_message(view)
    assert check_message(body["blocks"], body["text"]) == []
    text = dump(body["blocks"])
    assert "20 held · 20 skipped · 20 not held" in text and "<!channel>" not in text
    assert "_…and " in text  # the long lists fold
    empty = digest_message(replace(view, week=(), quiet=(), items=(), stuck=()))
    assert check_message(empty["blocks"], empty["text"]) == []
    assert "no 1:1s were scheduled" in dump(empty) and "none" in dump(empty)


def test_the_home_tab_shows_each_share_and_the_digest_switch() -> None:
    data = manager(12)
    shared = [replace(o, share=AgendaShare(o.other_id, "U_ME", 3, 20)) for o in data.one_on_ones]
    view = home_view(HomeData(data.viewer_id, shared, digest_off=True), today=TODAY)
    assert check_view(view) == []
    assert "✍️ <@U_R00> wrote 3 of the last 20 talking points" in dump(view)
    assert "Your weekly digest is off" in dump(view)
    worst = HomeData(
        "U_ME", [replace(heavy(n), share=AgendaShare("U", "M", 0, 99)) for n in range(60)]
    )
    assert check_view(home_view(worst, today=TODAY, page=1)) == []
    assert share_line(AgendaShare("U", "M", 0, 0)) is None
    assert share_line(AgendaShare("U", "M", 1, 1)) == "<@U> wrote 1 of the last 1 talking point"
