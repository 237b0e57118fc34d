"""Who may see and change what: only the two people of a pair, within their workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import BindParameter, CompoundSelect, bindparam, union_all
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.models import Meeting, Pair


def N_(message: str) -> str:
    """Mark a refusal for the catalog (blocks/locale): the store knows no reader, so a
    refusal keeps its English message and its {placeholders}' values, and whoever shows it
    translates it into its reader's language (handlers.context.refusal_text)."""
    return message


ENDED = N_("This 1:1 has ended.")
NOT_YOURS = N_("That 1:1 isn't one of yours.")
NOT_ON_AGENDA = N_("That talking point isn't on this agenda.")


class Refusal(Exception):
    """A refusal a person reads: `message` is a catalog message (English, with named
    {placeholders}) and `params` their values; str() is the English text."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(fill(message, params))
        self.message = message
        self.params = params


def fill(message: str, params: dict[str, object]) -> str:
    """The message with its placeholders filled, numbers and dates as English writes them."""
    if not params:
        return message
    shown = {key: _english(value) for key, value in params.items()}
    return message.format(**shown)


def _english(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, date):
        return f"{value:%a %b %d, %Y}"
    return value


class NotAllowed(Refusal):
    """The acting user may not see or change this (or it does not exist for them)."""

    def __init__(self, message: str = NOT_YOURS, **params: object) -> None:
        super().__init__(message, **params)


class Invalid(Refusal, ValueError):
    """A request that cannot be carried out; the message is shown to the person.

    `field` names the input at fault (e.g. "report", "timezone"), so a modal can show the
    error next to it.
    """

    def __init__(self, message: str, field: str | None = None, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


@dataclass(frozen=True)
class Actor:
    """The person acting, in their workspace (from the Slack payload, never from user input)."""

    team_id: str
    user_id: str


def is_member(pair: Pair, actor: Actor) -> bool:
    """True when the actor is one of the pair's two people, in the pair's workspace."""
    return pair.team_id == actor.team_id and actor.user_id in (pair.manager_id, pair.report_id)


def other_person(pair: Pair, user_id: str) -> str:
    """The pair's other person, seen from `user_id`."""
    return pair.report_id if user_id == pair.manager_id else pair.manager_id


def get_pair(session: Session, actor: Actor, pair_id: int) -> Pair:
    """The pair, if the actor is one of its two people; otherwise NotAllowed."""
    pair = session.get(Pair, pair_id)
    if pair is None or not is_member(pair, actor):
        raise NotAllowed()
    return pair


def get_active_pair(session: Session, actor: Actor, pair_id: int) -> Pair:
    """The pair, for one of its two people, while it has not ended (else Invalid)."""
    pair = get_pair(session, actor, pair_id)
    if pair.ended_at is not None:
        raise Invalid(ENDED)
    return pair


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Pair]:
    """The meeting and its pair, if the actor is one of the pair's two people."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotAllowed()
    pair = get_pair(session, actor, meeting.pair_id)
    return meeting, pair


def list_active_pairs(session: Session, actor: Actor) -> list[Pair]:
    """The actor's active pairs (as manager or as report), oldest first."""
    return list_pairs(session, actor, ended=False)


def list_pairs(session: Session, actor: Actor, *, ended: bool = True) -> list[Pair]:
    """The actor's pairs (as manager or as report), oldest first; ended ones too unless
    `ended` is False."""
    asker = {"team_id": actor.team_id, "user_id": actor.user_id}
    return list(session.exec(_pairs_query(ended), params=asker).all())


@cache
def _pairs_query(ended: bool) -> SelectOfScalar[Pair]:
    """Built once: every request asks it, and building it costs more than running it. Two
    index lookups (as manager, as report): SQLite reads `team AND (a OR b)` by scanning the
    whole team."""
    team: BindParameter[str] = bindparam("team_id")
    user: BindParameter[str] = bindparam("user_id")
    theirs: CompoundSelect[tuple[int | None]] = union_all(
        select(Pair.id).where(Pair.team_id == team, Pair.manager_id == user),
        select(Pair.id).where(Pair.team_id == team, Pair.report_id == user),
    )
    query = select(Pair).where(col(Pair.id).in_(theirs)).order_by(col(Pair.id))
    if not ended:
        query = query.where(col(Pair.ended_at).is_(None))
    return query


def find_pair_with(session: Session, actor: Actor, person_id: str | None) -> Pair:
    """The actor's pair with `person_id`, or their only pair when no person is named."""
    pairs = list_active_pairs(session, actor)
    if person_id:
        for pair in pairs:
            if other_person(pair, actor.user_id) == person_id:
                return pair
        raise Invalid(N_("You don't have a 1:1 with {person}."), person=f"<@{person_id}>")
    if len(pairs) == 1:
        return pairs[0]
    if not pairs:
        raise Invalid(
            N_("You don't have any 1:1s yet. Start one with `/oneonone schedule @person`.")
        )
    names = ", ".join(f"<@{other_person(p, actor.user_id)}>" for p in pairs)
    raise Invalid(
        N_("You have several 1:1s ({people}): say which one, e.g. with `@person`."), people=names
    )
