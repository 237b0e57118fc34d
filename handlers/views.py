"""Modal submissions: validate and change the store before the ack, tell people after it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, time
from typing import Any

from slack_bolt import Ack, App

from blocks import ids
from blocks.i18n import _
from blocks.messages import notice
from handlers import deletion, notes, occurrences, scheduling
from handlers.context import SORRY, Deps, deps_from, refusal_text
from handlers.payload import payload_id
from handlers.points import add_point, text_from_form
from handlers.publish import post_to_user
from store.access import Invalid, NotAllowed, get_active_pair
from store.agenda import clean_text
from store.notes_save import save_notes
from store.point_text import Source
from store.schedule import PairRequest

log = logging.getLogger(__name__)

Values = dict[str, dict[str, Any]]
Submission = Callable[[Deps, dict[str, Any], Values], "Callable[[], None] | None"]

SCHEDULE_FIELDS = {
    "report": ids.SCHEDULE_PERSON,
    "timezone": ids.SCHEDULE_TIMEZONE,
    "duration": ids.SCHEDULE_DURATION,
    "prompt_lead": ids.SCHEDULE_PROMPT_LEAD,
    "agenda_lead": ids.SCHEDULE_AGENDA_LEAD,
}


class FieldError(Exception):
    """A submission error to show next to one input block."""

    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id = block_id


def register(app: App) -> None:
    """Bind every modal's submission."""
    for callback_id, submit in SUBMISSIONS.items():
        app.view(callback_id)(listener_for(submit))


def listener_for(submit: Submission) -> Callable[..., None]:
    """A Bolt listener for a modal submission: `submit` runs before the ack (a FieldError
    becomes the error next to its field, a refusal a DM); what it returns runs after it."""

    def listener(ack: Ack, body: dict, view: dict, context: dict) -> None:
        deps = deps_from(context)
        try:
            after = submit(deps, view, view["state"]["values"])
        except FieldError as error:
            ack(response_action="errors", errors={error.block_id: str(error)[:150]})
            return
        except (Invalid, NotAllowed) as error:
            ack()
            refusal = refusal_text(error)
            deps.after_ack(lambda: _tell(deps, refusal))
            return
        except Exception:  # never Slack's generic error: the form says what happened
            log.exception("%s failed before its ack", submit.__name__)
            field = _first_input(view)
            if field:
                ack(response_action="errors", errors={field: _(SORRY)[:150]})
            else:  # a form without inputs closes; the person reads it in their DM
                ack()
                deps.after_ack(lambda: _tell(deps, _(SORRY)))
            return
        ack()
        if after is not None:
            deps.after_ack(after, tell=lambda text: _tell(deps, text))

    listener.__name__ = f"handle_{submit.__name__}"
    return listener


def _first_input(view: dict) -> str:
    """The block an error can be shown on: the form's first input."""
    inputs = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    return next((i for i in inputs if i), "")


def _tell(deps: Deps, message: str) -> None:
    """Why a submission was refused, in the person's DM with the bot (the modal is closed)."""
    post_to_user(deps.client, deps.actor.user_id, notice(message))


def value(values: Values, block_id: str) -> dict[str, Any]:
    """The state of an input block's element (every element's action_id is ids.VALUE)."""
    return values.get(block_id, {}).get(ids.VALUE, {})


def metadata_id(view: dict[str, Any]) -> int:
    """The meeting or pair id a modal was opened for; anything else is forged."""
    return payload_id(view.get("private_metadata"))


def submit_add_point(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Add a talking point from the modal (text, private checkbox, which 1:1)."""
    try:
        text = clean_text(text_from_form(deps, value(values, ids.POINT_TEXT)))
    except Invalid as error:
        raise FieldError(ids.POINT_TEXT, refusal_text(error)) from error
    private = bool(value(values, ids.POINT_PRIVATE).get("selected_options"))
    meta = _add_point_metadata(view)
    pair_id = _chosen_pair(meta, values)
    source = _source(meta)
    with deps.db.read() as session:
        get_active_pair(session, deps.actor, pair_id)
    origin = f"view:{view.get('id')}"

    def after() -> None:
        body = add_point(
            deps, None, text, private=private, origin=origin, pair_id=pair_id, source=source
        )
        post_to_user(deps.client, deps.actor.user_id, body)

    return after


def _add_point_metadata(view: dict) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError as error:
        raise NotAllowed() from error
    return meta if isinstance(meta, dict) else {}


def _source(meta: dict[str, Any]) -> Source | None:
    """The shared message, as the shortcut put it in the form (checked: metadata is the
    client's to send, so only an http(s) URL and a channel name are taken from it)."""
    source = meta.get("source")
    if not isinstance(source, dict):
        return None
    return Source.of(source.get("url"), source.get("channel"))


def _chosen_pair(meta: dict[str, Any], values: Values) -> int:
    chosen = (value(values, ids.POINT_PAIR).get("selected_option") or {}).get("value")
    pair = meta.get("pair")
    picked = pair if pair is not None else chosen
    if picked is None:
        raise FieldError(ids.POINT_PAIR, _("Pick the 1:1 this is for."))
    return payload_id(picked)


def submit_schedule(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Create the series from the scheduling modal."""
    request = _pair_request(values)
    try:
        pair, meeting = scheduling.create_series(deps, request)
    except Invalid as error:
        block = SCHEDULE_FIELDS.get(error.field or "", ids.SCHEDULE_PERSON)
        raise FieldError(block, refusal_text(error)) from error

    def after() -> None:
        body = scheduling.announce_series(deps, pair, meeting)
        post_to_user(deps.client, deps.actor.user_id, body)

    return after


def _pair_request(values: Values) -> PairRequest:
    def selected(block_id: str) -> str:
        return (value(values, block_id).get("selected_option") or {}).get("value") or ""

    person = value(values, ids.SCHEDULE_PERSON).get("selected_user")
    if not person:
        raise FieldError(ids.SCHEDULE_PERSON, _("Pick the person you manage."))
    at = value(values, ids.SCHEDULE_TIME).get("selected_time") or ""
    try:
        return PairRequest(
            report_id=person,
            weekday=int(selected(ids.SCHEDULE_WEEKDAY)),
            local_time=time.fromisoformat(at),
            timezone=(value(values, ids.SCHEDULE_TIMEZONE).get("value") or "").strip(),
            cadence=selected(ids.SCHEDULE_CADENCE) or "weekly",
            duration_minutes=int(selected(ids.SCHEDULE_DURATION) or 30),
            prompt_lead_minutes=int(selected(ids.SCHEDULE_PROMPT_LEAD) or 24 * 60),
            agenda_lead_minutes=int(selected(ids.SCHEDULE_AGENDA_LEAD) or 30),
        )
    except ValueError as error:
        raise FieldError(ids.SCHEDULE_TIME, _("Pick a weekday and a start time.")) from error


def submit_reschedule(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Move a meeting to the picked date and time."""
    picked_day = value(values, ids.RESCHEDULE_DATE).get("selected_date")
    picked_time = value(values, ids.RESCHEDULE_TIME).get("selected_time")
    if not picked_day or not picked_time:
        raise FieldError(ids.RESCHEDULE_DATE, _("Pick a date and a time."))
    try:
        moved, pair = occurrences.reschedule(
            deps,
            None,
            date.fromisoformat(picked_day),
            time.fromisoformat(picked_time),
            meeting_id=metadata_id(view),
        )
    except Invalid as error:
        block = ids.RESCHEDULE_TIME if error.field == "time" else ids.RESCHEDULE_DATE
        raise FieldError(block, refusal_text(error)) from error

    def after() -> None:
        body = occurrences.announce_reschedule(deps, moved, pair)
        post_to_user(deps.client, deps.actor.user_id, body)

    return after


def submit_skip(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Skip confirmed (after being offered to reschedule)."""
    skipped, following, pair = occurrences.skip(deps, metadata_id(view))
    return lambda: occurrences.announce_skip(deps, skipped, following, pair)


def submit_pause(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Pause until the picked date."""
    picked = value(values, ids.PAUSE_UNTIL).get("selected_date")
    if not picked:
        raise FieldError(ids.PAUSE_UNTIL, _("Pick the date your 1:1s start again."))
    try:
        pair, following = occurrences.pause(
            deps, None, date.fromisoformat(picked), pair_id=metadata_id(view)
        )
    except Invalid as error:
        raise FieldError(ids.PAUSE_UNTIL, refusal_text(error)) from error

    def after() -> None:
        body = occurrences.announce_pause(deps, pair, following)
        post_to_user(deps.client, deps.actor.user_id, body)

    return after


NOTES_FIELDS = {"shared_notes": ids.NOTES_SHARED, "private_notes": ids.NOTES_PRIVATE}


def submit_notes(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Save notes, ticks and action items; then post or update the summary."""
    try:
        meeting_id, request = notes.submitted(view, values, notes.mentioned_names(deps, values))
    except notes.RowError as error:
        raise FieldError(error.block_id, refusal_text(error)) from error
    try:
        with deps.db() as session:
            saved = save_notes(session, deps.actor, meeting_id, request, now=deps.now())
    except Invalid as error:
        field = error.field or ""
        block = NOTES_FIELDS.get(field)
        if field.startswith("item:"):  # that row's action item: shown next to its text
            block = f"{ids.ITEM_TEXT}:{field.removeprefix('item:')}"
        if block is None:
            raise
        raise FieldError(block, refusal_text(error)) from error
    return lambda: notes.after_save(deps, saved)


def submit_delete_my_data(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Confirmed: the private notes and points go now; Slack's copies after the ack."""
    return deletion.delete_my_data(deps)


SUBMISSIONS: dict[str, Submission] = {
    ids.ADD_POINT_MODAL: submit_add_point,
    ids.SCHEDULE_MODAL: submit_schedule,
    ids.RESCHEDULE_MODAL: submit_reschedule,
    ids.SKIP_MODAL: submit_skip,
    ids.PAUSE_MODAL: submit_pause,
    ids.NOTES_MODAL: submit_notes,
    ids.DELETE_MY_DATA_MODAL: submit_delete_my_data,
}
