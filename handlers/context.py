"""What every flow needs: who is acting, the database, the clock and the Slack clients."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from handlers.people import time_zone
from store.access import Actor, Invalid, NotAllowed
from store.db import SessionFactory
from store.models import Pair

log = logging.getLogger(__name__)

SORRY = (
    "Sorry — something went wrong on my side. Please try again in a moment; if it keeps "
    "happening, tell whoever runs oneonone for your workspace."
)
Tell = Callable[[str], object]  # how to tell the person something (ephemeral, DM, thread)


class Clients(Protocol):
    """The bot's Slack clients, one set per workspace, all sharing one rate limiter."""

    def interactive(self, team_id: str) -> WebClient:
        """For answers to a person: never queued behind due work."""
        ...

    def background(self, team_id: str) -> WebClient:
        """For work nobody waits on (Home tabs after a change, profile refreshes)."""
        ...

    def posting(self, team_id: str, *, interactive: bool = False) -> WebClient:
        """For due-work posts: only 429s are retried by the client (see handlers/deliver.py)."""
        ...


class Refresher(Protocol):
    """Something republished soon after a change, many changes coalesced into one call."""

    def request(self, team_id: str, keys: Iterable[str]) -> None:
        """Ask for these (people, meetings, …) to be refreshed soon."""
        ...


class HomeTabs(Refresher, Protocol):
    """The Home tabs: refreshed after changes, published at once when opened."""

    def publish_now(self, actor: Actor, *, page: int | None = None, opened: bool = True) -> None:
        """Publish one person's Home tab right away."""
        ...


@dataclass(frozen=True)
class FeedMode:
    """Whether the bot can serve calendar feeds: over HTTP (not in Socket Mode), at its
    public base URL (ONEONONE_PUBLIC_URL; None: not set)."""

    public_url: str | None = None
    serves_http: bool = True


@dataclass(frozen=True)
class Deps:
    """The acting person (from Slack's payload, never from user input) and the bot's tools."""

    actor: Actor
    db: SessionFactory
    clock: Callable[[], datetime]
    clients: Clients
    homes: HomeTabs | None = None
    agendas: Refresher | None = None
    lane: Executor | None = None  # where work after an ack runs (inline when None)
    feed: FeedMode = FeedMode()  # calendar feeds (handlers/calendar.py)

    @property
    def client(self) -> WebClient:
        """The interactive client of the actor's workspace."""
        return self.clients.interactive(self.actor.team_id)

    def now(self) -> datetime:
        """The injected current time."""
        return self.clock()

    def after_ack(self, work: Callable[[], None], *, tell: Tell | None = None) -> None:
        """Run `work` once the ack is on its way, in the bounded lane of post-ack work: a
        burst of follow-up work never delays the next person's ack (Slack's 3 seconds).
        Should it fail, the person is told with `tell` (the error goes to the log)."""
        guarded = _guarded(work, tell)
        if self.lane is None:
            guarded()
        else:
            self.lane.submit(guarded)

    def refresh_homes(self, pair: Pair, *, only: str | None = None) -> None:
        """Republish both people's Home tabs (or `only` one's) soon, coalesced with others."""
        if self.homes is not None:
            people = (only,) if only else (pair.manager_id, pair.report_id)
            self.homes.request(pair.team_id, people)

    def refresh_agenda(self, *meeting_ids: int | None) -> None:
        """Update these meetings' posted agendas in place soon (one update for a burst)."""
        if self.agendas is not None:
            self.agendas.request(self.actor.team_id, [str(m) for m in meeting_ids if m])

    def local_today(self) -> date:
        """Today's date in the actor's Slack time zone."""
        return self.now().astimezone(ZoneInfo(time_zone(self, self.actor.user_id))).date()


def deps_from(context: dict) -> Deps:
    """Deps from Bolt's context (team and user as Slack sent them; the rest injected)."""
    actor = Actor(team_id=context.get("team_id") or "", user_id=context.get("user_id") or "")
    return Deps(
        actor=actor,
        db=context["db"],
        clock=context["clock"],
        clients=context["clients"],
        homes=context.get("homes"),
        agendas=context.get("agendas"),
        lane=context.get("lane"),
        feed=context.get("feed") or FeedMode(),
    )


def _guarded(work: Callable[[], None], tell: Tell | None) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except (Invalid, NotAllowed) as refusal:  # a refusal: the person reads why
            _tell(tell, str(refusal))
        except Exception:
            # The traceback names the code, never the person's text (engines hide parameters).
            log.exception("%s failed after the ack", getattr(work, "__qualname__", "work"))
            _tell(tell, SORRY)

    return run


def _tell(tell: Tell | None, text: str) -> None:
    if tell is None:
        return
    try:
        tell(text)
    except Exception:
        log.exception("could not tell the person what happened")
