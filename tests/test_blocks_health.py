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
from store.views import AgendaView, HomeData
from tests.blockcheck import check_message, check_view
from tests.test_blocks import huge, point, texts, typical
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


def test_the_agenda_shows_both_check_ins_at_the_top_and_never_the_low_line() -> None:
    checkins = MeetingCheckIns(
        "U_REPORT",
        "U_MANAGER",
        (CheckInView("U_REPORT", 2, "rough week", (4, 4, 5)), CheckInView("U_MANAGER", 4, "", ())),
    )
    assert checkins.report_low is not None  # low: the manager's prompt says so, not the agenda
    for agenda in (typical(), huge()):
        body = agenda_message(agenda, checkins=checkins)
        assert check_message(body["blocks"], body["text"]) == []
        top = [b["text"]["text"] for b in body["blocks"][1:4] if b["type"] == "section"]
        assert "<@U_REPORT> · Check-in: 😕 · last weeks: 🙂 🙂 😄\n> rough week" in top[1]
        assert "<@U_MANAGER> · Check-in: 🙂" in top[1]
        assert "lower than usual" not in texts(body["blocks"])  # the report reads it too


def report_prompt(health: PromptHealth, agenda: AgendaView | None = None) -> str:
    body = prompt_message(
        agenda=agenda or typical(), viewer_id="U_REPORT", suggestion=None, health=health
    )
    assert check_message(body["blocks"], body["text"]) == []
    return texts(body["blocks"])


def test_the_report_reads_who_sees_the_check_in_and_who_wrote_the_points() -> None:
    health = PromptHealth(
        meeting_id=7,
        ask_checkin=True,
        mine=None,
        report_low=None,
        share=AgendaShare("U_REPORT", "U_MANAGER", 2, 14),
        stuck=(),
    )
    shown = report_prompt(health)
    assert "Only you and <@U_MANAGER> see it, at the top of the agenda." in shown
    assert (
        "💬 <@U_MANAGER> wrote most of the last talking points — this is your meeting, "
        "bring yours first." in shown
    )
    assert "*This is your meeting" not in shown and "bring yours first.*" not in shown
    manager = prompt_message(
        agenda=typical(), viewer_id="U_MANAGER", suggestion=None, health=health
    )
    assert "Only you and <@U_REPORT> see it, at the top of the agenda." in texts(manager["blocks"])


def test_a_stuck_point_asked_about_is_not_listed_again() -> None:
    stuck = point(10, "U_REPORT", "Staff engineer expectations", carried=3)
    agenda = replace(typical(), carried=[stuck])
    health = PromptHealth(7, False, None, None, None, (StuckPoint(10, "U_REPORT", stuck.text, 3),))
    shown = report_prompt(health, agenda)
    assert shown.count("Staff engineer expectations") == 1
    assert "*Staff engineer expectations* has been carried over 3 times" in shown
    assert "• Offsite dates — <@U_MANAGER>" in shown  # the rest are still listed


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


def test_the_digest_says_whose_point_it_is_and_lists_the_managers_own_items_first() -> None:
    view = DigestView(
        manager_id="U_MANAGER",
        week_of=date(2026, 11, 30),
        reports=("U_ANA", "U_ELI"),
        week=(),
        quiet=(),
        items=(OwnerItems("U_ANA", 2, 0), OwnerItems("U_MANAGER", 7, 2), OwnerItems("U_ELI", 1, 0)),
        stuck=(
            StuckPoint(1, "U_ANA", "Promotion timeline", 4, "U_ANA"),
            StuckPoint(2, "U_MANAGER", "New office floor", 3, "U_ELI"),
        ),
    )
    body = digest_message(view)
    assert check_message(body["blocks"], body["text"]) == []
    shown = texts(body["blocks"])
    assert "• Promotion timeline — <@U_ANA>'s point · carried 4×" in shown
    assert "• New office floor — your point, 1:1 with <@U_ELI> · carried 3×" in shown
    assert "1:1 with <@U_ANA>" not in shown
    owners = ["• You: 7 open · ⚠️ 2 overdue", "• <@U_ANA>: 2 open", "• <@U_ELI>: 1 open"]
    at = [shown.index(line) for line in owners]  # the manager's own first, then the reports
    assert at == sorted(at)
    assert "<@U_MANAGER>" not in shown


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
    assert share_line(AgendaShare("U", "M", 0, 0), "M") is None
    assert (
        share_line(AgendaShare("U", "M", 1, 1), "M") == "<@U> wrote 1 of the last 1 talking point"
    )
    assert (
        share_line(AgendaShare("U", "M", 2, 14), "U") == "You wrote 2 of the last 14 talking points"
    )


def test_the_report_reads_their_own_share_as_you() -> None:
    data = manager(1)
    mine = replace(data.one_on_ones[0], role="report", share=AgendaShare("U_ME", "U_R00", 2, 14))
    shown = texts(home_view(HomeData("U_ME", [mine]), today=TODAY)["blocks"])
    assert "✍️ You wrote 2 of the last 14 talking points" in shown
    assert "<@U_ME> wrote" not in shown


def test_the_digest_switch_sits_with_the_overview_of_the_reports() -> None:
    blocks = home_view(manager(3), today=TODAY)["blocks"]
    switch = next(i for i, b in enumerate(blocks) if "weekly digest" in texts([b]))
    assert texts(blocks[:1]) == "Your reports"
    assert [b["type"] for b in blocks[switch + 1 : switch + 3]] == ["divider", "header"]
    assert texts(blocks[switch + 2 : switch + 3]) == "Your 1:1s"
    assert "weekly digest" not in texts(blocks[switch + 1 :])
    assert blocks[switch]["accessory"]["text"]["text"] == "Turn it off"
