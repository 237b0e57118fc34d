"""A series' regular time as each person's clock shows it: the plain data blocks/ words it
from, and whether daylight saving time has moved it on someone's clock since they were told.

What a person was told: the welcome (the report) and the confirmation (the manager) give the
series' time at its first occurrence; each prompt that reached them gives it at its meeting.
When the series' wall time on their clock at a meeting differs from the one at the occurrence
they were last told about, that meeting's prompt says so. Once: that prompt is then what they
were last told. A meeting whose prompt never went out (skipped, paused over, expired) told
nobody anything, so the next prompt that does go out carries the note.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from store.due_work import FOUND, MERGED, SENT
from store.meetings import prompt_key
from store.models import Cadence, DueWork, Meeting, Pair
from store.recurrence import local_start, nth_weekday_of_month, slot_from_local
from store.views import SeriesTime

LOOK_BACK = 60  # earlier meetings searched for the last prompt that reached the person


def series_time(pair: Pair, slot: datetime) -> SeriesTime:
    """The pair's recurrence as plain data, read at one of its occurrences (`slot`, UTC)."""
    nth = nth_weekday_of_month(pair.first_date) if pair.cadence == Cadence.MONTHLY else None
    return SeriesTime(cadence=pair.cadence, timezone=pair.timezone, slot=slot, nth=nth)


def moved_from(
    session: Session, pair: Pair, meeting: Meeting, user_id: str, zone: str
) -> datetime | None:
    """The series' occurrence this person was last told about, when its wall time on their
    clock (`zone`) differs from `meeting`'s: daylight saving time moved it (in either zone)."""
    told = _last_told_slot(session, pair, meeting, user_id)
    if told is None:
        return None
    # The series' current rule at that date: only the zones' offsets differ, never the rule.
    day = local_start(told, pair.timezone).date()
    before = slot_from_local(day, pair.local_time, pair.timezone)
    if _wall(before, zone) == _wall(meeting.slot_at, zone):
        return None
    return before


def _last_told_slot(
    session: Session, pair: Pair, meeting: Meeting, user_id: str
) -> datetime | None:
    """The slot of the latest earlier occurrence whose time the person was told."""
    query = (
        select(Meeting.id, Meeting.slot_at)
        .where(Meeting.pair_id == pair.id, col(Meeting.unscheduled).is_(False))
        .where(col(Meeting.slot_at) < meeting.slot_at)
        .order_by(col(Meeting.slot_at).desc())
        .limit(LOOK_BACK)
    )
    earlier = {prompt_key(mid, user_id): slot for mid, slot in session.exec(query).all() if mid}
    if not earlier:
        return None
    reached = select(DueWork.key).where(
        col(DueWork.key).in_(earlier), col(DueWork.outcome).in_((SENT, FOUND, MERGED))
    )
    keys = session.exec(reached).all()
    if keys:
        return max(earlier[key] for key in keys)
    # No prompt reached them: the first occurrence, which the welcome or confirmation gave.
    return min(earlier.values()) if len(earlier) < LOOK_BACK else None


def _wall(moment: datetime, zone: str) -> tuple[int, int, int]:
    local = local_start(moment, zone)
    return local.weekday(), local.hour, local.minute
