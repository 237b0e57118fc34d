"""The weekly check-in: "How are you doing this week?", one answer per person and meeting (a
mood from 1 to 5 and an optional line), asked in the prompt when the series asks that person
(Pair.checkins_report, Pair.checkins_manager). Both people of the pair see the answers (the
agenda, the notes form); nobody else ever does."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import ENDED, N_, Actor, Invalid, get_meeting
from store.due_work import FOUND, SENT
from store.health_views import LOW_WINDOW, MOOD_MAX, MOOD_MIN, CheckInView, MeetingCheckIns
from store.meetings import outcome, prompt_key
from store.models import CheckIn, DueWork, Meeting, MeetingStatus, Pair, id_of

TEXT_MAX = 300
HISTORY_MAX = 200  # earlier answers read for the two people (a few years of weekly 1:1s)
OFF = N_("Check-ins are off for you in this 1:1.")
OVER = N_("That 1:1 is over: you can check in again before the next one.")


def asks(pair: Pair, user_id: str) -> bool:
    """Whether the series asks this person the weekly check-in."""
    if user_id == pair.report_id:
        return pair.checkins_report
    return user_id == pair.manager_id and pair.checkins_manager


def record_checkin(
    session: Session, actor: Actor, meeting_id: int, mood: int, *, now: datetime
) -> tuple[Meeting, Pair]:
    """The actor's answer for the meeting (answering again changes it: one row per person
    and meeting, however many clicks arrive at once)."""
    if not MOOD_MIN <= mood <= MOOD_MAX:
        raise Invalid(
            N_("A check-in is a number from {low} to {high}."), low=MOOD_MIN, high=MOOD_MAX
        )
    meeting, pair = _open_for(session, actor, meeting_id, now=now)
    answer = _stored_answer(session, id_of(meeting), actor.user_id)
    if answer is None:
        try:
            with session.begin_nested():
                session.add(
                    CheckIn(
                        team_id=pair.team_id,
                        pair_id=id_of(pair),
                        meeting_id=id_of(meeting),
                        user_id=actor.user_id,
                        mood=mood,
                        answered_at=now,
                    )
                )
            session.commit()
            return meeting, pair
        except IntegrityError:  # the same person's other click, a moment earlier
            answer = _stored_answer(session, id_of(meeting), actor.user_id)
            if answer is None:
                raise
    answer.mood, answer.answered_at = mood, now
    session.add(answer)
    session.commit()
    return meeting, pair


def set_checkin_text(
    session: Session, actor: Actor, meeting_id: int, text: str, *, now: datetime
) -> tuple[Meeting, Pair]:
    """The optional line of the actor's answer ("" clears it)."""
    text = " ".join(text.split())
    if len(text) > TEXT_MAX:
        message = N_("That is {count} characters; a check-in's line takes {limit}.")
        raise Invalid(message, field="text", count=len(text), limit=TEXT_MAX)
    meeting, pair = _open_for(session, actor, meeting_id, now=now)
    answer = _stored_answer(session, id_of(meeting), actor.user_id)
    if answer is None:
        raise Invalid(N_("Pick how you're doing first, then add a line."), field="text")
    answer.text = text
    session.add(answer)
    session.commit()
    return meeting, pair


def checkin_text(session: Session, actor: Actor, meeting_id: int) -> str:
    """The actor's own line for the meeting, for the form that edits it."""
    meeting, _pair = get_meeting(session, actor, meeting_id)
    answer = _stored_answer(session, id_of(meeting), actor.user_id)
    return answer.text if answer else ""


def _open_for(
    session: Session, actor: Actor, meeting_id: int, *, now: datetime
) -> tuple[Meeting, Pair]:
    """The meeting, for one of its two people whom the series asks, while it is to come."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    if pair.ended_at is not None:
        raise Invalid(ENDED)
    if not asks(pair, actor.user_id):
        raise Invalid(OFF)
    ended = meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now
    if meeting.status != MeetingStatus.SCHEDULED or ended or outcome(meeting, now) is not None:
        raise Invalid(OVER)
    return meeting, pair


def _stored_answer(session: Session, meeting_id: int, user_id: str) -> CheckIn | None:
    query = select(CheckIn).where(CheckIn.meeting_id == meeting_id, CheckIn.user_id == user_id)
    return session.exec(query).first()


def meeting_checkins(session: Session, meeting: Meeting, pair: Pair) -> MeetingCheckIns | None:
    """The meeting's answers (the report's first), each with the same person's earlier
    answers in this series; None when nobody answered (two queries)."""
    answers = session.exec(select(CheckIn).where(CheckIn.meeting_id == meeting.id)).all()
    if not answers:
        return None
    earlier = session.exec(
        select(CheckIn.user_id, CheckIn.mood)
        .join(Meeting, col(Meeting.id) == col(CheckIn.meeting_id))
        .where(col(CheckIn.pair_id) == pair.id, col(Meeting.starts_at) < meeting.starts_at)
        .order_by(col(Meeting.starts_at).desc())
        .limit(HISTORY_MAX)
    ).all()
    before: dict[str, list[int]] = defaultdict(list)
    for user_id, mood in earlier:
        if len(before[user_id]) < LOW_WINDOW:
            before[user_id].append(mood)
    views = [
        CheckInView(a.user_id, a.mood, a.text, tuple(reversed(before[a.user_id])))
        for a in sorted(answers, key=lambda a: a.user_id != pair.report_id)
    ]
    return MeetingCheckIns(pair.report_id, pair.manager_id, tuple(views))


def checkins_of_meetings(
    session: Session, meeting_ids: list[int]
) -> dict[int, list[tuple[str, int, str]]]:
    """(person, mood, line) of each meeting's answers, for an export page (one query)."""
    query = (
        select(CheckIn)
        .where(col(CheckIn.meeting_id).in_(meeting_ids))
        .order_by(col(CheckIn.meeting_id), col(CheckIn.id))
    )
    found: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for answer in session.exec(query).all():
        found[answer.meeting_id].append((answer.user_id, answer.mood, answer.text))
    return found


def posted_prompts(session: Session, meeting: Meeting, pair: Pair) -> dict[str, tuple[str, str]]:
    """Where each person's prompt for the meeting went, (channel, ts), when it went out as a
    prompt of its own (not inside the welcome: that message is not redrawn as a prompt)."""
    keys = {
        prompt_key(id_of(meeting), person): person for person in (pair.manager_id, pair.report_id)
    }
    query = select(DueWork.key, DueWork.posted_channel_id, DueWork.posted_ts).where(
        col(DueWork.key).in_(list(keys)), col(DueWork.outcome).in_((SENT, FOUND))
    )
    return {
        keys[key]: (channel, ts) for key, channel, ts in session.exec(query).all() if channel and ts
    }
