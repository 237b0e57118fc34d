"""A series' settings modal (time, lead times, check-ins, language, standing items, handover)
and the notices a change sends."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from babel.dates import get_day_names

from blocks import ids
from blocks.format import slack_date
from blocks.i18n import _, current_language, ngettext
from blocks.kit import Block, actions, button, context, divider, header, message, plain, section
from blocks.modals import (
    AGENDA_LEADS,
    CADENCES,
    DURATIONS,
    PROMPT_LEADS,
    input_block,
    modal,
    option,
    static_select,
)
from blocks.text import escape
from blocks.when import recurring_time, zone_name
from store.settings_views import SettingsChanged, SettingsView
from store.views import StandingView

STANDING_MAX = 10  # as store.standing.STANDING_MAX (blocks see no store module with SQL)
STANDING_TEXT_MAX = 200
MANAGERS = "manager"  # the language option "the manager's Slack language" (stored as None)
ROW_KEY = re.compile(r"^[sn]\d{1,12}$")
HAND_CONFIRMED = "yes"  # the handover's confirmation box, ticked


def standing_cadences() -> list[tuple[str, str]]:
    """How often a standing item is on the agenda, as the form offers it."""
    return [
        ("every", _("Every 1:1")),
        ("every_2nd", _("Every 2nd 1:1")),
        ("monthly", _("Monthly (the first 1:1 of each month)")),
    ]


def languages() -> list[tuple[str, str]]:
    """The group DM's language: the manager's Slack language, or one oneonone speaks."""
    # each language in its own name, so that whoever reads it finds theirs
    return [(MANAGERS, _("Manager's language")), ("en", "English"), ("de", "Deutsch")]


@dataclass(frozen=True)
class StandingRow:
    """One standing item row of the form: `key` "s<id>" (saved) or "n<k>" (new)."""

    key: str
    text: str
    cadence: str


@dataclass(frozen=True)
class SettingsMeta:
    """What the settings modal showed when first opened: its private_metadata. A save
    applies only what the person changed from this (`shown`: each saved item's text
    fingerprint and cadence; `order`: their order); `rows` are the row keys now."""

    pair_id: int
    rows: tuple[str, ...]
    shown: dict[int, tuple[str, str]] = field(default_factory=dict)
    order: tuple[int, ...] = ()

    def to_json(self) -> str:
        meta = {
            "pair": self.pair_id,
            "rows": self.rows,
            "shown": {str(k): list(v) for k, v in self.shown.items()},
            "order": self.order,
        }
        return json.dumps(meta, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SettingsMeta:
        """Parse private_metadata; ValueError (or KeyError, TypeError) when malformed."""
        meta = json.loads(text)
        rows = tuple(str(key) for key in meta["rows"])
        if len(rows) > STANDING_MAX + 1 or not all(ROW_KEY.match(key) for key in rows):
            raise ValueError("bad rows")
        shown = {int(k): (str(v[0]), str(v[1])) for k, v in dict(meta["shown"]).items()}
        return cls(
            pair_id=int(meta["pair"]),
            rows=rows,
            shown=shown,
            order=tuple(int(i) for i in meta["order"]),
        )


def first_meta(settings: SettingsView, prints: dict[int, str]) -> SettingsMeta:
    """The metadata of a freshly opened form (`prints`: each item's text fingerprint)."""
    items = settings.standing
    return SettingsMeta(
        pair_id=settings.pair_id,
        rows=tuple(f"s{item.id}" for item in items),
        shown={item.id: (prints[item.id], item.cadence) for item in items},
        order=tuple(item.id for item in items),
    )


def saved_rows(items: tuple[StandingView, ...]) -> list[StandingRow]:
    """The form's rows for the saved standing items."""
    return [StandingRow(f"s{item.id}", item.text, item.cadence) for item in items]


# --- the modal ----------------------------------------------------------------------------------


def settings_modal(
    settings: SettingsView,
    rows: list[StandingRow],
    names: dict[str, str],
    meta: SettingsMeta,
    zone: str | None = None,
) -> dict[str, Any]:
    """The settings of one series for one of its two people: the manager edits the time and
    lead times and may hand the series over; the report reads them, on their clock (`zone`)."""
    other = settings.other_id
    blocks: list[Block] = [context(_("Settings of your 1:1s with <@{other}>").format(other=other))]
    blocks += _when_inputs(settings) if settings.is_manager else _when_read_only(settings, zone)
    blocks += [divider(), _checkins(settings, names), _language(settings)]
    blocks += [divider(), *_standing_blocks(rows)]
    if settings.is_manager:
        blocks += [divider(), *_handover()]
    return modal(
        ids.SETTINGS_MODAL,
        _("1:1 settings"),
        blocks,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=meta.to_json(),
    )


def _when_inputs(settings: SettingsView) -> list[Block]:
    names = get_day_names("wide", locale=current_language())
    weekdays = [(str(i), str(names[i])) for i in range(7)]
    at = {"type": "timepicker", "initial_time": f"{settings.local_time:%H:%M}"}
    durations = _with_current(
        [(str(m), _("{minutes} minutes").format(minutes=m)) for m in DURATIONS],
        settings.duration_minutes,
        lead=False,
    )
    prompt = _with_current(_leads(PROMPT_LEADS), settings.prompt_lead_minutes)
    agenda = _with_current(_leads(AGENDA_LEADS), settings.agenda_lead_minutes)
    series = settings.series
    zone = escape(zone_name(settings.timezone, series.slot) if series else settings.timezone)
    return [
        section(_("*When*")),
        input_block(
            ids.SETTINGS_WEEKDAY,
            _("Weekday"),
            static_select(weekdays, initial=str(settings.weekday)),
        ),
        input_block(ids.SETTINGS_TIME, _("Start time"), at),
        input_block(
            ids.SETTINGS_CADENCE,
            _("How often"),
            static_select([(v, _(text)) for v, text in CADENCES], initial=settings.cadence),
        ),
        input_block(
            ids.SETTINGS_DURATION,
            _("Duration"),
            static_select(durations, initial=str(settings.duration_minutes)),
        ),
        input_block(
            ids.SETTINGS_PROMPT_LEAD,
            _("Ask for talking points"),
            static_select(prompt, initial=str(settings.prompt_lead_minutes)),
        ),
        input_block(
            ids.SETTINGS_AGENDA_LEAD,
            _("Post the agenda"),
            static_select(agenda, initial=str(settings.agenda_lead_minutes)),
        ),
        context(
            _(
                "The time is {zone} time, the series' time zone. A new time moves the next 1:1s; "
                "<@{report}> will be told."
            ).format(zone=zone, report=settings.report_id)
        ),
    ]


def _when_read_only(settings: SettingsView, zone: str | None) -> list[Block]:
    when = recurring_time(settings.series, zone) if settings.series else _("not planned yet")
    prompt = _lead_text(PROMPT_LEADS, settings.prompt_lead_minutes)
    agenda = _lead_text(AGENDA_LEADS, settings.agenda_lead_minutes)
    lines = [
        _("*When:* {when}, {minutes} minutes").format(
            when=escape(when), minutes=settings.duration_minutes
        ),
        _("*Talking points asked for:* {prompt} · *Agenda posted:* {agenda}").format(
            prompt=prompt, agenda=agenda
        ),
    ]
    return [
        section("\n".join(lines)),
        context(
            _("<@{manager}> sets the time and the lead times.").format(manager=settings.manager_id)
        ),
    ]


def _leads(leads: tuple[tuple[int, str], ...]) -> list[tuple[str, str]]:
    return [(str(minutes), _(text)) for minutes, text in leads]


def _with_current(
    choices: list[tuple[str, str]], current: int, *, lead: bool = True
) -> list[tuple[str, str]]:
    """The choices, with the current value added when it is none of them."""
    if str(current) in {value for value, _text in choices}:
        return choices
    words = _("{minutes} minutes before") if lead else _("{minutes} minutes")
    extra = (str(current), words.format(minutes=current))
    return sorted([*choices, extra], key=lambda choice: int(choice[0]))


def _lead_text(leads: tuple[tuple[int, str], ...], minutes: int) -> str:
    named = dict(leads)
    if minutes in named:
        return _(named[minutes])
    return _("{minutes} minutes before").format(minutes=minutes)


def _checkins(settings: SettingsView, names: dict[str, str]) -> Block:
    def who(user_id: str) -> str:
        if user_id == settings.viewer_id:
            return _("Ask me before each 1:1")
        return _("Ask {name} before each 1:1").format(name=names.get(user_id, user_id))

    choices = [("report", who(settings.report_id)), ("manager", who(settings.manager_id))]
    options = [option(text, value) for value, text in choices]
    on = {"report": settings.checkins_report, "manager": settings.checkins_manager}
    box: dict[str, Any] = {"type": "checkboxes", "options": options}
    initial = [o for o in options if on[o["value"]]]
    if initial:
        box["initial_options"] = initial
    return input_block(
        ids.SETTINGS_CHECKINS,
        _("Check-in: “How are you doing this week?”"),
        box,
        optional=True,
        hint=_("Only the two of you see the answers."),
    )


def _language(settings: SettingsView) -> Block:
    select = static_select(languages(), initial=settings.group_language or MANAGERS)
    return input_block(ids.SETTINGS_LANGUAGE, _("Language of your group DM"), select)


def _standing_blocks(rows: list[StandingRow]) -> list[Block]:
    blocks: list[Block] = [
        section(_("*Standing items*")),
        context(
            _(
                "On the agenda of every 1:1, every 2nd, or the first of each month; "
                "ticked in each 1:1 on its own, never carried over."
            )
        ),
    ]
    for number, row in enumerate(rows, start=1):
        blocks += _standing_row(row, number, first=number == 1, last=number == len(rows))
    if len(rows) < STANDING_MAX:
        blocks.append(actions(button(_("Add a standing item"), ids.STANDING_ADD, "add")))
    else:
        limit = ngettext(
            "That's the most a 1:1 can have: {limit} standing item.",
            "That's the most a 1:1 can have: {limit} standing items.",
            STANDING_MAX,
        )
        blocks.append(context(limit.format(limit=STANDING_MAX)))
    return blocks


def _standing_row(row: StandingRow, number: int, *, first: bool, last: bool) -> list[Block]:
    text: dict[str, Any] = {"type": "plain_text_input", "max_length": STANDING_TEXT_MAX}
    if row.text:
        text["initial_value"] = row.text[:STANDING_TEXT_MAX]
    else:
        text["placeholder"] = plain(_("e.g. Career and growth"))
    cadence = static_select(standing_cadences(), initial=row.cadence or "every")
    moves = [
        *([] if first else [button(_("↑ Up"), ids.STANDING_UP, row.key)]),
        *([] if last else [button(_("↓ Down"), ids.STANDING_DOWN, row.key)]),
        button(_("Remove"), ids.STANDING_REMOVE, row.key, style="danger"),
    ]
    label = _("Standing item {number}").format(number=number)
    return [
        input_block(
            f"{ids.STANDING_TEXT}:{row.key}", label, text, optional=not row.key.startswith("s")
        ),
        input_block(f"{ids.STANDING_CADENCE}:{row.key}", _("How often"), cadence),
        actions(*moves, block_id=f"{ids.STANDING_ROW}:{row.key}"),
    ]


def _handover() -> list[Block]:
    person = {"type": "users_select", "placeholder": plain(_("Choose the new manager"))}
    sure = option(_("Yes, hand these 1:1s over to this person"), HAND_CONFIRMED)
    return [
        header(_("Hand these 1:1s over")),
        input_block(
            ids.SETTINGS_HAND_TO,
            _("New manager"),
            person,
            optional=True,
            hint=_(
                "A reorg? The history goes with the 1:1s. The new manager sees what you shared, "
                "never your private notes or points. All three of you are told."
            ),
        ),
        input_block(
            ids.SETTINGS_HAND_CONFIRM,
            _("When you choose a new manager"),
            {"type": "checkboxes", "options": [sure]},
            optional=True,  # required only with a new manager: the submission checks it
        ),
    ]


# --- notices ------------------------------------------------------------------------------------


def _next(changed: SettingsChanged) -> str:
    if changed.next_starts_at is None:
        return ""
    return _("The next one is *{date}*.").format(date=slack_date(changed.next_starts_at))


def retimed_notice(changed: SettingsChanged, zone: str | None) -> dict[str, Any]:
    """To the report: the manager moved the series (day, time, cadence or length)."""
    when = recurring_time(changed.series, zone) if changed.series else ""
    text = _("<@{manager}> moved your 1:1s to {when}, {minutes} minutes each.").format(
        manager=changed.manager_id, when=escape(when), minutes=changed.duration_minutes
    )
    return message(text, [section(f"🗓️ {text} {_next(changed)}".strip())])


def saved_notice(changed: SettingsChanged, zone: str | None) -> dict[str, Any]:
    """To the person who saved: what changed."""
    other = changed.report_id if changed.actor_id == changed.manager_id else changed.manager_id
    lines = [_("✅ Saved the settings of your 1:1s with <@{other}>.").format(other=other)]
    if changed.retimed and changed.series:
        when = escape(recurring_time(changed.series, zone))
        lines.append(
            _("They are {when} from now on. {next}").format(when=when, next=_next(changed))
        )
    if changed.standing:
        lines.append(_("The standing items are on the next agendas."))
    text = "\n".join(line.strip() for line in lines)
    return message(lines[0], [section(text)])


def handover_notices(changed: SettingsChanged) -> dict[str, dict[str, Any]]:
    """The three people of a handover, each told what it means for them (by user id)."""
    old, new, report = changed.handed_from or "", changed.manager_id, changed.report_id
    texts = {
        old: _(
            "You handed your 1:1s with <@{report}> to <@{new}>. Your open action items in them "
            "go to <@{new}>. Your private notes and points stay private: nobody else sees them "
            "(`/oneonone delete-my-data` deletes them)."
        ),
        new: _(
            "<@{old}> handed you their 1:1s with <@{report}>. You see their shared history: "
            "summaries, shared notes and action items (never anyone's private notes). {next}"
        ),
        report: _(
            "<@{old}> handed your 1:1s to <@{new}>, who is your manager for them from now on. "
            "Your private notes and points stay yours alone. {next}"
        ),
    }
    out = {}
    for user_id, text in texts.items():
        body = text.format(old=old, new=new, report=report, next=_next(changed)).strip()
        out[user_id] = message(body, [section(f"🤝 {body}")])
    return out
