"""Modals: add a talking point, schedule a series, reschedule, skip or pause."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from babel.dates import get_day_names

from blocks import ids
from blocks.format import slack_date
from blocks.i18n import N_, _, current_language
from blocks.kit import (
    MODAL_TITLE_MAX,
    VIEW_BLOCKS_MAX,
    Block,
    button,
    context,
    plain,
    section,
)
from blocks.rich_text import from_stored
from blocks.text import escape, truncate
from blocks.when import clock, on_clock, zone_name
from store.point_text import Source, shorten, valid_url
from store.views import MeetingFor

POINT_TEXT_MAX = 2000
OPTION_TEXT_MAX = 75
SELECT_OPTIONS_MAX = 100
# Catalog messages (N_): translated where a modal is built, in its reader's language.
CADENCES = (
    ("weekly", N_("Every week")),
    ("biweekly", N_("Every 2 weeks")),
    ("monthly", N_("Monthly (same weekday)")),
)
DURATIONS = (15, 25, 30, 45, 60, 90)
PROMPT_LEADS = (
    (120, N_("2 hours before")),
    (240, N_("4 hours before")),
    (1440, N_("1 day before")),
    (2880, N_("2 days before")),
)
AGENDA_LEADS = (
    (10, N_("10 minutes before")),
    (15, N_("15 minutes before")),
    (30, N_("30 minutes before")),
    (60, N_("1 hour before")),
)


# --- small builders ------------------------------------------------------------------------


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    """A modal view; `submit` is required by Slack whenever there are input blocks."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(truncate(title, MODAL_TITLE_MAX)),
        "close": plain(truncate(close or _("Cancel"), MODAL_TITLE_MAX)),
        "blocks": blocks[:VIEW_BLOCKS_MAX],
    }
    if submit:
        view["submit"] = plain(truncate(submit, MODAL_TITLE_MAX))
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def for_text(other_id: str, starts_at: datetime | None, *, what: str = "1:1") -> str:
    """Which 1:1 and which meeting: "For your 1:1 with <@U> · <date>" (Slack shows the
    mention as the name, and pings nobody in a modal; the date on the reader's clock)."""
    person = f"<@{other_id}>"
    huddle = what == "huddle"
    if starts_at is None:
        if huddle:
            return _("For your next huddle with {person}").format(person=person)
        return _("For your next 1:1 with {person}").format(person=person)
    when = slack_date(starts_at)
    if huddle:
        return _("For your huddle with {person} · {when}").format(person=person, when=when)
    return _("For your 1:1 with {person} · {when}").format(person=person, when=when)


def for_block(meeting: MeetingFor) -> Block:
    """A modal's first block: the 1:1 and the meeting it is for."""
    what = "huddle" if meeting.unscheduled else "1:1"
    return context(for_text(meeting.other_id, meeting.starts_at, what=what))


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    """An input block whose element's action_id is ids.VALUE."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": ids.VALUE},
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint)
    return block


def option(text: str, value: str) -> dict[str, Any]:
    """An option of a select or checkbox group (text cut to Slack's 75 characters)."""
    return {"text": plain(truncate(text, OPTION_TEXT_MAX)), "value": value}


def static_select(
    choices: list[tuple[str, str]], *, initial: str | None = None, placeholder: str | None = None
) -> dict[str, Any]:
    """A static_select of (value, text) pairs, with the option whose value is `initial`."""
    options = [option(text, value) for value, text in choices[:SELECT_OPTIONS_MAX]]
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain(placeholder or _("Choose")),
        "options": options,
    }
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


# --- add a talking point -------------------------------------------------------------------


def add_point_modal(
    *,
    pairs: list[tuple[int, str]],
    pair_id: int | None,
    target: MeetingFor | None = None,
    initial_text: str = "",
    source: Source | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Text (`initial_text` in store.point_text's stored form), private or not, and which
    1:1 when that is open; `target` is the chosen 1:1's upcoming meeting, where the point
    goes. Metadata {"pair", "origin"} and, for a point made from a message, "source"
    {"url", "channel"}."""
    if pair_id is None and len(pairs) == 1:
        pair_id = pairs[0][0]  # the only 1:1: no need to ask
    blocks: list[Block] = [_point_for(pair_id, target)]
    if source is not None:
        blocks.append(context(_("📎 From {source}").format(source=_source_link(source))))
    blocks.append(_point_text(initial_text))
    if pair_id is None:
        blocks.append(_pair_select(pairs))
    blocks.append(_point_private())
    meta: dict[str, Any] = {"pair": pair_id, "origin": origin}
    if source is not None:
        meta["source"] = {"url": source.url, "channel": source.channel}
    metadata = json.dumps(meta)
    return modal(
        ids.ADD_POINT_MODAL,
        _("Add a talking point"),
        blocks,
        submit=_("Add"),
        private_metadata=metadata,
    )


def _point_for(pair_id: int | None, target: MeetingFor | None) -> Block:
    """Where the point goes: the 1:1's upcoming meeting, or the 1:1 picked below."""
    if pair_id is None or target is None or target.pair_id != pair_id:
        return context(_("For the next 1:1 with the person you pick below."))
    return for_block(target)


def _source_link(source: Source) -> str:
    if source.channel:
        where = _("this message in {channel}").format(channel=source.channel)
    else:
        where = _("this message")
    url = valid_url(source.url)
    return f"<{escape(url)}|{escape(where)}>" if url else escape(where)


def _point_text(initial_text: str) -> Block:
    """Rich text, so that people can be picked and links made as anywhere else in Slack
    (it has no max_length: the length is checked when the form is sent)."""
    element: dict[str, Any] = {
        "type": "rich_text_input",
        "placeholder": plain(_("What do you want to talk about?")),
    }
    if initial_text:
        element["initial_value"] = from_stored(shorten(initial_text, POINT_TEXT_MAX))
    return input_block(ids.POINT_TEXT, _("Talking point"), element)


def _point_private() -> Block:
    private = option(_("Private — only I can see it"), "private")
    checkbox = {"type": "checkboxes", "options": [private]}
    return input_block(ids.POINT_PRIVATE, _("Who can see it"), checkbox, optional=True)


def _pair_select(pairs: list[tuple[int, str]]) -> Block:
    choices = [(str(pid), label) for pid, label in pairs]
    select = static_select(choices, placeholder=_("Choose a 1:1"))
    return input_block(ids.POINT_PAIR, _("Which 1:1?"), select)


# --- schedule a series ---------------------------------------------------------------------


def schedule_modal(*, timezone: str, report_id: str | None = None) -> dict[str, Any]:
    """Who, weekday, time, cadence, duration, time zone and the two lead times."""
    person: dict[str, Any] = {"type": "users_select", "placeholder": plain(_("Choose a person"))}
    if report_id:
        person["initial_user"] = report_id
    time_input = {"type": "timepicker", "initial_time": "10:00"}
    zone = {"type": "plain_text_input"} | ({"initial_value": timezone} if timezone else {})
    if report_id:
        start = _("Start a recurring 1:1 with {person}, whom you manage.")
    else:
        start = _("Start a recurring 1:1 with someone you manage.")
    cadences = [(value, _(text)) for value, text in CADENCES]
    blocks = [
        section(start.format(person=f"<@{report_id}>")),
        input_block(ids.SCHEDULE_PERSON, _("With"), person),
        input_block(
            ids.SCHEDULE_WEEKDAY,
            _("Weekday"),
            static_select(_weekdays(), placeholder=_("Choose a day")),
        ),
        input_block(ids.SCHEDULE_TIME, _("Start time"), time_input),
        input_block(
            ids.SCHEDULE_CADENCE, _("How often"), static_select(cadences, initial="weekly")
        ),
        input_block(
            ids.SCHEDULE_DURATION, _("Duration"), static_select(_durations(), initial="30")
        ),
        input_block(
            ids.SCHEDULE_TIMEZONE,
            _("Time zone"),
            zone,
            hint=_("An IANA name such as America/New_York"),
        ),
        input_block(
            ids.SCHEDULE_PROMPT_LEAD,
            _("Ask for talking points"),
            static_select(_minutes(PROMPT_LEADS), initial="1440"),
        ),
        input_block(
            ids.SCHEDULE_AGENDA_LEAD,
            _("Post the agenda"),
            static_select(_minutes(AGENDA_LEADS), initial="30"),
        ),
        context(_("I'll ask you both for talking points, and post the agenda in a group DM.")),
    ]
    return modal(ids.SCHEDULE_MODAL, _("Schedule a 1:1"), blocks, submit=_("Schedule"))


def _weekdays() -> list[tuple[str, str]]:
    names = get_day_names("wide", locale=current_language())
    return [(str(index), str(names[index])) for index in range(7)]


def _durations() -> list[tuple[str, str]]:
    return [(str(minutes), _("{count} minutes").format(count=minutes)) for minutes in DURATIONS]


def _minutes(leads: tuple[tuple[int, str], ...]) -> list[tuple[str, str]]:
    return [(str(minutes), _(text)) for minutes, text in leads]


# --- one occurrence, or the whole pair -----------------------------------------------------


def reschedule_modal(meeting: MeetingFor, *, reader_zone: str | None = None) -> dict[str, Any]:
    """A date and time picker for one occurrence on the reader's clock (the series' when
    unknown), set to its current start."""
    if meeting.starts_at is None or meeting.meeting_id is None:
        raise ValueError("a meeting to reschedule has a start")
    zone = reader_zone or meeting.timezone
    local = on_clock(meeting.starts_at, zone)
    day = {"type": "datepicker", "initial_date": local.date().isoformat()}
    at = {"type": "timepicker", "initial_time": clock(local)}
    other = meeting.other_id
    blocks = [
        for_block(meeting),
        section(_("Move this 1:1 to:")),
        input_block(ids.RESCHEDULE_DATE, _("Date"), day),
        input_block(ids.RESCHEDULE_TIME, _("Time"), at),
        context(_zone_words(zone, meeting.starts_at, yours=reader_zone is not None, other=other)),
    ]
    return modal(
        ids.RESCHEDULE_MODAL,
        _("Reschedule the 1:1"),
        blocks,
        submit=_("Reschedule"),
        private_metadata=str(meeting.meeting_id),
    )


def _zone_words(zone: str, at: datetime, *, yours: bool, other: str) -> str:
    where = escape(zone_name(zone, at))
    if yours:
        text = _("Times are your time ({place}). {person} will be told.")
    else:
        text = _("Times are {place} time. {person} will be told.")
    return text.format(place=where, person=f"<@{other}>")


def skip_modal(meeting: MeetingFor) -> dict[str, Any]:
    """Skipping, with a nudge to reschedule instead (no inputs: submit confirms)."""
    if meeting.meeting_id is None:
        raise ValueError("a meeting to skip has an id")
    instead = button(
        _("Reschedule instead"), ids.RESCHEDULE, str(meeting.meeting_id), style="primary"
    )
    blocks = [
        for_block(meeting),
        section(
            _("Better shorten than skip: even 15 minutes keeps the thread going."),
            accessory=instead,
        ),
        context(_("Open talking points move to the next 1:1. Both of you will be told.")),
    ]
    return modal(
        ids.SKIP_MODAL,
        _("Skip this 1:1?"),
        blocks,
        submit=_("Skip it"),
        close=_("Keep it"),
        private_metadata=str(meeting.meeting_id),
    )


def pause_modal(series: MeetingFor, *, initial_date: str) -> dict[str, Any]:
    """A date picker: no prompts, agendas or 1:1s with this person until that date
    (`series` names the 1:1s and their next meeting)."""
    until = {"type": "datepicker", "initial_date": initial_date}
    other = series.other_id
    blocks = [
        context(_pause_for(series)),
        section(
            _("Pause your 1:1s with {person}, for a vacation or a busy stretch.").format(
                person=f"<@{other}>"
            )
        ),
        input_block(
            ids.PAUSE_UNTIL,
            _("Pause until"),
            until,
            hint=_("No prompts, agendas or 1:1s before this date."),
        ),
        context(
            _("{person} will be told. The 1:1s start again on that date.").format(
                person=f"<@{other}>"
            )
        ),
    ]
    return modal(
        ids.PAUSE_MODAL,
        _("Pause 1:1s"),
        blocks,
        submit=_("Pause"),
        private_metadata=str(series.pair_id),
    )


def _pause_for(series: MeetingFor) -> str:
    person = f"<@{series.other_id}>"
    if series.starts_at is None:
        return _("For your 1:1s with {person}").format(person=person)
    return _("For your 1:1s with {person} · the next is {when}").format(
        person=person, when=slack_date(series.starts_at)
    )
