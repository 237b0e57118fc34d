"""Adding talking points from every entry point, and ticking them on the agenda."""

from __future__ import annotations

from typing import Any

from blocks.messages import point_added
from blocks.modals import add_point_modal
from handlers.context import Deps
from handlers.people import display_name
from store.access import (
    Invalid,
    find_pair_with,
    get_active_pair,
    get_pair,
    list_active_pairs,
    other_person,
)
from store.agenda import add_talking_point, set_discussed
from store.meetings import next_meeting
from store.models import Meeting, Pair, id_of
from store.questions import by_key


def add_point(
    deps: Deps,
    person: str | None,
    text: str,
    *,
    private: bool,
    origin: str | None,
    pair_id: int | None = None,
) -> dict[str, Any]:
    """Add a talking point to the next 1:1 with `person` (or the given pair, or the only one)."""
    with deps.db() as session:
        pair = (
            get_pair(session, deps.actor, pair_id)
            if pair_id is not None
            else find_pair_with(session, deps.actor, person)
        )
        point, meeting = add_talking_point(
            session,
            deps.actor,
            id_of(pair),
            text,
            private=private,
            now=deps.now(),
            origin_key=origin,
        )
    if point.is_private:
        deps.refresh_homes(pair, only=deps.actor.user_id)  # only its author sees it
    else:
        deps.refresh_agenda(meeting.id)
        deps.refresh_homes(pair)
    return point_added(
        text=point.text,
        other_id=other_person(pair, deps.actor.user_id),
        starts_at=meeting.starts_at,
        private=point.is_private,
    )


def add_question(deps: Deps, pair_id: int, question_key: str) -> dict[str, Any]:
    """The "Add this" button of a suggested question."""
    question = by_key(question_key)
    if question is None:
        return add_point(deps, None, "", private=False, origin=None, pair_id=pair_id)
    with deps.db() as session:  # the same question comes round again, for another meeting
        meeting_id = id_of(next_meeting(session, deps.actor, pair_id, now=deps.now()))
    origin = f"question:{meeting_id}:{question_key}:{deps.actor.user_id}"
    return add_point(deps, None, question.text, private=False, origin=origin, pair_id=pair_id)


def open_add_modal(
    deps: Deps,
    trigger_id: str,
    *,
    pair_id: int | None,
    initial_text: str = "",
    link: str | None = None,
) -> None:
    """The add-a-talking-point modal; it asks which 1:1 when that is ambiguous."""
    with deps.db.read() as session:
        pairs = list_active_pairs(session, deps.actor)
        if pair_id is not None:
            get_active_pair(session, deps.actor, pair_id)
    choices = _labels(deps, pairs)
    if pair_id is None and len(choices) == 1:
        pair_id = choices[0][0]
    elif pair_id is None and not choices:
        raise Invalid("You don't have any 1:1s yet. Start one with `/oneonone schedule`.")
    view = add_point_modal(
        pairs=choices,
        pair_id=pair_id,
        initial_text=initial_text[:2000],
        link=link,
        origin=f"modal:{trigger_id}",
    )
    deps.client.views_open(trigger_id=trigger_id, view=view)


def _labels(deps: Deps, pairs: list[Pair]) -> list[tuple[int, str]]:
    """Select options and buttons are plain text: label each 1:1 with the other's name."""
    return [
        (id_of(pair), f"With {display_name(deps, other_person(pair, deps.actor.user_id))}")
        for pair in pairs
    ]


def tick(deps: Deps, meeting_id: int, point_id: int, discussed: bool) -> tuple[Meeting, Pair]:
    """Tick (or untick) one talking point; the posted agenda is updated in place soon."""
    with deps.db() as session:
        meeting = set_discussed(session, deps.actor, [point_id], discussed, meeting_id=meeting_id)
        pair = get_pair(session, deps.actor, meeting.pair_id)
    deps.refresh_agenda(meeting.id)
    deps.refresh_homes(pair)
    return meeting, pair
