"""The weekly digest's switch: "Turn off the weekly digest" in the digest itself, and "Turn it
off" / "Turn it on" on the Home tab; the clicker's own digest only."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App, Respond

from blocks.digest import DIGEST_OFF, DIGEST_ON
from blocks.i18n import _
from blocks.messages import notice
from handlers.context import Deps, deps_from
from handlers.publish import post_to_user
from store.digest import set_digest


def register(app: App) -> None:
    """Bind both buttons."""
    app.action(DIGEST_OFF)(_switch(on=False))
    app.action(DIGEST_ON)(_switch(on=True))


def _switch(*, on: bool) -> Callable[..., None]:
    def listener(ack: Ack, body: dict, respond: Respond, context: dict) -> None:
        ack()
        deps = deps_from(context)
        deps.after_ack(lambda: switch(deps, body, respond, on=on))

    listener.__name__ = f"handle_digest_{'on' if on else 'off'}"
    return listener


def switch(deps: Deps, body: dict, respond: Respond, *, on: bool) -> None:
    """Turn the clicker's digest on or off, say so where they clicked, redraw their Home."""
    with deps.db() as session:
        set_digest(session, deps.actor, on=on)
    if on:
        text = _("Your weekly digest is on: it reaches you on Fridays at 16:00 your time.")
    else:
        text = _("Your weekly digest is off. You can turn it back on from the Home tab.")
    from_home = (body.get("view") or {}).get("type") == "home"
    if body.get("response_url"):
        respond(replace_original=False, response_type="ephemeral", **notice(text))
    elif not from_home:
        post_to_user(deps.client, deps.actor.user_id, notice(text))
    if deps.homes is not None and from_home:
        deps.homes.publish_now(deps.actor)
    elif deps.homes is not None:
        deps.homes.request(deps.actor.team_id, [deps.actor.user_id])
