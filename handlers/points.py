"""Adding talking points from every entry point, and ticking them on the agenda."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from blocks.i18n import _
from blocks.messages import point_added
from blocks.modals import add_point_modal
from blocks.rich_text import to_point_text, users_in
from handlers.context import Deps
from handlers.people import display_name, look_up
from store.access import (
    N_,
    Invalid,
    find_pair_with,
    get_pair,
    list_active_pairs,
    other_person,
)
from store.agenda import add_talking_point, point_target, point_view, set_discussed
from store.meetings import next_meeting
from store.models import Meeting, Pair, id_of
from store.point_text import Source, from_slack, from_typed, mentioned_users
from store.questions import by_key

log = logging.getLogger(__name__)

NAMES_MAX = 20  # people of one text looked up by name; any others read as Slack labelled them


def text_from_slack(deps: Deps, encoded: str) -> str:
    """Text Slack encoded (a command, a DM, a shared message) as a talking point's text,
    each person mentioned by their name. Call it with no transaction open: a person the bot
    doesn't know yet is looked up with users.info."""
    return from_slack(encoded, names_of(deps, mentioned_users(encoded)))


def text_from_form(deps: Deps, state: dict[str, Any]) -> str:
    """The add modal's text input as a talking point's text: rich text, or the plain-text
    input of a form opened before the modal had rich text."""
    if "rich_text_value" in state:
        typed = state.get("rich_text_value")
        return to_point_text(typed, names_of(deps, users_in(typed)))
    return from_typed(str(state.get("value") or ""))


def names_of(deps: Deps, user_ids: list[str]) -> dict[str, str]:
    """How Slack shows these people (cached, stored, else users.info: no transaction open)."""
    names: dict[str, str] = {}
    for user_id in user_ids[:NAMES_MAX]:
        try:
            person = look_up(deps, user_id)
        except SlackApiError as error:  # the name can wait; the point can't
            log.info("no name for a mentioned person: %s", error.response.get("error"))
            continue
        if person is not None:
            names[user_id] = person.name
    return names


def add_point(
    deps: Deps,
    person: str | None,
    text: str,
    *,
    private: bool,
    origin: str | None,
    pair_id: int | None = None,
    source: Source | None = None,
) -> dict[str, Any]:
    """Add a talking point to the next 1:1 with `person` (or the given pair, or the only one).

    `text` is in store.point_text's stored form: see text_from_slack and text_typed."""
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
            source=source,
        )
    if point.is_private:
        deps.refresh_homes(pair, only=deps.actor.user_id)  # only its author sees it
    else:
        deps.refresh_agenda(meeting.id)
        deps.refresh_homes(pair)
    return point_added(
        point=point_view(point),
        other_id=other_person(pair, deps.actor.user_id),
        starts_at=meeting.starts_at,
    )


def add_question(deps: Deps, pair_id: int, question_key: str) -> dict[str, Any]:
    """The "Add this" button of a suggested question."""
    question = by_key(question_key)
    if question is None:
        return add_point(deps, None, "", private=False, origin=None, pair_id=pair_id)
    with deps.db() as session:  # the same question comes round again, for another meeting
        meeting_id = id_of(next_meeting(session, deps.actor, pair_id, now=deps.now()))
    origin = f"question:{meeting_id}:{question_key}:{deps.actor.user_id}"
    text = _(question.text)  # in the language of whoever adds it
    return add_point(deps, None, text, private=False, origin=origin, pair_id=pair_id)


def open_add_modal(
    deps: Deps,
    trigger_id: str,
    *,
    pair_id: int | None,
    initial_text: str = "",
    source: Source | None = None,
) -> None:
    """The add-a-talking-point modal; it asks which 1:1 when that is ambiguous."""
    with deps.db.read() as session:
        pairs = list_active_pairs(session, deps.actor)
        if pair_id is None and len(pairs) == 1:
            pair_id = id_of(pairs[0])
        target = None
        if pair_id is not None:
            target = point_target(session, deps.actor, pair_id, now=deps.now())
    choices = _labels(deps, pairs)
    if pair_id is None and not choices:
        raise Invalid(N_("You don't have any 1:1s yet. Start one with `/oneonone schedule`."))
    view = add_point_modal(
        pairs=choices,
        pair_id=pair_id,
        target=target,
        initial_text=initial_text,
        source=source,
        origin=f"modal:{trigger_id}",
    )
    deps.client.views_open(trigger_id=trigger_id, view=view)


def _labels(deps: Deps, pairs: list[Pair]) -> list[tuple[int, str]]:
    """Select options and buttons are plain text: label each 1:1 with the other's name."""

    def other(pair: Pair) -> str:
        return other_person(pair, deps.actor.user_id)

    return [
        (id_of(pair), _("With {name}").format(name=display_name(deps, other(pair))))
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
