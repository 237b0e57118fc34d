"""The `/oneonone` slash command: parse the subcommand and hand it to its flow."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from slack_bolt import Ack, App, Respond

from blocks.help import SUBCOMMANDS, help_message, try_this
from blocks.i18n import _
from blocks.ids import COMMAND
from blocks.messages import notice
from blocks.text import escape
from handlers import (
    calendar,
    deletion,
    export,
    follow_ups,
    notes,
    occurrences,
    points,
    scheduling,
    settings,
)
from handlers.context import SORRY, Deps, deps_from, refusal_text
from handlers.parsing import (
    ParseError,
    add_args,
    clock_time,
    day,
    no_args,
    person_and_rest,
    schedule_args,
    settings_args,
    tokens,
)
from store.access import Invalid, NotAllowed

log = logging.getLogger(__name__)

KNOWN = frozenset(s.name for s in SUBCOMMANDS)


def register(app: App) -> None:
    """Bind the slash command."""
    app.command(COMMAND)(handle_oneonone)


@dataclass(frozen=True)
class Invocation:
    """One `/oneonone` call: who, with what, and how to answer."""

    deps: Deps
    respond: Respond
    trigger_id: str
    rest: str


def handle_oneonone(ack: Ack, command: dict, respond: Respond, context: dict) -> None:
    """Route `/oneonone <subcommand> …`; the help and unknown words are answered in the ack."""
    try:
        _route(ack, command, respond, context)
    except Exception:  # never Slack's generic error: the person reads what happened
        log.exception("/oneonone failed before its ack")
        ack(**notice(_(SORRY)))


def _route(ack: Ack, command: dict, respond: Respond, context: dict) -> None:
    words = (command.get("text") or "").split(maxsplit=1)
    name = words[0].lower() if words else "help"
    run = SUBCOMMANDS_RUN.get(name)
    if run is None:
        known = name in KNOWN
        full = known and len(words) > 1 and words[1].strip().lower() in ("more", "all")
        ack(**help_message(command=COMMAND, unknown=None if known else words[0], full=full))
        return
    call = Invocation(
        deps=deps_from(context),
        respond=respond,
        trigger_id=command.get("trigger_id", ""),
        rest=words[1].strip() if len(words) > 1 else "",
    )
    ack()
    call.deps.after_ack(
        lambda: _answer(call, run, name), tell=lambda text: call.respond(**notice(text))
    )


def _answer(call: Invocation, run: Callable[[Invocation], None], name: str) -> None:
    try:
        run(call)
    except (Invalid, NotAllowed, ParseError) as error:
        call.respond(**notice(f"{refusal_text(error)}\n{try_this(COMMAND, name)}"))


def run_schedule(call: Invocation) -> None:
    """`schedule @person <weekday> <HH:MM> …`, or the modal when something is missing."""
    args = schedule_args(call.rest)
    if args.unread:
        # TRANSLATORS: joins the words that could not be read: "`foo` or `bar`".
        unread = _(" or ").join(f"`{escape(w)}`" for w in args.unread)
        raise ParseError(
            _(
                "I couldn't read {words} (I understood {understood}). Write the weekday as "
                "e.g. `tuesday` and the time as `HH:MM` (24-hour)."
            ).format(words=unread, understood=args.understood())
        )
    if not args.complete:
        scheduling.open_schedule_modal(call.deps, call.trigger_id, report_id=args.person)
        return
    call.respond(**scheduling.schedule(call.deps, args))


def run_add(call: Invocation) -> None:
    """`add [private] [@person] <text>`."""
    private, person, encoded = add_args(call.rest)
    text = points.text_from_slack(call.deps, encoded)
    call.respond(**points.add_point(call.deps, person, text, private=private, origin=None))


def run_agenda(call: Invocation) -> None:
    """`agenda [@person]`: the next agenda, with the caller's private points."""
    person, _rest = person_and_rest(call.rest)
    call.respond(**occurrences.agenda(call.deps, person))


def run_list(call: Invocation) -> None:
    """`list`: the caller's 1:1s with their next dates."""
    call.respond(**occurrences.pair_list(call.deps))


def run_skip(call: Invocation) -> None:
    """`skip [@person]`: suggests rescheduling first (a modal), then skips."""
    person, _rest = person_and_rest(call.rest)
    occurrences.open_skip_modal(call.deps, call.trigger_id, person)


def run_reschedule(call: Invocation) -> None:
    """`reschedule [@person] <date> <HH:MM>` (no date and time: the modal)."""
    person, rest = person_and_rest(call.rest)
    if not rest:
        occurrences.open_reschedule_modal(call.deps, call.trigger_id, person)
        return
    moved, pair = occurrences.reschedule(call.deps, person, *_date_and_time(call.deps, rest))
    call.respond(**occurrences.announce_reschedule(call.deps, moved, pair))


def _date_and_time(deps: Deps, rest: str) -> tuple[date, time]:
    words = tokens(rest)
    today = deps.local_today()
    parsed_day = day(words[0], today=today) if words else None
    parsed_time = clock_time(words[1]) if len(words) > 1 else None
    if parsed_day is None or parsed_time is None or len(words) != 2:
        raise ParseError(
            _(
                "I couldn't read `{text}` as a date and a time, e.g. `{example} 14:30` or "
                "`friday 9:00`."
            ).format(text=escape(rest), example=(today + timedelta(days=7)).isoformat())
        )
    return parsed_day, parsed_time


def run_pause(call: Invocation) -> None:
    """`pause [@person] until <date>`."""
    person, rest = person_and_rest(call.rest)
    words = rest.split()
    if len(words) != 2 or words[0].lower() != "until":
        raise ParseError(_("Say until when, e.g. `pause until 2027-01-05`."))
    until = day(words[1], today=call.deps.local_today())
    if until is None:
        raise ParseError(
            _("I couldn't read `{text}` as a date (YYYY-MM-DD).").format(text=escape(words[1]))
        )
    pair, following = occurrences.pause(call.deps, person, until)
    call.respond(**occurrences.announce_pause(call.deps, pair, following))


def run_end(call: Invocation) -> None:
    """`end @person`: asks for confirmation first."""
    person, _rest = person_and_rest(call.rest)
    if person is None:
        raise ParseError(_("Say whose 1:1 to end, e.g. `end @dana`."))
    call.respond(**occurrences.end_confirmation(call.deps, person))


def run_notes(call: Invocation) -> None:
    """`notes [@person]`: the notes modal of the current (or last) 1:1."""
    person, _rest = person_and_rest(call.rest)
    notes.open_notes(call.deps, call.trigger_id, person=person)


def run_actions(call: Invocation) -> None:
    """`actions`: the caller's open action items across their 1:1s."""
    call.respond(**follow_ups.actions_list(call.deps))


def run_history(call: Invocation) -> None:
    """`history [@person]`: the last meetings' summaries."""
    person, _rest = person_and_rest(call.rest)
    call.respond(**follow_ups.history_of(call.deps, person))


def run_delete_my_data(call: Invocation) -> None:
    """`delete-my-data`: the confirmation modal (what will go, the export first)."""
    deletion.open_delete_modal(call.deps, call.trigger_id)


def run_export(call: Invocation) -> None:
    """`export [@person]`: everything the caller may see, as files in their DM."""
    person, rest = person_and_rest(call.rest)
    if rest:
        raise ParseError(
            _("I couldn't read `{text}`: name one person, or nobody.").format(text=escape(rest))
        )
    export.export(call.deps, person_id=person, tell=lambda text: call.respond(**notice(text)))


def run_settings(call: Invocation) -> None:
    """`settings [@person]`: the series' settings modal."""
    settings.open_settings(call.deps, call.trigger_id, person=settings_args(call.rest))


def run_calendar(call: Invocation) -> None:
    """`calendar`: the secret feed URL of all the caller's 1:1s (HTTP mode), or the file."""
    no_args(call.rest)
    call.respond(**calendar.calendar_reply(call.deps))


SUBCOMMANDS_RUN: dict[str, Callable[[Invocation], None]] = {
    "schedule": run_schedule,
    "add": run_add,
    "agenda": run_agenda,
    "list": run_list,
    "skip": run_skip,
    "reschedule": run_reschedule,
    "pause": run_pause,
    "end": run_end,
    "notes": run_notes,
    "actions": run_actions,
    "history": run_history,
    "delete-my-data": run_delete_my_data,
    "export": run_export,
    "settings": run_settings,
    "calendar": run_calendar,
}
