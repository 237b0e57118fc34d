"""The App Home tab through signed requests and the fake Slack: what each person sees, paging,
privacy, republishing after every kind of change, the debounce, and its buttons' checks."""

from __future__ import annotations

import json
import re
from typing import Any

from blocks import ids
from store.models import Meeting
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import (
    add_items,
    click,
    db_all,
    dump,
    elements,
    notes_with,
    tick_at,
    utc,
)
from tests.test_notes_flow import rich
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
REFUSED = re.compile(r"isn't one of|doesn't belong")
PEOPLE = ("U_MANAGER", "U_REPORT")


def open_home(bot: RunningBot, user_id: str) -> Payload:
    """The person opens the app's Home tab; returns the view published for them."""
    before = publishes(bot, user_id)
    event = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home"}
    assert bot.slack.event(event).status == 200
    bot.settle()
    assert publishes(bot, user_id) > before
    view = bot.fake.home_view(user_id)
    assert view is not None and view["type"] == "home"
    return view


def publishes(bot: RunningBot, user_id: str) -> int:
    """How many Home tabs were published for the person so far."""
    return sum(1 for c in bot.fake.delivered("views.publish") if c.args["user_id"] == user_id)


def texts(view: Payload) -> str:
    return dump(view["blocks"])


def sections_of(view: Payload) -> list[str]:
    """The "*<@U…>* · role" heading of each 1:1 section shown."""
    return re.findall(r"\*<@(\w+)>\* · (you manage them|your manager)", texts(view))


def overview_rows(view: Payload) -> list[str]:
    """The people of the overview's rows (between the "Your reports" and "Your 1:1s" headers)."""
    rows = []
    inside = False
    for block in view["blocks"]:
        if block["type"] == "header":
            inside = block["text"]["text"] == "Your reports"
            continue
        if inside and block["type"] == "section":
            rows += [m.group(1) for m in re.finditer(r"^<@(\w+)>", block["text"]["text"], re.M)]
    return rows


def add_reports(bot: RunningBot, count: int) -> list[str]:
    """U_MANAGER schedules `count` more reports (known to the fake, in several time zones)."""
    zones = ("Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", "Australia/Sydney")
    reports = [f"U_R{n:02d}" for n in range(1, count + 1)]
    for n, report in enumerate(reports):
        bot.fake.add_user(report, tz=zones[n % len(zones)])
        day = ("monday", "tuesday", "wednesday", "thursday", "friday")[n % 5]
        bot.slack.command(f"schedule <@{report}|r> {day} {9 + n % 8}:00", user_id="U_MANAGER")
        bot.executor.wait_idle()
    bot.settle()
    return reports


def page_through(bot: RunningBot, user_id: str, view: Payload) -> list[Payload]:
    """Every page of the person's Home tab, following "Show more" from `view`."""
    pages = [view]
    while more := [e for e in elements(view["blocks"], ids.HOME_PAGE) if "more" in dump(e)]:
        click(bot, ids.HOME_PAGE, more[0]["value"], user_id, view=view)
        view = bot.fake.home_view(user_id)
        assert view is not None
        pages.append(view)
        assert len(pages) < 20
    return pages


# --- what each person sees -----------------------------------------------------------------


def test_someone_without_1on1s_sees_the_welcome_and_a_schedule_button(bot: RunningBot) -> None:
    event = {"type": "app_home_opened", "user": "U_STRANGER", "tab": "messages"}
    bot.slack.event(event)
    bot.settle()
    assert publishes(bot, "U_STRANGER") == 0, "the Messages tab publishes no Home view"
    view = open_home(bot, "U_STRANGER")
    (button,) = elements(view["blocks"], ids.SCHEDULE_OPEN)
    assert button["text"]["text"] == "Schedule a 1:1"
    assert not sections_of(view)
    click(bot, ids.SCHEDULE_OPEN, "", "U_STRANGER", view=view)
    (opened,) = bot.fake.delivered("views.open")
    assert opened.args["view"]["callback_id"] == ids.SCHEDULE_MODAL


def test_a_manager_of_twelve_sees_the_overview_and_pages_the_1on1s(bot: RunningBot) -> None:
    reports = add_reports(bot, 12)
    view = open_home(bot, "U_MANAGER")
    assert sorted(overview_rows(view)) == reports
    assert len(view["blocks"]) <= 100
    first = [person for person, _ in sections_of(view)]
    assert 0 < len(first) < 12
    (more,) = elements(view["blocks"], ids.HOME_PAGE)
    assert more["text"]["text"].startswith("Show more") and more["value"] == "1"
    click(bot, ids.HOME_PAGE, more["value"], "U_MANAGER", view=view)
    second = bot.fake.home_view("U_MANAGER")
    assert second is not None and second["id"] == view["id"]
    rest = [person for person, _ in sections_of(second)]
    assert sorted(first + rest) == reports
    assert [e["value"] for e in elements(second["blocks"], ids.HOME_PAGE)] == ["0"]


def test_a_report_sees_their_one_manager(bot: RunningBot) -> None:
    schedule(bot)
    view = open_home(bot, "U_REPORT")
    assert sections_of(view) == [("U_MANAGER", "your manager")]
    assert overview_rows(view) == []
    assert "Your reports" not in texts(view)
    buttons = {e.get("action_id") for b in view["blocks"] for e in b.get("elements", [])}
    assert {ids.ADD_POINT, ids.PAIR_NOTES, ids.SKIP, ids.RESCHEDULE, ids.DELETE_MY_DATA} <= buttons


def test_someone_who_is_both_sees_their_manager_and_their_report(bot: RunningBot) -> None:
    schedule(bot)  # U_MANAGER manages U_REPORT
    command_reply(bot, "schedule <@U_MANAGER|max> thursday 9:00", user_id="U_BOSS")
    view = open_home(bot, "U_MANAGER")
    assert sorted(sections_of(view)) == [
        ("U_BOSS", "your manager"),
        ("U_REPORT", "you manage them"),
    ]
    assert overview_rows(view) == ["U_REPORT"]
    assert overview_rows(open_home(bot, "U_BOSS")) == ["U_MANAGER"]
    assert "U_BOSS" not in texts(open_home(bot, "U_REPORT"))


def test_a_manager_of_sixty_stays_within_limits_and_reaches_everyone(bot: RunningBot) -> None:
    reports = add_reports(bot, 60)
    pages = page_through(bot, "U_MANAGER", open_home(bot, "U_MANAGER"))
    assert len(pages) > 1
    seen = []
    for page in pages:
        assert len(page["blocks"]) <= 100
        seen += [person for person, _ in sections_of(page)]
    assert sorted(seen) == reports
    assert len(seen) == len(set(seen))
    overview = set(overview_rows(pages[0]))
    folded = re.search(r"and (\d+) more reports", texts(pages[0]))
    assert len(overview) + (int(folded.group(1)) if folded else 0) == 60


def test_a_private_point_shows_only_on_its_authors_home(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add private manager secret", user_id="U_MANAGER")
    command_reply(bot, "add private report secret", user_id="U_REPORT")
    command_reply(bot, "add shared topic", user_id="U_REPORT")
    manager, report = open_home(bot, "U_MANAGER"), open_home(bot, "U_REPORT")
    assert "manager secret" in texts(manager) and "report secret" not in texts(manager)
    assert "report secret" in texts(report) and "manager secret" not in texts(report)
    assert "shared topic" in texts(manager) and "shared topic" in texts(report)
    assert "private" in texts(manager)


def overview_line(view: Payload, person: str) -> str:
    (line,) = [
        line
        for b in view["blocks"]
        if b["type"] == "section"
        for line in b["text"]["text"].splitlines()
        if line.startswith(f"<@{person}>")
    ]
    return line


def test_the_overview_shows_how_regularly_the_1on1s_happen(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")  # week 1: held (its notes were saved)
    add_items(bot, notes_with(bot, "U_REPORT"), [("Write the RFC", "U_REPORT", "2026-12-08")])
    tick_at(bot, "2026-12-01 16:30")
    (week2,) = [m for m in db_all_meetings(bot) if m.starts_at.day == 8]
    bot.slack.view_submission(  # week 2: skipped
        {"callback_id": ids.SKIP_MODAL, "private_metadata": str(week2.id)},
        user_id="U_MANAGER",
    )
    command_reply(bot, "reschedule 2026-12-16 11:00", "U_MANAGER")  # week 3: moved, then held
    tick_at(bot, "2026-12-16 16:05")
    noted = {ids.NOTES_SHARED: {ids.VALUE: rich("ok")}}  # an empty save would not count
    add_items(bot, notes_with(bot, "U_REPORT"), [], extra=noted)
    tick_at(bot, "2026-12-16 17:30")
    line = overview_line(open_home(bot, "U_MANAGER"), "U_REPORT")
    assert "🟩⬜🟨▫️" in line, line
    assert "1 open action item" in line and "⚠️ 1 overdue" in line, line
    assert "in a row" not in line  # one held 1:1 since the skip


# --- republished after every change --------------------------------------------------------


def republished(bot: RunningBot, change: Any, people: tuple[str, ...] = PEOPLE) -> set[str]:
    """Who got a new Home tab after `change()` (and the settle that flushes the debounce)."""
    before = {p: publishes(bot, p) for p in ("U_MANAGER", "U_REPORT", "U_STRANGER")}
    change()
    bot.settle()
    return {p for p, n in before.items() if publishes(bot, p) > n}


def test_each_kind_of_change_republishes_both_homes(bot: RunningBot) -> None:
    schedule(bot)
    open_home(bot, "U_MANAGER")
    open_home(bot, "U_REPORT")

    assert republished(bot, lambda: command_reply(bot, "add roadmap", "U_REPORT")) == set(PEOPLE)
    assert "roadmap" in texts(bot.fake.home_view("U_MANAGER") or {})
    assert republished(bot, lambda: command_reply(bot, "add private mine", "U_REPORT")) == {
        "U_REPORT"
    }
    assert republished(bot, lambda: tick_at(bot, "2026-12-01 14:30")) == set(PEOPLE)

    def save_notes() -> None:
        tick_at(bot, "2026-12-01 15:05")
        view = notes_with(bot, "U_REPORT")
        notes = {ids.NOTES_SHARED: {ids.VALUE: rich("good talk")}}
        add_items(bot, view, [("Write the RFC", "U_REPORT", "2026-12-08")], extra=notes)

    assert republished(bot, save_notes) == set(PEOPLE)
    home = bot.fake.home_view("U_REPORT") or {}
    (done,) = elements(home["blocks"], ids.ITEM_DONE)
    assert "Write the RFC" in texts(home)

    assert republished(
        bot, lambda: click(bot, ids.ITEM_DONE, done["value"], "U_REPORT", view=home)
    ) == set(PEOPLE)
    assert "Write the RFC" not in texts(bot.fake.home_view("U_REPORT") or {})

    tick_at(bot, "2026-12-01 16:30")  # the next 1:1 (Dec 8) exists now
    (meeting,) = [m for m in db_all_meetings(bot) if m.starts_at.day == 8]

    def skip() -> None:
        bot.slack.view_submission(
            {
                "callback_id": ids.SKIP_MODAL,
                "private_metadata": str(meeting.id),
                "state": {"values": {}},
            },
            user_id="U_MANAGER",
        )

    assert republished(bot, skip) == set(PEOPLE)
    assert republished(
        bot,
        lambda: command_reply(bot, "reschedule 2026-12-16 17:00", "U_REPORT"),  # Berlin
    ) == set(PEOPLE)
    moved = f"<!date^{int(utc('2026-12-16 16:00').timestamp())}^"  # 11:00 in New York
    for person in PEOPLE:
        assert moved in texts(bot.fake.home_view(person) or {})


def test_a_paused_1on1_says_until_when(bot: RunningBot) -> None:
    schedule(bot)
    open_home(bot, "U_MANAGER")
    open_home(bot, "U_REPORT")
    assert republished(
        bot, lambda: command_reply(bot, "pause until 2026-12-20", "U_MANAGER")
    ) == set(PEOPLE)
    home = bot.fake.home_view("U_REPORT") or {}
    assert "Paused until Sun Dec 20" in texts(home)
    assert "paused until Sun Dec 20" in overview_line(open_home(bot, "U_MANAGER"), "U_REPORT")


def db_all_meetings(bot: RunningBot) -> list[Any]:
    return db_all(bot, Meeting)


# --- fast and quiet ------------------------------------------------------------------------


def test_a_burst_of_ticks_publishes_the_home_once_or_twice(bot: RunningBot) -> None:
    schedule(bot)
    open_home(bot, "U_MANAGER")
    for n in range(5):
        command_reply(bot, f"add topic {n}", "U_MANAGER")
    tick_at(bot, "2026-12-01 14:30")
    (agenda,) = [
        c for c in bot.fake.delivered("chat.postMessage") if "1:1 agenda" in c.args["text"]
    ]
    boxes = [
        b
        for b in agenda.args["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.TICK_POINT
    ]
    assert len(boxes) == 5
    before = publishes(bot, "U_MANAGER")
    for box in boxes:
        option = box["accessory"]["options"][0]
        bot.slack.block_actions(
            [
                {
                    "type": "checkboxes",
                    "action_id": ids.TICK_POINT,
                    "block_id": box["block_id"],
                    "selected_options": [option],
                }
            ],
            user_id="U_MANAGER",
            channel_id=agenda.response["channel"],
        )
        bot.executor.wait_idle()
    bot.settle()
    assert 1 <= publishes(bot, "U_MANAGER") - before <= 2
    home = bot.fake.home_view("U_MANAGER") or {}
    assert texts(home).count("✅") >= 5


def test_a_rate_limited_publish_is_retried_not_dropped(bot: RunningBot) -> None:
    schedule(bot)
    for person in PEOPLE:
        open_home(bot, person)
    bot.fake.fail("views.publish", status=429, retry_after=0, times=2)
    command_reply(bot, "add after the limit", "U_REPORT")
    bot.settle()
    calls = bot.fake.calls("views.publish")
    assert [c.status for c in calls if c.failed] == [429, 429]
    for person in PEOPLE:
        assert "after the limit" in texts(bot.fake.home_view(person) or {"blocks": []})


def test_a_home_tab_that_slack_could_not_take_is_published_on_the_next_flush(
    bot: RunningBot,
) -> None:
    """Past the client's own retries, the refresher keeps the publish pending (never drops it)."""
    schedule(bot)
    for person in PEOPLE:
        open_home(bot, person)
    bot.fake.fail("views.publish", error="internal_error", times=2)
    command_reply(bot, "add despite errors", "U_REPORT")
    assert [c.response for c in bot.fake.calls("views.publish")][-2:] == [
        {"ok": False, "error": "internal_error"}
    ] * 2
    bot.settle()
    for person in PEOPLE:
        assert "despite errors" in texts(bot.fake.home_view(person) or {"blocks": []})


# --- its buttons go through the same checks ------------------------------------------------


def test_home_buttons_open_the_pairs_modals(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    notes = {
        ids.NOTES_SHARED: {ids.VALUE: rich("shared outcome")},
        ids.NOTES_PRIVATE: {ids.VALUE: rich("manager only")},
    }
    add_items(bot, notes_with(bot, "U_REPORT"), [], extra=notes)
    tick_at(bot, "2026-12-01 16:30")
    home = open_home(bot, "U_REPORT")
    assert "Last 1:1" in texts(home)
    opened = {}
    for action_id in (ids.SHOW_SUMMARY, ids.PAIR_NOTES, ids.ADD_POINT, ids.SKIP):
        (button,) = elements(home["blocks"], action_id)
        before = len(bot.fake.delivered("views.open"))
        click(bot, action_id, button["value"], "U_REPORT", view=home)
        (call,) = bot.fake.delivered("views.open")[before:]
        opened[action_id] = call.args["view"]
    summary = opened[ids.SHOW_SUMMARY]
    assert summary["callback_id"] == ids.SUMMARY_MODAL
    assert "shared outcome" in dump(summary) and "manager only" not in dump(summary)
    assert opened[ids.PAIR_NOTES]["callback_id"] == ids.NOTES_MODAL
    assert "manager only" not in dump(opened[ids.PAIR_NOTES])
    assert opened[ids.ADD_POINT]["callback_id"] == ids.ADD_POINT_MODAL
    assert opened[ids.SKIP]["callback_id"] == ids.SKIP_MODAL


def test_home_buttons_naming_another_pair_are_refused(bot: RunningBot) -> None:
    schedule(bot)
    home = open_home(bot, "U_REPORT")
    stranger_home = open_home(bot, "U_STRANGER")
    buttons = [
        e
        for b in home["blocks"]
        for e in [b.get("accessory") or {}, *b.get("elements", [])]
        if e.get("action_id") in (ids.ADD_POINT, ids.PAIR_NOTES, ids.SKIP, ids.RESCHEDULE)
    ]
    assert len(buttons) == 4
    opened = len(bot.fake.calls("views.open"))
    for button in buttons:
        answer = click(bot, button["action_id"], button["value"], "U_STRANGER", view=stranger_home)
        assert REFUSED.search(answer.text), (button["action_id"], answer.text)
    assert len(bot.fake.calls("views.open")) == opened
    assert json.dumps(bot.fake.home_view("U_STRANGER")).count("Schedule a 1:1") == 1


def test_only_people_who_opened_the_home_tab_get_it_republished(bot: RunningBot) -> None:
    schedule(bot)
    open_home(bot, "U_REPORT")
    opened = publishes(bot, "U_REPORT")
    command_reply(bot, "add the roadmap", "U_MANAGER")  # on both people's Home tabs
    assert publishes(bot, "U_REPORT") == opened + 1
    assert publishes(bot, "U_MANAGER") == 0  # never opened it: nothing to keep up to date
    assert "the roadmap" in texts(open_home(bot, "U_MANAGER"))  # fresh on the first open
    command_reply(bot, "add the budget", "U_REPORT")
    assert publishes(bot, "U_MANAGER") == 2  # now it is kept up to date too
