"""A series' settings modal: open it (Home tab, `/oneonone settings`), edit its standing item
rows in place, save it (the store decides who may change what), and tell the people
concerned; and ticking standing items on the agenda."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import time
from typing import Any

from slack_bolt import App

from blocks import ids
from blocks.i18n import _, reading
from blocks.settings import (
    HAND_CONFIRMED,
    MANAGERS,
    STANDING_MAX,
    SettingsMeta,
    StandingRow,
    first_meta,
    handover_notices,
    retimed_notice,
    saved_notice,
    saved_rows,
    settings_modal,
)
from handlers import actions as action_listeners
from handlers import views as view_listeners
from handlers.context import Deps, refusal_text
from handlers.payload import payload_id
from handlers.people import display_name, look_up, time_zone
from handlers.publish import post_to_user
from handlers.scheduling import check_report
from store.access import Invalid, NotAllowed, find_pair_with
from store.models import id_of
from store.settings import SettingsChange, save_settings, settings_view
from store.settings_views import SettingsChanged, SettingsView
from store.standing import StandingInput, tick_standing
from store.standing import StandingRow as StoredRow
from store.views import fingerprint

Values = dict[str, dict[str, Any]]
FieldError = view_listeners.FieldError
FIELDS = {
    "duration": ids.SETTINGS_DURATION,
    "prompt_lead": ids.SETTINGS_PROMPT_LEAD,
    "agenda_lead": ids.SETTINGS_AGENDA_LEAD,
    "timezone": ids.SETTINGS_CADENCE,
    "language": ids.SETTINGS_LANGUAGE,
    "hand_to": ids.SETTINGS_HAND_TO,
    "report": ids.SETTINGS_HAND_TO,
}


def register(app: App) -> None:
    """Bind the settings modal's buttons and submission, and the agenda's standing ticks."""
    for action_id, run in ACTIONS.items():
        app.action(action_id)(action_listeners.listener_for(run))
    app.view(ids.SETTINGS_MODAL)(view_listeners.listener_for(submit_settings))


def locale_of(deps: Deps, user_id: str) -> str | None:
    """The person's Slack locale (users.info when not stored), for what they read."""
    person = look_up(deps, user_id)
    return person.locale if person else None


# --- opening and editing -------------------------------------------------------------------------


def open_settings(
    deps: Deps, trigger_id: str, *, person: str | None = None, pair_id: int | None = None
) -> None:
    """The settings modal of the series with `person` (or `pair_id`, or the only one)."""
    with deps.db() as session:
        if pair_id is None:
            pair_id = id_of(find_pair_with(session, deps.actor, person))
        settings = settings_view(session, deps.actor, pair_id, now=deps.now())
    prints = {item.id: fingerprint(item.text) for item in settings.standing}
    meta = first_meta(settings, prints)
    view = _modal(deps, settings, saved_rows(settings.standing), meta)
    deps.client.views_open(trigger_id=trigger_id, view=view)


def _modal(
    deps: Deps, settings: SettingsView, rows: list[StandingRow], meta: SettingsMeta
) -> dict[str, Any]:
    names = {p: display_name(deps, p) for p in (settings.manager_id, settings.report_id)}
    reader = deps.actor.user_id
    with reading(locale_of(deps, reader)):
        return settings_modal(settings, rows, names, meta, time_zone(deps, reader))


def opened(view: dict[str, Any]) -> SettingsMeta:
    """The modal's private_metadata (re-checked in the store); malformed is a forgery."""
    try:
        meta = SettingsMeta.from_json(view.get("private_metadata") or "")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise NotAllowed() from error
    payload_id(meta.pair_id)
    return meta


def change_rows(deps: Deps, body: dict[str, Any], what: str, key: str) -> None:
    """Add a standing item row, move one up or down, or remove one, keeping what was typed
    (Slack keeps the typed values of inputs whose block ids stay)."""
    view = body.get("view") or {}
    meta = opened(view)
    values: Values = (view.get("state") or {}).get("values") or {}
    with deps.db.read() as session:
        settings = settings_view(session, deps.actor, meta.pair_id, now=deps.now())
    keys = list(meta.rows)
    if what == "add" and len(keys) < STANDING_MAX:
        used = [int(k[1:]) for k in keys if k.startswith("n")]
        keys.append(f"n{max(used, default=0) + 1}")
    elif key in keys and what == "remove":
        keys.remove(key)
    elif key in keys and what in ("up", "down"):
        index = keys.index(key)
        other = index - 1 if what == "up" else index + 1
        if 0 <= other < len(keys):
            keys[index], keys[other] = keys[other], keys[index]
    saved = {f"s{item.id}": item for item in settings.standing}
    rows = [_typed_row(k, values, saved) for k in keys]
    body_view = _modal(deps, settings, rows, replace(meta, rows=tuple(keys)))
    deps.client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=body_view)


def _typed_row(key: str, values: Values, saved: dict[str, Any]) -> StandingRow:
    item = saved.get(key)
    text = _value(values, f"{ids.STANDING_TEXT}:{key}").get("value")
    picked = _selected(values, f"{ids.STANDING_CADENCE}:{key}")
    return StandingRow(
        key=key,
        text=text if text is not None else (item.text if item else ""),
        cadence=picked or (item.cadence if item else "every"),
    )


def _value(values: Values, block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(ids.VALUE) or {}


def _selected(values: Values, block_id: str) -> str | None:
    option = _value(values, block_id).get("selected_option") or {}
    value = option.get("value")
    return str(value) if value is not None else None


# --- saving --------------------------------------------------------------------------------------


def submit_settings(deps: Deps, view: dict, values: Values) -> Callable[[], None]:
    """Save the settings (all or nothing); the errors go next to their field."""
    meta = opened(view)
    change = submitted(meta, values)
    if change.hand_to and _asks_confirmation(view) and not _hand_confirmed(values):
        raise FieldError(
            ids.SETTINGS_HAND_CONFIRM,
            _("Tick this box to hand the 1:1s over, or clear the new manager."),
        )
    try:
        if change.hand_to:
            check_report(deps, change.hand_to)  # a person, in this workspace (users.info)
        with deps.db() as session:
            changed = save_settings(session, deps.actor, meta.pair_id, change, now=deps.now())
    except Invalid as error:
        raise FieldError(_block_of(error.field), refusal_text(error)) from error
    return lambda: announce(deps, changed)


def _asks_confirmation(view: dict) -> bool:
    """The form has the handover's box (the manager's; a forged report's form has not, and
    the store refuses its handover)."""
    blocks = view.get("blocks") or []
    return any(b.get("block_id") == ids.SETTINGS_HAND_CONFIRM for b in blocks)


def _hand_confirmed(values: Values) -> bool:
    ticked = _value(values, ids.SETTINGS_HAND_CONFIRM).get("selected_options") or []
    return any(o.get("value") == HAND_CONFIRMED for o in ticked)


def _block_of(field: str | None) -> str:
    if field and (field.startswith("s") or field.startswith("n")) and field[1:].isdigit():
        return f"{ids.STANDING_TEXT}:{field}"
    return FIELDS.get(field or "", ids.SETTINGS_LANGUAGE)


def submitted(meta: SettingsMeta, values: Values) -> SettingsChange:
    """What the form says; inputs it did not have (the report's form has no time) are None."""
    try:
        return SettingsChange(
            weekday=_int(_selected(values, ids.SETTINGS_WEEKDAY)),
            local_time=_time(_value(values, ids.SETTINGS_TIME).get("selected_time")),
            cadence=_selected(values, ids.SETTINGS_CADENCE),
            duration_minutes=_int(_selected(values, ids.SETTINGS_DURATION)),
            prompt_lead_minutes=_int(_selected(values, ids.SETTINGS_PROMPT_LEAD)),
            agenda_lead_minutes=_int(_selected(values, ids.SETTINGS_AGENDA_LEAD)),
            **_checkins(values),
            group_language=_language(values),
            standing=_standing(meta, values),
            hand_to=_value(values, ids.SETTINGS_HAND_TO).get("selected_user") or None,
        )
    except ValueError as error:
        raise NotAllowed() from error  # a value no form of ours sends


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _time(value: object) -> time | None:
    return None if value is None else time.fromisoformat(str(value))


def _checkins(values: Values) -> dict[str, bool]:
    if ids.SETTINGS_CHECKINS not in values:
        return {}
    chosen = {
        o.get("value") for o in _value(values, ids.SETTINGS_CHECKINS).get("selected_options") or []
    }
    return {"checkins_report": "report" in chosen, "checkins_manager": "manager" in chosen}


def _language(values: Values) -> str | None:
    picked = _selected(values, ids.SETTINGS_LANGUAGE)
    return "" if picked == MANAGERS else picked


def _standing(meta: SettingsMeta, values: Values) -> StandingInput:
    rows = tuple(
        StoredRow(
            key=key,
            text=_value(values, f"{ids.STANDING_TEXT}:{key}").get("value") or "",
            cadence=_selected(values, f"{ids.STANDING_CADENCE}:{key}") or "",
        )
        for key in meta.rows
    )
    return StandingInput(rows=rows, shown=meta.shown, order=meta.order)


def announce(deps: Deps, changed: SettingsChanged) -> None:
    """Tell the people concerned, each in their language and on their clock; update the
    agendas and Home tabs the change shows on."""
    if changed.nothing:
        return
    actor = deps.actor.user_id
    _tell(deps, actor, lambda zone: saved_notice(changed, zone))
    if changed.retimed and changed.report_id != actor:
        _tell(deps, changed.report_id, lambda zone: retimed_notice(changed, zone))
    if changed.handed_from:
        for user_id, body in _handover_bodies(deps, changed).items():
            post_to_user(deps.client, user_id, body)
    deps.refresh_agenda(*changed.meetings)
    if deps.homes is not None:
        people = {changed.manager_id, changed.report_id, changed.handed_from} - {None}
        deps.homes.request(deps.actor.team_id, sorted(p for p in people if p))


def _tell(deps: Deps, user_id: str, build: Callable[[str | None], dict[str, Any]]) -> None:
    person = look_up(deps, user_id)
    with reading(person.locale if person else None):
        body = build(person.tz if person else None)
    post_to_user(deps.client, user_id, body)


def _handover_bodies(deps: Deps, changed: SettingsChanged) -> dict[str, dict[str, Any]]:
    bodies = {}
    for user_id in (changed.handed_from, changed.manager_id, changed.report_id):
        if user_id:
            with reading(locale_of(deps, user_id)):
                bodies[user_id] = handover_notices(changed)[user_id]
    return bodies


# --- buttons -------------------------------------------------------------------------------------


def settings_open(deps: Deps, body: dict, action: dict) -> None:
    """The Home tab's "Settings" (value: pair id)."""
    open_settings(deps, body["trigger_id"], pair_id=payload_id(action.get("value")))


def _row_action(what: str) -> Callable[[Deps, dict, dict], None]:
    def run(deps: Deps, body: dict, action: dict) -> None:
        change_rows(deps, body, what, str(action.get("value") or ""))

    run.__name__ = f"standing_{what}"
    return run


def standing_tick(deps: Deps, body: dict, action: dict) -> None:
    """A standing item's "Discussed" box on the agenda (this meeting's tick only)."""
    options = action.get("selected_options") or []
    value = options[0]["value"] if options else str(action.get("block_id") or "")
    meeting, _, item = value.removeprefix(ids.STANDING_TICK + ":").partition(":")
    with deps.db() as session:
        ticked = tick_standing(
            session,
            deps.actor,
            payload_id(meeting),
            payload_id(item),
            bool(options),
            now=deps.now(),
        )
    deps.refresh_agenda(ticked.id)


ACTIONS: dict[str, Callable[[Deps, dict, dict], Any]] = {
    ids.SETTINGS_OPEN: settings_open,
    ids.STANDING_ADD: _row_action("add"),
    ids.STANDING_UP: _row_action("up"),
    ids.STANDING_DOWN: _row_action("down"),
    ids.STANDING_REMOVE: _row_action("remove"),
    ids.STANDING_TICK: standing_tick,
}
