"""The workspaces served in OAuth mode: which installation serves each, whether its due work
runs (suspended: Slack refused its token; uninstalled: the retention clock runs), and
deleting all of a workspace's data (after the retention, or at once when an operator asks).

Single-workspace mode keeps no rows here: a workspace without a row is served."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, Table, delete, func, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from store.db import execute_dml
from store.models import TokenRotation, Workspace

# Tables a purge keeps: the workspace's own row (it remembers the purge) and the leases.
KEPT = frozenset({"workspace", "token_rotation"})
ROTATION_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Served:
    """Which installation serves a workspace: its org (if any) and whether it is org-wide."""

    team_id: str
    enterprise_id: str | None
    org_install: bool


@dataclass(frozen=True)
class Suspended:
    """A workspace whose due work waits for a working token."""

    team_id: str
    reason: str
    failed_token: str | None


def stopped() -> ColumnElement[bool]:
    """Workspaces whose due work does not run: suspended or uninstalled."""
    return or_(col(Workspace.suspended_at).is_not(None), col(Workspace.uninstalled_at).is_not(None))


def stopped_team_ids() -> Select[str]:
    """A subquery of the team ids whose due work does not run (for due-work queries)."""
    return select_columns(col(Workspace.team_id)).where(stopped())


def stopped_teams(session: Session) -> set[str]:
    """The team ids whose due work does not run now."""
    return set(session.exec(select(Workspace.team_id).where(stopped())).all())


def served(session: Session, team_id: str) -> Served | None:
    """How `team_id` is served (None: no row, e.g. single-workspace mode)."""
    row = session.get(Workspace, team_id)
    if row is None:
        return None
    return Served(row.team_id, row.enterprise_id, row.org_install)


def _row(session: Session, team_id: str) -> Workspace:
    return session.get(Workspace, team_id) or Workspace(team_id=team_id)


def installed(
    session: Session,
    team_id: str,
    *,
    enterprise_id: str | None,
    org_install: bool,
    installer_id: str | None,
    now: datetime,
) -> bool:
    """An installation now serves `team_id`: its due work runs again. True when the workspace
    was not served before (new, uninstalled or purged): its installer is welcomed."""
    row = _row(session, team_id)
    fresh = row.installed_at is None or row.uninstalled_at is not None or row.purged_at is not None
    row.enterprise_id, row.org_install = enterprise_id, org_install
    row.installer_id = installer_id or row.installer_id
    row.installed_at = now
    row.suspended_at = row.suspended_reason = row.failed_token = row.probed_at = None
    row.uninstalled_at = row.purged_at = row.scope_notice_at = None
    session.add(row)
    session.commit()
    return fresh


def org_installed(
    session: Session, enterprise_id: str, *, installer_id: str | None, now: datetime
) -> list[str]:
    """An org-wide installation (re)installed: the org's workspaces it serves run again."""
    teams = list(
        session.exec(
            select(Workspace.team_id).where(
                Workspace.enterprise_id == enterprise_id, col(Workspace.org_install)
            )
        ).all()
    )
    for team_id in teams:
        installed(
            session,
            team_id,
            enterprise_id=enterprise_id,
            org_install=True,
            installer_id=installer_id,
            now=now,
        )
    return teams


def seen(session: Session, team_id: str, *, enterprise_id: str | None, org_install: bool) -> None:
    """A request came from `team_id` through an org-wide installation: remember which one
    serves it (a workspace already known keeps its row as it is)."""
    if session.get(Workspace, team_id) is None:
        session.add(
            Workspace(team_id=team_id, enterprise_id=enterprise_id, org_install=org_install)
        )
        session.commit()


def teams_of_org(session: Session, enterprise_id: str) -> list[str]:
    """The workspaces an org-wide installation of `enterprise_id` serves."""
    query = select(Workspace.team_id).where(
        Workspace.enterprise_id == enterprise_id, col(Workspace.org_install)
    )
    return list(session.exec(query).all())


def uninstalled(session: Session, team_ids: Iterable[str], *, now: datetime) -> list[str]:
    """The app was removed from these workspaces: their due work stops at once and the
    retention clock starts (kept if it runs already). Returns those newly uninstalled."""
    newly = []
    for team_id in team_ids:
        row = _row(session, team_id)
        if row.uninstalled_at is None:
            row.uninstalled_at = now
            newly.append(team_id)
        session.add(row)
    session.commit()
    return newly


def suspend(
    session: Session, team_id: str, *, reason: str, failed_token: str | None, now: datetime
) -> bool:
    """Slack refused the workspace's token: its due work waits (nothing is deleted). True
    when it was running until now."""
    row = _row(session, team_id)
    newly = row.suspended_at is None and row.uninstalled_at is None
    if row.suspended_at is None:
        row.suspended_at, row.suspended_reason = now, reason[:64]
    row.failed_token = failed_token
    row.probed_at = now
    session.add(row)
    session.commit()
    return newly


def resume(session: Session, team_id: str) -> bool:
    """A token of the workspace works again: its due work runs. True when it was suspended."""
    result = execute_dml(
        session,
        update(Workspace)
        .where(col(Workspace.team_id) == team_id, col(Workspace.suspended_at).is_not(None))
        .values(suspended_at=None, suspended_reason=None, failed_token=None, probed_at=None),
    )
    session.commit()
    return result.rowcount == 1


def to_probe(session: Session, *, now: datetime, every: timedelta) -> list[Suspended]:
    """Suspended (still installed) workspaces whose token was not tried for `every`."""
    query = (
        select(Workspace)
        .where(col(Workspace.suspended_at).is_not(None), col(Workspace.uninstalled_at).is_(None))
        .where(or_(col(Workspace.probed_at).is_(None), col(Workspace.probed_at) <= now - every))
    )
    return [
        Suspended(w.team_id, w.suspended_reason or "", w.failed_token)
        for w in session.exec(query).all()
    ]


def probed(session: Session, team_id: str, *, now: datetime) -> None:
    """The suspended workspace's token was tried (and still fails)."""
    session.execute(
        update(Workspace).where(col(Workspace.team_id) == team_id).values(probed_at=now)
    )
    session.commit()


def tell_installer_once(session: Session, team_id: str, *, now: datetime) -> str | None:
    """The installer, the first time since the installation that a scope was found missing
    (None: told already, or nobody to tell)."""
    result = execute_dml(
        session,
        update(Workspace)
        .where(col(Workspace.team_id) == team_id, col(Workspace.scope_notice_at).is_(None))
        .where(col(Workspace.installer_id).is_not(None))
        .values(scope_notice_at=now),
    )
    session.commit()
    if result.rowcount != 1:
        return None
    row = session.get(Workspace, team_id)
    return row.installer_id if row is not None else None


def counts(session: Session) -> dict[str, int]:
    """How many workspaces are active, suspended, uninstalled (retention running), purged."""
    rows = session.exec(select(Workspace)).all()
    found = {"active": 0, "suspended": 0, "uninstalled": 0, "purged": 0}
    for row in rows:
        if row.purged_at is not None:
            found["purged"] += 1
        elif row.uninstalled_at is not None:
            found["uninstalled"] += 1
        elif row.suspended_at is not None:
            found["suspended"] += 1
        else:
            found["active"] += 1
    return found


# --- deleting a workspace's data --------------------------------------------------------------


def due_purges(session: Session, *, now: datetime, retention: timedelta) -> list[str]:
    """Workspaces uninstalled more than `retention` ago whose data is still there."""
    query = select(Workspace.team_id).where(
        col(Workspace.uninstalled_at) <= now - retention, col(Workspace.purged_at).is_(None)
    )
    return list(session.exec(query).all())


def purge_when_due(session: Session, team_id: str, *, now: datetime, retention: timedelta) -> int:
    """Delete the workspace's data if its retention has passed and nobody (no other process)
    did yet: claimed with one conditional UPDATE, deleted in the same transaction. Returns how
    many rows went (0: not due, or done by someone else)."""
    claimed = execute_dml(
        session,
        update(Workspace)
        .where(col(Workspace.team_id) == team_id, col(Workspace.purged_at).is_(None))
        .where(col(Workspace.uninstalled_at) <= now - retention)
        .values(purged_at=now),
    )
    if claimed.rowcount != 1:
        session.rollback()
        return 0
    deleted = _delete_rows(session, team_id)
    session.commit()
    return deleted


def purge_now(session: Session, team_id: str, *, now: datetime) -> int:
    """Delete every row of the workspace at once (an operator asked), its installation too:
    it is no longer served. Returns how many rows went."""
    row = _row(session, team_id)
    row.uninstalled_at = row.uninstalled_at or now
    row.purged_at = now
    session.add(row)
    deleted = _delete_rows(session, team_id)
    session.commit()
    return deleted


def _delete_rows(session: Session, team_id: str) -> int:
    """Every table's rows of `team_id`, children first; a table without a team column goes by
    its parent's (point_carry by its talking point)."""
    deleted = 0
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name in KEPT:
            continue
        condition = _of_team(table, team_id)
        if condition is not None:
            deleted += execute_dml(session, delete(table).where(condition)).rowcount
    return deleted


def _of_team(table: Table, team_id: str) -> ColumnElement[bool] | None:
    if "team_id" in table.c:
        return table.c.team_id == team_id
    for key in table.foreign_keys:
        parent = key.column.table
        if "team_id" in parent.c:
            owned = select_columns(key.column).where(parent.c.team_id == team_id)
            return key.parent.in_(owned)
    return None


def team_rows(session: Session, team_id: str) -> int:
    """How many rows the workspace has in all tables (what a purge would delete)."""
    total = 0
    for table in SQLModel.metadata.sorted_tables:
        condition = None if table.name in KEPT else _of_team(table, team_id)
        if condition is not None:
            total += session.execute(
                select_columns(func.count()).select_from(table).where(condition)
            ).scalar_one()
    return total


# --- one token rotation at a time ---------------------------------------------------------------


def take_rotation(session: Session, installation: str, *, holder: str, now: datetime) -> bool:
    """Take the lease on rotating `installation`'s token (free, or its holder's lease ran
    out). Committed before Slack is called."""
    if session.get(TokenRotation, installation) is None:
        session.add(TokenRotation(installation=installation))
        try:
            session.commit()
        except IntegrityError:  # another process made the row first: race for it below
            session.rollback()
    taken = execute_dml(
        session,
        update(TokenRotation)
        .where(col(TokenRotation.installation) == installation)
        .where(
            or_(
                col(TokenRotation.holder).is_(None),
                col(TokenRotation.since) < now - ROTATION_LEASE,
            )
        )
        .values(holder=holder, since=now),
    )
    session.commit()
    return taken.rowcount == 1


def give_back_rotation(session: Session, installation: str, *, holder: str) -> None:
    """The rotation is over (done or failed): the next one may start."""
    session.execute(
        update(TokenRotation)
        .where(col(TokenRotation.installation) == installation)
        .where(col(TokenRotation.holder) == holder)
        .values(holder=None, since=None)
    )
    session.commit()
