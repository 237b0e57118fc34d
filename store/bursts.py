"""No bursts: posts to one person that fall in the same minute (MERGE_WINDOW) are one message.

- The report's welcome and their first prompt (a series scheduled for tomorrow morning): the
  prompt is held, in the transaction that creates it, for the request that posts the welcome;
  the welcome carries the prompt and names its work in its metadata, and the prompt is done
  (`merged`). A process that dies holding it leaves a claim that is taken over after the
  lease, and whose post is looked for first.
- An action item's reminder and a prompt to its owner that lists the item: the prompt takes
  the reminder along under its own claim and shows the item with its "Done" button; the
  reminder is done (`merged`) when the prompt is recorded, and given back when it is not. A
  reminder that falls due just before such a prompt waits for it (once).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from store.due_work import Claim, claim_along, held_claim, hold
from store.meetings import prompt_key
from store.models import ActionItem, DueWork, Meeting, Pair, WorkKind
from store.working_hours import MERGE_WINDOW

WELCOME = "welcome"  # the claim token prefix of a prompt held for the welcome
WAIT = timedelta(seconds=1)  # a reminder waiting for a prompt is due just after it


def _welcome_token(meeting_id: int) -> str:
    return f"{WELCOME}:{meeting_id}"


def hold_first_prompt(session: Session, meeting: Meeting, report_id: str, *, now: datetime) -> None:
    """A new series' first prompt to the report, due within the minute: held for the welcome
    (the caller commits)."""
    assert meeting.id is not None
    key = prompt_key(meeting.id, report_id)
    work = session.exec(select(DueWork).where(DueWork.key == key)).first()
    if work is None or work.done_at is not None or work.next_attempt_at >= now + MERGE_WINDOW:
        return
    hold(session, work, token=_welcome_token(meeting.id), now=now)


def welcome_prompt(session: Session, meeting_id: int, report_id: str) -> Claim | None:
    """The claim on the report's first prompt, when it was held for their welcome."""
    return held_claim(session, prompt_key(meeting_id, report_id), _welcome_token(meeting_id))


def take_reminders_along(
    session: Session, claim: Claim, item_ids: list[int], *, now: datetime
) -> list[tuple[str, ActionItem]]:
    """The reminders to the prompt's reader, about items the prompt lists, that fall due
    less than a minute after it (or before): claimed under the prompt's claim, with their items."""
    if not item_ids or claim.user_id is None or claim.uncertain_since is not None:
        return []  # after an unknown outcome the post is looked for as it was: nothing new
    due_before = max(now, claim.due_at) + MERGE_WINDOW
    query = (
        select(DueWork.id, DueWork.key, DueWork.action_item_id)
        .where(DueWork.kind == WorkKind.REMINDER, DueWork.user_id == claim.user_id)
        .where(col(DueWork.action_item_id).in_(item_ids), col(DueWork.done_at).is_(None))
        .where(col(DueWork.claimed_at).is_(None), col(DueWork.next_attempt_at) < due_before)
        .order_by(col(DueWork.id))
    )
    taken: list[tuple[str, ActionItem]] = []
    for work_id, key, item_id in session.exec(query).all():
        item = session.get(ActionItem, item_id)
        if work_id is None or item is None:
            continue
        if claim_along(session, work_id=work_id, token=claim.token, now=now, due_before=due_before):
            taken.append((key, item))
    session.commit()
    return taken


def prompt_to_wait_for(session: Session, claim: Claim, pair: Pair) -> datetime | None:
    """A reminder due just before a prompt to its owner about the same 1:1 waits for it (the
    prompt takes it along): when it should be due again, or None to post it now."""
    query = (
        select(DueWork.next_attempt_at)
        .join(Meeting, col(Meeting.id) == col(DueWork.meeting_id))
        .where(DueWork.kind == WorkKind.PROMPT, DueWork.user_id == claim.user_id)
        .where(Meeting.pair_id == pair.id, col(DueWork.done_at).is_(None))
        .where(col(DueWork.next_attempt_at) >= claim.due_at)
        .where(col(DueWork.next_attempt_at) < claim.due_at + MERGE_WINDOW)
        .order_by(col(DueWork.next_attempt_at))
    )
    due = session.exec(query).first()
    return due + WAIT if due is not None else None
