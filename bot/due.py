"""Due work: everything that happens because time passed, as a function of the database and
now. `housekeeping(now)` rolls pairs forward, closes finished meetings, prunes and refreshes
stale profiles; `run_due(now)` does that and every piece of work due at `now`, paced by the
limiter (the scheduler's planner starts work early when a fan-out needs it: bot/planner.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.errors import SlackClientError

from bot.config import DEFAULT_RETENTION_DAYS
from bot.metrics import Metrics
from bot.oauth import OAuth, purge_due_workspaces
from handlers.agendas import update_agenda
from handlers.context import Clients, Refresher
from handlers.deliver import Done, deliver
from handlers.people import fetch_profile
from store.carry import close_finished_meetings
from store.db import SessionFactory
from store.deletion import due_forgetting
from store.digest import managers_without_digest, plan_digests
from store.due_work import MERGED, claimable_ids, kind_of
from store.events import prune_events
from store.huddles import prune_huddle_events
from store.meetings import pairs_to_roll, roll_forward
from store.models import Pair, WorkKind, id_of
from store.people import stale_people
from store.workspaces import stopped_teams

log = logging.getLogger(__name__)

BATCH = 500
PROFILES_PER_TICK = 20  # stale profiles refreshed per run, in the background lane
SHOWN_ON_HOME = frozenset({WorkKind.AGENDA, WorkKind.SUMMARY})
RETENTION = timedelta(days=DEFAULT_RETENTION_DAYS)


@dataclass
class DueReport:
    """What one run of due work did, by kind of work."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        """Count `n` pieces of work of one kind."""
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def housekeeping(
    db: SessionFactory,
    clients: Clients | None,
    now: datetime,
    *,
    retention: timedelta = RETENTION,
    oauth: OAuth | None = None,
) -> DueReport:
    """Everything but posting, each step in a short transaction of its own; people who left
    more than `retention` ago get the due work that deletes their private data, workspaces
    uninstalled more than `retention` ago lose theirs (OAuth mode, where suspended
    workspaces' tokens are also tried again)."""
    report = DueReport()
    if oauth is not None:
        report.add("workspaces_purged", purge_due_workspaces(db, now=now, retention=retention))
        if clients is not None:
            report.add("workspaces_resumed", oauth.probe(clients, now=now))
    with db() as session:
        closed = [(m.team_id, id_of(m)) for m in close_finished_meetings(session, now=now)]
    report.add("meetings_closed", len(closed))
    with db.read() as session:
        pair_ids = [pair.id for pair in pairs_to_roll(session, now=now)]
    for pair_id in pair_ids:
        with db() as session:
            pair = session.get(Pair, pair_id)
            created = pair is not None and roll_forward(session, pair, now=now) is not None
            session.commit()
        report.add("meetings_created", created)
    with db() as session:
        report.add("events_pruned", prune_events(session, now=now))
        report.add("huddle_events_pruned", prune_huddle_events(session, now=now))
    with db() as session:
        report.add("departed_to_forget", due_forgetting(session, now=now, retention=retention))
    with db.read() as session:
        managers = managers_without_digest(session)
    if managers:
        with db() as session:
            report.add("digests_planned", plan_digests(session, managers, now=now))
    if clients is not None:
        with db.read() as session:
            stopped = stopped_teams(session)
        closed = [(team_id, meeting) for team_id, meeting in closed if team_id not in stopped]
        report.add("agendas_closed", close_agendas(db, clients, closed, now=now))
        report.add("profiles_refreshed", refresh_profiles(db, clients, now=now))
    return report


def close_agendas(
    db: SessionFactory, clients: Clients, closed: list[tuple[str, int]], *, now: datetime
) -> int:
    """The posted agendas of meetings just closed now say whether they were held."""
    updated = 0
    for team_id, meeting_id in closed:
        try:
            updated += update_agenda(db, clients.background(team_id), meeting_id, now=now)
        except SlackClientError as error:  # the agenda stays as it was: nothing else needs it
            log.info("agenda of meeting %s not closed: %s", meeting_id, error)
    return updated


def refresh_profiles(db: SessionFactory, clients: Clients, *, now: datetime) -> int:
    """Fetch a few stale profiles of paired people, so posts never need to ask Slack."""
    with db.read() as session:
        stale = stale_people(session, now=now, limit=PROFILES_PER_TICK)
        stopped = stopped_teams(session)
    refreshed = 0
    for team_id, user_id in stale:
        if team_id in stopped:
            continue
        try:
            fetch_profile(db, clients.background(team_id), team_id, user_id, now=now)
        except SlackClientError as error:
            log.info("profile of %s not refreshed: %s", user_id, error)
            break  # rate limited or Slack unwell: the next run goes on
        refreshed += 1
    return refreshed


def run_due(
    db: SessionFactory,
    clients: Clients,
    now: datetime,
    homes: Refresher | None = None,
    metrics: Metrics | None = None,
    *,
    retention: timedelta = RETENTION,
    oauth: OAuth | None = None,
) -> DueReport:
    """Run every piece of work due at `now`; safe to run in several processes at once.

    What people see on their Home tab changes with it: `homes` republishes those tabs."""
    report = housekeeping(db, clients, now, retention=retention, oauth=oauth)
    seen: set[int] = set()
    while True:
        with db.read() as session:
            work_ids = [i for i in claimable_ids(session, now=now, limit=BATCH) if i not in seen]
        if not work_ids:
            break
        seen.update(work_ids)
        for work_id in work_ids:
            done = deliver(db, clients, work_id, now=now)
            if done is not None:
                report.add(f"{done.kind}_{done.outcome}")
                for key in done.merged:
                    report.add(f"{kind_of(key)}_{MERGED}")
                after_done(done, now=now, homes=homes, metrics=metrics)
    if report.counts:
        log.info("due work at %s: %s", now.isoformat(), report.counts)
    return report


def after_done(
    done: Done, *, now: datetime, homes: Refresher | None, metrics: Metrics | None
) -> None:
    """Count the work (and what went out inside its post), and refresh the Home tabs that
    show what it posted."""
    if metrics is not None:
        metrics.due_done(
            done.kind, done.outcome, due_at=done.due_at, now=now, taken_over=done.taken_over
        )
        for key in done.merged:
            metrics.due_done(kind_of(key), MERGED, due_at=done.due_at, now=now, taken_over=False)
    if homes is not None and done.outcome == "sent" and done.kind in SHOWN_ON_HOME and done.people:
        homes.request(done.team_id, done.people)
