"""Buttons and checkboxes: every action_id of blocks/ids.py bound to its flow."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from blocks import ids
from blocks.help import help_message
from blocks.i18n import _
from blocks.ids import COMMAND
from blocks.messages import notice
from handlers import (
    calendar,
    deletion,
    export,
    follow_ups,
    notes,
    occurrences,
    points,
    scheduling,
)
from handlers.context import Deps, deps_from, refusal_text
from handlers.dm import add_chosen_message
from handlers.payload import payload_id
from store.access import Invalid, NotAllowed, get_pair, other_person

log = logging.getLogger(__name__)

Action = Callable[[Deps, dict[str, Any], dict[str, Any]], "dict[str, Any] | None"]


def register(app: App) -> None:
    """Bind every interactive element."""
    for action_id, run in ACTIONS.items():
        app.action(action_id)(listener_for(run))


def listener_for(run: Action) -> Callable[..., None]:
    """A Bolt listener for a button or select: ack at once, then `run` after the ack; its
    reply (or a refusal, translated) goes ephemerally where the click happened."""

    def listener(ack: Ack, body: dict, action: dict, respond: Respond, context: dict) -> None:
        ack()
        deps = deps_from(context)

        def answer() -> None:
            try:
                reply = run(deps, body, action)
            except (Invalid, NotAllowed) as error:
                reply = notice(refusal_text(error))
            if reply is not None:
                _reply(deps, body, respond, reply)

        deps.after_ack(answer, tell=lambda text: _reply(deps, body, respond, notice(text)))

    listener.__name__ = f"handle_{run.__name__}"
    return listener


def _reply(deps: Deps, body: dict, respond: Respond, reply: dict[str, Any]) -> None:
    """Answer ephemerally where the click happened (or by DM from a modal or the Home tab);
    a reply with `replace_original` replaces the clicked message instead."""
    if body.get("response_url"):
        respond(**{"replace_original": False, "response_type": "ephemeral", **reply})
    else:
        deps.client.chat_postMessage(channel=deps.actor.user_id, **reply)


def id_from(value: str | None) -> int:
    """An id from a button value; anything else is a forged or stale payload."""
    return payload_id(value)


def _modal_id(body: dict) -> str | None:
    """The modal the click happened in (a Home tab is no modal: it is never replaced)."""
    view = body.get("view") or {}
    return view.get("id") if view.get("type") == "modal" else None


def add_point(deps: Deps, body: dict, action: dict) -> None:
    """Open the add-a-talking-point modal (value: pair id, or "" to choose)."""
    value = action.get("value") or ""
    points.open_add_modal(deps, body["trigger_id"], pair_id=id_from(value) if value else None)


def add_question(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """Add the suggested question as a talking point."""
    pair_id, _colon, key = (action.get("value") or "").partition(":")
    return points.add_question(deps, id_from(pair_id), key)


def tick_point(deps: Deps, body: dict, action: dict) -> None:
    """One agenda item's "discussed" checkbox."""
    meeting_id, _, point_id = _tick_value(action).partition(":")
    discussed = bool(action.get("selected_options"))
    points.tick(deps, id_from(meeting_id), id_from(point_id), discussed)


def _tick_value(action: dict) -> str:
    """`<meeting id>:<point id>` from the ticked option, or from the block when unticked."""
    options = action.get("selected_options") or []
    if options:
        return options[0]["value"]
    return (action.get("block_id") or "").removeprefix(ids.TICK_POINT + ":")


def skip(deps: Deps, body: dict, action: dict) -> None:
    """Skip: the modal that suggests rescheduling instead."""
    occurrences.open_skip_modal(deps, body["trigger_id"], None, meeting_id=id_from(action["value"]))


def reschedule(deps: Deps, body: dict, action: dict) -> None:
    """Reschedule: date and time pickers (replacing the skip modal when clicked there)."""
    occurrences.open_reschedule_modal(
        deps,
        body["trigger_id"],
        None,
        meeting_id=id_from(action["value"]),
        replace_view_id=_modal_id(body),
    )


def pause(deps: Deps, body: dict, action: dict) -> None:
    """Pause: a date picker."""
    occurrences.open_pause_modal(deps, body["trigger_id"], id_from(action["value"]))


def end(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """End: ask for confirmation."""
    with deps.db() as session:
        pair = get_pair(session, deps.actor, id_from(action["value"]))
    return occurrences.end_confirmation(deps, other_person(pair, deps.actor.user_id))


def end_confirm(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """End confirmed."""
    return occurrences.end(deps, id_from(action["value"]))


def end_cancel(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """End cancelled."""
    return notice(_("Good call — your 1:1s go on as before."))


def choose_pair(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """The pair chosen for a DM that could have gone to several 1:1s."""
    pair_id, channel, ts = (action.get("value") or "::").split(":", 2)
    return add_chosen_message(deps, id_from(pair_id), channel, ts)


def schedule_open(deps: Deps, body: dict, action: dict) -> None:
    """Open the scheduling modal."""
    scheduling.open_schedule_modal(deps, body["trigger_id"])


def take_notes(deps: Deps, body: dict, action: dict) -> None:
    """The notes modal of the meeting on the button."""
    in_modal = (body.get("view") or {}).get("type") == "modal"  # e.g. the summary modal
    notes.open_notes(
        deps, body["trigger_id"], meeting_id=id_from(action.get("value")), push=in_modal
    )


def help_more(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """The short help's "More": the help again, with every subcommand."""
    return {"replace_original": True, **help_message(command=COMMAND, full=True)}


def not_met(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """ "We didn't meet", on a summary with nothing in it."""
    return notes.not_met(deps, id_from(action.get("value")))


def item_done(deps: Deps, body: dict, action: dict) -> dict[str, Any] | None:
    """An action item's "Done": the agenda updates in place and the clicker is told there; a
    list or reminder is redrawn; the Home tab shows it by itself."""
    clicked_ts = (body.get("message") or {}).get("ts")
    done_body, pair = follow_ups.done(deps, id_from(action.get("value")), clicked_ts=clicked_ts)
    if (body.get("container") or {}).get("is_ephemeral"):
        return {"replace_original": True, **follow_ups.actions_list(deps)}
    if body.get("view"):
        return None  # the Home tab is published again without it
    channel = (body.get("channel") or {}).get("id")
    if channel == pair.channel_id:
        return done_body  # ephemeral: the agenda itself shows it done
    return {"replace_original": True, **done_body}


def item_snooze(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """A reminder's "Snooze a week"."""
    return {"replace_original": True, **follow_ups.snooze(deps, id_from(action.get("value")))}


def drop_point(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """A carried-over talking point dropped by its author."""
    return follow_ups.drop_point(deps, id_from(action.get("value")))


def huddle_notes(deps: Deps, body: dict, action: dict) -> None:
    """ "Take notes" after a huddle: the 1:1 near it, or a new unscheduled one."""
    meeting_id = follow_ups.huddle_meeting(deps, id_from(action.get("value")))
    notes.open_notes(deps, body["trigger_id"], meeting_id=meeting_id)


def huddle_dismiss(deps: Deps, body: dict, action: dict) -> None:
    """ "Dismiss" after a huddle."""
    follow_ups.dismiss_huddle(deps, id_from(action.get("value")))


def notes_add_item(deps: Deps, body: dict, action: dict) -> None:
    """One more action item row in the notes modal."""
    notes.change_rows(deps, body["view"])


def notes_remove_item(deps: Deps, body: dict, action: dict) -> None:
    """One action item row fewer in the notes modal."""
    notes.change_rows(deps, body["view"], remove=action.get("value") or "")


def pair_notes(deps: Deps, body: dict, action: dict) -> None:
    """The Home tab's "Take notes": the pair's current (or last) meeting."""
    with deps.db() as session:
        pair = get_pair(session, deps.actor, id_from(action.get("value")))
    notes.open_notes(deps, body["trigger_id"], person=other_person(pair, deps.actor.user_id))


def show_summary(deps: Deps, body: dict, action: dict) -> None:
    """The Home tab's "Summary" of the last meeting, in a modal."""
    follow_ups.open_summary(deps, body["trigger_id"], id_from(action.get("value")))


def home_page(deps: Deps, body: dict, action: dict) -> None:
    """ "Show more" / "Previous" on the Home tab."""
    if deps.homes is not None:
        deps.homes.publish_now(deps.actor, page=max(0, id_from(action.get("value"))))


def delete_my_data(deps: Deps, body: dict, action: dict) -> None:
    """The Home tab's "Delete my private data": the confirmation modal."""
    deletion.open_delete_modal(deps, body["trigger_id"])


def ask_to_delete_history(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """Ask to delete a 1:1's history (ending it if need be): the other is told first."""
    return deletion.request_history(deps, id_from(action.get("value")))


def object_deletion(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """Object to (or take back) a requested deletion of a 1:1's history."""
    return deletion.object_to(deps, id_from(action.get("value")))


def export_data(deps: Deps, body: dict, action: dict) -> None:
    """ "Export my data": one 1:1 (value: its pair id) or all of them (value "")."""
    value = action.get("value") or ""
    pair_id = id_from(value) if value else None
    export.export(deps, pair_id=pair_id, tell=export.tell_in_dm(deps))


def calendar_new_link(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """ "New link": a new secret feed URL; the old one stops working."""
    return {"replace_original": True, **calendar.new_link(deps)}


def calendar_file(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """ "Send me the file": the .ics of all the clicker's running 1:1s, in their DM."""
    return calendar.send_all(deps)


ACTIONS: dict[str, Action] = {
    ids.ADD_POINT: add_point,
    ids.ADD_QUESTION: add_question,
    ids.TICK_POINT: tick_point,
    ids.SKIP: skip,
    ids.RESCHEDULE: reschedule,
    ids.PAUSE: pause,
    ids.END: end,
    ids.END_CONFIRM: end_confirm,
    ids.END_CANCEL: end_cancel,
    ids.CHOOSE_PAIR: choose_pair,
    ids.SCHEDULE_OPEN: schedule_open,
    ids.TAKE_NOTES: take_notes,
    ids.NOT_MET: not_met,
    ids.HELP_MORE: help_more,
    ids.ITEM_DONE: item_done,
    ids.ITEM_SNOOZE: item_snooze,
    ids.DROP_POINT: drop_point,
    ids.HUDDLE_NOTES: huddle_notes,
    ids.HUDDLE_DISMISS: huddle_dismiss,
    ids.NOTES_ADD_ITEM: notes_add_item,
    ids.NOTES_REMOVE_ITEM: notes_remove_item,
    ids.PAIR_NOTES: pair_notes,
    ids.SHOW_SUMMARY: show_summary,
    ids.HOME_PAGE: home_page,
    ids.DELETE_MY_DATA: delete_my_data,
    ids.DELETE_HISTORY: ask_to_delete_history,
    ids.OBJECT_DELETION: object_deletion,
    ids.EXPORT: export_data,
    ids.CALENDAR_NEW_LINK: calendar_new_link,
    ids.CALENDAR_FILE: calendar_file,
}
