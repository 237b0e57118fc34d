"""Global middleware: hand listeners `db`, `clock` and `homes`; drop events already handled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App, BoltRequest, BoltResponse

from blocks.i18n import read_as
from handlers.context import Clients, FeedMode, HomeTabs, Installs, Refresher
from handlers.people import cached_locale, reader_locale
from store.db import SessionFactory
from store.events import record_event

log = logging.getLogger(__name__)

# A person never seen before is looked up in Slack (users.info) before their request is
# handled; that wait is bounded, so that a slow or rate-limited Slack never costs the ack.
# The lookup goes on in the background and fills the cache for the next request.
LOCALE_WAIT_SECONDS = 1.0
_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="locale")

Clock = Callable[[], datetime]

# Sent for everyone in the workspace; its listener is idempotent by (user, event_ts) and
# writes nothing for people in no pair, so it skips the per-event write of processed_event.
SELF_DEDUPLICATED = frozenset({"user_huddle_changed", "user_change"})


def install(
    app: App,
    *,
    db: SessionFactory,
    clock: Clock,
    clients: Clients,
    homes: HomeTabs | None = None,
    agendas: Refresher | None = None,
    lane: Executor | None = None,
    installs: Installs | None = None,
    feed: FeedMode | None = None,
) -> None:
    """Register the global middleware on the app (before any listener runs)."""

    def inject(context: dict, body: dict, next: Callable[[], None]) -> None:
        context.update(db=db, clock=clock, clients=clients, homes=homes, agendas=agendas, lane=lane)
        context.update(feed=feed)
        if installs is not None:
            context["installs"] = installs
            _workspace_of(context, body, installs)
        next()

    def once_per_event(
        req: BoltRequest, body: dict, next: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id or (body.get("event") or {}).get("type") in SELF_DEDUPLICATED:
            next()
            return None
        with db() as session:
            first_time = record_event(
                session, event_id=event_id, team_id=body.get("team_id") or "", now=clock()
            )
        if first_time:
            next()
            return None
        retry = req.headers.get("x-slack-retry-num", ["0"])[0]
        log.info("dropping event %s already handled (retry %s)", event_id, retry)
        return BoltResponse(status=200, body="")

    def in_their_language(context: dict, body: dict, next: Callable[[], None]) -> None:
        # Set here, in the request's thread; the listener's thread copies this context
        # (bot.app's executor), so everything it answers reads in the actor's language.
        read_as(_actor_locale(db, clients, clock, context, body))
        next()

    app.use(inject)
    app.use(once_per_event)
    app.use(in_their_language)


def _workspace_of(context: dict, body: dict, installs: Installs) -> None:
    """OAuth mode: the workspace a request comes from, also when an org-wide installation's
    payload leaves `team.id` (and so Bolt's team_id) empty: the user's or the view's team,
    the event's. The data stays keyed by that workspace."""
    if not context.get("team_id"):
        team = _team_in(body)
        if team:
            context["team_id"] = team
    team_id = context.get("team_id")
    if team_id and context.get("is_enterprise_install"):
        installs.seen(team_id, context.get("enterprise_id"), True)


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _team_in(body: dict) -> str | None:
    event, user, view = _dict(body.get("event")), _dict(body.get("user")), _dict(body.get("view"))
    event_user = _dict(event.get("user"))
    for candidate in (
        user.get("team_id"),
        view.get("team_id"),
        event.get("team"),
        event_user.get("team_id"),
        body.get("team_id"),
    ):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def _actor_locale(
    db: SessionFactory, clients: Clients, clock: Clock, context: dict, body: dict
) -> str | None:
    """The acting person's Slack locale (None: nobody acts, or an event sent for everyone)."""
    team_id, user_id = context.get("team_id"), context.get("user_id")
    if not (team_id and user_id) or (body.get("event") or {}).get("type") in SELF_DEDUPLICATED:
        return None
    client = clients.interactive(team_id)
    known, locale = cached_locale(client, team_id, user_id)
    if known:  # no hop to another thread: under load each hop waits for the interpreter
        return locale
    lookup = _LOOKUPS.submit(reader_locale, db, client, team_id, user_id, now=clock())
    try:
        return lookup.result(timeout=LOCALE_WAIT_SECONDS)
    except TimeoutError:  # Slack is slow or rate-limited: the ack must not wait for it
        log.warning("the locale of %s is not known yet: answering in English", user_id)
        return None
    except Exception:  # an answer in English beats no answer
        log.warning("could not look up the locale of %s", user_id, exc_info=True)
        return None
