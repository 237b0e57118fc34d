"""The `/oneonone` slash command: parse the subcommand and hand it to its handler."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App

from blocks.help import SUBCOMMANDS, help_message
from blocks.ids import COMMAND

log = logging.getLogger(__name__)

KNOWN = {s.name for s in SUBCOMMANDS}


def register(app: App) -> None:
    """Bind the slash command."""
    app.command(COMMAND)(handle_oneonone)


def handle_oneonone(ack: Ack, command: dict) -> None:
    """Route `/oneonone <subcommand> …` to its handler; unknown words get the help."""
    words = (command.get("text") or "").split(maxsplit=1)
    name = words[0].lower() if words else "help"
    handler = SUBCOMMAND_HANDLERS.get(name)
    if handler is None:
        ack(**help_message(command=COMMAND, unknown=None if name in KNOWN else words[0]))
        return
    handler(ack, command, words[1] if len(words) > 1 else "")


def handle_help(ack: Ack, command: dict, _rest: str) -> None:
    """`/oneonone help`: what the bot can do."""
    ack(**help_message(command=COMMAND))


SUBCOMMAND_HANDLERS: dict[str, Callable[[Ack, dict, str], None]] = {
    "help": handle_help,
}
