"""Posted agendas are updated in place after a change; a burst of changes (five points
ticked in a row) becomes one chat.update after a short quiet."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from slack_sdk import WebClient

from blocks.i18n import reading
from handlers.context import Clients
from handlers.debounce import Debouncer
from handlers.publish import render
from store.db import SessionFactory
from store.deliveries import posted_agenda
from store.people import meeting_locale

DELAY = 1.0  # seconds of quiet before a posted agenda is updated


def update_agenda(db: SessionFactory, client: WebClient, meeting_id: int, *, now: datetime) -> bool:
    """Re-render a meeting's posted agenda and update the message; False before it is posted."""
    with db.read() as session:  # most often nothing is posted yet: no write lock for that
        posted = posted_agenda(session, meeting_id, now=now, suggest=False)
        # the group DM's language, once there is a post to write in it
        locale = meeting_locale(session, meeting_id) if posted is not None else None
    if posted is not None and posted[2].suggestion is None and posted[2].agenda.is_empty:
        with db() as session:  # an empty agenda shows a suggested question, recorded once
            posted = posted_agenda(session, meeting_id, now=now)
    if posted is None:
        return False
    channel, ts, post = posted
    with reading(locale):
        body = render(post)
    client.chat_update(channel=channel, ts=ts, **body)
    return True


class AgendaRefresher:
    """Coalesces agenda updates per meeting: the update comes `delay` seconds after the last
    change, in the interactive lane (it answers a click)."""

    def __init__(
        self,
        clients: Clients,
        db: SessionFactory,
        clock: Callable[[], datetime],
        *,
        delay: float = DELAY,
        thread_start: Callable[[], None] | None = None,
    ) -> None:
        self._clients, self._db, self._clock = clients, db, clock
        self._runs = Debouncer(
            self._update, delay=delay, name="agenda-refresher", thread_start=thread_start
        )

    def request(self, team_id: str, meeting_ids: Iterable[str]) -> None:
        """Update these meetings' posted agendas soon."""
        self._runs.request(team_id, meeting_ids)

    def flush(self) -> int:
        """Update everything pending now; returns how many."""
        return self._runs.flush()

    def stop(self, *, flush: bool = True) -> None:
        """Stop, after bringing the pending agendas up to date (unless told not to)."""
        self._runs.stop(flush=flush)

    def _update(self, team_id: str, meeting_id: str) -> None:
        client = self._clients.interactive(team_id)
        update_agenda(self._db, client, int(meeting_id), now=self._clock())
