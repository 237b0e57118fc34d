"""A series' settings and standing items through signed requests and the fake Slack: who may
change what (and the refusals), standing items across weeks and months, ticks per meeting,
the handover to another manager with its privacy, and every surface's Block Kit."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from blocks import ids
from store.models import DueWork, Meeting, MeetingStatus, Note, Pair, StandingItem, WorkKind
from tests.running_bot import RunningBot
from tests.test_blocks import texts
from tests.test_export_flow import export_files
from tests.test_follow_ups_flow import (
    agenda_posts,
    dm_posts,
    elements,
    posted,
    summary_posts,
    take_notes_during_week1,
    tick_at,
    utc,
)
from tests.test_notes_flow import opened_view, rich
from tests.test_notes_flow import submit as save_notes
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]

# --- driving the modal ----------------------------------------------------------------------


def open_settings(bot: RunningBot, user_id: str, text: str = "settings") -> Payload:
    """`/oneonone settings …`: the modal the bot opened."""
    before = len(bot.fake.calls("views.open"))
    bot.slack.command(text, user_id=user_id, response_url=bot.fake.response_url("settings"))
    bot.settle()
    assert len(bot.fake.calls("views.open")) == before + 1, bot.fake.responses("settings")
    return opened_view(bot)


def state(view: Payload, **typed: Any) -> Payload:
    """The state Slack sends: every input's initial value, then `typed` (block_id → value:
    a str for text and selects, a time "HH:MM", a user id for the users select, a list of
    option values for checkboxes)."""
    values: Payload = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        kind = element["type"]
        given = typed.get(block_id)
        if kind == "plain_text_input":
            value: Payload = {"value": given if given is not None else element.get("initial_value")}
        elif kind == "static_select":
            chosen = element.get("initial_option")
            if given is not None:
                offered = [o for o in element["options"] if o["value"] == given]
                chosen = offered[0] if offered else {"value": given}  # forged: not offered
            value = {"selected_option": chosen}
        elif kind == "timepicker":
            value = {"selected_time": given or element.get("initial_time")}
        elif kind == "users_select":
            value = {"selected_user": given or element.get("initial_user")}
        elif kind == "checkboxes":
            chosen_options = element.get("initial_options", [])
            if given is not None:
                chosen_options = [o for o in element["options"] if o["value"] in given]
            value = {"selected_options": chosen_options}
        else:
            continue
        values[block_id] = {element["action_id"]: {"type": kind, **value}}
    for block_id, given in typed.items():  # forged: inputs the form did not have
        if block_id not in values:
            values[block_id] = {ids.VALUE: forged(block_id, given)}
    return values


def forged(block_id: str, given: Any) -> Payload:
    if block_id == ids.SETTINGS_TIME:
        return {"type": "timepicker", "selected_time": given}
    if block_id == ids.SETTINGS_HAND_TO:
        return {"type": "users_select", "selected_user": given}
    if block_id.startswith(ids.STANDING_TEXT):
        return {"type": "plain_text_input", "value": given}
    return {"type": "static_select", "selected_option": {"value": given}}


def submit(bot: RunningBot, view: Payload, user_id: str, **typed: Any) -> Payload | None:
    """Submit the modal with these values; returns the bot's answer (errors) or None."""
    sent = {**view, "state": {"values": state(view, **typed)}}
    reply = bot.slack.view_submission(sent, user_id=user_id)
    assert reply.status == 200
    bot.settle()
    return reply.json()


def row_click(bot: RunningBot, view: Payload, action_id: str, value: str, user_id: str) -> Payload:
    """A button of the modal's standing item rows; returns the updated modal."""
    sent = {**view, "state": {"values": state(view)}}
    bot.slack.block_actions(
        [{"type": "button", "action_id": action_id, "value": value}], user_id=user_id, view=sent
    )
    bot.settle()
    return opened_view(bot)


def add_standing(
    bot: RunningBot, view: Payload, user_id: str, items: list[tuple[str, str]]
) -> Payload:
    """Add rows and submit them as (text, cadence)."""
    first_new = len(json.loads(view["private_metadata"])["rows"])
    for _item in items:
        view = row_click(bot, view, ids.STANDING_ADD, "add", user_id)
    keys = json.loads(view["private_metadata"])["rows"][first_new:]
    typed: Payload = {}
    for key, (text, cadence) in zip(keys, items, strict=True):
        typed[f"{ids.STANDING_TEXT}:{key}"] = text
        typed[f"{ids.STANDING_CADENCE}:{key}"] = cadence
    assert submit(bot, view, user_id, **typed) is None
    return view


def pair_row(bot: RunningBot) -> Pair:
    with bot.db() as session:
        return session.exec(select(Pair)).one()


def latest_agenda(bot: RunningBot) -> Payload:
    return posted(agenda_posts(bot)[-1])


def standing_on(agenda: Payload) -> dict[str, bool]:
    """The standing items on an agenda message: text → ticked."""
    found = {}
    for block in agenda["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == ids.STANDING_TICK:
            found[block["text"]["text"].removeprefix("📌 ")] = bool(
                accessory.get("initial_options")
            )
    return found


def tick_standing(bot: RunningBot, agenda: Payload, text: str, user_id: str) -> None:
    (block,) = [b for b in agenda["blocks"] if b.get("text", {}).get("text") == f"📌 {text}"]
    option = block["accessory"]["options"][0]
    bot.slack.block_actions(
        [
            {
                "type": "checkboxes",
                "action_id": ids.STANDING_TICK,
                "block_id": block["block_id"],
                "selected_options": [option],
            }
        ],
        user_id=user_id,
        message=agenda,
        response_url=bot.fake.response_url("tick"),
    )
    bot.settle()


def last_dm(bot: RunningBot, user_id: str) -> str:
    return texts(dm_posts(bot, user_id)[-1].args["blocks"])


# --- standing items across meetings ---------------------------------------------------------


def test_standing_items_every_1_1_every_2nd_and_monthly_across_weeks(bot: RunningBot) -> None:
    schedule(bot)  # Tuesdays 10:00 New York: Dec 1, 8, 15, 22, 29, Jan 5
    view = open_settings(bot, "U_REPORT")
    items = [("Wellbeing", "every"), ("Roadmap", "every_2nd"), ("Career", "monthly")]
    add_standing(bot, view, "U_REPORT", items)
    every2, monthly = "Roadmap — _every 2nd 1:1_", "Career — _monthly_"

    tick_at(bot, "2026-12-01 14:30")
    first = latest_agenda(bot)
    assert standing_on(first) == {"Wellbeing": False, every2: False, monthly: False}
    tick_standing(bot, first, "Wellbeing", "U_MANAGER")
    updated = bot.fake.message(first["channel"], first["ts"])
    assert standing_on(updated)["Wellbeing"] is True  # ticked in this meeting

    tick_at(bot, "2026-12-08 14:30")
    assert standing_on(latest_agenda(bot)) == {"Wellbeing": False}  # a new meeting: unticked

    tick_at(bot, "2026-12-10 12:00")
    bot.slack.command("skip", user_id="U_MANAGER")  # Dec 15 is skipped: it does not count
    bot.settle()
    assert submit(bot, opened_view(bot), "U_MANAGER") is None
    tick_at(bot, "2026-12-22 14:30")
    assert standing_on(latest_agenda(bot)) == {"Wellbeing": False, every2: False}
    tick_at(bot, "2026-12-29 14:30")
    assert standing_on(latest_agenda(bot)) == {"Wellbeing": False}
    tick_at(bot, "2027-01-05 14:30")  # the first 1:1 of January
    assert standing_on(latest_agenda(bot)) == {"Wellbeing": False, every2: False, monthly: False}
    assert "Carried over" not in texts(latest_agenda(bot)["blocks"])


def test_standing_items_of_a_monthly_series_and_edits_by_both(bot: RunningBot) -> None:
    reply = bot.slack.command("schedule <@U_REPORT|rita> tuesday 10:00 monthly 30m")
    assert reply.status == 200
    bot.settle()  # the first Tuesday of each month: Dec 1, Jan 5, Feb 2
    view = open_settings(bot, "U_MANAGER")
    add_standing(bot, view, "U_MANAGER", [("Career", "monthly"), ("Feedback", "every_2nd")])
    tick_at(bot, "2026-12-01 14:30")
    assert standing_on(latest_agenda(bot)) == {
        "Career — _monthly_": False,
        "Feedback — _every 2nd 1:1_": False,
    }
    # The report renames one, moves it up and removes the other.
    view = open_settings(bot, "U_REPORT")
    keys = json.loads(view["private_metadata"])["rows"]
    view = row_click(bot, view, ids.STANDING_UP, keys[1], "U_REPORT")
    assert json.loads(view["private_metadata"])["rows"] == [keys[1], keys[0]]
    view = row_click(bot, view, ids.STANDING_REMOVE, keys[0], "U_REPORT")
    renamed = {f"{ids.STANDING_TEXT}:{keys[1]}": "Feedback, both ways"}
    assert submit(bot, view, "U_REPORT", **renamed) is None
    tick_at(bot, "2027-01-05 14:30")  # the 2nd meeting from Dec 1: no "every 2nd" item
    assert standing_on(latest_agenda(bot)) == {}
    tick_at(bot, "2027-02-02 14:30")
    assert standing_on(latest_agenda(bot)) == {"Feedback, both ways — _every 2nd 1:1_": False}
    with bot.db() as session:
        removed = session.exec(select(StandingItem).where(StandingItem.text == "Career")).one()
    assert removed.removed_at is not None


def test_at_most_ten_standing_items_and_errors_next_to_their_row(bot: RunningBot) -> None:
    schedule(bot)
    view = open_settings(bot, "U_MANAGER")
    add_standing(bot, view, "U_MANAGER", [(f"Item {n}", "every") for n in range(1, 11)])
    view = open_settings(bot, "U_MANAGER")
    assert not elements(view["blocks"], ids.STANDING_ADD)
    assert "That's the most a 1:1 can have: 10 standing items." in texts(view["blocks"])
    forged_row = {f"{ids.STANDING_TEXT}:n1": "Eleventh", f"{ids.STANDING_CADENCE}:n1": "every"}
    meta = json.loads(view["private_metadata"])
    meta["rows"].append("n1")
    answer = submit(bot, {**view, "private_metadata": json.dumps(meta)}, "U_MANAGER", **forged_row)
    assert answer == {
        "response_action": "errors",
        "errors": {
            f"{ids.STANDING_TEXT}:n1": "A 1:1 can have at most 10 standing items: remove one first."
        },
    }
    first = meta["rows"][0]
    answer = submit(bot, view, "U_MANAGER", **{f"{ids.STANDING_TEXT}:{first}": "x" * 201})
    assert answer is not None
    assert answer["errors"] == {
        f"{ids.STANDING_TEXT}:{first}": "A standing item can be at most 200 characters long."
    }


# --- who may change what ----------------------------------------------------------------------


def test_the_report_changes_check_ins_and_language_but_not_the_time(bot: RunningBot) -> None:
    schedule(bot)
    view = open_settings(bot, "U_REPORT")
    shown = texts(view["blocks"])
    assert "<@U_MANAGER> sets the time and the lead times." in shown
    # on the report's own clock (Berlin), as every other surface shows it
    assert "*When:* Tuesdays 16:00 your time (Tuesdays 10:00 in New York), 30 minutes" in shown
    assert not [b for b in view["blocks"] if b.get("block_id") == ids.SETTINGS_TIME]
    assert not [b for b in view["blocks"] if b.get("block_id") == ids.SETTINGS_HAND_TO]
    assert len(view["title"]["text"]) <= 24
    answer = submit(
        bot, view, "U_REPORT", **{ids.SETTINGS_CHECKINS: [], ids.SETTINGS_LANGUAGE: "de"}
    )
    assert answer is None
    pair = pair_row(bot)
    assert (pair.checkins_report, pair.checkins_manager, pair.group_language) == (
        False,
        False,
        "de",
    )
    assert "Saved the settings of your 1:1s with <@U_MANAGER>" in last_dm(bot, "U_REPORT")
    # A forged submission with the time in it changes nothing, and says why.
    view = open_settings(bot, "U_REPORT")
    assert submit(bot, view, "U_REPORT", **{ids.SETTINGS_TIME: "07:00"}) is None
    assert pair_row(bot).local_time.isoformat() == "10:00:00"
    assert "Only <@U_MANAGER> changes the time" in last_dm(bot, "U_REPORT")
    assert submit(bot, view, "U_REPORT", **{ids.SETTINGS_HAND_TO: "U_REPORT2"}) is None
    assert pair_row(bot).manager_id == "U_MANAGER"


def test_the_manager_moves_the_series_and_the_report_is_told(bot: RunningBot) -> None:
    schedule(bot)  # Tue Dec 1 10:00 New York is the next
    view = open_settings(bot, "U_MANAGER")
    before = len(dm_posts(bot, "U_REPORT"))
    answer = submit(
        bot,
        view,
        "U_MANAGER",
        **{ids.SETTINGS_WEEKDAY: "2", ids.SETTINGS_TIME: "11:30", ids.SETTINGS_PROMPT_LEAD: "240"},
    )
    assert answer is None
    with bot.db() as session:
        (meeting,) = session.exec(select(Meeting)).all()
        prompts = session.exec(select(DueWork).where(DueWork.kind == WorkKind.PROMPT)).all()
    assert meeting.starts_at == utc("2026-12-02 16:30")  # Wednesday 11:30 New York
    assert meeting.slot_at == meeting.starts_at
    assert {p.user_id: p.next_attempt_at for p in prompts if p.done_at is None} == {
        "U_REPORT": utc("2026-12-02 12:30"),  # 4 hours before
        "U_MANAGER": utc("2026-12-01 23:00"),  # 07:30 in New York: 18:00 the day before
    }
    told = dm_posts(bot, "U_REPORT")[before:]
    assert len(told) == 1
    text = texts(told[0].args["blocks"])
    assert (
        "<@U_MANAGER> moved your 1:1s to Wednesdays 17:30 your time (Wednesdays 11:30 in "
        "New York), 30 minutes each." in text  # on the report's clock (Berlin)
    )
    assert f"<!date^{int(utc('2026-12-02 16:30').timestamp())}^" in text
    # Leads only: the report is not told again.
    view = open_settings(bot, "U_MANAGER")
    assert submit(bot, view, "U_MANAGER", **{ids.SETTINGS_AGENDA_LEAD: "60"}) is None
    assert len(dm_posts(bot, "U_REPORT")) == before + 1
    tick_at(bot, "2026-12-02 15:30")  # the agenda, an hour before
    assert agenda_posts(bot)


def test_bad_values_are_shown_next_to_their_field(bot: RunningBot) -> None:
    schedule(bot)
    view = open_settings(bot, "U_MANAGER")
    answer = submit(bot, view, "U_MANAGER", **{ids.SETTINGS_DURATION: "999"})
    assert answer is not None and answer["response_action"] == "errors"
    assert list(answer["errors"]) == [ids.SETTINGS_DURATION]


def test_a_third_person_and_forged_ids_are_refused(bot: RunningBot) -> None:
    schedule(bot)
    reply = command_reply(bot, "settings <@U_REPORT|rita>", user_id="U_STRANGER")
    assert "You don't have a 1:1 with <@U_REPORT>" in reply
    view = open_settings(bot, "U_MANAGER")
    before = pair_row(bot)
    for metadata in (
        view["private_metadata"],
        json.dumps({"pair": 99999, "rows": [], "shown": {}, "order": []}),
        "garbage",
    ):
        forged_view = {**view, "private_metadata": metadata}
        user = "U_STRANGER" if metadata == view["private_metadata"] else "U_MANAGER"
        assert submit(bot, forged_view, user, **{ids.SETTINGS_TIME: "06:00"}) is None
        assert "isn't one of yours" in last_dm(bot, user)
    assert pair_row(bot).local_time == before.local_time
    sent = {**view, "state": {"values": state(view)}}
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.STANDING_ADD, "value": "add"}],
        user_id="U_STRANGER",
        view=sent,
    )
    bot.settle()
    assert "isn't one of yours" in last_dm(bot, "U_STRANGER")


# --- handover -----------------------------------------------------------------------------------


def hand_to(person: str) -> Payload:
    """The handover's fields: the new manager, and the box that confirms it ticked."""
    return {ids.SETTINGS_HAND_TO: person, ids.SETTINGS_HAND_CONFIRM: ["yes"]}


HAND_TO_BOSS = hand_to("U_BOSS")


def test_a_handover_needs_its_box_ticked(bot: RunningBot) -> None:
    schedule(bot)
    view = open_settings(bot, "U_MANAGER")
    blocks = view["blocks"]
    at = next(i for i, b in enumerate(blocks) if b.get("block_id") == ids.SETTINGS_HAND_TO)
    assert blocks[at - 2]["type"] == "divider"  # below the standing items, on its own
    assert blocks[at - 1] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Hand these 1:1s over", "emoji": True},
    }
    box = blocks[at + 1]
    assert texts([box]) == "When you choose a new manager\nYes, hand these 1:1s over to this person"
    answer = submit(bot, view, "U_MANAGER", **{ids.SETTINGS_HAND_TO: "U_BOSS"})
    assert answer == {
        "response_action": "errors",
        "errors": {
            ids.SETTINGS_HAND_CONFIRM: "Tick this box to hand the 1:1s over, or clear the new "
            "manager."
        },
    }
    assert pair_row(bot).manager_id == "U_MANAGER"
    assert not dm_posts(bot, "U_BOSS")  # nobody was told anything
    ticked_alone = {ids.SETTINGS_HAND_CONFIRM: ["yes"]}  # no new manager: nothing to hand over
    assert submit(bot, view, "U_MANAGER", **ticked_alone) is None
    assert pair_row(bot).manager_id == "U_MANAGER"
    assert submit(bot, view, "U_MANAGER", **HAND_TO_BOSS) is None
    assert pair_row(bot).manager_id == "U_BOSS"


def test_the_handover_keeps_the_history_and_every_private_thing_private(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "add shared roadmap", user_id="U_MANAGER")
    command_reply(bot, "add private manager's own worry", user_id="U_MANAGER")
    command_reply(bot, "add private report's own worry", user_id="U_REPORT")
    view = open_settings(bot, "U_MANAGER")
    assert submit(bot, view, "U_MANAGER", **HAND_TO_BOSS) is None
    pair = pair_row(bot)
    assert (pair.manager_id, pair.channel_id) == ("U_BOSS", None)
    assert "You handed your 1:1s with <@U_REPORT> to <@U_BOSS>" in last_dm(bot, "U_MANAGER")
    assert "Your open action items in them go to <@U_BOSS>." in last_dm(bot, "U_MANAGER")
    assert "<@U_MANAGER> handed you their 1:1s with <@U_REPORT>" in last_dm(bot, "U_BOSS")
    assert "handed your 1:1s to <@U_BOSS>" in last_dm(bot, "U_REPORT")

    agenda = command_reply(bot, "agenda", user_id="U_BOSS")
    assert "shared roadmap" in agenda
    assert "worry" not in agenda
    _, markdown, _ = export_files(bot, "U_BOSS")
    assert "shared roadmap" in markdown and "worry" not in markdown
    refused = command_reply(bot, "agenda <@U_REPORT|rita>", user_id="U_MANAGER")
    assert "You don't have a 1:1 with <@U_REPORT>" in refused

    tick_at(bot, "2026-12-01 14:30")  # the agenda goes to a new group DM, with the new manager
    groups = [str(c.args["users"]) for c in bot.fake.calls("conversations.open")]
    (opened,) = [users for users in groups if "U_BOSS" in users and "," in users]
    assert set(opened.split(",")) == {"U_BOSS", "U_REPORT"}
    shared = texts(latest_agenda(bot)["blocks"])
    assert "shared roadmap" in shared and "worry" not in shared
    with bot.db() as session:
        prompts = session.exec(select(DueWork).where(DueWork.kind == WorkKind.PROMPT)).all()
    assert {p.user_id for p in prompts if p.outcome != "cancelled"} == {"U_BOSS", "U_REPORT"}


def test_a_summary_from_before_a_handover_is_left_as_it_was(bot: RunningBot) -> None:
    """Its group DM holds the former manager, who may not see what is added since."""
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_REPORT")
    tick_at(bot, "2026-12-01 14:30")  # the agenda, in the group DM with the manager
    take_notes_during_week1(bot, [("Send the plan", "U_REPORT", None)])
    (old_agenda,) = agenda_posts(bot)
    (summary,) = summary_posts(bot)
    old_channel, old_ts = summary.response["channel"], summary.response["ts"]
    (take_notes,) = elements(summary.args["blocks"], ids.TAKE_NOTES)
    assert submit(bot, open_settings(bot, "U_MANAGER"), "U_MANAGER", **HAND_TO_BOSS) is None
    tick_at(bot, "2026-12-08 14:30")  # the next agenda: a new group DM, with the new manager
    assert pair_row(bot).channel_id not in (None, old_channel)

    before = len(bot.fake.calls("chat.update"))
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.TAKE_NOTES, "value": take_notes["value"]}],
        user_id="U_REPORT",
    )
    bot.settle()
    view = opened_view(bot)
    (point_id,) = json.loads(view["private_metadata"])["points"]
    values = {
        ids.NOTES_SHARED: {ids.VALUE: rich("Added after the handover")},
        f"{ids.NOTES_POINTS}:0": {
            ids.VALUE: {"type": "checkboxes", "selected_options": [{"value": str(point_id)}]}
        },
    }
    assert save_notes(bot, view, values, user_id="U_REPORT").status == 200
    updated = [c.args["ts"] for c in bot.fake.calls("chat.update")[before:]]
    assert old_ts not in updated  # neither in the old group DM nor, wrongly, in the new one
    assert old_agenda.response["ts"] not in updated  # its agenda (the point ticked) neither
    assert "Added after the handover" not in json.dumps(bot.fake.message(old_channel, old_ts))
    with bot.db.read() as session:
        assert "Added after the handover" in {n.text for n in session.exec(select(Note)).all()}


def test_handing_over_to_the_report_a_bot_or_someone_paired_is_refused(bot: RunningBot) -> None:
    schedule(bot)
    bot.fake.add_user("U_ROBOT", is_bot=True)
    assert (
        bot.slack.command("schedule <@U_REPORT2|sam> friday 09:00", user_id="U_REPORT").status
        == 200
    )
    bot.settle()
    view = open_settings(bot, "U_MANAGER", "settings <@U_REPORT|rita>")
    for person, says in (
        ("U_REPORT", "<@U_REPORT> can't manage their own 1:1s."),
        ("U_ROBOT", "<@U_ROBOT> is a bot"),
        ("U_REPORT2", "<@U_REPORT2> already has 1:1s with <@U_REPORT>."),
    ):
        answer = submit(bot, view, "U_MANAGER", **hand_to(person))
        assert answer is not None, person
        assert list(answer["errors"]) == [ids.SETTINGS_HAND_TO]
        assert says in answer["errors"][ids.SETTINGS_HAND_TO]
    with bot.db() as session:
        managers = {p.manager_id for p in session.exec(select(Pair)).all()}
    assert managers == {"U_MANAGER", "U_REPORT"}


# --- the entry points ---------------------------------------------------------------------------


def test_the_home_tab_opens_the_settings_of_each_1_1(bot: RunningBot) -> None:
    from tests.test_home_flow import open_home

    schedule(bot)
    home = open_home(bot, "U_REPORT")
    (settings,) = elements(home["blocks"], ids.SETTINGS_OPEN)
    assert settings["text"]["text"] == "Settings"
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.SETTINGS_OPEN, "value": settings["value"]}],
        user_id="U_REPORT",
        view=home,
    )
    bot.settle()
    view = opened_view(bot)
    assert view["callback_id"] == ids.SETTINGS_MODAL
    assert texts(view["blocks"][:1]) == "Settings of your 1:1s with <@U_MANAGER>"
    bot.slack.block_actions(
        [{"type": "button", "action_id": ids.SETTINGS_OPEN, "value": settings["value"]}],
        user_id="U_STRANGER",
        view=home,
    )
    bot.settle()
    assert "isn't one of yours" in last_dm(bot, "U_STRANGER")


def test_settings_needs_at_most_one_person(bot: RunningBot) -> None:
    schedule(bot)
    reply = command_reply(bot, "settings <@U_REPORT|rita> now please")
    assert "I couldn't read `now please`" in reply
    assert "Try `/oneonone settings @dana`" in reply


def test_standing_items_are_exported_and_deleted_with_the_history(bot: RunningBot) -> None:
    schedule(bot)
    add_standing(bot, open_settings(bot, "U_MANAGER"), "U_MANAGER", [("Career", "monthly")])
    tick_at(bot, "2026-12-01 14:30")
    tick_standing(bot, latest_agenda(bot), "Career — _monthly_", "U_REPORT")
    _, markdown, _ = export_files(bot, "U_REPORT")
    assert "**Standing items**\n- Career (the first 1:1 of each month)" in markdown
    assert "**Standing items discussed**\n- [x] Career" in markdown
    with bot.db() as session:
        meeting = session.exec(select(Meeting)).first()
        assert meeting is not None and meeting.status == MeetingStatus.SCHEDULED


# --- the same on PostgreSQL ---------------------------------------------------------------------


def test_on_each_database_standing_items_a_new_time_and_a_handover(db_bot: RunningBot) -> None:
    bot = db_bot
    schedule(bot)
    add_standing(bot, open_settings(bot, "U_MANAGER"), "U_MANAGER", [("Career", "every_2nd")])
    view = open_settings(bot, "U_MANAGER")
    time_and_manager = {ids.SETTINGS_TIME: "09:00", **HAND_TO_BOSS}
    assert submit(bot, view, "U_MANAGER", **time_and_manager) is None
    pair = pair_row(bot)
    assert (pair.manager_id, pair.local_time.isoformat()) == ("U_BOSS", "09:00:00")
    tick_at(bot, "2026-12-01 13:30")
    agenda = latest_agenda(bot)
    assert standing_on(agenda) == {"Career — _every 2nd 1:1_": False}
    tick_standing(bot, agenda, "Career — _every 2nd 1:1_", "U_BOSS")
    tick_standing(bot, agenda, "Career — _every 2nd 1:1_", "U_REPORT")  # ticked already: stays
    assert standing_on(bot.fake.message(agenda["channel"], agenda["ts"])) == {
        "Career — _every 2nd 1:1_": True
    }
