"""What every flow needs: who is acting, the database, the clock and the Slack clients."""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import date, datetime
from typing import ParamSpec, Protocol, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from blocks.i18n import N_, _, current_language
from handlers.people import time_zone
from store.access import Actor, Invalid, NotAllowed, Refusal
from store.db import SessionFactory
from store.models import Pair

log = logging.getLogger(__name__)

SORRY = N_(
    "Sorry — something went wrong on my side. Please try again in a moment; if it keeps "
    "happening, tell whoever runs oneonone for your workspace."
)
Tell = Callable[[str], object]  # how to tell the person something (ephemeral, DM, thread)


class TokenRefused(SlackApiError):
    """Slack refused the workspace's own token (OAuth mode: invalid_auth, account_inactive,
    token_revoked): the workspace's due work is suspended, the work itself kept."""


class NotInstalled(SlackClientError):
    """No installation serves the workspace (OAuth mode): nothing was sent to Slack."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"oneonone is not installed in workspace {team_id!r}")
        self.team_id = team_id


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


class Installs(Protocol):
    """OAuth mode's installations: what Slack tells about them (handlers/install.py)."""

    def uninstalled(self, context: dict) -> list[str]:
        """The app was removed (app_uninstalled): returns the workspaces that lost it."""
        ...

    def tokens_revoked(self, event: dict, context: dict) -> list[str]:
        """Tokens were revoked: returns the workspaces whose bot token went."""
        ...

    def access_granted(self, enterprise_id: str | None, team_ids: list[str]) -> None:
        """An org-wide installation may now serve these workspaces."""
        ...

    def access_revoked(self, enterprise_id: str | None, team_ids: list[str]) -> None:
        """An org-wide installation no longer serves these workspaces."""
        ...

    def seen(self, team_id: str, enterprise_id: str | None, org_install: bool) -> None:
        """A request came from `team_id` (through an org-wide installation, or not)."""
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
        else:  # the lane's thread reads in the language of whoever's request this was
            self.lane.submit(contextvars.copy_context().run, guarded)

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


P = ParamSpec("P")
T = TypeVar("T")


class InRequestContext(Executor):
    """An executor whose tasks run in a copy of the submitter's context variables: a
    listener's thread reads in the language its request's middleware set (blocks.i18n)."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run `fn` on the inner executor, in this context's copy."""
        context = contextvars.copy_context()
        return self._inner.submit(functools.partial(context.run, fn, *args, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the inner executor down."""
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


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
            _tell(tell, refusal_text(refusal))
        except Exception:
            # The traceback names the code, never the person's text (engines hide parameters).
            log.exception("%s failed after the ack", getattr(work, "__qualname__", "work"))
            _tell(tell, _(SORRY))

    return run


def refusal_text(error: Exception) -> str:
    """What a refusal says, in the reader's language: the store's refusals (Invalid,
    NotAllowed) carry their catalog message and its values; other errors (ParseError) were
    written in the reader's language already."""
    if not isinstance(error, Refusal):
        return str(error)
    text = _(error.message)
    if not error.params:
        return text
    return text.format(**{key: _localised(value) for key, value in error.params.items()})


def _localised(value: object) -> object:
    """Numbers and dates in a refusal as the reader's locale writes them."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, locale=current_language())
    if isinstance(value, date):
        # TRANSLATORS: a Unicode (CLDR) date pattern: EEE weekday, MMM month, dd day, y year.
        return format_date(value, _("EEE MMM dd, y"), locale=current_language())
    return value


def _tell(tell: Tell | None, text: str) -> None:
    if tell is None:
        return
    try:
        tell(text)
    except Exception:
        log.exception("could not tell the person what happened")
