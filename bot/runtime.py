"""The parts a running bot is made of, built once from the settings: the database, the
limiter, the Slack clients, the metrics and the refreshers."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.metrics import Metrics
from bot.oauth import OAuth, OAuthConfig
from bot.pacing import DatabaseBudget, Limiter
from bot.priority import yield_to_acks
from bot.slack_client import SlackClients, Workspaces
from handlers.agendas import AgendaRefresher
from handlers.home import HomeRefresher
from store.db import SessionFactory, create_db_engine, session_factory
from store.migrate import upgrade


@dataclass
class Runtime:
    """Everything due work and the listeners share in one process."""

    engine: Engine
    db: SessionFactory
    limiter: Limiter
    metrics: Metrics
    clients: SlackClients
    homes: HomeRefresher
    agendas: AgendaRefresher
    oauth: OAuth | None = None  # OAuth mode: installations, tokens, the install flow

    def stop(self, *, flush: bool = False) -> None:
        """Stop the refreshers (pending Home tabs dropped unless `flush`) and the limiter."""
        self.agendas.stop(flush=True)
        self.homes.stop(flush=flush)
        self.limiter.stop()
        self.engine.dispose()


def build_runtime(
    *,
    database_url: str | None = None,
    engine: Engine | None = None,
    token: str = "",
    api_url: str,
    clock: Clock,
    limiter: Limiter | None = None,
    posts_per_minute: int = 300,
    home_delay: float | None = None,
    agenda_delay: float | None = None,
    timeout: float = 30,
    privacy_url: str | None = None,
    oauth: OAuthConfig | None = None,
) -> Runtime:
    """Migrate the database and build the bot's shared parts (`oauth`: for many workspaces,
    each with the token of its installation; else `token` serves one)."""
    engine = engine or create_db_engine(database_url or "")
    upgrade(engine)
    db = session_factory(engine)
    metrics = Metrics()
    metrics.watch_due_work(db, clock)
    limiter = limiter or Limiter(posts_per_minute=posts_per_minute, shared=DatabaseBudget(db))
    installs = None
    if oauth is not None:
        installs = OAuth(oauth, engine=engine, db=db, clock=clock, api_url=api_url, timeout=timeout)
    clients = SlackClients(
        token=token,
        api_url=api_url,
        limiter=limiter,
        metrics=metrics,
        timeout=timeout,
        workspaces=_workspaces(installs, metrics),
    )
    if installs is not None:
        installs.clients = clients
    homes = HomeRefresher(
        clients,
        db,
        clock,
        thread_start=yield_to_acks,
        privacy_url=privacy_url,
        **_delay(home_delay),
    )
    agendas = AgendaRefresher(
        clients, db, clock, thread_start=yield_to_acks, **_delay(agenda_delay)
    )
    return Runtime(engine, db, limiter, metrics, clients, homes, agendas, installs)


def _workspaces(installs: OAuth | None, metrics: Metrics) -> Workspaces | None:
    if installs is None:
        return None
    return Workspaces(
        token=installs.installations.token,
        refused=lambda team_id, error, token: installs.refused(team_id, error, token, metrics),
        missing_scope=installs.missing_scope,
    )


def settle_memory() -> None:
    """Once started: move everything built so far (modules, the app, SQLAlchemy's compiled
    metadata) out of the garbage collector's way, so that its full passes stay short and a
    request never pays tens of milliseconds for one."""
    gc.collect()
    gc.freeze()


def _delay(seconds: float | None) -> dict[str, float]:
    return {} if seconds is None else {"delay": seconds}
