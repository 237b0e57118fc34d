"""What every flow needs: who is acting, the database, the clock and the Slack client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from handlers.people import time_zone
from store.access import Actor
from store.db import SessionFactory
from store.models import Pair

if TYPE_CHECKING:
    from handlers.home import HomeRefresher


@dataclass(frozen=True)
class Deps:
    """The acting person (from Slack's payload, never from user input) and the bot's tools."""

    actor: Actor
    db: SessionFactory
    clock: Callable[[], datetime]
    client: WebClient
    homes: HomeRefresher | None = None

    def now(self) -> datetime:
        """The injected current time."""
        return self.clock()

    def refresh_homes(self, pair: Pair, *, only: str | None = None) -> None:
        """Republish both people's Home tabs (or `only` one's) soon, coalesced with others."""
        if self.homes is not None:
            people = (only,) if only else (pair.manager_id, pair.report_id)
            self.homes.request(pair.team_id, people)

    def local_today(self) -> date:
        """Today's date in the actor's Slack time zone."""
        return self.now().astimezone(ZoneInfo(time_zone(self.client, self.actor.user_id))).date()


def deps_from(context: dict, client: WebClient) -> Deps:
    """Deps from Bolt's context (team and user as Slack sent them; db and clock injected)."""
    actor = Actor(team_id=context.get("team_id") or "", user_id=context.get("user_id") or "")
    return Deps(
        actor=actor,
        db=context["db"],
        clock=context["clock"],
        client=client,
        homes=context.get("homes"),
    )
