"""Notes and action items of one meeting: which meeting notes are for, and what they show."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, get_meeting, get_pair
from store.actions import item_view
from store.agenda import point_view
from store.carry import carried_out_of
from store.checkins import meeting_checkins
from store.meetings import meeting_points, recurrence_of, upcoming_meeting
from store.models import NOT_HAPPENING, ActionItem, Meeting, MeetingStatus, Note, Pair, id_of
from store.recurrence import next_slot
from store.views import NotesView, may_see

NOTES_MAX = 10_000
EARLY = timedelta(hours=1)  # notes may be opened this long before a meeting starts
RECENT = timedelta(days=1)  # a meeting stays "the one to take notes for" this long after it
UNSAVED = timedelta(days=7)  # ...or this long while nobody has saved its notes


class Conflict(Invalid):
    """The shared notes changed since the modal was opened."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "The shared notes were changed by someone else since you opened this. "
                "Copy your text, close and reopen the notes, then add it again."
            ),
            field="shared_notes",
        )


def clean_notes(text: str, *, field: str = "shared_notes") -> str:
    """Notes text, trimmed; Invalid (on `field`) when over 10,000 characters."""
    text = text.strip()
    if len(text) > NOTES_MAX:
        raise Invalid(
            N_("Notes are limited to {limit} characters; these are {length}."),
            field=field,
            limit=NOTES_MAX,
            length=len(text),
        )
    return text


def notes_meeting(session: Session, actor: Actor, pair_id: int, *, now: datetime) -> Meeting:
    """The meeting notes are for: the current one (from an hour before it); else the latest
    past one within a day of its end, or within a week while nobody saved its notes; else
    the upcoming one."""
    pair = get_pair(session, actor, pair_id)
    latest = session.exec(
        select(Meeting)
        .where(Meeting.pair_id == pair.id, col(Meeting.status).not_in(NOT_HAPPENING))
        .where(col(Meeting.starts_at) <= now + EARLY)
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()
    if latest is not None and still_for_notes(
        latest.starts_at, latest.duration_minutes, latest.notes_saved_at, now=now
    ):
        return latest
    upcoming = upcoming_meeting(session, pair, now)
    if upcoming is None:
        raise Invalid(N_("This 1:1 has no meeting to take notes for."))
    return upcoming


def still_for_notes(
    starts_at: datetime, duration_minutes: int, notes_saved_at: datetime | None, *, now: datetime
) -> bool:
    """Whether a meeting that has started (or starts within EARLY) is still the one to take
    notes for: within a day of its end, or a week while nobody saved its notes."""
    ended = starts_at + timedelta(minutes=duration_minutes)
    return now < ended + RECENT or (notes_saved_at is None and now < ended + UNSAVED)


def notes_view(session: Session, actor: Actor, meeting_id: int) -> NotesView:
    """The meeting's notes as the actor may see them."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    shared = note_of(session, meeting, None)
    private = note_of(session, meeting, actor.user_id)
    moved_on = [p for p in carried_out_of(session, meeting) if not p.discussed]
    return NotesView(
        meeting_id=id_of(meeting),
        pair_id=id_of(pair),
        manager_id=pair.manager_id,
        report_id=pair.report_id,
        viewer_id=actor.user_id,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        unscheduled=meeting.unscheduled,
        points=[
            point_view(p)
            for p in meeting_points(session, meeting) + moved_on
            if may_see(actor.user_id, p.author_id, p.is_private)
        ],
        moved_on=frozenset(p.id for p in moved_on if p.id is not None),
        shared_notes=shared.text if shared else "",
        shared_version=shared.version if shared else 0,
        private_notes=private.text if private else "",
        action_items=[item_view(i, pair) for i in meeting_items(session, meeting)],
        default_due=_next_meeting_day(session, meeting, pair),
        checkins=meeting_checkins(session, meeting, pair),
    )


def note_of(session: Session, meeting: Meeting, owner_id: str | None) -> Note | None:
    query = select(Note).where(
        Note.meeting_id == meeting.id,
        Note.is_private == (owner_id is not None),
        Note.owner_id == (owner_id or ""),
    )
    return session.exec(query).first()


def meeting_items(session: Session, meeting: Meeting) -> list[ActionItem]:
    query = (
        select(ActionItem)
        .where(ActionItem.meeting_id == meeting.id)
        .order_by(col(ActionItem.created_at), col(ActionItem.id))
    )
    return list(session.exec(query).all())


def _next_meeting_day(session: Session, meeting: Meeting, pair: Pair) -> date | None:
    """The next meeting's local date: its row, or the series' next slot before it exists."""
    following = session.exec(
        select(Meeting.starts_at)
        .where(Meeting.pair_id == pair.id, Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > meeting.starts_at)
        .order_by(col(Meeting.starts_at))
        .limit(1)
    ).first()
    if following is None and pair.ended_at is None:
        following = next_slot(recurrence_of(pair), max(meeting.slot_at, meeting.starts_at))
    return following.astimezone(ZoneInfo(pair.timezone)).date() if following else None
