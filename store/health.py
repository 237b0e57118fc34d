"""Whether a pair's 1:1s are working, as their prompts show it: who fills the agenda (the
share of shared points the report wrote over the last meetings), points carried over three
times (their author keeps or drops them), and the check-in; and a posted prompt as it reads
now, to update it in place."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Executable, bindparam, case, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from store.access import N_, Actor, Invalid, NotAllowed, get_meeting
from store.actions import item_view
from store.agenda import agenda_view
from store.checkins import asks, meeting_checkins, posted_prompts
from store.due_work import MERGED
from store.health_views import SHARE_MEETINGS, STUCK_CARRIES, AgendaShare, PromptHealth, StuckPoint
from store.models import (
    NOT_HAPPENING,
    ActionItem,
    DueWork,
    Meeting,
    Pair,
    TalkingPoint,
    id_of,
)
from store.people import profiles_of
from store.series import moved_from, series_time
from store.suggestions import recorded_question
from store.views import PromptPost

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOT_YOURS = "You can only keep or drop your own talking points."


def _in_series(meeting: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Meetings of the series that were not skipped or cancelled (of `meeting`: the Meeting
    entity or an alias of it)."""
    return col(meeting.unscheduled).is_(False), col(meeting.status).not_in(NOT_HAPPENING)


def agenda_shares(session: Session, pairs: list[Pair]) -> dict[int, AgendaShare]:
    """Per pair, who wrote the shared talking points of its last SHARE_MEETINGS meetings that
    were not skipped (the upcoming one included), in one query; private points never count."""
    by_id = {id_of(p): p for p in pairs}
    if not by_id:
        return {}
    shares = {
        pair_id: AgendaShare(
            by_id[pair_id].report_id, by_id[pair_id].manager_id, int(mine or 0), int(total)
        )
        for pair_id, mine, total in session.execute(_shares_query(), {"pair_ids": list(by_id)})
    }
    for pair_id, pair in by_id.items():
        shares.setdefault(pair_id, AgendaShare(pair.report_id, pair.manager_id, 0, 0))
    return shares


@cache
def _shares_query() -> Executable:
    """Built once (building it costs more than running it); the pair ids are bound."""
    inner = aliased(Meeting)
    nth_start = (
        select(inner.starts_at)
        .where(col(inner.pair_id) == col(Pair.id), *_in_series(inner))
        .order_by(col(inner.starts_at).desc())
        .limit(1)
        .offset(SHARE_MEETINGS - 1)
        .scalar_subquery()
    )
    since = (  # materialized: each pair's walk runs once, not once per meeting row
        select(
            col(Pair.id).label("pair_id"),
            col(Pair.report_id).label("report_id"),
            # the bound is a plain column, so meetings are read by an index range
            func.coalesce(nth_start, EPOCH).label("since"),
        )
        .where(col(Pair.id).in_(bindparam("pair_ids", expanding=True)))
        .cte("share_since")
        .prefix_with("MATERIALIZED")
    )
    by_report = func.sum(case((col(TalkingPoint.author_id) == since.c.report_id, 1), else_=0))
    return (
        sa_select(col(Meeting.pair_id), by_report, func.count(col(TalkingPoint.id)))
        .join(Meeting, col(Meeting.id) == col(TalkingPoint.meeting_id))
        .join(since, since.c.pair_id == col(Meeting.pair_id))
        .where(col(TalkingPoint.is_private).is_(False), *_in_series(Meeting))
        .where(col(Meeting.starts_at) >= since.c.since)
        .group_by(col(Meeting.pair_id))
    )


def stuck_points(session: Session, meeting: Meeting, author_id: str) -> tuple[StuckPoint, ...]:
    """The author's open points of the meeting carried over STUCK_CARRIES times or more that
    they have not chosen to keep (their own private ones too: only they are asked)."""
    query = (
        select(TalkingPoint)
        .where(TalkingPoint.meeting_id == meeting.id, TalkingPoint.author_id == author_id)
        .where(col(TalkingPoint.carried_count) >= STUCK_CARRIES)
        .where(col(TalkingPoint.discussed).is_(False), col(TalkingPoint.kept_at).is_(None))
        .order_by(col(TalkingPoint.position), col(TalkingPoint.id))
    )
    return tuple(
        StuckPoint(id_of(p), p.author_id, p.text, p.carried_count) for p in session.exec(query)
    )


def keep_point(session: Session, actor: Actor, point_id: int, *, now: datetime) -> Meeting:
    """The author keeps a point carried over three times: it stays on the agenda, and their
    prompt stops asking about it."""
    point = session.get(TalkingPoint, point_id)
    if point is None or point.author_id != actor.user_id:
        raise NotAllowed(NOT_YOURS)
    meeting, _pair = get_meeting(session, actor, point.meeting_id)
    if point.discussed or meeting.closed_at is not None:
        raise Invalid(N_("That talking point was already discussed."))
    point.kept_at = now
    session.add(point)
    session.commit()
    return meeting


def prompt_health(session: Session, meeting: Meeting, pair: Pair, viewer: str) -> PromptHealth:
    """What the viewer's prompt adds: the check-in, the report's low one (to the manager),
    who fills the agenda, the viewer's points carried over three times."""
    checkins = meeting_checkins(session, meeting, pair)
    mine = next((a for a in checkins.answers if a.user_id == viewer), None) if checkins else None
    low = checkins.report_low if checkins and viewer == pair.manager_id else None
    return PromptHealth(
        meeting_id=id_of(meeting),
        ask_checkin=asks(pair, viewer),
        mine=mine,
        report_low=low,
        share=agenda_shares(session, [pair])[id_of(pair)],
        stuck=stuck_points(session, meeting, viewer),
    )


def prompts_now(
    session: Session, actor: Actor, meeting_id: int, *, now: datetime
) -> list[tuple[str, str, PromptPost]]:
    """The meeting's posted prompts (for one of its two people to change), each as it reads
    now for its reader: (channel, ts, prompt), to update them in place."""
    meeting, pair = get_meeting(session, actor, meeting_id)
    posted = posted_prompts(session, meeting, pair)
    return [
        (channel, ts, prompt_again(session, meeting, pair, viewer, channel, ts, now=now))
        for viewer, (channel, ts) in posted.items()
    ]


def prompt_again(
    session: Session,
    meeting: Meeting,
    pair: Pair,
    viewer: str,
    channel: str,
    ts: str,
    *,
    now: datetime,
) -> PromptPost:
    """A posted prompt as it reads now: what was suggested in it, and the reminders that went
    out inside it while their items are open (nothing is picked or recorded anew)."""
    profile = profiles_of(session, pair.team_id, [viewer]).get(viewer)
    zone = profile.tz if profile else None
    merged = select(DueWork.action_item_id).where(
        DueWork.posted_channel_id == channel, DueWork.posted_ts == ts, DueWork.outcome == MERGED
    )
    items = session.exec(
        select(ActionItem).where(col(ActionItem.id).in_(merged), col(ActionItem.done_at).is_(None))
    ).all()
    return PromptPost(
        viewer,
        agenda_view(session, meeting, pair, viewer, now=now),
        recorded_question(session, meeting, viewer),  # type: ignore[arg-type]
        series=series_time(pair, meeting.slot_at),
        zone=zone,
        moved_from=moved_from(session, pair, meeting, viewer, zone) if zone else None,
        reminders=tuple(item_view(item, pair) for item in items),
        today=now.astimezone(ZoneInfo(zone or pair.timezone)).date() if items else None,
        health=prompt_health(session, meeting, pair, viewer),
    )
