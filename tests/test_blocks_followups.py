"""Summaries, history, action items, huddles; and the agenda's and prompt's new buttons."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest

from blocks import ids
from blocks.agenda import agenda_ephemeral, agenda_message
from blocks.follow_ups import (
    actions_list_message,
    huddle_dismissed_message,
    huddle_message,
    item_done_message,
    item_snoozed_message,
    reminder_message,
)
from blocks.format import TEXT_BUDGET, text_size
from blocks.prompt import prompt_message
from blocks.summary import history_message, not_met_message, summary_message
from store.views import ActionItemView, FollowUpView, NotesSaved, SummaryView
from tests.blockcheck import check_message
from tests.test_blocks import INJECTION, MGR, REP, START, UNIX, agenda, point, texts, walk

TODAY = date(2026, 12, 3)
ESCAPED = "&lt;!channel&gt; &amp; &lt;@U_BOSS&gt; &lt;javascript:alert(1)|click&gt;"
LIVE = ("<!channel>", "<@U_BOSS>", "<javascript", "<https")


def item(
    iid: int,
    text: str = "Send the retro doc",
    *,
    owner: str = REP,
    due: date | None = TODAY,
    done: bool = False,
) -> ActionItemView:
    other = MGR if owner == REP else REP
    return ActionItemView(iid, 3, 7, owner, other, text, due, done, START)


def summary(**changes: Any) -> SummaryView:
    fields: dict[str, Any] = dict(
        meeting_id=7,
        pair_id=3,
        manager_id=MGR,
        report_id=REP,
        starts_at=START,
        duration_minutes=30,
        unscheduled=False,
        notes_saved=True,
        discussed=[point(11, MGR, "Offsite dates", discussed=True)],
        carried=[point(12, REP, "Pair with the data team", carried=1)],
        shared_notes="We agreed on Q1 goals.\nLine two & more",
        action_items=[
            item(1, "Book the offsite", owner=MGR, due=date(2026, 12, 10)),
            item(2, "Write the RFC", done=True),
        ],
        follow_ups=[item(3, "Old thing", done=True), item(4, "Still open", due=None)],
        next_starts_at=START + timedelta(days=7),
    )
    return SummaryView(**{**fields, **changes})


def injected() -> SummaryView:
    """User text with mentions and control characters in every field that holds any."""
    return summary(
        discussed=[point(11, MGR, INJECTION, discussed=True)],
        carried=[point(12, REP, INJECTION, carried=1)],
        shared_notes=INJECTION,
        action_items=[item(1, INJECTION), item(2, INJECTION, done=True)],
        follow_ups=[item(3, INJECTION), item(4, INJECTION, done=True)],
    )


def huge_summary() -> SummaryView:
    """10,000 characters of notes, 100 action items, 60 points of each kind."""
    return summary(
        notes_saved=False,
        discussed=[point(i, MGR, f"Discussed point {i} " * 8, discussed=True) for i in range(60)],
        carried=[point(100 + i, REP, f"Carried point {i} " * 8, carried=2) for i in range(60)],
        shared_notes="\n".join(f"Line {i}: " + "a & b < c " * 10 for i in range(100)),
        action_items=[item(i, f"Action item {i} " * 10) for i in range(100)],
        follow_ups=[item(200 + i, f"Follow-up {i}", done=i % 2 == 0) for i in range(100)],
    )


def all_messages() -> dict[str, dict[str, Any]]:
    many = [
        item(i, f"Item {i}: " + "word " * 90, due=TODAY - timedelta(days=i)) for i in range(100)
    ]
    return {
        "summary": summary_message(summary()),
        "summary_unsaved": summary_message(summary(notes_saved=False, unscheduled=True)),
        "summary_empty": summary_message(
            summary(
                notes_saved=False,
                discussed=[],
                carried=[],
                shared_notes="",
                action_items=[],
                follow_ups=[],
                next_starts_at=None,
            )
        ),
        "summary_injected": summary_message(injected()),
        "summary_huge": summary_message(huge_summary()),
        "history": history_message([summary(), summary(unscheduled=True)], REP),
        "history_empty": history_message([], REP),
        "history_injected": history_message([injected()], REP),
        "history_huge": history_message([huge_summary()] * 30, REP),
        "actions": actions_list_message([item(1), item(2, due=None)], today=TODAY),
        "actions_empty": actions_list_message([], today=TODAY),
        "actions_injected": actions_list_message([item(1, INJECTION)], today=TODAY),
        "actions_huge": actions_list_message(many, today=TODAY),
        "reminder": reminder_message(item(1, INJECTION)),
        "done": item_done_message(item(1, INJECTION), MGR),
        "snoozed": item_snoozed_message(item(1, INJECTION, due=date(2026, 12, 10))),
        "huddle": huddle_message(5, MGR, REP, 12),
        "huddle_saved": huddle_message(5, MGR, REP, 12, saved=NotesSaved(7, START, False)),
        "huddle_saved_unscheduled": huddle_message(
            5, MGR, REP, 2, saved=NotesSaved(8, START, True)
        ),
        "huddle_dismissed": huddle_dismissed_message(0, REP),
    }


def buttons(body: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [n for n in walk(body["blocks"]) if n.get("action_id") == action_id]


def all_text(body: dict[str, Any]) -> str:
    return texts(body["blocks"])


def more_counts(body: dict[str, Any], what: str) -> int:
    """The N of every "…and N more <what>" note or line."""
    return sum(int(n) for n in re.findall(rf"…and (\d+) more {what}", all_text(body)))


# --- every surface is valid Block Kit, within limits ---------------------------------------


@pytest.mark.parametrize("name", list(all_messages()))
def test_every_message_is_valid_block_kit_within_limits(name: str) -> None:
    body = all_messages()[name]
    assert set(body) == {"text", "blocks"}
    assert check_message(body["blocks"], body["text"]) == []
    assert 1 <= len(body["blocks"]) <= 50
    assert text_size(body["blocks"]) <= TEXT_BUDGET
    assert all(
        len(n["text"]) <= 3000 for n in walk(body["blocks"]) if isinstance(n.get("text"), str)
    )


def test_builders_are_pure() -> None:
    assert all_messages() == all_messages()


@pytest.mark.parametrize(
    "name",
    [
        "summary_injected",
        "history_injected",
        "actions_injected",
        "reminder",
        "done",
        "snoozed",
    ],
)
def test_user_text_can_never_mention_or_link(name: str) -> None:
    body = all_messages()[name]
    dumped = json.dumps(body, ensure_ascii=False)
    assert not any(token in dumped for token in LIVE)
    assert ESCAPED in dumped


def test_every_user_text_field_of_a_summary_is_escaped() -> None:
    text = all_text(summary_message(injected()))
    assert f"✅ Budget {ESCAPED} — <@{MGR}>" in text  # discussed
    assert f"• Budget {ESCAPED} — <@{REP}>, carried 1×" in text  # carried over
    assert f"*Notes*\nBudget {ESCAPED}" in text
    assert f"• Budget {ESCAPED} — <@{REP}>, due Thu Dec 3" in text  # open action item
    assert f"✅ ~Budget {ESCAPED}~ — <@{REP}>" in text  # done one
    assert text.count(ESCAPED) == 7


# --- the summary ---------------------------------------------------------------------------


def test_summary_reads_in_order() -> None:
    body = summary_message(summary())
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "📝 1:1 summary"
    when = f"<!date^{UNIX}^{{date_short_pretty}} at {{time}}|2026-12-01 15:00 UTC>"
    assert blocks[1]["text"]["text"] == f"<@{MGR}> & <@{REP}> · {when} · 30 min"
    assert body["text"] == f"1:1 summary: <@{MGR}> & <@{REP}>, {when}"
    text = all_text(body)
    order = [
        "*Discussed*\n✅ Offsite dates — <@U_MANAGER>",
        "*Notes*\nWe agreed on Q1 goals.\nLine two &amp; more",
        "*Action items*\n• Book the offsite — <@U_MANAGER>, due Thu Dec 10\n"
        "✅ ~Write the RFC~ — <@U_REPORT>",
        "*Action items from before*\n✅ ~Old thing~ — <@U_REPORT>\n• Still open — <@U_REPORT>",
        "*Carries over*\n• Pair with the data team — <@U_REPORT>, carried 1×",
        "*Next 1:1*\n<!date^",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "No notes were saved yet" not in text
    assert "Still open — <@U_REPORT>, due" not in text  # no due date, none shown


def test_summary_button_edits_saved_notes_and_asks_for_missing_ones() -> None:
    (edit,) = buttons(summary_message(summary()), ids.TAKE_NOTES)
    assert edit["text"]["text"] == "Edit notes for Dec 1" and edit["value"] == "7"
    assert "style" not in edit
    unsaved = summary_message(summary(notes_saved=False))
    (take,) = buttons(unsaved, ids.TAKE_NOTES)
    assert take["text"]["text"] == "Take notes for Dec 1" and take["style"] == "primary"
    assert unsaved["blocks"][-1]["type"] == "actions"
    assert "No notes were saved yet." in all_text(unsaved)
    assert "while it's fresh" in all_text(unsaved)


def test_summary_buttons_name_the_meeting_s_date_on_the_reader_s_calendar() -> None:
    """15:00 UTC on Dec 1 is Dec 2 in Tokyo: the series' zone, unless the reader's is known."""
    tokyo = summary(timezone="Asia/Tokyo")
    (in_series,) = buttons(summary_message(tokyo), ids.TAKE_NOTES)
    assert in_series["text"]["text"] == "Edit notes for Dec 2"
    (for_reader,) = buttons(summary_message(tokyo, zone="America/New_York"), ids.TAKE_NOTES)
    assert for_reader["text"]["text"] == "Edit notes for Dec 1"


def test_a_huddle_summary_is_called_huddle_notes() -> None:
    body = summary_message(summary(unscheduled=True))
    assert body["blocks"][0]["text"]["text"] == "📝 Huddle notes"


def test_a_summary_with_nothing_in_it_asks_whether_they_met() -> None:
    body = all_messages()["summary_empty"]
    text = all_text(body)
    for title in ("*Discussed*", "*Notes*", "*Action items", "*Carries over*"):
        assert title not in text
    when = f"<!date^{UNIX}^{{date_short_pretty}} at {{time}}|2026-12-01 15:00 UTC>"
    assert f"*Did you meet on {when}?* Nothing was recorded for this 1:1 yet." in text
    assert body["text"] == f"Did you meet on {when}?"
    (take,) = buttons(body, ids.TAKE_NOTES)
    (not_met,) = buttons(body, ids.NOT_MET)
    assert take["text"]["text"] == "Take notes for Dec 1"
    assert not_met["text"]["text"] == "We didn't meet"


def test_we_did_not_meet_says_so_and_still_offers_notes() -> None:
    empty = summary(
        discussed=[], shared_notes="", action_items=[], follow_ups=[], notes_saved=False
    )
    body = not_met_message(empty, REP)
    assert all_text(body).startswith(f"<@{REP}> noted that you didn't meet on <!date^{UNIX}^")
    assert "The next 1:1 is <!date^" in all_text(body)
    (take,) = buttons(body, ids.TAKE_NOTES)
    assert take["text"]["text"] == "Take notes anyway for Dec 1"
    assert not_met_message(summary(), REP) == summary_message(summary())  # notes came first


def test_summary_shows_only_what_it_was_given_and_never_a_private_point() -> None:
    leaked = summary(
        discussed=[
            point(11, MGR, "Shared one", discussed=True),
            point(12, MGR, "Secret A", private=True, discussed=True),
        ],
        carried=[point(13, REP, "Secret B", private=True)],
    )
    dumped = json.dumps(summary_message(leaked))
    assert "Shared one" in dumped and "Secret" not in dumped and "🔒" not in dumped
    history = json.dumps(history_message([leaked], REP))
    assert "Secret" not in history and "1 discussed" in history
    # Nothing the view does not hold: no other person, no other meeting, no private note.
    mentioned = set(re.findall(r"<@(\w+)>", dumped))
    assert mentioned == {MGR, REP}


def test_multi_line_notes_keep_their_lines_and_blank_lines() -> None:
    body = summary_message(summary(shared_notes="  First\n\n- second\n> third  "))
    assert "*Notes*\nFirst\n\n- second\n&gt; third" in all_text(body)


def test_huge_summary_folds_and_counts_every_list() -> None:
    body = all_messages()["summary_huge"]
    text = all_text(body)
    lines = text.split("\n")

    def shown(prefix: str) -> int:
        return sum(1 for ln in lines if prefix in ln)

    assert shown("Discussed point") + more_counts(body, "talking points") >= 60
    assert shown("• Action item") + more_counts(body, "action items") == 100
    assert shown("Follow-up ") + more_counts(body, "from before") == 100
    # Discussed and carried both fold as "talking points".
    points = shown("Discussed point") + shown("Carried point")
    assert points + more_counts(body, "talking points") == 120
    assert shown("• Action item") >= 5 and shown("Follow-up ") >= 5 and shown("Carried point") >= 5


def test_long_notes_are_split_over_sections_and_cut_with_a_note() -> None:
    notes = "\n".join(f"Line {i}: " + "a & b < c " * 10 for i in range(100))
    body = summary_message(summary(shared_notes=notes))
    sections = [
        b["text"]["text"]
        for b in body["blocks"]
        if b["type"] == "section" and "Line " in b["text"]["text"]
    ]
    assert len(sections) >= 2 and all(len(s) <= 3000 for s in sections)
    assert sections[0].startswith("*Notes*\nLine 0: a &amp; b &lt; c")
    kept = "\n".join(sections).removeprefix("*Notes*\n")
    assert 5_000 <= len(kept) <= 6_000
    assert kept.endswith("…")
    assert "the button below opens them in full" in all_text(body)
    assert re.search(r"&(?!amp;|lt;|gt;)", kept) is None  # never an entity cut in half
    *whole, last = [ln for s in sections for ln in s.split("\n") if ln.startswith("Line ")]
    assert all(re.fullmatch(r"Line \d+: (a &amp; b &lt; c ?)+", ln) for ln in whole)
    assert last.endswith("…") and len(whole) >= 30


def test_one_endless_line_of_notes_is_split_without_breaking_an_entity() -> None:
    body = summary_message(summary(shared_notes="&" * 10_000))
    sections = [
        b["text"]["text"] for b in body["blocks"] if "&amp;" in b.get("text", {}).get("text", "")
    ]
    assert len(sections) >= 2
    for text in sections:
        assert len(text) <= 3000
        assert re.fullmatch(r"(\*Notes\*\n)?(&amp;)+…?", text)


def test_short_notes_are_not_cut() -> None:
    body = summary_message(summary(shared_notes="x" * 2_900))
    assert "x" * 2_900 in all_text(body) and "the notes go on" not in all_text(body)


# --- history -------------------------------------------------------------------------------


def test_history_lists_meetings_newest_first_with_excerpts_and_items() -> None:
    old = summary(meeting_id=1, starts_at=START - timedelta(days=14), shared_notes="Old notes")
    new = summary(meeting_id=2, shared_notes="x" * 1000)
    body = history_message([old, new], REP)
    blocks = body["blocks"]
    assert blocks[0]["text"]["text"] == f"*Your last 1:1s with <@{REP}>*"
    meetings = [b["text"]["text"] for b in blocks[1:] if b["type"] == "section"]
    assert [b["type"] for b in blocks] == ["section", "divider", "section", "divider", "section"]
    assert meetings[0].startswith(f"*<!date^{UNIX}^") and "Old notes" in meetings[1]
    assert " · 30 min · 1 discussed" in meetings[0]
    excerpt = next(ln for ln in meetings[0].split("\n") if ln.startswith("📝"))
    assert len(excerpt) <= 400 + 2 and excerpt.endswith("…")
    assert "• Book the offsite — <@U_MANAGER>, due Thu Dec 10" in meetings[0]
    assert "✅ ~Write the RFC~ — <@U_REPORT>" in meetings[0]


def test_history_without_notes_or_items_says_so_and_marks_huddles() -> None:
    quiet = summary(unscheduled=True, shared_notes="", action_items=[])
    text = all_text(history_message([quiet], REP))
    assert "🎧 Huddle · " in text and "_No notes or action items._" in text


def test_empty_history() -> None:
    body = all_messages()["history_empty"]
    assert all_text(body) == f"No past 1:1s with <@{REP}> yet."


def test_a_long_history_stays_within_limits_and_folds_items() -> None:
    body = all_messages()["history_huge"]
    meetings = [b for b in body["blocks"][1:] if b["type"] == "section"]
    assert len(meetings) == 24 and more_counts(body, "earlier 1:1s") == 6
    first = meetings[0]["text"]["text"]
    assert (
        first.count("Action item") + more_counts({"blocks": [meetings[0]]}, "action items") == 100
    )


# --- `/oneonone actions` -------------------------------------------------------------------


def test_actions_list_has_a_done_button_per_item_and_marks_overdue_ones() -> None:
    body = actions_list_message(
        [item(1, due=TODAY - timedelta(days=1)), item(2, due=TODAY), item(3, due=None)],
        today=TODAY,
    )
    blocks = body["blocks"]
    assert blocks[0]["text"]["text"] == "*Your open action items*"
    assert [b["value"] for b in buttons(body, ids.ITEM_DONE)] == ["1", "2", "3"]
    assert all(b["text"]["text"] == "Done" for b in buttons(body, ids.ITEM_DONE))
    texts_ = [b["text"]["text"] for b in blocks[1:]]
    assert texts_[0] == f"Send the retro doc\n_with <@{MGR}> · due Wed Dec 2 · ⚠️ overdue_"
    assert texts_[1] == f"Send the retro doc\n_with <@{MGR}> · due Thu Dec 3_"
    assert texts_[2] == f"Send the retro doc\n_with <@{MGR}>_"
    assert body["text"] == "You have 3 open action items."


def test_no_open_action_items() -> None:
    assert all_text(all_messages()["actions_empty"]) == "You have no open action items. 🎉"


def test_a_hundred_action_items_fold_into_a_count() -> None:
    body = all_messages()["actions_huge"]
    shown = len(buttons(body, ids.ITEM_DONE))
    assert 10 <= shown <= 45 and shown + more_counts(body, "open action items") == 100
    few = actions_list_message([item(i) for i in range(100)], today=TODAY)
    assert len(buttons(few, ids.ITEM_DONE)) == 45 and more_counts(few, "open action items") == 55


def test_an_item_without_text_still_reads() -> None:
    body = actions_list_message([item(1, "  ")], today=TODAY)
    assert body["blocks"][1]["text"]["text"].startswith("(no description)\n")


# --- reminders and what replaces them ------------------------------------------------------


def test_reminder_has_done_and_snooze_with_the_item_id() -> None:
    body = reminder_message(item(9, "Ship it"))
    assert body["blocks"][0]["text"]["text"] == "⏰ *Due today:* Ship it"
    assert body["blocks"][1]["elements"][0]["text"] == f"From your 1:1 with <@{MGR}>"
    done, snooze = body["blocks"][2]["elements"]
    assert (done["action_id"], done["value"], done["style"]) == (ids.ITEM_DONE, "9", "primary")
    assert (snooze["action_id"], snooze["value"]) == (ids.ITEM_SNOOZE, "9")
    assert snooze["text"]["text"] == "Snooze a week" and "style" not in snooze


def test_done_and_snoozed_replace_the_buttons() -> None:
    done = item_done_message(item(9, "Ship it"), MGR)
    assert all_text(done) == (
        f"✅ Done: ~Ship it~ — marked by <@{MGR}>\n"
        "Your next agenda shows it under “Done since last time”, for you both."
    )
    snoozed = item_snoozed_message(item(9, "Ship it", due=date(2026, 12, 10)))
    assert all_text(snoozed) == "💤 Snoozed: Ship it — now due Thu Dec 10"
    for body in (done, snoozed):  # no buttons left
        assert [b["type"] for b in body["blocks"]] in (["section"], ["section", "context"])


# --- huddles -------------------------------------------------------------------------------


def test_huddle_message_offers_notes_or_dismiss() -> None:
    body = huddle_message(5, MGR, REP, 12)
    assert body["blocks"][0]["text"]["text"] == (
        f"🎧 <@{MGR}> and <@{REP}>, you two just had a huddle (≈12 min). "
        "Capture notes and action items?"
    )
    take, dismiss = body["blocks"][1]["elements"]
    assert (take["action_id"], take["value"], take["style"]) == (ids.HUDDLE_NOTES, "5", "primary")
    assert take["text"]["text"] == "Take notes"
    assert (dismiss["action_id"], dismiss["value"]) == (ids.HUDDLE_DISMISS, "5")
    assert "(≈1 min)" in all_text(huddle_message(5, MGR, REP, 0))


def button_texts(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each button as a person sees it, with what it does: (label, action_id, value)."""
    return [
        (n["text"]["text"], n["action_id"], n["value"])
        for n in walk(body["blocks"])
        if n.get("type") == "button"
    ]


def test_a_huddle_after_saved_notes_says_so_and_offers_to_view_or_add() -> None:
    body = huddle_message(5, MGR, REP, 12, saved=NotesSaved(7, START, unscheduled=False))
    when = f"<!date^{UNIX}^{{date_short}}|2026-12-01 15:00 UTC>"
    said = (
        f"🎧 <@{MGR}> and <@{REP}>, you two just had a huddle (≈12 min). "
        f"Notes for your 1:1 of {when} are already saved."
    )
    assert all_text(body) == f"{said}\nView notes\nAdd to notes\nDismiss"
    assert body["text"] == said
    assert "Capture" not in all_text(body)
    assert button_texts(body) == [
        ("View notes", ids.SHOW_SUMMARY, "7"),
        ("Add to notes", ids.TAKE_NOTES, "7"),
        ("Dismiss", ids.HUDDLE_DISMISS, "5"),
    ]
    recorded = huddle_message(5, MGR, REP, 12, saved=NotesSaved(8, START, unscheduled=True))
    assert f"Notes for your huddle of {when} are already saved." in all_text(recorded)


def test_dismissed_huddle_has_no_buttons() -> None:
    body = huddle_dismissed_message(0, REP)
    assert all_text(body) == f"🎧 Huddle (≈1 min) — dismissed by <@{REP}>."
    assert [b["type"] for b in body["blocks"]] == ["section"]


# --- the agenda's Done buttons and Take notes ----------------------------------------------


def follow_ups(count: int) -> list[FollowUpView]:
    return [FollowUpView(i, REP, f"Follow-up {i}", "2026-12-03") for i in range(1, count + 1)]


@pytest.mark.parametrize("build", [agenda_message, lambda a: agenda_ephemeral(a, REP)])
def test_agenda_follow_ups_get_done_buttons_and_the_rest_fold(build: Any) -> None:
    body = build(agenda(follow_ups=follow_ups(3), new=[point(1, REP, "Hi")]))
    done = [b for b in body["blocks"] if b.get("accessory", {}).get("action_id") == ids.ITEM_DONE]
    assert [b["accessory"]["value"] for b in done] == ["1", "2", "3"]
    assert done[0]["text"]["text"] == "• Follow-up 1 — <@U_REPORT>, due Thu Dec 3"
    huge = build(agenda(follow_ups=follow_ups(60), new=[point(1, REP, "Hi")]))
    assert check_message(huge["blocks"], huge["text"]) == []
    assert len(buttons(huge, ids.ITEM_DONE)) == 10
    listed = [ln for ln in all_text(huge).split("\n") if ln.startswith("• Follow-up")]
    assert len(listed) + more_counts(huge, "open action items") == 60


def test_agenda_follow_up_buttons_stay_within_the_text_budget() -> None:
    long = [FollowUpView(i, REP, "&" * 500, None) for i in range(20)]
    body = agenda_message(agenda(follow_ups=long, new=[point(1, REP, "Hi")]))
    assert check_message(body["blocks"], body["text"]) == []
    shown = len(buttons(body, ids.ITEM_DONE))
    assert 1 <= shown < 10
    listed = [ln for ln in all_text(body).split("\n") if ln.startswith("• &amp;")]
    assert listed and len(listed) + more_counts(body, "open action items") == 20
    assert text_size(body["blocks"]) <= TEXT_BUDGET


def test_agenda_has_take_notes_after_add_a_talking_point() -> None:
    body = agenda_message(agenda(new=[point(1, REP, "Hi")]))
    order = [e["action_id"] for e in body["blocks"][-1]["elements"]]
    assert order[:2] == [ids.ADD_POINT, ids.TAKE_NOTES]
    (take,) = buttons(body, ids.TAKE_NOTES)
    assert take["value"] == "7" and take["text"]["text"] == "Take notes"


# --- the prompt's Drop buttons -------------------------------------------------------------


def test_prompt_offers_to_drop_the_viewers_own_carried_points_only() -> None:
    mixed = agenda(
        carried=[
            point(10, REP, "Mine carried", carried=1),
            point(11, MGR, "Theirs carried", carried=1),
            point(12, REP, "Mine private", carried=2, private=True),
        ],
        new=[point(13, REP, "Mine new")],
    )
    body = prompt_message(agenda=mixed, viewer_id=REP, suggestion=None)
    assert check_message(body["blocks"], body["text"]) == []
    dropped = [
        b for b in body["blocks"] if b.get("accessory", {}).get("action_id") == ids.DROP_POINT
    ]
    assert [b["accessory"]["value"] for b in dropped] == ["10", "12"]
    assert dropped[0]["text"]["text"] == "• Mine carried — <@U_REPORT>, carried 1×"
    assert dropped[0]["accessory"]["text"]["text"] == "Remove"
    text = all_text(body)
    assert "*Talking points so far*" in text
    assert "• Theirs carried — <@U_MANAGER>, carried 1×\n• Mine new — <@U_REPORT>" in text
    assert text.count("Mine carried") == 1  # not listed twice
    other_side = prompt_message(agenda=mixed, viewer_id=MGR, suggestion=None)
    assert [b["value"] for b in buttons(other_side, ids.DROP_POINT)] == ["11"]
    assert "Mine private" not in json.dumps(other_side)


def test_prompt_drop_buttons_are_capped_and_the_rest_still_counted() -> None:
    many = agenda(carried=[point(i, REP, f"Carried {i}", carried=1) for i in range(60)])
    body = prompt_message(agenda=many, viewer_id=REP, suggestion=None)
    assert check_message(body["blocks"], body["text"]) == []
    assert len(buttons(body, ids.DROP_POINT)) == 10
    listed = [ln for ln in all_text(body).split("\n") if ln.startswith("• Carried")]
    notes = sum(int(n) for n in re.findall(r"…and (\d+) more items", all_text(body)))
    assert len(listed) + notes == 60
    assert text_size(body["blocks"]) <= TEXT_BUDGET
