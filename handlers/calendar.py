"""Calendars: `/oneonone calendar` and its buttons, each series' .ics sent to its two people
when it changes (due work CALENDAR, exactly once per person and SEQUENCE), and the secret feed
served at `GET /calendar/<token>.ics` (bot/http.py).

Never a session open while Slack is called: read, close, upload, record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ics
from blocks.calendar import (
    NO_PUBLIC_URL,
    SOCKET_MODE,
    all_file_comment,
    feed_exists_message,
    feed_url_message,
    file_refused_text,
    no_feed_message,
    no_series_text,
)
from blocks.i18n import _, reading
from blocks.messages import notice
from handlers.context import Deps
from handlers.export import UPLOAD_REFUSALS
from handlers.people import bot_dm
from handlers.publish import CLOCK_SKEW, HISTORY_PAGE, HISTORY_PAGES_MAX, open_group_dm
from handlers.sweeps import GONE, LEFT_ERRORS, left_workspace
from store.access import Actor
from store.calendar import (
    calendar_delivery,
    feed_link,
    feed_of,
    my_calendar,
    new_feed_token,
    record_calendar_file,
)
from store.calendar_views import CalendarSend
from store.db import SessionFactory
from store.deliveries import set_pair_channel
from store.due_work import FOUND, SENT, Claim

REFUSED = "refused"  # the workspace takes no uploads from oneonone (or no files:write)
FILE_REFUSALS = UPLOAD_REFUSALS | {"missing_scope"}
FEED_PATH = "/calendar/"


def feed_url(public_url: str, token: str) -> str:
    """The secret feed URL of a token, under the bot's public base URL."""
    return f"{public_url.rstrip('/')}{FEED_PATH}{token}.ics"


# --- /oneonone calendar and its buttons ----------------------------------------------------


def calendar_reply(deps: Deps) -> dict[str, Any]:
    """`/oneonone calendar`: a new feed URL, or the state of the one there is; where there
    can be no feed (Socket Mode, no public address), why, and the file instead."""
    refusal = _no_feed(deps)
    if refusal is not None:
        return refusal
    with deps.db.read() as session:
        link = feed_link(session, deps.actor)
    if link is not None:
        return feed_exists_message(link)
    return new_link(deps)


def new_link(deps: Deps) -> dict[str, Any]:
    """A new secret feed URL (shown this once); the person's earlier one stops working."""
    refusal = _no_feed(deps)
    if refusal is not None:
        return refusal
    assert deps.feed.public_url is not None
    with deps.db() as session:
        token = new_feed_token(session, deps.actor, now=deps.now())
    return feed_url_message(feed_url(deps.feed.public_url, token))


def _no_feed(deps: Deps) -> dict[str, Any] | None:
    if not deps.feed.serves_http:
        return no_feed_message(SOCKET_MODE)
    if not deps.feed.public_url:
        return no_feed_message(NO_PUBLIC_URL)
    return None


def send_all(deps: Deps) -> dict[str, Any]:
    """ "Send me the file": one .ics of all the person's running 1:1s, in their DM."""
    with deps.db.read() as session:
        series, reader = my_calendar(session, deps.actor)
    if not series:
        return notice(no_series_text())
    now = deps.now()
    with reading(reader.locale):
        content = ics.feed(series, reader, now=now, subscribed=False)
        title, comment = _("All your 1:1s"), all_file_comment(len(series))
    channel = bot_dm(deps.db, deps.client, deps.actor.team_id, deps.actor.user_id)
    file = IcsFile(ics.all_file_name(), content, title, comment)
    try:
        _upload(deps.db, deps.client, deps.actor, channel, file, now=now)
    except SlackApiError as error:
        code = str(error.response.get("error"))
        if code in FILE_REFUSALS:
            return notice(file_refused_text(code))
        raise
    return notice(_("📅 The file of your 1:1s is in our DM."))


@dataclass(frozen=True)
class IcsFile:
    """A calendar file as it is uploaded."""

    filename: str
    content: bytes
    title: str
    comment: str


def _upload(
    db: SessionFactory,
    client: WebClient,
    actor: Actor,
    channel: str,
    file: IcsFile,
    *,
    now: datetime,
) -> None:
    """Upload the file into the person's DM (no transaction open), then record it, so that
    erasing their data deletes it from Slack too; Slack's refusals reach the caller."""
    response = client.files_upload_v2(
        channel=channel,
        content=file.content,
        filename=file.filename,
        title=file.title,
        initial_comment=file.comment,
    )
    with db() as session:
        record_calendar_file(
            session,
            actor,
            file_id=str(response["files"][0]["id"]),
            filename=file.filename,
            channel_id=channel,
            now=now,
        )


# --- the .ics of a series, as due work -------------------------------------------------------


def send_calendar(db: SessionFactory, client: WebClient, taken: Claim, *, now: datetime) -> str:
    """Send one person a series' .ics as it is now, or its cancellation to the manager who
    handed it over (due work CALENDAR); returns the outcome
    (deliver() records it). After an attempt whose outcome is unknown, the file is looked
    for in their DM first (its name names the series and SEQUENCE)."""
    with db.read() as session:
        plan = calendar_delivery(session, taken, now=now)
    if isinstance(plan, str):
        return plan
    plan = _with_group_dm(db, client, plan)
    actor = Actor(plan.team_id, plan.user_id)
    channel = bot_dm(db, client, plan.team_id, plan.user_id)
    filename = ics.file_name(plan.series.pair_id, plan.series.sequence)
    if taken.uncertain_since is not None:
        file_id = find_file(client, channel, filename, since=taken.uncertain_since, until=now)
        if file_id is not None:
            with db() as session:
                record_calendar_file(
                    session, actor, file_id=file_id, filename=filename, channel_id=channel, now=now
                )
            return FOUND
    with reading(plan.reader.locale):
        file = IcsFile(
            filename,
            ics.series_file(plan.series, plan.reader, now=now),
            ics.file_title(plan.series, plan.reader),
            ics.file_comment(plan.series, plan.reader, first=plan.first),
        )
    try:
        _upload(db, client, actor, channel, file, now=now)
    except SlackApiError as error:
        code = str(error.response.get("error"))
        if code in LEFT_ERRORS:
            left_workspace(db, plan.team_id, plan.user_id, now=now)
            return GONE
        if code in FILE_REFUSALS:
            return REFUSED
        raise
    return SENT


def _with_group_dm(db: SessionFactory, client: WebClient, plan: CalendarSend) -> CalendarSend:
    """The event links to the pair's group DM: opened (and remembered) when not known yet
    (not for a cancellation)."""
    series = plan.series
    if series.channel_id is not None or series.ended or not series.includes(plan.user_id):
        return plan
    channel = open_group_dm(client, (series.manager_id, series.report_id))
    with db() as session:
        set_pair_channel(session, series.pair_id, channel)
    return replace(plan, series=replace(series, channel_id=channel))


def find_file(
    client: WebClient, channel: str, filename: str, *, since: datetime, until: datetime
) -> str | None:
    """The id of the file called `filename` that the bot shared in `channel` between `since`
    and `until` (the narrow window of an attempt whose outcome is unknown), or None."""
    cursor = None
    for _page in range(HISTORY_PAGES_MAX):
        page = client.conversations_history(
            channel=channel,
            oldest=f"{(since - CLOCK_SKEW).timestamp():.6f}",
            latest=f"{(until + CLOCK_SKEW).timestamp():.6f}",
            inclusive=True,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        for message in page.get("messages") or []:
            for shared in message.get("files") or []:
                if shared.get("name") == filename and shared.get("id"):
                    return str(shared["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not (page.get("has_more") and cursor):
            return None
    return None


# --- the feed ---------------------------------------------------------------------------


def feed_server(db: SessionFactory, clock: Callable[[], datetime]) -> Callable[[str], bytes | None]:
    """What `GET /calendar/<token>.ics` answers: the feed of the token's owner, or None for a
    token that is not a current one (unknown or revoked alike)."""

    def serve(token: str) -> bytes | None:
        now = clock()
        with db() as session:
            found = feed_of(session, token, now=now)
        if found is None:
            return None
        series, reader = found
        with reading(reader.locale):
            return ics.feed(series, reader, now=now)

    return serve
