"""Every Block Kit builder: valid for Slack, escaped, private items kept private, within limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from blocks import ids
from blocks.agenda import agenda_ephemeral, agenda_message
from blocks.format import TEXT_BUDGET, day_text, slack_date, text_size
from blocks.kit import actions, button, message, section
from blocks.messages import (
    PairRow,
    choose_pair_message,
    end_confirmation,
    ended_notice,
    notice,
    pair_list,
    paused_notice,
    point_added,
    rescheduled_notice,
    schedule_confirmation,
    skipped_notice,
)
from blocks.modals import add_point_modal, pause_modal, reschedule_modal, schedule_modal, skip_modal
from blocks.prompt import intro_message, prompt_message
from store.point_text import Source
from store.questions import Question
from store.views import HELD, NOT_HELD, AgendaView, FollowUpView, ItemView, MeetingFor, SeriesTime
from tests.blockcheck import check_message, check_view

MGR, REP = "U_MANAGER", "U_REPORT"
START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
UNIX = int(START.timestamp())
QUESTION = Question("general-energy", "General", "How's your <energy> & focus?", "both")
SERIES = SeriesTime("weekly", "America/New_York", START)  # Tuesdays 10:00 in New York
MEETING = MeetingFor(3, REP, 7, START, "America/New_York")  # seen by the manager
INJECTION = "Budget <!channel> & <@U_BOSS> <javascript:alert(1)|click>"


def point(
    pid: int,
    author: str,
    text: str,
    *,
    private: bool = False,
    discussed: bool = False,
    carried: int = 0,
) -> ItemView:
    return ItemView(pid, author, text, private, discussed, carried)


def agenda(**changes: Any) -> AgendaView:
    fields: dict[str, Any] = dict(
        meeting_id=7,
        pair_id=3,
        manager_id=MGR,
        report_id=REP,
        starts_at=START,
        duration_minutes=30,
        status="scheduled",
        follow_ups=[],
        carried=[],
        new=[],
    )
    return AgendaView(**{**fields, **changes})


def typical() -> AgendaView:
    return agenda(
        follow_ups=[
            FollowUpView(1, REP, "Send the retro doc", "2026-12-03"),
            FollowUpView(2, MGR, "Ask finance about budget", None),
        ],
        carried=[point(10, REP, "Staff engineer expectations", carried=2)],
        new=[
            point(11, MGR, INJECTION, discussed=True),
            point(12, MGR, "Offsite dates"),
            point(13, REP, "Pair with the data team"),
            point(14, REP, "Report's secret", private=True),
            point(15, MGR, "Manager's secret", private=True),
        ],
    )


def huge() -> AgendaView:
    """200 talking points and 60 open action items."""
    return agenda(
        follow_ups=[
            FollowUpView(
                i, REP if i % 2 else MGR, f"Action item {i} with a few words", "2026-12-10"
            )
            for i in range(60)
        ],
        carried=[point(1000 + i, MGR, f"Carried point {i}", carried=1) for i in range(40)],
        new=[
            point(i, REP if i % 2 else MGR, f"Point {i}: a normal sentence about the work")
            for i in range(160)
        ],
    )


# --- helpers -------------------------------------------------------------------------------


def texts(blocks: list[dict[str, Any]]) -> str:
    """All mrkdwn/plain text of the blocks, one string."""
    return "\n".join(node["text"] for node in walk(blocks) if isinstance(node.get("text"), str))


def walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for sub in value.values():
            yield from walk(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from walk(sub)


def elements(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [node for node in walk(blocks) if node.get("action_id") == action_id]


def tick_values(blocks: list[dict[str, Any]]) -> list[str]:
    return [box["options"][0]["value"] for box in elements(blocks, ids.TICK_POINT)]


def folded_lines(blocks: list[dict[str, Any]]) -> list[str]:
    """The one-line items of list sections (bullets and ticks)."""
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    return [ln for text in sections for ln in text.split("\n") if ln.startswith(("• ", "✅ "))]


def more_count(blocks: list[dict[str, Any]], what: str) -> int:
    notes = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    pattern = rf"…and (\d+) more {what}".rstrip()
    counts = [int(m.group(1)) for n in notes if (m := re.search(pattern, n))]
    return sum(counts)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def first_text(view: dict[str, Any]) -> str:
    """What a person reads in a modal's first block."""
    return texts(view["blocks"][:1])


def assert_message_ok(body: dict[str, Any]) -> None:
    assert check_message(body["blocks"], body["text"]) == []
    assert len(body["blocks"]) <= 50


def assert_view_ok(view: dict[str, Any]) -> None:
    assert check_view(view) == []
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100


# --- every builder is valid Block Kit ------------------------------------------------------


def all_messages() -> dict[str, dict[str, Any]]:
    rows = [
        PairRow(3, REP, "manager", "weekly", START, 7, None, SERIES),
        PairRow(4, "U_BOSS", "report", "biweekly", None, None, "2027-01-05"),
    ]
    return {
        "agenda": agenda_message(typical()),
        "agenda_empty": agenda_message(agenda(), suggestion=QUESTION),
        "agenda_huge": agenda_message(huge()),
        "agenda_skipped": agenda_message(agenda(status="skipped")),
        "ephemeral": agenda_ephemeral(typical(), REP),
        "ephemeral_huge": agenda_ephemeral(huge(), REP),
        "prompt": prompt_message(agenda=typical(), viewer_id=REP, suggestion=QUESTION),
        "prompt_huge": prompt_message(
            agenda=huge(),
            viewer_id=MGR,
            suggestion=None,
            series=SERIES,
            zone="Asia/Kolkata",
            moved_from=START - timedelta(weeks=1, hours=1),
        ),
        "prompt_moved": prompt_message(
            agenda=typical(),
            viewer_id=REP,
            suggestion=QUESTION,
            series=SERIES,
            zone="Europe/Berlin",
            moved_from=START - timedelta(weeks=1, hours=1),
        ),
        "intro": intro_message(
            manager_id=MGR,
            pair_id=3,
            series=SERIES,
            zone="Europe/Berlin",
            starts_at=START,
            duration_minutes=30,
        ),
        "notice": notice("That is *not* a date."),
        "point_added": point_added(
            point=point(1, MGR, INJECTION, private=True), other_id=REP, starts_at=START
        ),
        "choose_pair": choose_pair_message(pairs=[(3, "With Dana")], channel_id="D1", ts="1.2"),
        "pair_list": pair_list(viewer_id=MGR, rows=rows, zone="America/New_York"),
        "pair_list_empty": pair_list(viewer_id=MGR, rows=[]),
        "end_confirmation": end_confirmation(pair_id=3, other_id=REP),
        "schedule_confirmation": schedule_confirmation(
            report_id=REP,
            series=SeriesTime("monthly", "America/New_York", START, nth=1),
            manager_zone="America/New_York",
            report_zone="Asia/Kolkata",
            duration_minutes=30,
        ),
        "skipped": skipped_notice(actor_id=MGR, starts_at=START, next_starts_at=START),
        "skipped_last": skipped_notice(actor_id=MGR, starts_at=START, next_starts_at=None),
        "rescheduled": rescheduled_notice(actor_id=MGR, starts_at=START),
        "paused": paused_notice(actor_id=MGR, until="2027-01-05", next_starts_at=START),
        "ended": ended_notice(actor_id=MGR, other_id=REP),
    }


def all_views() -> dict[str, dict[str, Any]]:
    return {
        "add_point": add_point_modal(pairs=[(3, "With Dana"), (4, "With Sam")], pair_id=None),
        "add_point_fixed": add_point_modal(
            pairs=[(3, "With Dana")],
            pair_id=3,
            target=MEETING,
            initial_text=INJECTION,
            source=Source("https://x/p1", "#general"),
        ),
        "schedule": schedule_modal(timezone="Europe/Berlin", report_id=REP),
        "schedule_blank": schedule_modal(timezone=""),
        "reschedule": reschedule_modal(MEETING),
        "reschedule_berlin": reschedule_modal(MEETING, reader_zone="Europe/Berlin"),
        "skip": skip_modal(MEETING),
        "pause": pause_modal(MEETING, initial_date="2026-12-20"),
        "pause_none_next": pause_modal(
            replace(MEETING, meeting_id=None, starts_at=None), initial_date="2026-12-20"
        ),
    }


@pytest.mark.parametrize("name", list(all_messages()))
def test_every_message_is_valid_block_kit(name: str) -> None:
    body = all_messages()[name]
    assert set(body) == {"text", "blocks"}
    assert check_message(body["blocks"], body["text"]) == []
    assert 1 <= len(body["blocks"]) <= 50
    assert text_size(body["blocks"]) <= TEXT_BUDGET


@pytest.mark.parametrize("name", list(all_views()))
def test_every_modal_is_valid_block_kit(name: str) -> None:
    view = all_views()[name]
    assert_view_ok(view)
    has_input = any(b["type"] == "input" for b in view["blocks"])
    assert ("submit" in view) or not has_input


def test_builders_are_pure() -> None:
    assert all_messages() == all_messages()
    assert all_views() == all_views()


# --- dates ---------------------------------------------------------------------------------


def test_dates_use_slack_formatting_with_a_utc_fallback() -> None:
    expected = f"<!date^{UNIX}^{{date_short_pretty}} at {{time}}|2026-12-01 15:00 UTC>"
    assert slack_date(START) == expected
    assert slack_date(START.replace(tzinfo=None)) == expected  # naive means UTC
    assert day_text("2026-12-03") == "Thu Dec 3"
    assert day_text("2027-01-05", year=True) == "Tue Jan 5, 2027"
    assert day_text("<soon>") == "&lt;soon&gt;"


# --- escaping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["agenda", "ephemeral", "prompt", "point_added", "schedule_confirmation"]
)
def test_user_text_can_never_mention_or_link(name: str) -> None:
    dumped = json.dumps(all_messages()[name], ensure_ascii=False)
    assert "<!channel>" not in dumped and "<@U_BOSS>" not in dumped and "<javascript" not in dumped
    if name != "schedule_confirmation":
        assert "&lt;!channel&gt; &amp; &lt;@U_BOSS&gt; &lt;javascript:alert(1)|click&gt;" in dumped


def test_suggested_questions_are_escaped_too() -> None:
    body = agenda_message(agenda(), suggestion=QUESTION)
    assert "How's your &lt;energy&gt; &amp; focus?" in texts(body["blocks"])


def test_a_talking_point_full_of_control_characters_still_fits_a_section() -> None:
    body = agenda_message(agenda(new=[point(1, MGR, "<" * 2000)]))
    assert_message_ok(body)
    ticked = [b for b in body["blocks"] if b.get("accessory", {}).get("type") == "checkboxes"]
    text = ticked[0]["text"]["text"]
    assert len(text) <= 3000 and text.startswith("&lt;&lt;") and text.endswith("…")
    assert "&l…" not in text and "&lt…" not in text  # never an entity cut in half


# --- the agenda in the group DM ------------------------------------------------------------


def test_agenda_message_lists_follow_ups_carried_and_new_points_in_order() -> None:
    blocks = agenda_message(typical())["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "🗓️ 1:1 agenda", "emoji": True},
    }
    assert blocks[1]["text"]["text"].startswith(f"<@{MGR}> & <@{REP}>  ·  <!date^{UNIX}^")
    all_text = texts(blocks)
    assert "*Open action items*\n• Send the retro doc — <@U_REPORT>, due Thu Dec 3\n" in all_text
    assert "• Ask finance about budget — <@U_MANAGER>" in all_text
    order = [
        "*Open action items*",
        "*Carried over*",
        "Staff engineer expectations\n_<@U_REPORT> · carried 2×_",
        "*New from <@U_MANAGER>*",
        "Offsite dates",
        "*New from <@U_REPORT>*",
        "Pair with the data team",
    ]
    positions = [all_text.index(part) for part in order]
    assert positions == sorted(positions)


def test_each_shared_talking_point_has_a_discussed_tick_box() -> None:
    blocks = agenda_message(typical())["blocks"]
    assert tick_values(blocks) == ["7:10", "7:11", "7:12", "7:13"]
    boxes = {b["options"][0]["value"]: b for b in elements(blocks, ids.TICK_POINT)}
    assert boxes["7:11"]["initial_options"] == boxes["7:11"]["options"]
    assert "initial_options" not in boxes["7:12"]
    assert boxes["7:12"]["options"][0]["text"]["text"] == "Discussed"
    ticked = [b for b in blocks if b.get("accessory", {}).get("action_id") == ids.TICK_POINT]
    assert [b["block_id"] for b in ticked] == [f"{ids.TICK_POINT}:7:{n}" for n in range(10, 14)]


def test_agenda_message_buttons_carry_pair_and_meeting_ids() -> None:
    blocks = agenda_message(typical())["blocks"]
    assert blocks[-1]["type"] == "actions"
    buttons = {e["action_id"]: e for e in blocks[-1]["elements"]}
    assert buttons[ids.ADD_POINT]["value"] == "3"
    assert buttons[ids.ADD_POINT]["text"]["text"] == "Add a talking point"
    assert buttons[ids.SKIP]["value"] == "7" and buttons[ids.SKIP]["text"]["text"] == "Skip"
    assert buttons[ids.RESCHEDULE]["value"] == "7"


def test_private_points_never_reach_the_group_dm() -> None:
    dumped = json.dumps(agenda_message(typical()))
    assert "secret" not in dumped and "7:14" not in dumped and "7:15" not in dumped


def test_follow_ups_section_exists_when_there_are_none() -> None:
    body = agenda_message(agenda(new=[point(1, REP, "Hello")]))
    assert "*Open action items*\nNo open action items." in texts(body["blocks"])


def test_an_empty_agenda_gets_a_nudge_with_a_suggested_question() -> None:
    body = agenda_message(agenda(), suggestion=QUESTION)
    assert_message_ok(body)
    all_text = texts(body["blocks"])
    assert "Nothing on the agenda yet." in all_text
    assert "No open action items." in all_text
    (add_this,) = elements(body["blocks"], ids.ADD_QUESTION)
    assert add_this["value"] == "3:general-energy" and add_this["text"]["text"] == "Add this"
    assert "💡 *Suggested:*" in all_text
    assert tick_values(body["blocks"]) == []
    assert elements(body["blocks"], ids.ADD_POINT)[0]["value"] == "3"


def test_an_empty_agenda_without_a_suggestion_still_says_something() -> None:
    body = agenda_message(agenda())
    assert "Nothing on the agenda yet." in texts(body["blocks"])
    assert elements(body["blocks"], ids.ADD_QUESTION) == []


def test_only_private_points_count_as_an_empty_agenda() -> None:
    body = agenda_message(agenda(new=[point(1, REP, "mine", private=True)]), suggestion=QUESTION)
    assert "Nothing on the agenda yet." in texts(body["blocks"]) and "mine" not in texts(
        body["blocks"]
    )


def test_a_skipped_meeting_says_so_without_buttons_or_boxes() -> None:
    body = agenda_message(agenda(status="skipped", new=[point(1, MGR, "x")]))
    assert "This 1:1 was skipped." in texts(body["blocks"])
    assert not [b for b in body["blocks"] if b["type"] == "actions"]
    assert tick_values(body["blocks"]) == []


def test_a_huge_agenda_stays_within_limits_and_counts_what_it_folds() -> None:
    body = agenda_message(huge())
    assert_message_ok(body)
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "actions"
    ticked = len(tick_values(blocks))
    listed = [ln for ln in folded_lines(blocks) if not ln.startswith("• Action item")]
    assert ticked >= 20
    assert ticked + len(listed) + more_count(blocks, "talking points") == 200
    shown_actions = [ln for ln in folded_lines(blocks) if ln.startswith("• Action item")]
    assert len(shown_actions) + more_count(blocks, "open action items") == 60
    ticked_ids = [int(value.split(":")[1]) for value in tick_values(blocks)]
    carried = [i for i in ticked_ids if i >= 1000]
    report = [i for i in ticked_ids if i < 1000 and i % 2]
    manager = [i for i in ticked_ids if i < 1000 and not i % 2]
    assert carried and report and manager  # every group gets tick boxes, not just the first
    assert max(len(carried), len(report), len(manager)) - min(len(report), len(manager)) <= 1
    assert report == sorted(report) and report[0] == 1  # each group keeps its order
    assert text_size(blocks) <= TEXT_BUDGET


def test_a_few_long_points_fold_on_the_text_budget_not_only_the_block_count() -> None:
    body = agenda_message(agenda(new=[point(i, MGR, "word " * 390) for i in range(12)]))
    assert_message_ok(body)
    assert text_size(body["blocks"]) <= TEXT_BUDGET
    ticked = len(tick_values(body["blocks"]))
    assert 0 < ticked < 12
    assert (
        ticked + len(folded_lines(body["blocks"])) + more_count(body["blocks"], "talking points")
        == 12
    )


# --- the agenda for one person -------------------------------------------------------------


def test_ephemeral_agenda_shows_the_viewers_private_points_only() -> None:
    body = agenda_ephemeral(typical(), REP)
    all_text = texts(body["blocks"])
    assert "• Report's secret — 🔒 private" in all_text
    assert "Manager's secret" not in all_text
    assert "✅ Budget &lt;!channel&gt;" in all_text  # discussed points are ticked
    assert tick_values(body["blocks"]) == []
    mine = agenda_ephemeral(typical(), MGR)
    assert "Manager's secret" in texts(mine["blocks"]) and "Report's" not in texts(mine["blocks"])


def test_ephemeral_agenda_of_a_huge_agenda_counts_what_it_leaves_out() -> None:
    body = agenda_ephemeral(huge(), MGR)
    assert_message_ok(body)
    points = [ln for ln in folded_lines(body["blocks"]) if not ln.startswith("• Action item")]
    assert len(points) + more_count(body["blocks"], "talking points") == 200


# --- the prompt and the intro --------------------------------------------------------------


def test_prompt_asks_the_viewer_about_their_1_1_with_the_other_person() -> None:
    body = prompt_message(agenda=typical(), viewer_id=REP, suggestion=QUESTION)
    assert_message_ok(body)
    first = body["blocks"][0]["text"]["text"]
    assert first.startswith(f"👋 Your 1:1 with <@{MGR}> is <!date^{UNIX}^")
    assert first.endswith("— what do you want to talk about?")
    manager_side = prompt_message(agenda=typical(), viewer_id=MGR, suggestion=None)
    assert manager_side["blocks"][0]["text"]["text"].startswith(f"👋 Your 1:1 with <@{REP}>")


def test_prompt_shows_the_agenda_so_far_with_only_the_viewers_private_points() -> None:
    body = prompt_message(agenda=typical(), viewer_id=REP, suggestion=QUESTION)
    all_text = texts(body["blocks"])
    assert "*Open action items*\n• Send the retro doc — <@U_REPORT>, due Thu Dec 3" in all_text
    assert "• Report's secret — <@U_REPORT>, 🔒 private" in all_text
    assert "Manager's secret" not in all_text
    assert "• Staff engineer expectations — <@U_REPORT>, carried 2×" in all_text


def test_prompt_never_shows_someone_elses_private_point_even_if_given_one() -> None:
    leaked = agenda(new=[point(1, MGR, "Manager only", private=True)])
    body = prompt_message(agenda=leaked, viewer_id=REP, suggestion=None)
    assert "Manager only" not in json.dumps(body)
    assert "Nothing yet" in texts(body["blocks"])


def test_prompt_has_the_suggestion_the_add_button_and_the_thread_hint() -> None:
    blocks = prompt_message(agenda=typical(), viewer_id=REP, suggestion=QUESTION)["blocks"]
    (add_this,) = elements(blocks, ids.ADD_QUESTION)
    assert add_this["value"] == "3:general-energy"
    (add,) = elements(blocks, ids.ADD_POINT)
    assert add["value"] == "3" and add["text"]["text"] == "Add a talking point"
    assert blocks[-1]["elements"][0]["text"] == "Reply in this thread to add a talking point."


@pytest.mark.parametrize(
    ("cadence", "words"),
    [
        ("weekly", "Tuesdays 16:00 your time (Tuesdays 10:00 in New York)"),
        ("biweekly", "every other Tuesday 16:00 your time (Tuesday 10:00 in New York)"),
        (
            "monthly",
            "the first Tuesday of each month, 16:00 your time "
            "(the first Tuesday 10:00 in New York)",
        ),
    ],
)
def test_intro_names_the_manager_the_cadence_and_the_first_date(cadence: str, words: str) -> None:
    body = intro_message(
        manager_id=MGR,
        pair_id=3,
        series=SeriesTime(cadence, "America/New_York", START, nth=1),
        zone="Europe/Berlin",
        starts_at=START,
        duration_minutes=45,
    )
    assert_message_ok(body)
    first = body["blocks"][0]["text"]["text"]
    assert f"<@{MGR}> set up a recurring 1:1 with you:* {words}, 45 minutes." in first
    assert f"The first one is *<!date^{UNIX}^" in first
    assert elements(body["blocks"], ids.ADD_POINT)[0]["value"] == "3"


# --- modals --------------------------------------------------------------------------------


def test_add_point_modal_asks_which_1_1_when_there_are_several() -> None:
    view = add_point_modal(pairs=[(3, "With Dana"), (4, "With Sam")], pair_id=None, origin="o1")
    assert view["callback_id"] == ids.ADD_POINT_MODAL
    assert view["title"]["text"] == "Add a talking point"
    assert json.loads(view["private_metadata"]) == {"pair": None, "origin": "o1"}
    blocks = inputs(view)
    assert list(blocks) == [ids.POINT_TEXT, ids.POINT_PAIR, ids.POINT_PRIVATE]
    select = blocks[ids.POINT_PAIR]["element"]
    assert select["type"] == "static_select" and select["action_id"] == ids.VALUE
    assert [(o["value"], o["text"]["text"]) for o in select["options"]] == [
        ("3", "With Dana"),
        ("4", "With Sam"),
    ]


def test_add_point_modal_text_and_private_inputs() -> None:
    source = Source("https://l", "#general")
    view = add_point_modal(pairs=[(3, "With Dana")], pair_id=3, initial_text="Hi", source=source)
    blocks = inputs(view)
    assert ids.POINT_PAIR not in blocks
    text = blocks[ids.POINT_TEXT]["element"]
    assert text == {
        "type": "rich_text_input",
        "placeholder": {
            "type": "plain_text",
            "text": "What do you want to talk about?",
            "emoji": True,
        },
        "initial_value": {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "Hi"}]}
            ],
        },
        "action_id": ids.VALUE,
    }
    private = blocks[ids.POINT_PRIVATE]
    assert private["optional"] is True and private["element"]["action_id"] == ids.VALUE
    (option,) = private["element"]["options"]
    assert option["value"] == "private" and option["text"]["text"] == "Private — only I can see it"
    assert json.loads(view["private_metadata"]) == {
        "pair": 3,
        "origin": None,
        "source": {"url": "https://l", "channel": "#general"},
    }
    assert "<https://l|this message in #general>" in texts(view["blocks"])


def test_add_point_modal_with_one_pair_needs_no_choice() -> None:
    view = add_point_modal(pairs=[(5, "With Kim")], pair_id=None)
    assert ids.POINT_PAIR not in inputs(view)
    assert json.loads(view["private_metadata"])["pair"] == 5
    assert "initial_value" not in inputs(view)[ids.POINT_TEXT]["element"]


def test_schedule_modal_fields_and_defaults() -> None:
    view = schedule_modal(timezone="Europe/Berlin", report_id=REP)
    assert view["callback_id"] == ids.SCHEDULE_MODAL and view["title"]["text"] == "Schedule a 1:1"
    blocks = inputs(view)
    assert list(blocks) == [
        ids.SCHEDULE_PERSON,
        ids.SCHEDULE_WEEKDAY,
        ids.SCHEDULE_TIME,
        ids.SCHEDULE_CADENCE,
        ids.SCHEDULE_DURATION,
        ids.SCHEDULE_TIMEZONE,
        ids.SCHEDULE_PROMPT_LEAD,
        ids.SCHEDULE_AGENDA_LEAD,
    ]
    assert all(b["element"]["action_id"] == ids.VALUE for b in blocks.values())
    element = {block_id: b["element"] for block_id, b in blocks.items()}
    assert element[ids.SCHEDULE_PERSON]["type"] == "users_select"
    assert element[ids.SCHEDULE_PERSON]["initial_user"] == REP
    weekdays = element[ids.SCHEDULE_WEEKDAY]["options"]
    assert [o["value"] for o in weekdays] == [str(d) for d in range(7)]
    assert weekdays[0]["text"]["text"] == "Monday" and weekdays[6]["text"]["text"] == "Sunday"
    assert element[ids.SCHEDULE_TIME] == {
        "type": "timepicker",
        "initial_time": "10:00",
        "action_id": ids.VALUE,
    }
    initial = {k: e.get("initial_option", {}).get("value") for k, e in element.items()}
    assert initial[ids.SCHEDULE_CADENCE] == "weekly"
    assert initial[ids.SCHEDULE_DURATION] == "30"
    assert initial[ids.SCHEDULE_PROMPT_LEAD] == "1440"
    assert initial[ids.SCHEDULE_AGENDA_LEAD] == "30"
    cadences = [o["text"]["text"] for o in element[ids.SCHEDULE_CADENCE]["options"]]
    assert cadences == ["Every week", "Every 2 weeks", "Monthly (same weekday)"]
    durations = [o["value"] for o in element[ids.SCHEDULE_DURATION]["options"]]
    assert durations == ["15", "25", "30", "45", "60", "90"]
    leads = [o["value"] for o in element[ids.SCHEDULE_PROMPT_LEAD]["options"]]
    assert leads == ["120", "240", "1440", "2880"]
    agenda_leads = [o["value"] for o in element[ids.SCHEDULE_AGENDA_LEAD]["options"]]
    assert agenda_leads == ["10", "15", "30", "60"]
    zone = blocks[ids.SCHEDULE_TIMEZONE]
    assert zone["element"]["initial_value"] == "Europe/Berlin"
    assert zone["hint"]["text"] == "An IANA name such as America/New_York"


def test_schedule_modal_without_a_person() -> None:
    view = schedule_modal(timezone="UTC")
    assert "initial_user" not in inputs(view)[ids.SCHEDULE_PERSON]["element"]


def test_reschedule_modal() -> None:
    view = all_views()["reschedule"]
    assert view["callback_id"] == ids.RESCHEDULE_MODAL and view["private_metadata"] == "7"
    blocks = inputs(view)
    assert blocks[ids.RESCHEDULE_DATE]["element"] == {
        "type": "datepicker",
        "initial_date": "2026-12-01",
        "action_id": ids.VALUE,
    }
    assert blocks[ids.RESCHEDULE_TIME]["element"]["initial_time"] == "10:00"
    assert "Times are New York time. <@U_REPORT> will be told." in texts(view["blocks"])
    assert view["submit"]["text"] == "Reschedule"


def test_reschedule_modal_reads_on_the_readers_clock() -> None:
    berlin = reschedule_modal(MEETING, reader_zone="Europe/Berlin")
    blocks = inputs(berlin)
    assert blocks[ids.RESCHEDULE_DATE]["element"]["initial_date"] == "2026-12-01"
    assert blocks[ids.RESCHEDULE_TIME]["element"]["initial_time"] == "16:00"  # 10:00 New York
    assert "Times are your time (Berlin)." in texts(berlin["blocks"])
    assert berlin["private_metadata"] == "7"


def test_skip_modal_suggests_rescheduling_instead() -> None:
    view = all_views()["skip"]
    assert view["callback_id"] == ids.SKIP_MODAL and view["private_metadata"] == "7"
    assert view["submit"]["text"] == "Skip it"
    assert not inputs(view)
    assert "Better shorten than skip: even 15 minutes keeps the thread going." in texts(
        view["blocks"]
    )
    (instead,) = elements(view["blocks"], ids.RESCHEDULE)
    assert instead["value"] == "7" and instead["text"]["text"] == "Reschedule instead"


def test_take_notes_on_an_agenda_names_the_date_once_the_1_1_is_over() -> None:
    """Before it, the button is for the next 1:1; after it (not held), for that one."""
    (upcoming,) = elements(agenda_message(typical())["blocks"], ids.TAKE_NOTES)
    assert upcoming["text"]["text"] == "Take notes"
    over = agenda_message(agenda(outcome=NOT_HELD, timezone="Asia/Tokyo"))  # Dec 2 there
    (past,) = elements(over["blocks"], ids.TAKE_NOTES)
    assert past["text"]["text"] == "Take notes for Dec 2" and past["value"] == "7"
    assert not elements(agenda_message(agenda(outcome=HELD))["blocks"], ids.TAKE_NOTES)


FOR_THE_MEETING = f"For your 1:1 with <@{REP}> · <!date^{UNIX}^{{date_short_pretty}} at {{time}}|"


@pytest.mark.parametrize("name", ["add_point_fixed", "reschedule", "skip"])
def test_a_meeting_s_modal_says_first_which_1_1_and_meeting_it_is_for(name: str) -> None:
    assert first_text(all_views()[name]).startswith(FOR_THE_MEETING)


def test_the_add_point_modal_says_where_the_point_goes() -> None:
    chosen = add_point_modal(pairs=[(3, "With Dana"), (4, "With Sam")], pair_id=3, target=MEETING)
    assert first_text(chosen).startswith(FOR_THE_MEETING)
    assert ids.POINT_PAIR not in inputs(chosen)
    to_pick = all_views()["add_point"]
    assert first_text(to_pick) == "For the next 1:1 with the person you pick below."
    not_rolled = replace(MEETING, meeting_id=None, starts_at=None)
    only = add_point_modal(pairs=[(3, "With Dana")], pair_id=None, target=not_rolled)
    assert first_text(only) == f"For your next 1:1 with <@{REP}>"


def test_the_pause_and_schedule_modals_say_first_whose_1_1s() -> None:
    pause = first_text(all_views()["pause"])
    assert pause.startswith(f"For your 1:1s with <@{REP}> · the next is <!date^{UNIX}^")
    assert first_text(all_views()["pause_none_next"]) == f"For your 1:1s with <@{REP}>"
    with_whom = first_text(all_views()["schedule"])
    assert with_whom == f"Start a recurring 1:1 with <@{REP}>, whom you manage."
    assert first_text(all_views()["schedule_blank"]) == (
        "Start a recurring 1:1 with someone you manage."
    )


def test_the_reschedule_modal_starts_at_the_meeting_s_time_in_the_series_zone() -> None:
    tokyo = replace(MEETING, timezone="Asia/Tokyo")  # 15:00 UTC: Wednesday 00:00 in Tokyo
    blocks = inputs(reschedule_modal(tokyo))
    assert blocks[ids.RESCHEDULE_DATE]["element"]["initial_date"] == "2026-12-02"
    assert blocks[ids.RESCHEDULE_TIME]["element"]["initial_time"] == "00:00"


def test_pause_modal() -> None:
    view = all_views()["pause"]
    assert view["callback_id"] == ids.PAUSE_MODAL and view["private_metadata"] == "3"
    assert view["submit"]["text"] == "Pause"
    until = inputs(view)[ids.PAUSE_UNTIL]["element"]
    assert until == {"type": "datepicker", "initial_date": "2026-12-20", "action_id": ids.VALUE}


# --- short messages ------------------------------------------------------------------------


def test_notice_is_one_section() -> None:
    body = notice("Pick a *date*.")
    assert body == {
        "text": "Pick a *date*.",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "Pick a *date*.", "verbatim": True},
            }
        ],
    }


def test_point_added_quotes_the_point_and_marks_it_private() -> None:
    mine = point(1, MGR, "Line one\n<!here> two", private=True)
    body = point_added(point=mine, other_id=REP, starts_at=START)
    first = body["blocks"][0]["text"]["text"]
    assert first.startswith(f"✅ Added to your 1:1 with <@{REP}> (<!date^{UNIX}^")
    assert first.endswith("):\n>Line one\n>&lt;!here&gt; two")
    assert body["blocks"][1]["elements"][0]["text"] == "🔒 Private: only you can see it."
    shared = point_added(point=point(2, MGR, "x"), other_id=REP, starts_at=START)
    assert len(shared["blocks"]) == 1


def test_point_added_keeps_links_live_as_the_agenda_shows_them() -> None:
    linked = point(1, MGR, "Read <https://example.com/plan?a=1&b=2|the plan> first")
    body = point_added(point=linked, other_id=REP, starts_at=START)
    quoted = body["blocks"][0]["text"]["text"].split("\n", 1)[1]
    assert quoted == ">Read <https://example.com/plan?a=1&amp;b=2|the plan> first"


def test_choose_pair_has_one_button_per_pair_with_its_value() -> None:
    pairs = [(n, f"With person {n}") for n in range(30)]
    body = choose_pair_message(pairs=pairs, channel_id="D123", ts="1700000000.000100")
    assert_message_ok(body)
    assert body["blocks"][0]["text"]["text"] == "Which 1:1 is this for?"
    buttons = elements(body["blocks"], ids.CHOOSE_PAIR)
    assert [b["value"] for b in buttons] == [f"{n}:D123:1700000000.000100" for n in range(30)]
    assert buttons[4]["text"]["text"] == "With person 4"
    assert all(len(b["elements"]) <= 25 for b in body["blocks"] if b["type"] == "actions")


def test_pair_list_rows_and_buttons_by_role() -> None:
    body = all_messages()["pair_list"]
    assert_message_ok(body)
    rows = [b for b in body["blocks"] if b["type"] == "actions"]
    manager_row = {e["action_id"]: e["value"] for e in rows[0]["elements"]}
    assert manager_row == {ids.RESCHEDULE: "7", ids.SKIP: "7", ids.PAUSE: "3", ids.END: "3"}
    report_row = {e["action_id"]: e["value"] for e in rows[1]["elements"]}
    assert report_row == {ids.PAUSE: "4"}  # no meeting to move, and only managers end
    all_text = texts(body["blocks"])
    assert f"*<@{REP}>* (you manage) · Tuesdays 10:00\nNext: <!date^{UNIX}^" in all_text
    assert "*<@U_BOSS>* (your manager) · Every 2 weeks\n⏸️ Paused until Tue Jan 5, 2027" in all_text


def test_an_empty_pair_list_offers_to_schedule() -> None:
    body = pair_list(viewer_id=MGR, rows=[])
    assert body["blocks"][0]["text"]["text"].startswith("You have no 1:1s yet")
    (schedule,) = elements(body["blocks"], ids.SCHEDULE_OPEN)
    assert schedule["text"]["text"] == "Schedule a 1:1"


def test_a_long_pair_list_stays_within_limits() -> None:
    rows = [PairRow(n, f"U{n}", "manager", "weekly", START, n, None) for n in range(40)]
    body = pair_list(viewer_id=MGR, rows=rows)
    assert_message_ok(body)
    shown = len(elements(body["blocks"], ids.END))
    assert shown + more_count(body["blocks"], "") == 40


def test_end_confirmation() -> None:
    body = end_confirmation(pair_id=3, other_id=REP)
    assert body["blocks"][0]["text"]["text"] == (
        f"End your recurring 1:1 with <@{REP}>? The history stays."
    )
    end_it, delete_too, keep = body["blocks"][1]["elements"]
    assert (end_it["action_id"], end_it["value"], end_it["style"]) == (
        ids.END_CONFIRM,
        "3",
        "danger",
    )
    assert end_it["text"]["text"] == "End it"
    assert (delete_too["action_id"], delete_too["value"]) == (ids.DELETE_HISTORY, "3")
    assert (keep["action_id"], keep["text"]["text"]) == (ids.END_CANCEL, "Keep it")
    assert "7 days" in body["blocks"][2]["elements"][0]["text"]


def test_notices_say_who_did_what_and_when() -> None:
    when = f"<!date^{UNIX}^{{date_short_pretty}} at {{time}}|2026-12-01 15:00 UTC>"
    messages = all_messages()
    confirmation = texts(messages["schedule_confirmation"]["blocks"])
    assert (
        f"Your 1:1 with <@{REP}> is scheduled: the first Tuesday of each month, 10:00, "
        "30 minutes." in confirmation
    )
    assert f"For <@{REP}> that's *the first Tuesday of each month, 20:30* (Kolkata time)." in (
        confirmation
    )
    assert f"⚠️ For <@{REP}> it's outside 08:00–19:00 (Tuesday 20:30 their time)." in confirmation
    assert "For you" not in confirmation
    assert f"The first one is *{when}*." in confirmation
    assert f"<@{MGR}> skipped the 1:1 planned for {when}." in texts(messages["skipped"]["blocks"])
    assert f"the next one: *{when}*" in texts(messages["skipped"]["blocks"])
    assert "No next 1:1 is scheduled." in texts(messages["skipped_last"]["blocks"])
    assert f"<@{MGR}> moved your 1:1 to *{when}*." in texts(messages["rescheduled"]["blocks"])
    paused = texts(messages["paused"]["blocks"])
    assert f"<@{MGR}> paused your 1:1s until Tue Jan 5, 2027." in paused
    assert f"<@{MGR}> ended the recurring 1:1 with <@{REP}>." in texts(messages["ended"]["blocks"])


def test_mrkdwn_is_verbatim_so_bare_names_and_at_channel_are_never_auto_parsed() -> None:
    from blocks.kit import mrkdwn

    assert mrkdwn("@channel ping") == {"type": "mrkdwn", "text": "@channel ping", "verbatim": True}


def test_a_cut_message_keeps_its_closing_buttons() -> None:
    blocks = [section(f"line {n}") for n in range(60)] + [actions(button("Done", "done"))]
    body = message("many", blocks)
    assert len(body["blocks"]) == 50
    assert body["blocks"][-1]["type"] == "actions"
    assert body["blocks"][-2]["elements"][0]["text"] == "_…and 12 more not shown here._"
    assert body["blocks"][-3]["text"]["text"] == "line 47"
    plain = message("few", [section(f"line {n}") for n in range(60)])["blocks"]
    assert plain[-1]["elements"][0]["text"] == "_…and 11 more not shown here._"


def test_a_private_carried_over_point_stays_with_its_author() -> None:
    """The second line of defence: even when handed one, the shared agenda and the other
    person's view leave out a private point that was carried over."""
    carried = [
        point(20, REP, "Report's carried secret", private=True, carried=1),
        point(21, MGR, "Shared carried point", carried=1),
    ]
    view = agenda(carried=carried)
    shared = texts(agenda_message(view)["blocks"])
    assert "Shared carried point" in shared and "carried secret" not in shared
    assert "carried secret" not in texts(agenda_ephemeral(view, MGR)["blocks"])
    assert "Report's carried secret" in texts(agenda_ephemeral(view, REP)["blocks"])
