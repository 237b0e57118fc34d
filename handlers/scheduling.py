"""Starting a recurring 1:1: from the command or the modal, to the pair, its group DM and intro."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from blocks.i18n import reading
from blocks.messages import schedule_confirmation
from blocks.modals import schedule_modal
from blocks.prompt import intro_message
from handlers.context import Deps
from handlers.deliver import post_claimed
from handlers.parsing import ScheduleArgs
from handlers.people import locale_of, look_up, time_zone
from handlers.publish import open_group_dm, post_to_user
from store.access import N_, Invalid
from store.bursts import welcome_prompt
from store.deliveries import Later, prepare, set_pair_channel
from store.due_work import MERGED, Claim, finish, release
from store.models import Meeting, Pair, id_of
from store.schedule import PairRequest, create_pair
from store.series import series_time
from store.views import Delivery, PromptPost, SeriesTime

log = logging.getLogger(__name__)


def open_schedule_modal(deps: Deps, trigger_id: str, *, report_id: str | None = None) -> None:
    """The scheduling form, defaulting to the manager's Slack time zone."""
    tz = time_zone(deps, deps.actor.user_id)
    deps.client.views_open(
        trigger_id=trigger_id, view=schedule_modal(timezone=tz, report_id=report_id)
    )


def schedule(deps: Deps, args: ScheduleArgs) -> dict[str, Any]:
    """`/oneonone schedule` with every argument: create the series in the manager's zone."""
    assert args.person is not None and args.weekday is not None and args.at is not None
    request = PairRequest(
        report_id=args.person,
        weekday=args.weekday,
        local_time=args.at,
        timezone=time_zone(deps, deps.actor.user_id),
        cadence=args.cadence,
        duration_minutes=args.duration,
    )
    pair, meeting = create_series(deps, request)
    return announce_series(deps, pair, meeting)


def check_report(deps: Deps, report_id: str) -> None:
    """Refuse a person who cannot be in a 1:1: unknown, deactivated, a bot, another workspace."""
    person = look_up(deps, report_id)
    them = f"<@{report_id}>"
    if person is None:
        raise Invalid(N_("I can't find {person} in this workspace."), "report", person=them)
    if person.deleted:
        raise Invalid(
            N_("{person} is deactivated, so I can't schedule a 1:1 with them."),
            "report",
            person=them,
        )
    if person.is_bot:
        raise Invalid(N_("{person} is a bot — 1:1s are for people."), "report", person=them)
    if person.home_team_id and person.home_team_id != deps.actor.team_id:
        raise Invalid(N_("{person} isn't in this workspace."), "report", person=them)


def create_series(deps: Deps, request: PairRequest) -> tuple[Pair, Meeting]:
    """Check the person, then create the pair and its first meeting (no Slack posts yet; the
    report's first prompt, when due now, waits for announce_series's welcome)."""
    check_report(deps, request.report_id)
    with deps.db() as session:
        return create_pair(session, deps.actor, request, now=deps.now(), welcome=True)


def announce_series(deps: Deps, pair: Pair, meeting: Meeting) -> dict[str, Any]:
    """Open the pair's group DM, introduce the series to the report; return the confirmation.
    Each of the two reads the series' time on their own Slack clock."""
    manager_zone = time_zone(deps, pair.manager_id)
    report_zone = time_zone(deps, pair.report_id)
    series = series_time(pair, meeting.slot_at)
    try:
        channel = open_group_dm(deps.client, (pair.manager_id, pair.report_id))
    except SlackApiError as error:  # the agenda post opens it again later
        log.warning("could not open the group DM of pair %s: %s", pair.id, error)
    else:
        with deps.db() as session:
            set_pair_channel(session, id_of(pair), channel)
    deps.refresh_homes(pair)
    welcome(deps, pair, meeting, series, report_zone)
    return schedule_confirmation(
        report_id=pair.report_id,
        series=series,
        manager_zone=manager_zone,
        report_zone=report_zone,
        duration_minutes=pair.duration_minutes,
    )


def welcome(deps: Deps, pair: Pair, meeting: Meeting, series: SeriesTime, zone: str) -> None:
    """The report's welcome DM; when their first prompt falls due with it (it was held for
    it: store.bursts), the welcome carries the prompt and the prompt is done, merged."""
    held, plan = _held_prompt(deps, meeting, pair.report_id)
    with reading(locale_of(deps, pair.report_id)):  # the report's DM, in their language
        body = intro_message(
            manager_id=pair.manager_id,
            pair_id=id_of(pair),
            series=series,
            zone=zone,
            starts_at=meeting.starts_at,
            duration_minutes=pair.duration_minutes,
            prompt=plan.content if plan and isinstance(plan.content, PromptPost) else None,
        )
    if held is None or plan is None:
        post_to_user(deps.client, pair.report_id, body)
        return
    post_claimed(deps.db, deps.client, held, plan, body, now=deps.now(), outcome=MERGED)


def _held_prompt(
    deps: Deps, meeting: Meeting, report_id: str
) -> tuple[Claim | None, Delivery | None]:
    """The first prompt held for the welcome and what it would post (None: not held, or
    nothing to post, recorded as such)."""
    now = deps.now()
    with deps.db() as session:
        held = welcome_prompt(session, id_of(meeting), report_id)
        plan = prepare(session, held, now=now) if held else None
    if held is None:
        return None, None
    if isinstance(plan, Delivery):
        return held, plan
    with deps.db() as session:
        if isinstance(plan, Later):
            release(session, held, not_before=plan.at)
        else:
            finish(session, held, outcome=str(plan), now=now)
    return None, None
