"""Managing occurrences: agenda, list, skip, reschedule, pause, end — and telling the other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from functools import partial
from typing import Any

from blocks import messages
from blocks.agenda import agenda_ephemeral
from blocks.i18n import reading
from blocks.modals import pause_modal, reschedule_modal, skip_modal
from handlers.context import Deps
from handlers.people import locale_of, time_zone
from handlers.publish import post_to_user
from store.access import find_pair_with, get_meeting, get_pair, list_active_pairs, other_person
from store.agenda import agenda_for, meeting_for
from store.meetings import next_meeting, next_start, upcoming_meeting
from store.models import Meeting, Pair, id_of
from store.schedule import end_pair, pause_pair, reschedule_meeting, skip_meeting
from store.series import series_time


def agenda(deps: Deps, person: str | None) -> dict[str, Any]:
    """The next agenda of one 1:1, with the caller's private points."""
    with deps.db() as session:
        pair = find_pair_with(session, deps.actor, person)
        view = agenda_for(session, deps.actor, id_of(pair), now=deps.now())
    return agenda_ephemeral(view, deps.actor.user_id)


def pair_list(deps: Deps) -> dict[str, Any]:
    """The caller's 1:1s with their next dates, on the caller's clock."""
    zone = time_zone(deps, deps.actor.user_id)
    with deps.db() as session:
        rows = [_row(session, deps, pair) for pair in list_active_pairs(session, deps.actor)]
    return messages.pair_list(viewer_id=deps.actor.user_id, rows=rows, zone=zone)


def _row(session: Any, deps: Deps, pair: Pair) -> messages.PairRow:
    meeting = upcoming_meeting(session, pair, deps.now())
    return messages.PairRow(
        pair_id=id_of(pair),
        other_id=other_person(pair, deps.actor.user_id),
        role="manager" if pair.manager_id == deps.actor.user_id else "report",
        cadence=pair.cadence,
        starts_at=meeting.starts_at if meeting else None,
        meeting_id=meeting.id if meeting else None,
        paused_until=pair.paused_until.isoformat() if pair.paused_until else None,
        series=series_time(pair, meeting.slot_at) if meeting else None,
    )


def _upcoming(deps: Deps, session: Any, person: str | None) -> tuple[Meeting, Pair]:
    pair = find_pair_with(session, deps.actor, person)
    return next_meeting(session, deps.actor, id_of(pair), now=deps.now()), pair


def _meeting(
    deps: Deps, session: Any, person: str | None, meeting_id: int | None
) -> tuple[Meeting, Pair]:
    """The meeting a button named, else the next one with `person` (or the only 1:1)."""
    if meeting_id is None:
        return _upcoming(deps, session, person)
    return get_meeting(session, deps.actor, meeting_id)


def open_skip_modal(
    deps: Deps, trigger_id: str, person: str | None, *, meeting_id: int | None = None
) -> None:
    """Skipping first suggests rescheduling: a modal with both choices."""
    with deps.db() as session:
        meeting, pair = _meeting(deps, session, person, meeting_id)
        target = meeting_for(meeting, pair, deps.actor.user_id)
    view = skip_modal(target)
    deps.client.views_open(trigger_id=trigger_id, view=view)


def skip(deps: Deps, meeting_id: int) -> tuple[Meeting, datetime | None, Pair]:
    """Skip one meeting in the store (its open points move on); announce it afterwards."""
    with deps.db() as session:
        skipped, _ = skip_meeting(session, deps.actor, meeting_id, now=deps.now())
        pair = get_pair(session, deps.actor, skipped.pair_id)
        return skipped, next_start(session, pair, after=deps.now()), pair


def announce_skip(deps: Deps, skipped: Meeting, following: datetime | None, pair: Pair) -> None:
    """Both people are told; the posted agenda (if any) shows the skip."""
    deps.refresh_agenda(skipped.id)
    deps.refresh_homes(pair)
    body = partial(
        messages.skipped_notice,
        actor_id=deps.actor.user_id,
        starts_at=skipped.starts_at,
        next_starts_at=following,
    )
    _tell_both(deps, pair, body)


def open_reschedule_modal(
    deps: Deps,
    trigger_id: str,
    person: str | None,
    *,
    meeting_id: int | None = None,
    replace_view_id: str | None = None,
) -> None:
    """Date and time pickers on the actor's own clock, pre-filled with the current time."""
    zone = time_zone(deps, deps.actor.user_id)  # users.info, if at all, before the transaction
    with deps.db() as session:
        meeting, pair = _meeting(deps, session, person, meeting_id)
        target = meeting_for(meeting, pair, deps.actor.user_id)
    view = reschedule_modal(target, reader_zone=zone)
    if replace_view_id:
        deps.client.views_update(view_id=replace_view_id, view=view)
    else:
        deps.client.views_open(trigger_id=trigger_id, view=view)


def reschedule(
    deps: Deps, person: str | None, day: date, at: time, *, meeting_id: int | None = None
) -> tuple[Meeting, Pair]:
    """Move the next meeting in the store (the date and time on the actor's own clock)."""
    zone = time_zone(deps, deps.actor.user_id)
    with deps.db() as session:
        meeting, pair = _meeting(deps, session, person, meeting_id)
        moved = reschedule_meeting(
            session, deps.actor, id_of(meeting), day=day, at=at, now=deps.now(), timezone=zone
        )
        return moved, pair


def announce_reschedule(deps: Deps, moved: Meeting, pair: Pair) -> dict[str, Any]:
    """Update the posted agenda and tell the other person; returns the actor's confirmation."""
    deps.refresh_agenda(moved.id)
    deps.refresh_homes(pair)
    body = partial(
        messages.rescheduled_notice, actor_id=deps.actor.user_id, starts_at=moved.starts_at
    )
    _tell_other(deps, pair, body)
    return body()


def open_pause_modal(deps: Deps, trigger_id: str, pair_id: int) -> None:
    """A date picker for "pause until"."""
    today = deps.local_today().isoformat()
    with deps.db() as session:
        pair = get_pair(session, deps.actor, pair_id)
        upcoming = upcoming_meeting(session, pair, deps.now())
        series = meeting_for(upcoming, pair, deps.actor.user_id)
    view = pause_modal(series, initial_date=today)
    deps.client.views_open(trigger_id=trigger_id, view=view)


def pause(
    deps: Deps, person: str | None, until: date, *, pair_id: int | None = None
) -> tuple[Pair, datetime | None]:
    """No prompts or posts until `until` (in the store); the pair and when it resumes."""
    with deps.db() as session:
        if pair_id is None:
            pair_id = id_of(find_pair_with(session, deps.actor, person))
        pair, _ = pause_pair(session, deps.actor, pair_id, until=until, now=deps.now())
        return pair, next_start(session, pair, after=deps.now())


def announce_pause(deps: Deps, pair: Pair, following: datetime | None) -> dict[str, Any]:
    """Tell the other person; returns the actor's confirmation."""
    body = partial(
        messages.paused_notice,
        actor_id=deps.actor.user_id,
        until=pair.paused_until.isoformat() if pair.paused_until else "",
        next_starts_at=following,
    )
    _tell_other(deps, pair, body)
    deps.refresh_homes(pair)
    return body()


def end_confirmation(deps: Deps, person: str) -> dict[str, Any]:
    """Ask the manager to confirm ending the series."""
    with deps.db() as session:
        pair = find_pair_with(session, deps.actor, person)
    return messages.end_confirmation(pair_id=id_of(pair), other_id=person)


def end(deps: Deps, pair_id: int) -> dict[str, Any]:
    """End the series (either person); the other is told; the history stays."""
    with deps.db() as session:
        pair = end_pair(session, deps.actor, pair_id, now=deps.now())
    other = other_person(pair, deps.actor.user_id)
    body = partial(
        messages.ended_notice, actor_id=deps.actor.user_id, other_id=other, pair_id=pair_id
    )
    _tell_other(deps, pair, body)
    deps.refresh_homes(pair)
    return body()


Body = Callable[[], dict[str, Any]]  # a message, built in the language of whoever reads it


def _tell_other(deps: Deps, pair: Pair, body: Body) -> None:
    _tell(deps, other_person(pair, deps.actor.user_id), body)


def _tell_both(deps: Deps, pair: Pair, body: Body) -> None:
    for user_id in (pair.manager_id, pair.report_id):
        _tell(deps, user_id, body)


def _tell(deps: Deps, user_id: str, body: Body) -> None:
    with reading(locale_of(deps, user_id)):
        message = body()
    post_to_user(deps.client, user_id, message)
