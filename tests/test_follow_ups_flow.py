"""After the meeting, through signed requests and the fake Slack: the summary nudge, due-date
reminders, follow-ups on the next agenda, carry-over, `/oneonone actions` and `history`, and
every action of the follow-ups refused to people outside the pair."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from blocks import ids
from store.models import ActionItem, HuddleFollowUp, Meeting, Note, TalkingPoint
from tests.running_bot import RunningBot
from tests.test_notes_flow import group_posts, item_values, open_notes, rich, submit
from tests.test_weekly_loop import command_reply, schedule

Payload = dict[str, Any]
REFUSED = re.compile(r"isn't one of|only drop your own|doesn't belong|don't have a 1:1")

# The first 1:1 of `schedule(bot)`: Tuesday 10:00 New York, 30 minutes.
WEEK1 = "2026-12-01 15:00"

# --- shared helpers (the huddle and Home scenarios use them too) ---------------------------


def dump(value: Any) -> str:
    """JSON text of a payload, emoji and bullets as they are."""
    return json.dumps(value, ensure_ascii=False)


def utc(when: str) -> datetime:
    """ "2026-12-01 15:00" as an aware UTC datetime."""
    return datetime.fromisoformat(when).replace(tzinfo=UTC)


def move_to(bot: RunningBot, when: str) -> None:
    """Set the bot's clock (forward only) to a UTC time."""
    target = utc(when)
    assert target >= bot.clock.now, f"the clock only moves forward: {when}"
    bot.clock.now = target


def tick_at(bot: RunningBot, when: str) -> dict[str, int]:
    """Run due work at `when` (UTC) and let the listeners and Home tabs settle."""
    move_to(bot, when)
    counts = bot.tick().counts
    bot.settle()
    return counts


def elements(blocks: list[Payload], action_id: str) -> list[Payload]:
    """Every interactive element with this action_id (accessories and actions blocks)."""
    found = []
    for block in blocks:
        candidates = [block.get("accessory") or {}, *(block.get("elements") or [])]
        found += [e for e in candidates if isinstance(e, dict) and e.get("action_id") == action_id]
    return found


@dataclass
class Clicked:
    """What the bot answered one click with: posts to its response_url, DMs to the clicker."""

    responses: list[Payload]
    dms: list[Payload]

    @property
    def text(self) -> str:
        return dump(self.responses) + dump(self.dms)


def click(
    bot: RunningBot,
    action_id: str,
    value: str,
    user_id: str,
    *,
    message: Payload | None = None,
    view: Payload | None = None,
    channel_id: str | None = None,
) -> Clicked:
    """Click a button in a message (with a response_url) or a view (Home tab or modal: no
    response_url, as Slack sends it) and wait for the bot's answer."""
    name = f"click-{uuid.uuid4().hex[:8]}"
    before = len(dm_posts(bot, user_id))
    bot.slack.block_actions(
        [{"type": "button", "action_id": action_id, "value": value}],
        user_id=user_id,
        message=message,
        view=view,
        channel_id=channel_id,
        response_url=bot.fake.response_url(name) if message is not None else None,
    )
    bot.settle()
    dms = [c.args for c in dm_posts(bot, user_id)[before:]]
    return Clicked(bot.fake.responses(name), dms)


def dm_posts(bot: RunningBot, user_id: str) -> list[Any]:
    """Delivered posts to one person's DM with the bot (top level, not thread replies)."""
    return [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.args.get("channel") == user_id and not c.args.get("thread_ts")
    ]


def posted(call: Any) -> Payload:
    """The message a delivered chat.postMessage created, as the fake stores it now."""
    return call.response["message"] | {"channel": call.response["channel"]}


def db_all(bot: RunningBot, model: Any) -> list[Any]:
    with bot.db() as session:
        return list(session.exec(select(model)).all())


def summary_posts(bot: RunningBot) -> list[Any]:
    return [
        c
        for c in group_posts(bot)
        if str(c.args.get("text")).startswith(("1:1 summary", "Did you meet on"))
    ]


def agenda_posts(bot: RunningBot) -> list[Any]:
    return [c for c in group_posts(bot) if str(c.args.get("text")).startswith("1:1 agenda")]


def state_of(view: Payload) -> Payload:
    """The state Slack sends for a modal nobody changed: every input's initial value."""
    values: Payload = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "plain_text_input":
            state = {"value": element.get("initial_value")}
        elif kind == "rich_text_input":
            state = {"rich_text_value": element.get("initial_value")}
        elif kind == "static_select":
            state = {"selected_option": element.get("initial_option")}
        elif kind == "datepicker":
            state = {"selected_date": element.get("initial_date")}
        elif kind == "checkboxes":
            state = {"selected_options": element.get("initial_options", [])}
        else:
            continue
        values[block["block_id"]] = {element["action_id"]: {"type": kind, **state}}
    return values


def add_items(
    bot: RunningBot,
    view: Payload,
    items: list[tuple[str, str, str | None]],
    *,
    user_id: str = "U_MANAGER",
    extra: Payload | None = None,
) -> Any:
    """Save new action items (text, owner, due) in an opened notes modal, growing it with
    "Add another action item" as a person would; saved rows are kept as they were."""
    new_keys = [k for k in json.loads(view["private_metadata"])["rows"] if k.startswith("n")]
    while len(new_keys) < len(items):
        bot.slack.block_actions(
            [{"type": "button", "action_id": ids.NOTES_ADD_ITEM}],
            user_id=user_id,
            view={**view, "state": {"values": state_of(view)}},
        )
        bot.settle()
        view = bot.fake.calls("views.update")[-1].response["view"]
        new_keys = [k for k in json.loads(view["private_metadata"])["rows"] if k.startswith("n")]
    values = state_of(view)
    for key, (text, owner, due) in zip(new_keys, items, strict=False):
        values |= item_values(key, text, owner, due)
    return submit(bot, view, values | (extra or {}), user_id)


def notes_with(bot: RunningBot, person: str, user_id: str = "U_MANAGER") -> Payload:
    """`/oneonone notes @person`: the modal the bot opened."""
    bot.slack.command(f"notes <@{person}|x>", user_id=user_id)
    bot.settle()
    return bot.fake.calls("views.open")[-1].response["view"]


def take_notes_during_week1(
    bot: RunningBot, items: list[tuple[str, str, str | None]], *, user_id: str = "U_MANAGER"
) -> None:
    """At Tue 15:05 UTC (the 1:1 is on), save action items (text, owner, due) in its notes."""
    tick_at(bot, "2026-12-01 15:05")
    other = "U_REPORT" if user_id == "U_MANAGER" else "U_MANAGER"
    assert add_items(bot, notes_with(bot, other, user_id), items, user_id=user_id).status == 200


def items_by_text(bot: RunningBot) -> dict[str, ActionItem]:
    return {i.text: i for i in db_all(bot, ActionItem)}


# --- the summary nudge ---------------------------------------------------------------------


def test_without_notes_the_summary_nudges_once_and_notes_update_it_in_place(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "add roadmap review", user_id="U_MANAGER")
    command_reply(bot, "add private my raise", user_id="U_REPORT")
    assert tick_at(bot, "2026-12-01 14:30").get("agenda_sent") == 1
    assert "summary_sent" not in tick_at(bot, "2026-12-01 16:29")
    assert tick_at(bot, "2026-12-01 16:30").get("summary_sent") == 1
    (summary,) = summary_posts(bot)
    channel, ts = summary.response["channel"], summary.response["ts"]
    assert channel.startswith("G")
    (take_notes,) = elements(summary.args["blocks"], ids.TAKE_NOTES)
    assert take_notes["text"]["text"] == "Take notes for Dec 1"
    assert "Did you meet on <!date^" in dump(summary.args["blocks"])  # nothing was recorded
    for when in ("2026-12-01 16:31", "2026-12-01 18:00", "2026-12-02 16:30"):
        assert "summary_sent" not in tick_at(bot, when)
    assert len(summary_posts(bot)) == 1

    view = open_notes(bot)
    assert json.loads(view["private_metadata"])["meeting"] == int(take_notes["value"])
    values = {
        ids.NOTES_SHARED: {ids.VALUE: rich("We agreed on the roadmap")},
        ids.NOTES_PRIVATE: {ids.VALUE: rich("my private worry")},
        **item_values("n1", "Ship the roadmap", "U_REPORT", "2026-12-08"),
    }
    assert submit(bot, view, values).status == 200
    assert len(summary_posts(bot)) == 1, "saving notes must not post a second summary"
    updates = [
        c
        for c in group_posts(bot, "chat.update")
        if (c.args["channel"], c.args["ts"]) == (channel, ts)
    ]
    assert updates, "the nudge is updated in place"
    updated = dump(updates[-1].args["blocks"])
    assert "We agreed on the roadmap" in updated and "Ship the roadmap" in updated
    assert "Did you meet" not in updated
    assert "We agreed on the roadmap" in dump(bot.fake.message(channel, ts)["blocks"])

    everything_shared = [*group_posts(bot), *group_posts(bot, "chat.update")]
    assert everything_shared
    for call in everything_shared:
        text = dump(call.args)
        assert "my raise" not in text and "my private worry" not in text


# --- due-date reminders --------------------------------------------------------------------


def reminders(bot: RunningBot, user_id: str) -> list[Any]:
    return [c for c in dm_posts(bot, user_id) if str(c.args.get("text")).startswith("Due today")]


def test_reminders_arrive_at_nine_in_the_owners_time_zone_once(bot: RunningBot) -> None:
    schedule(bot)
    take_notes_during_week1(
        bot,
        [
            ("Write the RFC", "U_REPORT", "2026-12-08"),  # Berlin: 09:00 is 08:00 UTC
            ("Book the offsite", "U_MANAGER", "2026-12-08"),  # New York: 09:00 is 14:00 UTC
        ],
    )
    assert "reminder_sent" not in tick_at(bot, "2026-12-08 07:59")
    assert not reminders(bot, "U_REPORT")
    assert tick_at(bot, "2026-12-08 08:00").get("reminder_sent") == 1
    (to_report,) = reminders(bot, "U_REPORT")
    assert "Write the RFC" in dump(to_report.args["blocks"])
    assert not reminders(bot, "U_MANAGER")
    for when in ("2026-12-08 08:01", "2026-12-08 09:00", "2026-12-08 13:59"):
        assert "reminder_sent" not in tick_at(bot, when)
    assert len(reminders(bot, "U_REPORT")) == 1 and not reminders(bot, "U_MANAGER")
    assert tick_at(bot, "2026-12-08 14:00").get("reminder_sent") == 1
    (to_manager,) = reminders(bot, "U_MANAGER")
    assert "Book the offsite" in dump(to_manager.args["blocks"])
    assert "reminder_sent" not in tick_at(bot, "2026-12-09 14:00")
    assert len(reminders(bot, "U_REPORT")) == 1 and len(reminders(bot, "U_MANAGER")) == 1


def test_done_and_snooze_on_a_reminder(bot: RunningBot) -> None:
    schedule(bot)
    take_notes_during_week1(
        bot,
        [
            ("Write the RFC", "U_REPORT", "2026-12-08"),
            ("Book the offsite", "U_MANAGER", "2026-12-08"),
        ],
    )
    tick_at(bot, "2026-12-07 15:00")  # the week-2 prompts, on time (not with the reminders)
    tick_at(bot, "2026-12-08 08:00")
    tick_at(bot, "2026-12-08 14:00")
    (to_report,) = reminders(bot, "U_REPORT")
    (to_manager,) = reminders(bot, "U_MANAGER")
    (done,) = elements(to_report.args["blocks"], ids.ITEM_DONE)
    (snooze,) = elements(to_manager.args["blocks"], ids.ITEM_SNOOZE)

    answer = click(bot, ids.ITEM_DONE, done["value"], "U_REPORT", message=posted(to_report))
    (replaced,) = answer.responses
    assert replaced["replace_original"] is True
    assert "Done" in dump(replaced) and "Write the RFC" in dump(replaced)
    assert items_by_text(bot)["Write the RFC"].done_at is not None

    answer = click(bot, ids.ITEM_SNOOZE, snooze["value"], "U_MANAGER", message=posted(to_manager))
    (replaced,) = answer.responses
    assert replaced["replace_original"] is True and "Dec 15" in dump(replaced)
    assert items_by_text(bot)["Book the offsite"].due_date == date(2026, 12, 15)

    assert tick_at(bot, "2026-12-08 14:30").get("agenda_sent") == 1
    (agenda,) = agenda_posts(bot)  # week 1 had no agenda: nothing was due before it
    follow_ups = dump(agenda.args["blocks"])
    assert "*Done since last time*\\n✅ ~Write the RFC~ — <@U_REPORT>" in follow_ups  # told
    assert "Book the offsite" in follow_ups
    assert [e["value"] for e in elements(agenda.args["blocks"], ids.ITEM_DONE)] == [snooze["value"]]

    for when in ("2026-12-08 16:30", "2026-12-14 15:00", "2026-12-15 08:00", "2026-12-15 13:59"):
        tick_at(bot, when)
    assert len(reminders(bot, "U_MANAGER")) == 1 and len(reminders(bot, "U_REPORT")) == 1
    assert tick_at(bot, "2026-12-15 14:00").get("reminder_sent") == 1
    assert len(reminders(bot, "U_MANAGER")) == 2
    assert "Book the offsite" in dump(reminders(bot, "U_MANAGER")[-1].args["blocks"])
    assert len(reminders(bot, "U_REPORT")) == 1, "a done item is never reminded"


def test_a_reminder_follows_an_edited_owner_and_due_date(bot: RunningBot) -> None:
    schedule(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    view = notes_with(bot, "U_REPORT")
    (key,) = json.loads(view["private_metadata"])["rows"][:1]
    assert key.startswith("i")
    values = state_of(view) | item_values(key, "Write the RFC", "U_MANAGER", "2026-12-09")
    assert submit(bot, view, values).status == 200
    for when in ("2026-12-08 08:00", "2026-12-08 14:00", "2026-12-09 13:59"):
        assert "reminder_sent" not in tick_at(bot, when)
    assert tick_at(bot, "2026-12-09 14:00").get("reminder_sent") == 1  # 09:00 New York
    assert not reminders(bot, "U_REPORT") and len(reminders(bot, "U_MANAGER")) == 1


# --- follow-ups lead the next agenda -------------------------------------------------------


def test_open_items_lead_the_next_agenda_and_done_there_updates_it(bot: RunningBot) -> None:
    schedule(bot)
    take_notes_during_week1(
        bot,
        [("Write the RFC", "U_REPORT", "2026-12-08"), ("Book the offsite", "U_MANAGER", None)],
    )
    tick_at(bot, "2026-12-01 16:30")
    command_reply(bot, "add hiring plan", user_id="U_MANAGER")
    assert tick_at(bot, "2026-12-08 14:30").get("agenda_sent") == 1
    (agenda,) = agenda_posts(bot)
    blocks = agenda.args["blocks"]
    texts = [dump(b) for b in blocks]
    follow_ups_at = next(i for i, t in enumerate(texts) if "*Open action items*" in t)
    points_at = next(i for i, t in enumerate(texts) if "hiring plan" in t)
    assert follow_ups_at < points_at, "follow-ups come first"
    items = items_by_text(bot)
    rfc, offsite = items["Write the RFC"], items["Book the offsite"]
    assert [e["value"] for e in elements(blocks, ids.ITEM_DONE)] == [str(rfc.id), str(offsite.id)]

    channel, ts = agenda.response["channel"], agenda.response["ts"]
    before = len(bot.fake.delivered("chat.update"))
    move_to(bot, "2026-12-08 15:05")
    click(bot, ids.ITEM_DONE, str(rfc.id), "U_MANAGER", message=posted(agenda))
    updates = [
        c
        for c in bot.fake.delivered("chat.update")[before:]
        if (c.args["channel"], c.args["ts"]) == (channel, ts)
    ]
    assert updates, "the agenda is updated in place"
    assert [e["value"] for e in elements(updates[-1].args["blocks"], ids.ITEM_DONE)] == [
        str(offsite.id)
    ]
    assert len(agenda_posts(bot)) == 1

    assert tick_at(bot, "2026-12-08 16:30").get("summary_sent") == 1
    summary = summary_posts(bot)[-1]
    text = dump(summary.args["blocks"])
    assert "Action items from before" in text
    assert "✅ ~Write the RFC~" in text
    assert "• Book the offsite" in text


def test_items_decided_in_a_meeting_are_not_follow_ups_on_its_own_agenda(
    bot: RunningBot,
) -> None:
    """DESIGN: the agenda's follow-ups are open action items from earlier meetings."""
    schedule(bot)
    command_reply(bot, "add roadmap", user_id="U_MANAGER")
    tick_at(bot, "2026-12-01 14:30")
    (agenda,) = agenda_posts(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    updates = [
        c
        for c in bot.fake.delivered("chat.update")
        if (c.args["channel"], c.args["ts"]) == (agenda.response["channel"], agenda.response["ts"])
    ]
    assert updates, "saving notes updates the agenda (its ticks)"
    assert "Write the RFC" not in dump(updates[-1].args["blocks"]), (
        "an action item decided in this 1:1 is listed under this 1:1's own open action items"
    )


def test_done_on_an_agenda_after_its_meeting_ended_still_shows_on_that_message(
    bot: RunningBot,
) -> None:
    """People often close follow-ups later in the week, from the agenda they still see."""
    schedule(bot)
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", None)])
    tick_at(bot, "2026-12-01 16:30")
    tick_at(bot, "2026-12-08 14:30")
    (agenda,) = agenda_posts(bot)
    (done,) = elements(agenda.args["blocks"], ids.ITEM_DONE)
    tick_at(bot, "2026-12-08 17:00")  # the week-2 1:1 is over
    answer = click(bot, ids.ITEM_DONE, done["value"], "U_REPORT", message=posted(agenda))
    assert items_by_text(bot)["Write the RFC"].done_at is not None
    shown = bot.fake.message(agenda.response["channel"], agenda.response["ts"])
    replaced = [r for r in answer.responses if r.get("replace_original")]
    assert not elements(shown["blocks"], ids.ITEM_DONE) or replaced, (
        "the clicked agenda still offers Done and nobody was told: "
        f"responses={answer.responses}, dms={answer.dms}"
    )


def test_a_failed_summary_nudge_is_posted_once_on_a_later_tick(bot: RunningBot) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    bot.fake.fail("chat.postMessage", error="fatal_error")  # Slack may or may not have posted it
    assert tick_at(bot, "2026-12-01 16:30").get("summary_unknown") == 1

    assert not summary_posts(bot)
    assert tick_at(bot, "2026-12-01 16:32").get("summary_sent") == 1
    for when in ("2026-12-01 16:40", "2026-12-01 20:00"):
        assert "summary_sent" not in tick_at(bot, when)
    assert len(summary_posts(bot)) == 1


# --- carry-over over two weeks -------------------------------------------------------------


def week(bot: RunningBot, monday: str, tuesday: str) -> None:
    """One week's due work at its natural times: prompts, agenda, during and after the 1:1."""
    tick_at(bot, f"{monday} 15:00")
    tick_at(bot, f"{tuesday} 14:30")
    tick_at(bot, f"{tuesday} 15:05")
    tick_at(bot, f"{tuesday} 16:30")


def test_an_undiscussed_point_carries_over_twice_and_only_its_author_can_drop_it(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "add career path", user_id="U_REPORT")
    tick_at(bot, "2026-12-01 14:30")
    tick_at(bot, "2026-12-01 15:05")
    tick_at(bot, "2026-12-01 16:30")
    week(bot, "2026-12-07", "2026-12-08")
    assert "carried 1×" in dump(agenda_posts(bot)[-1].args["blocks"])
    assert tick_at(bot, "2026-12-14 15:00").get("prompt_sent") == 2
    prompt = dm_posts(bot, "U_REPORT")[-1]
    (drop,) = elements(prompt.args["blocks"], ids.DROP_POINT)
    assert not elements(dm_posts(bot, "U_MANAGER")[-1].args["blocks"], ids.DROP_POINT)

    answer = click(bot, ids.DROP_POINT, drop["value"], "U_MANAGER", message=posted(prompt))
    assert REFUSED.search(answer.text)
    assert [p.text for p in db_all(bot, TalkingPoint)] == ["career path"]

    assert tick_at(bot, "2026-12-15 14:30").get("agenda_sent") == 1
    agenda = agenda_posts(bot)[-1]
    assert "career path" in dump(agenda.args["blocks"])
    assert "carried 2×" in dump(agenda.args["blocks"])

    answer = click(bot, ids.DROP_POINT, drop["value"], "U_REPORT", message=posted(prompt))
    assert "Removed" in answer.text
    assert db_all(bot, TalkingPoint) == []
    update = [
        c
        for c in bot.fake.delivered("chat.update")
        if c.args["ts"] == agenda.response["ts"] and c.args["channel"] == agenda.response["channel"]
    ][-1]
    assert "career path" not in dump(update.args["blocks"])


def test_points_carry_over_even_when_no_tick_ran_during_the_meeting(bot: RunningBot) -> None:
    """Due work is a function of the database and now: a tick that first runs after the 1:1
    ended (the bot was down, or `oneonone tick` runs hourly) must still carry its points."""
    schedule(bot)
    command_reply(bot, "add career path", user_id="U_REPORT")
    tick_at(bot, "2026-12-01 14:30")
    tick_at(bot, "2026-12-01 16:30")  # the first tick since the agenda: the 1:1 is over
    assert tick_at(bot, "2026-12-08 14:30").get("agenda_sent") == 1
    agenda = dump(agenda_posts(bot)[-1].args["blocks"])
    assert "career path" in agenda and "carried 1×" in agenda


# --- /oneonone actions and history ---------------------------------------------------------


def test_actions_lists_open_items_across_pairs_oldest_first_and_done_redraws_it(
    bot: RunningBot,
) -> None:
    schedule(bot)
    command_reply(bot, "schedule <@U_REPORT2|ravi> wednesday 10:00 weekly 30m")
    for person, text in (
        ("U_REPORT", "First: write the RFC"),
        ("U_REPORT2", "Second: review the budget"),
        ("U_REPORT", "Third: book the offsite"),
    ):
        bot.clock.advance(minutes=5)
        assert add_items(bot, notes_with(bot, person), [(text, "U_MANAGER", "2026-12-20")])
    assert add_items(
        bot,
        notes_with(bot, "U_MANAGER", "U_REPORT"),
        [("Not mine", "U_REPORT", None)],
        user_id="U_REPORT",
    )

    name = f"actions-{uuid.uuid4().hex[:8]}"
    bot.slack.command("actions", user_id="U_MANAGER", response_url=bot.fake.response_url(name))
    bot.settle()
    (listing,) = bot.fake.responses(name)
    assert listing.get("response_type") in (None, "ephemeral")
    text = dump(listing["blocks"])
    order = [text.index(t) for t in ("First:", "Second:", "Third:")]
    assert order == sorted(order), "oldest first"
    assert "Not mine" not in text
    items = items_by_text(bot)
    first = items["First: write the RFC"]
    assert [e["value"] for e in elements(listing["blocks"], ids.ITEM_DONE)] == [
        str(first.id),
        str(items["Second: review the budget"].id),
        str(items["Third: book the offsite"].id),
    ]

    done = f"done-{uuid.uuid4().hex[:8]}"
    payload = ephemeral_click(bot, ids.ITEM_DONE, str(first.id), "U_MANAGER", done)
    bot.slack.interaction(payload)
    bot.settle()
    (redrawn,) = bot.fake.responses(done)
    assert redrawn["replace_original"] is True
    assert "First:" not in dump(redrawn["blocks"])
    assert "Second:" in dump(redrawn["blocks"]) and "Third:" in dump(redrawn["blocks"])
    assert items_by_text(bot)["First: write the RFC"].done_at is not None


def ephemeral_click(
    bot: RunningBot, action_id: str, value: str, user_id: str, response_name: str
) -> Payload:
    """A block_actions payload from a button in an ephemeral message, as Slack sends it: the
    container says is_ephemeral and there is no `message`, only a response_url."""
    return {
        "type": "block_actions",
        "token": "verification-token",
        "api_app_id": bot.slack.api_app_id,
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": bot.slack.trigger_id(),
        "container": {
            "type": "message",
            "message_ts": bot.slack.ts(),
            "channel_id": "C0001",
            "is_ephemeral": True,
        },
        "channel": {"id": "C0001", "name": "general"},
        "response_url": bot.fake.response_url(response_name),
        "actions": [
            {"type": "button", "action_id": action_id, "value": value, "action_ts": bot.slack.ts()}
        ],
    }


def test_history_shows_past_summaries_to_either_person_and_refuses_a_stranger(
    bot: RunningBot,
) -> None:
    schedule(bot)
    tick_at(bot, "2026-12-01 15:05")
    view = open_notes(bot)
    shared = {ids.NOTES_SHARED: {ids.VALUE: rich("We talked about growth")}}
    assert submit(bot, view, shared | item_values("n1", "Draft the plan", "U_REPORT")).status == 200
    tick_at(bot, "2026-12-01 16:30")
    for user_id in ("U_MANAGER", "U_REPORT"):
        name = f"history-{uuid.uuid4().hex[:8]}"
        bot.slack.command("history", user_id=user_id, response_url=bot.fake.response_url(name))
        bot.settle()
        (answer,) = bot.fake.responses(name)
        assert answer.get("response_type") in (None, "ephemeral")
        text = dump(answer)
        assert "We talked about growth" in text and "Draft the plan" in text
    for text in ("history <@U_REPORT|rita>", "history <@U_MANAGER|max>", "history"):
        name = f"history-{uuid.uuid4().hex[:8]}"
        bot.slack.command(text, user_id="U_STRANGER", response_url=bot.fake.response_url(name))
        bot.settle()
        answer = dump(bot.fake.responses(name))
        assert "growth" not in answer and "Draft the plan" not in answer
        assert "don't have" in answer


# --- who may do what -----------------------------------------------------------------------


def huddle_follow_up(bot: RunningBot, call_id: str, start: str, minutes: int) -> None:
    """The pair's two people in one huddle for `minutes` from `start` (UTC), then a tick."""
    begin = utc(start).timestamp()
    for offset, user, state in (
        (0, "U_MANAGER", call_id),
        (1, "U_REPORT", call_id),
        (60 * minutes, "U_MANAGER", None),
        (60 * minutes + 1, "U_REPORT", None),
    ):
        bot.slack.event(huddle_event(user, state, begin + offset))
    bot.settle()
    bot.tick()
    bot.settle()


def huddle_event(user_id: str, call_id: str | None, at: float) -> Payload:
    """A `user_huddle_changed` event: `user_id` is in call `call_id` (None: in none) at `at`."""
    return {
        "type": "user_huddle_changed",
        "user": {
            "id": user_id,
            "team_id": "T0001",
            "profile": {
                "huddle_state": "in_a_huddle" if call_id else "default_unset",
                "huddle_state_call_id": call_id or "",
            },
        },
        "event_ts": f"{at:.6f}",
    }


def snapshot(bot: RunningBot) -> Payload:
    """What a refused click must leave alone."""
    return {
        "meetings": sorted((m.id, m.status, m.notes_saved_at) for m in db_all(bot, Meeting)),
        "items": sorted((i.id, i.done_at, i.due_date, i.text) for i in db_all(bot, ActionItem)),
        "points": sorted((p.id, p.meeting_id, p.text) for p in db_all(bot, TalkingPoint)),
        "notes": sorted((n.id, n.text, n.version) for n in db_all(bot, Note)),
        "huddles": sorted(
            (h.id, h.dismissed_at, h.meeting_id) for h in db_all(bot, HuddleFollowUp)
        ),
    }


def test_every_follow_up_action_is_refused_to_people_outside_the_pair(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "schedule <@U_REPORT2|ravi> wednesday 10:00 weekly 30m")
    command_reply(bot, "add career path", user_id="U_REPORT")
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    huddle_follow_up(bot, "R1", "2026-12-01 16:00", 20)
    with bot.db() as session:
        meeting = session.exec(select(Meeting).order_by(Meeting.starts_at)).first()
        point = session.exec(select(TalkingPoint)).one()
        item = session.exec(select(ActionItem)).one()
        follow_up = session.exec(select(HuddleFollowUp)).one()
    assert meeting is not None and follow_up.pair_id == meeting.pair_id
    values = {
        ids.TAKE_NOTES: meeting.id,
        ids.ITEM_DONE: item.id,
        ids.ITEM_SNOOZE: item.id,
        ids.DROP_POINT: point.id,
        ids.HUDDLE_NOTES: follow_up.id,
        ids.HUDDLE_DISMISS: follow_up.id,
        ids.PAIR_NOTES: meeting.pair_id,
        ids.SHOW_SUMMARY: meeting.id,
    }
    before = snapshot(bot)
    opened = len(bot.fake.calls("views.open"))
    updated = len(bot.fake.calls("chat.update"))
    for outsider in ("U_STRANGER", "U_REPORT2"):  # U_REPORT2 has a 1:1, just not this one
        for action_id, value in values.items():
            for where in ("message", "home"):
                kwargs: Payload = (
                    {"message": {"text": "x", "blocks": []}, "channel_id": f"D{outsider}"}
                    if where == "message"
                    else {"view": {"type": "home", "blocks": []}}
                )
                answer = click(bot, action_id, str(value), outsider, **kwargs).text
                assert REFUSED.search(answer), (outsider, action_id, where, answer)
                assert "Write the RFC" not in answer and "career path" not in answer
    assert len(bot.fake.calls("views.open")) == opened
    assert len(bot.fake.calls("chat.update")) == updated
    assert snapshot(bot) == before


def forged_submit(
    bot: RunningBot, metadata: Payload, values: Payload, user_id: str = "U_REPORT"
) -> str:
    """Submit a notes modal with forged private_metadata; returns what the person was told."""
    before = len(dm_posts(bot, user_id))
    view = {"id": f"V{uuid.uuid4().hex[:8].upper()}", "private_metadata": json.dumps(metadata)}
    assert submit(bot, view, values, user_id).status == 200
    return dump([c.args for c in dm_posts(bot, user_id)[before:]])


def test_a_forged_notes_modal_is_refused_and_saves_nothing(bot: RunningBot) -> None:
    schedule(bot)
    command_reply(bot, "schedule <@U_REPORT2|ravi> wednesday 10:00 weekly 30m")
    take_notes_during_week1(bot, [("Write the RFC", "U_REPORT", "2026-12-08")])
    bot.slack.command("notes <@U_REPORT2|ravi>", user_id="U_MANAGER")
    bot.settle()
    other_view = bot.fake.calls("views.open")[-1].response["view"]
    assert submit(bot, other_view, item_values("n1", "Budget review", "U_REPORT2")).status == 200
    theirs = items_by_text(bot)["Budget review"]
    other_meeting = json.loads(other_view["private_metadata"])["meeting"]
    before = snapshot(bot)
    summaries = len(group_posts(bot)), len(group_posts(bot, "chat.update"))

    # U_REPORT forges the metadata of the U_MANAGER–U_REPORT2 meeting.
    forged = {"meeting": other_meeting, "version": 0, "rows": ["n1"], "points": []}
    sneaky = {ids.NOTES_SHARED: {ids.VALUE: rich("sneaky notes")}}
    refusal = forged_submit(bot, forged, sneaky | item_values("n1", "Sneaky", "U_REPORT"))
    assert REFUSED.search(refusal)

    # Each person's own meeting, with a row naming the other pair's action item: U_REPORT is
    # not in that pair, U_MANAGER is (but the item belongs to another meeting).
    for user_id, person in (("U_REPORT", "U_MANAGER"), ("U_MANAGER", "U_REPORT")):
        meta = json.loads(notes_with(bot, person, user_id)["private_metadata"])
        forged = meta | {"rows": [f"i{theirs.id}"]}
        hijack = item_values(f"i{theirs.id}", "Hijacked", user_id)
        assert "isn't one of" in forged_submit(bot, forged, sneaky | hijack, user_id)

    # A talking point of the other pair ticked through this pair's modal.
    command_reply(bot, "add budget topic", user_id="U_REPORT2")
    (their_point,) = [p for p in db_all(bot, TalkingPoint) if p.text == "budget topic"]
    before = snapshot(bot)
    meta = json.loads(notes_with(bot, "U_REPORT")["private_metadata"])
    forged = meta | {"points": [their_point.id]}
    ticked = {
        f"{ids.NOTES_POINTS}:0": {
            ids.VALUE: {"type": "checkboxes", "selected_options": [{"value": str(their_point.id)}]}
        }
    }
    refusal = forged_submit(bot, forged, sneaky | ticked, "U_MANAGER")
    assert "isn't on this agenda" in refusal
    assert not next(p for p in db_all(bot, TalkingPoint) if p.id == their_point.id).discussed

    assert snapshot(bot) == before
    assert items_by_text(bot)["Budget review"].pair_id == theirs.pair_id
    assert (len(group_posts(bot)), len(group_posts(bot, "chat.update"))) == summaries
    for call in [*group_posts(bot), *group_posts(bot, "chat.update")]:
        assert "sneaky" not in dump(call.args) and "Hijacked" not in dump(call.args)
