"""The check-in's buttons and its one-line form, and "Keep it" / "Drop it" on a point carried
over three times; afterwards the pair's posted prompts are redrawn in place (the manager's
shows a low check-in as soon as it comes) and the agenda shows the answer."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from blocks import ids
from blocks.checkin import (
    CHECKIN_MODAL,
    CHECKIN_NOTE,
    CHECKIN_PREFIX,
    CHECKIN_TEXT,
    DROP_STUCK,
    KEEP_POINT,
    MOODS,
    checkin_modal,
    mood_of,
)
from blocks.i18n import _
from blocks.messages import notice
from handlers.actions import listener_for
from handlers.context import SORRY, Deps, deps_from, refusal_text
from handlers.payload import FORGED, payload_id
from handlers.publish import post_to_user, render
from store.access import Invalid, NotAllowed
from store.agenda import drop_talking_point
from store.checkins import checkin_text, record_checkin, set_checkin_text
from store.health import keep_point, prompts_now

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Bind the check-in's buttons and form, and the buttons on a point carried three times."""
    app.action(re.compile(rf"^{CHECKIN_PREFIX}[0-9]$"))(listener_for(check_in))
    app.action(CHECKIN_NOTE)(listener_for(open_line))
    app.action(KEEP_POINT)(listener_for(keep))
    app.action(DROP_STUCK)(listener_for(drop))
    app.view(CHECKIN_MODAL)(submit_line)


def update_prompts(deps: Deps, meeting_id: int) -> set[str]:
    """Redraw the meeting's posted prompts as they read now; returns their ts."""
    with deps.db.read() as session:
        posts = prompts_now(session, deps.actor, meeting_id, now=deps.now())
    for channel, ts, prompt in posts:
        deps.client.chat_update(channel=channel, ts=ts, **render(prompt))
    return {ts for _channel, ts, _prompt in posts}


def check_in(deps: Deps, body: dict, action: dict) -> dict[str, Any] | None:
    """One of the five moods: recorded (again: changed), shown in the prompts and agenda."""
    meeting_id = payload_id(action.get("value"))
    try:
        mood = mood_of(str(action.get("action_id")))
    except ValueError as error:
        raise NotAllowed(FORGED) from error
    with deps.db() as session:
        record_checkin(session, deps.actor, meeting_id, mood, now=deps.now())
    deps.refresh_agenda(meeting_id)
    redrawn = update_prompts(deps, meeting_id)
    if (body.get("message") or {}).get("ts") in redrawn:
        return None  # the prompt itself shows the answer
    return notice(_("Thanks — you said {mood}.").format(mood=MOODS[mood]))


def open_line(deps: Deps, body: dict, action: dict) -> None:
    """ "Add a line": the one-line form, with what the person wrote before."""
    meeting_id = payload_id(action.get("value"))
    with deps.db.read() as session:
        text = checkin_text(session, deps.actor, meeting_id)
    deps.client.views_open(trigger_id=body["trigger_id"], view=checkin_modal(meeting_id, text))


def submit_line(ack: Ack, body: dict, view: dict, context: dict) -> None:
    """The form's line, saved before the ack (a refusal shows in the form)."""
    deps = deps_from(context)
    try:
        meeting_id = payload_id(view.get("private_metadata"))
        state = view["state"]["values"].get(CHECKIN_TEXT, {}).get(ids.VALUE, {})
        with deps.db() as session:
            set_checkin_text(
                session, deps.actor, meeting_id, state.get("value") or "", now=deps.now()
            )
    except Invalid as error:
        ack(response_action="errors", errors={CHECKIN_TEXT: refusal_text(error)[:150]})
        return
    except NotAllowed as error:
        ack()
        refusal = notice(refusal_text(error))

        def tell() -> None:
            post_to_user(deps.client, deps.actor.user_id, refusal)

        deps.after_ack(tell)
        return
    except Exception:
        log.exception("the check-in's line was not saved")
        ack(response_action="errors", errors={CHECKIN_TEXT: SORRY[:150]})
        return
    ack()

    def after() -> None:
        deps.refresh_agenda(meeting_id)
        update_prompts(deps, meeting_id)

    deps.after_ack(after)


def keep(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """ "Keep it": the point stays, and the prompt stops asking about it."""
    with deps.db() as session:
        meeting = keep_point(session, deps.actor, payload_id(action.get("value")), now=deps.now())
        meeting_id = meeting.id or 0
    update_prompts(deps, meeting_id)
    return notice(_("Kept — it stays on the agenda. Maybe start with it this week."))


def drop(deps: Deps, body: dict, action: dict) -> dict[str, Any]:
    """ "Drop it": the point leaves the agenda (only its author may)."""
    with deps.db() as session:
        meeting, pair = drop_talking_point(session, deps.actor, payload_id(action.get("value")))
        meeting_id = meeting.id or 0
    deps.refresh_agenda(meeting_id)
    deps.refresh_homes(pair)
    update_prompts(deps, meeting_id)
    return notice(_("Dropped — it's off the agenda."))
