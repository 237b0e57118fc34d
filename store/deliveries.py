"""What each piece of due work posts, read in one short transaction before Slack is called;
and, in another one after, where it went (guarded, so a concurrent change stays)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.access import other_person
from store.actions import item_view, reminder_target
from store.agenda import agenda_view
from store.bursts import prompt_to_wait_for, take_reminders_along
from store.checkins import meeting_checkins
from store.digest import digest_delivery
from store.due_work import CANCELLED, SENT, TOO_LATE, Claim, add_work, finish, finish_along
from store.health import prompt_health
from store.huddles import huddle_offer, long_enough
from store.meetings import summary_key, too_late_to_prompt
from store.models import (
    NOT_HAPPENING,
    ActionItem,
    HuddleFollowUp,
    Meeting,
    MeetingStatus,
    Pair,
    PostedMessage,
    WorkKind,
)
from store.people import delivery_locale, profiles_of, reader_zones, set_dm_channel
from store.series import moved_from, series_time
from store.suggestions import recorded_question, suggest_question
from store.summary import summary_channel, summary_view
from store.views import (
    AgendaPost,
    Content,
    Delivery,
    DuplicateEnded,
    HuddleOffer,
    PersonLeft,
    PromptPost,
    ReminderPost,
    SummaryView,
)

DONE = "done"  # already posted (by an earlier attempt, or by the notes form)
EXPIRED = "expired"  # the meeting has started: a prompt or agenda now would be noise
ORPHANED = "orphaned"


@dataclass(frozen=True)
class Later:
    """Not yet: give the work back, due again `at` (a reminder waiting for a prompt)."""

    at: datetime


def prepare(session: Session, claim: Claim, *, now: datetime) -> Delivery | Later | str:
    """The post a claim stands for (in its reader's language), the time to try again, or the
    outcome when nothing should be posted (a prompt less than an hour before its meeting:
    TOO_LATE)."""
    plan = _prepare(session, claim, now=now)
    if isinstance(plan, Delivery):
        return replace(plan, locale=delivery_locale(session, plan))
    return plan


def _prepare(session: Session, claim: Claim, *, now: datetime) -> Delivery | Later | str:
    if claim.kind == WorkKind.REMINDER:
        return _reminder(session, claim, now=now)
    if claim.kind == WorkKind.HUDDLE:
        return _huddle(session, claim)
    if claim.kind == WorkKind.NOTICE:
        return _notice(session, claim)
    if claim.kind == WorkKind.DIGEST:
        return digest_delivery(session, claim, now=now)
    meeting = session.get(Meeting, claim.meeting_id) if claim.meeting_id else None
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    if meeting is None or pair is None:
        return ORPHANED
    if claim.kind == WorkKind.SUMMARY:
        return _summary(session, claim, meeting, pair)
    if meeting.status != MeetingStatus.SCHEDULED or pair.ended_at is not None:
        return CANCELLED
    if now >= meeting.starts_at:
        return EXPIRED
    if claim.kind == WorkKind.PROMPT and claim.user_id:
        if too_late_to_prompt(meeting.starts_at, claim.due_at, now=now):
            return TOO_LATE
        return _prompt_delivery(session, claim, meeting, pair, claim.user_id, now=now)
    if claim.kind == WorkKind.AGENDA:
        if meeting.agenda_ts:
            return DONE
        return _delivery(claim, pair, agenda_post(session, meeting, pair, now=now))
    return ORPHANED


def _prompt_delivery(
    session: Session, claim: Claim, meeting: Meeting, pair: Pair, viewer: str, *, now: datetime
) -> Delivery:
    """The prompt for one person, with the reminders of the items it lists that fall due with
    it taken along (store.bursts)."""
    post = _prompt(session, meeting, pair, viewer, now=now)
    mine = [f.id for f in post.agenda.follow_ups if f.owner_id == viewer]
    along = take_reminders_along(session, claim, mine, now=now)
    if along:
        zone = post.zone or pair.timezone
        reminders = tuple(item_view(item, pair) for _, item in along)
        post = replace(post, reminders=reminders, today=_today(now, zone))
    delivery = _delivery(claim, pair, post, dm_user=viewer)
    return replace(delivery, also=tuple(key for key, _ in along))


def _prompt(
    session: Session, meeting: Meeting, pair: Pair, viewer: str, *, now: datetime
) -> PromptPost:
    """The prompt for one person, with the series' time on their clock (stored profile) and,
    when daylight saving time moved it since they were last told, the time it was."""
    question = suggest_question(session, pair, meeting, viewer, now=now)
    profile = profiles_of(session, pair.team_id, [viewer]).get(viewer)
    zone = profile.tz if profile else None
    return PromptPost(
        viewer,
        agenda_view(session, meeting, pair, viewer, now=now),
        question,
        series=series_time(pair, meeting.slot_at),
        zone=zone,
        moved_from=moved_from(session, pair, meeting, viewer, zone) if zone else None,
        health=prompt_health(session, meeting, pair, viewer),
    )


def _today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def agenda_post(
    session: Session, meeting: Meeting, pair: Pair, *, now: datetime, record: bool = True
) -> AgendaPost:
    """The shared agenda of a meeting, with the manager's suggested question while empty
    (picked and recorded the first time, unless not to `record`: then None until it is)."""
    view = agenda_view(session, meeting, pair, None, now=now)
    checkins = meeting_checkins(session, meeting, pair)
    if not view.is_empty or view.outcome is not None:
        return AgendaPost(view, None, checkins)
    if record:
        question = suggest_question(session, pair, meeting, pair.manager_id, now=now)
        return AgendaPost(view, question, checkins)
    return AgendaPost(view, recorded_question(session, meeting, pair.manager_id), checkins)


def _delivery(
    claim: Claim, pair: Pair, content: Content, *, dm_user: str | None = None
) -> Delivery:
    return Delivery(
        key=claim.key,
        kind=claim.kind,
        team_id=pair.team_id,
        pair_id=pair.id,
        people=(pair.manager_id, pair.report_id),
        dm_user=dm_user,
        channel=dm_user or pair.channel_id,
        content=content,
    )


def _summary(session: Session, claim: Claim, meeting: Meeting, pair: Pair) -> Delivery | str:
    """An hour after the end (or once notes are saved): the summary, or a nudge for notes."""
    if meeting.status in NOT_HAPPENING or pair.ended_at:
        return CANCELLED
    if meeting.summary_ts:
        return DONE  # posted already: later changes update it in place
    return _delivery(claim, pair, summary_view(session, meeting, pair))


def _reminder(session: Session, claim: Claim, *, now: datetime) -> Delivery | Later | str:
    """The item's reminder to its owner; it waits for a prompt to them that falls due with it
    (which then carries it)."""
    target = reminder_target(session, claim.action_item_id or 0, claim.user_id or "")
    if target is None:
        return CANCELLED
    item, pair = target
    wait = prompt_to_wait_for(session, claim, pair) if claim.uncertain_since is None else None
    if wait is not None:
        return Later(wait)
    zone = reader_zones(session, pair.team_id, [item.owner_id], pair.timezone)[item.owner_id]
    post = ReminderPost(item_view(item, pair), today=_today(now, zone))
    return _delivery(claim, pair, post, dm_user=item.owner_id)


def _notice(session: Session, claim: Claim) -> Delivery | str:
    """A one-off note (key "notice:<what>:<pair id>:<reader>"): one of two series between the
    same people was ended (migration 0007), or the other person left the workspace."""
    parts = claim.key.split(":")
    pair_id = parts[2] if len(parts) >= 4 else ""
    pair = session.get(Pair, int(pair_id)) if pair_id.isdigit() else None
    if pair is None or not claim.user_id:
        return ORPHANED
    other = other_person(pair, claim.user_id)
    notice: Content = (
        PersonLeft(claim.user_id, other)
        if parts[1] == "left"
        else DuplicateEnded(claim.user_id, other)
    )
    return _delivery(claim, pair, notice, dm_user=claim.user_id)


def _huddle(session: Session, claim: Claim) -> Delivery | str:
    follow_up = session.get(HuddleFollowUp, int(claim.key.rpartition(":")[2]))
    pair = session.get(Pair, follow_up.pair_id) if follow_up else None
    if follow_up is None or pair is None or pair.ended_at is not None:
        return CANCELLED
    if follow_up.ts or follow_up.dismissed_at:
        return DONE
    if not long_enough(follow_up.started_at, follow_up.ended_at):
        return CANCELLED  # recorded before short huddles went without a follow-up
    return _delivery(claim, pair, huddle_offer(session, follow_up, pair))


def record(
    session: Session,
    claim: Claim,
    delivery: Delivery,
    *,
    channel: str,
    ts: str,
    now: datetime,
    outcome: str = SENT,
) -> bool:
    """Remember where the post went (never overwriting a post recorded meanwhile) and finish
    the work; False when the claim was lost (the work is then someone else's to finish)."""
    if claim.kind == WorkKind.AGENDA:
        _set_once(session, Meeting, claim.meeting_id, "agenda_ts", ts, agenda_channel_id=channel)
    elif claim.kind == WorkKind.SUMMARY:
        _set_once(session, Meeting, claim.meeting_id, "summary_ts", ts)
    elif claim.kind == WorkKind.HUDDLE and isinstance(delivery.content, HuddleOffer):
        _set_once(
            session, HuddleFollowUp, delivery.content.follow_up_id, "ts", ts, channel_id=channel
        )
    elif claim.kind == WorkKind.REMINDER and claim.action_item_id:
        _mark_reminded(session, [claim.action_item_id], now=now)
    if delivery.also and isinstance(delivery.content, PromptPost):
        finish_along(session, claim, delivery.also, now=now, channel=channel, ts=ts)
        _mark_reminded(session, [item.id for item in delivery.content.reminders], now=now)
    remember_post(session, delivery, channel=channel, ts=ts, now=now, meeting_id=claim.meeting_id)
    session.commit()
    if delivery.dm_user and channel.startswith("D"):
        set_dm_channel(session, delivery.team_id, delivery.dm_user, channel)
    return finish(session, claim, outcome=outcome, now=now, channel=channel, ts=ts)


def _mark_reminded(session: Session, item_ids: list[int], *, now: datetime) -> None:
    session.execute(
        update(ActionItem).where(col(ActionItem.id).in_(item_ids)).values(reminded_at=now)
    )


def _set_once(
    session: Session,
    table: type[Meeting] | type[HuddleFollowUp],
    row_id: int | None,
    column: str,
    ts: str,
    **also: str,
) -> None:
    ts_column = getattr(table, column)
    session.execute(
        update(table)
        .where(col(table.id) == row_id, col(ts_column).is_(None))
        .values({column: ts, **also})
    )


def remember_post(
    session: Session,
    delivery: Delivery,
    *,
    channel: str,
    ts: str,
    now: datetime,
    meeting_id: int | None,
) -> None:
    """Record a posted message so replies in its thread find their 1:1 (once per message)."""
    with contextlib.suppress(IntegrityError), session.begin_nested():
        session.add(
            PostedMessage(
                team_id=delivery.team_id,
                channel_id=channel,
                ts=ts,
                kind=delivery.kind,
                pair_id=delivery.pair_id,
                meeting_id=meeting_id,
                user_id=delivery.dm_user,
                created_at=now,
            )
        )


def set_pair_channel(session: Session, pair_id: int, channel_id: str) -> None:
    """Remember the pair's group DM (and use it for its meetings not yet posted)."""
    session.execute(update(Pair).where(col(Pair.id) == pair_id).values(channel_id=channel_id))
    session.execute(
        update(Meeting)
        .where(col(Meeting.pair_id) == pair_id, col(Meeting.agenda_ts).is_(None))
        .values(agenda_channel_id=channel_id)
    )
    session.commit()


def current_content(session: Session, delivery: Delivery, *, now: datetime) -> Content | None:
    """The agenda or summary as it reads now (it may have changed while it was being posted);
    None for posts that are not updated in place."""
    content = delivery.content
    if isinstance(content, AgendaPost):
        meeting = session.get(Meeting, content.agenda.meeting_id)
        pair = session.get(Pair, content.agenda.pair_id)
        return agenda_post(session, meeting, pair, now=now) if meeting and pair else None
    if isinstance(content, SummaryView):
        meeting = session.get(Meeting, content.meeting_id)
        pair = session.get(Pair, content.pair_id)
        return summary_view(session, meeting, pair) if meeting and pair else None
    return None


def posted_agenda(
    session: Session, meeting_id: int, *, now: datetime, suggest: bool = True
) -> tuple[str, str, AgendaPost] | None:
    """Where a meeting's agenda was posted and how it reads now (None before it is posted,
    and for an agenda posted in the group DM of before a handover: it stays as it was);
    without `suggest`, an empty agenda comes without its suggested question (nothing written)."""
    meeting = session.get(Meeting, meeting_id)
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    if meeting is None or pair is None or not (meeting.agenda_ts and meeting.agenda_channel_id):
        return None
    if meeting.agenda_channel_id != pair.channel_id:
        return None  # the former manager is still in that group DM
    return (
        meeting.agenda_channel_id,
        meeting.agenda_ts,
        agenda_post(session, meeting, pair, now=now, record=suggest),
    )


def posted_summary(session: Session, meeting_id: int) -> tuple[str, str, SummaryView] | None:
    """Where a meeting's summary was posted and how it reads now: None before it is posted,
    and for a summary posted in the group DM of before a handover (it stays as it was)."""
    meeting = session.get(Meeting, meeting_id)
    pair = session.get(Pair, meeting.pair_id) if meeting else None
    if meeting is None or pair is None or not meeting.summary_ts:
        return None
    channel = summary_channel(session, meeting, pair)
    if channel is None or channel != pair.channel_id:
        return None  # posted before a handover: the former manager is still in that group DM
    return channel, meeting.summary_ts, summary_view(session, meeting, pair)


def pair_posted_in(session: Session, team_id: str, channel: str, ts: str) -> int | None:
    """The pair of the bot's post (a prompt, an agenda, …) at this channel and ts."""
    query = select(PostedMessage.pair_id).where(
        PostedMessage.team_id == team_id,
        PostedMessage.channel_id == channel,
        PostedMessage.ts == ts,
    )
    return session.exec(query).first()


def request_summary(session: Session, meeting_id: int, *, now: datetime) -> int | None:
    """Notes were saved: the meeting's summary is wanted now. Returns the id of its due work
    (made due now), or None when the summary was posted already (update it in place)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    work = add_work(
        session,
        team_id=meeting.team_id,
        key=summary_key(meeting_id),
        kind=WorkKind.SUMMARY,
        due_at=now,
        meeting_id=meeting_id,
    )
    session.commit()
    return work.id if work.done_at is None else None
