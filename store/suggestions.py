"""Which question each person is offered before a meeting, recorded so the rotation is fair."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from store.models import Meeting, Pair, SuggestedQuestion, id_of
from store.questions import Question, by_key, pick_question


def recorded_question(session: Session, meeting: Meeting, user_id: str) -> Question | None:
    """The question already suggested to this person for this meeting, if any (a read)."""
    key = session.exec(
        select(SuggestedQuestion.question_key).where(
            col(SuggestedQuestion.meeting_id) == meeting.id,
            col(SuggestedQuestion.user_id) == user_id,
        )
    ).first()
    return by_key(key) if key else None


def suggest_question(
    session: Session, pair: Pair, meeting: Meeting, user_id: str, *, now: datetime
) -> Question:
    """The question for this person and meeting: the same one every time it is asked for."""
    asked = session.exec(
        select(SuggestedQuestion)
        .where(SuggestedQuestion.pair_id == pair.id)
        .order_by(col(SuggestedQuestion.id))
    ).all()
    for row in asked:
        if row.meeting_id == meeting.id and row.user_id == user_id:
            question = by_key(row.question_key)
            if question is not None:
                return question
    role = "manager" if user_id == pair.manager_id else "report"
    question = pick_question(
        asked_keys=[row.question_key for row in asked],
        role=role,
        seed=(meeting.id or 0) * 2 + (role == "report"),
    )
    session.add(
        SuggestedQuestion(
            team_id=pair.team_id,
            pair_id=id_of(pair),
            meeting_id=id_of(meeting),
            user_id=user_id,
            question_key=question.key,
            created_at=now,
        )
    )
    session.commit()
    return question
