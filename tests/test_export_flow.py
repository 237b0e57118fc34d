"""`/oneonone export` and the Home tab's "Export my data" through signed requests and the fake
Slack: what each person's files hold (read back from the bytes the fake received), what they
never hold, and the refusals."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from blocks import ids
from blocks.export import PRIVATE
from store.access import Actor
from store.files import list_uploaded_files
from tests.fake_slack import FakeFile
from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import tick_at
from tests.test_home_flow import open_home
from tests.test_notes_flow import item_values, open_notes, rich, submit
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
TEAM = "T0001"
FIRST = datetime(2026, 12, 1, 15, 5, tzinfo=UTC)  # during the first 1:1


def add(bot: RunningBot, text: str, user_id: str) -> None:
    assert "Added" in command_reply(bot, text, user_id=user_id)


def history(bot: RunningBot) -> None:
    """U_MANAGER ↔ U_REPORT: shared and private points of both, notes of both, two items;
    and a pair of U_BOSS ↔ U_REPORT2 that neither of them is in."""
    bot.fake.add_user("U_REPORT", tz="Europe/Berlin", real_name="Rita *R* <Ray>")
    schedule(bot)
    assert "is scheduled" in command_reply(bot, "schedule <@U_REPORT2|x> thursday 9:00", "U_BOSS")
    add(bot, "add <@U_REPORT|r> Roadmap <https://x.example/a_b|see>", "U_MANAGER")
    add(bot, "add private <@U_REPORT|r> Manager worry about Q3", "U_MANAGER")
    add(bot, "add # Promotion case", "U_REPORT")
    add(bot, "add private Report secret plan", "U_REPORT")
    add(bot, "add Boss pair topic", "U_BOSS")
    add(bot, "add private Boss secret", "U_BOSS")
    tick_at(bot, "2026-12-01 15:05")  # the 1:1 is on
    view = open_notes(bot, "U_REPORT")
    private = {ids.NOTES_PRIVATE: {ids.VALUE: rich("Report private note")}}
    assert submit(bot, view, private, user_id="U_REPORT").status == 200
    view = open_notes(bot, "U_MANAGER")
    values = {
        ids.NOTES_SHARED: {ids.VALUE: rich("We agreed\n- ship it\n=1+1")},
        ids.NOTES_PRIVATE: {ids.VALUE: rich("Manager private note")},
        **item_values("n1", '=HYPERLINK("http://evil")', "U_REPORT", "2026-12-08"),
    }
    assert submit(bot, view, values).status == 200


def export_files(bot: RunningBot, user_id: str, text: str = "export") -> tuple[str, str, str]:
    """Run `/oneonone export …` as the person; (what they were told, Markdown, CSV)."""
    before = len(bot.fake.files())
    told = command_reply(bot, text, user_id=user_id)
    new = bot.fake.files()[before:]
    return told, *contents(bot, new)


def contents(bot: RunningBot, new: list[FakeFile]) -> tuple[str, str]:
    markdown = "".join(bot.fake.file_text(f.file_id) for f in new if f.filename.endswith(".md"))
    table = "".join(bot.fake.file_text(f.file_id) for f in new if f.filename.endswith(".csv"))
    return markdown, table


def rows(table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(table)))


def test_each_person_gets_their_own_private_content_marked_and_never_the_others(
    bot: RunningBot,
) -> None:
    history(bot)
    told, manager_md, manager_csv = export_files(bot, "U_MANAGER")
    assert "Preparing your export" in told
    _, report_md, report_csv = export_files(bot, "U_REPORT")

    for markdown in (manager_md, report_md):
        assert "Roadmap" in markdown and "Promotion case" in markdown
        assert "We agreed" in markdown
        assert "Boss" not in markdown  # a third person's pair
    assert re.search(rf"{PRIVATE} · Manager worry about Q3", manager_md)
    assert "Manager private note" in manager_md and "Manager worry" not in report_md
    assert "Manager private note" not in report_md
    assert re.search(rf"{PRIVATE} · Report secret plan", report_md)
    assert "Report private note" in report_md and "Report secret" not in manager_md
    assert "Report private note" not in manager_md
    # User text is escaped for Markdown: no heading, no list, no HTML, links kept as links.
    assert "\\# Promotion case" in manager_md
    assert "Rita \\*R\\* \\<Ray\\>" in manager_md
    assert "> \\- ship it" in manager_md
    assert "[see](<https://x.example/a_b>)" in manager_md

    for table in (manager_csv, report_csv):
        (item,) = rows(table)
        assert item["action item"] == '\'=HYPERLINK("http://evil")'  # never a formula
        assert (item["owner"], item["due date"], item["status"]) == (
            "Rita *R* <Ray>",
            "2026-12-08",
            "open",
        )
    assert rows(report_csv)[0]["1:1 with"] == "U_MANAGER"


def test_the_files_arrive_in_the_dm_and_are_recorded_for_deletion(bot: RunningBot) -> None:
    history(bot)
    export_files(bot, "U_REPORT")
    dm = bot.fake.dm_id("U_REPORT")
    shared = [f for f in bot.fake.files(dm) if not f.filename.endswith(".ics")]  # calendars
    assert sorted(f.filename.rsplit(".", 1)[1] for f in shared) == ["csv", "md"]
    (message,) = [m for m in bot.fake.messages(dm) if m.get("files") and "export" in m["text"]]
    assert "your oneonone export" in message["text"]
    with bot.db.read() as session:
        recorded = [
            f for f in list_uploaded_files(session, Actor(TEAM, "U_REPORT")) if f.kind == "export"
        ]
    assert sorted(r.file_id for r in recorded) == sorted(f.file_id for f in shared)
    assert {r.channel_id for r in recorded} == {bot.fake.dm_id("U_REPORT")}


def test_export_of_one_person_holds_only_that_1_1(bot: RunningBot) -> None:
    history(bot)
    assert "is scheduled" in command_reply(bot, "schedule <@U_REPORT2|x> friday 9:00", "U_MANAGER")
    add(bot, "add <@U_REPORT2|x> Second report topic", "U_MANAGER")
    _, everything, _ = export_files(bot, "U_MANAGER")
    assert "Second report topic" in everything and "Roadmap" in everything
    _, only, table = export_files(bot, "U_MANAGER", "export <@U_REPORT|r>")
    assert "Roadmap" in only and "Second report topic" not in only
    assert len(rows(table)) == 1


def test_a_stranger_naming_someone_is_refused_and_gets_no_file(bot: RunningBot) -> None:
    history(bot)
    told, markdown, table = export_files(bot, "U_STRANGER", "export <@U_REPORT|r>")
    assert "don't have a 1:1 with" in told and "Preparing" not in told
    assert (markdown, table) == ("", "")
    told, markdown, _ = export_files(bot, "U_STRANGER")
    assert "nothing to export" in told and markdown == ""


def test_missing_scope_is_explained_not_a_stack_trace(bot: RunningBot) -> None:
    history(bot)
    bot.fake.scopes.discard("files:write")
    told, markdown, _ = export_files(bot, "U_MANAGER")
    assert "reinstalled" in told and "files:write" in told
    assert "went wrong" not in told and markdown == ""
    with bot.db.read() as session:
        files = list_uploaded_files(session, Actor(TEAM, "U_MANAGER"))
    assert [f.kind for f in files] == ["calendar"]  # the series' .ics, sent before


def test_the_home_buttons_export_all_or_one_1_1(bot: RunningBot) -> None:
    history(bot)
    home = open_home(bot, "U_REPORT")
    buttons = [
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.EXPORT
    ]
    assert sorted(b.get("value", "") for b in buttons) == ["", "1"]
    for value in ("", "1"):
        before = len(bot.fake.files())
        bot.slack.block_actions(
            [{"type": "button", "action_id": ids.EXPORT, "value": value}],
            user_id="U_REPORT",
            view=home,
        )
        bot.settle()
        markdown, _ = contents(bot, bot.fake.files()[before:])
        assert "Report secret plan" in markdown and "Manager worry" not in markdown
    told = [c.args for c in bot.fake.delivered("chat.postEphemeral")]
    assert any("Preparing your export" in str(a) for a in told)


def test_a_forged_home_button_naming_another_pair_is_refused(bot: RunningBot) -> None:
    history(bot)  # pair 2 is U_BOSS ↔ U_REPORT2
    before = len(bot.fake.files())
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.EXPORT, "value": "2"}],
        user_id="U_REPORT",
        view={"type": "home", "blocks": []},
    )
    bot.settle()
    assert bot.fake.files()[before:] == []
    refusals = [c.args for c in bot.fake.delivered("chat.postMessage")]
    assert "isn't one of yours" in str(refusals[-1])


def test_a_large_history_is_split_into_files_within_the_limit(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(bot)
    for week in range(2, 8):  # six more meetings with notes
        tick_at(bot, f"{FIRST + timedelta(weeks=week - 1):%Y-%m-%d %H:%M}")
        view = open_notes(bot, "U_MANAGER")
        notes = {ids.NOTES_SHARED: {ids.VALUE: rich(f"Week {week} " + "x" * 600)}}
        assert submit(bot, view, notes).status == 200
    limit = 1500
    monkeypatch.setattr("blocks.export.FILE_BYTES_MAX", limit)
    before = len(bot.fake.files())
    command_reply(bot, "export", user_id="U_MANAGER")
    new = bot.fake.files()[before:]
    parts = [f for f in new if f.filename.endswith(".md")]
    assert len(parts) > 2
    assert all(f.length <= limit for f in parts)
    assert all(f.filename.endswith(f"-part{n}.md") for n, f in enumerate(parts[1:], 2))
    markdown, _ = contents(bot, new)
    assert all(f"Week {w} " in markdown for w in range(2, 8))
    assert "(continued)" in markdown
