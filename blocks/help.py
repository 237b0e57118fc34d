"""The `/oneonone help` message: the core subcommands with one example each, then "More"
(every subcommand)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blocks import ids
from blocks.i18n import N_, _
from blocks.kit import button, context, divider, message, section
from blocks.text import escape

CORE = ("schedule", "add", "agenda", "notes", "actions")  # the weekly loop; the rest is "More"


@dataclass(frozen=True)
class Subcommand:
    """One `/oneonone` subcommand as the help shows it."""

    name: str
    usage: str
    example: str
    summary: str

    @property
    def core(self) -> bool:
        """Part of the short help."""
        return self.name in CORE


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "schedule",
        "schedule @person <weekday> <HH:MM> [weekly|biweekly|monthly] [<N>m]",
        "schedule @dana tuesday 10:00 weekly 30m",
        N_("Start a recurring 1:1 with someone you manage (no arguments: a form opens)."),
    ),
    Subcommand(
        "add",
        "add [private] [@person] <text>",
        "add @dana How did the launch retro go?",
        N_("Add a talking point to your next 1:1; `private` keeps it visible to you alone."),
    ),
    Subcommand(
        "agenda", "agenda [@person]", "agenda @dana", N_("Show the agenda of your next 1:1.")
    ),
    Subcommand(
        "notes", "notes [@person]", "notes @dana", N_("Take notes and action items for a 1:1.")
    ),
    Subcommand("actions", "actions", "actions", N_("List your open action items.")),
    Subcommand(
        "history", "history [@person]", "history @dana", N_("The summaries of your last 1:1s.")
    ),
    Subcommand("skip", "skip [@person]", "skip @dana", N_("Skip the next 1:1 (try rescheduling).")),
    Subcommand(
        "reschedule",
        "reschedule [@person] <date> <HH:MM>",
        "reschedule @dana 2026-12-03 14:30",
        N_("Move the next 1:1 to another date and time."),
    ),
    Subcommand(
        "pause",
        "pause [@person] until <date>",
        "pause @dana until 2027-01-05",
        N_("No prompts or agendas until a date (vacations)."),
    ),
    Subcommand(
        "end",
        "end @person",
        "end @dana",
        N_("End a recurring 1:1 (either of you; you may delete its history too)."),
    ),
    Subcommand("list", "list", "list", N_("Your 1:1s with their next dates.")),
    Subcommand(
        "settings",
        "settings [@person]",
        "settings @dana",
        N_("The settings of a 1:1: its time, check-ins, language, standing items, handover."),
    ),
    Subcommand(
        "export",
        "export [@person]",
        "export @dana",
        N_("A file of everything you may see of your 1:1s (or the one with @person), in our DM."),
    ),
    Subcommand(
        "calendar",
        "calendar",
        "calendar",
        N_("Your 1:1s in your calendar: a feed link to subscribe to, or an .ics file."),
    ),
    Subcommand(
        "delete-my-data",
        "delete-my-data",
        "delete-my-data",
        N_("Delete your private notes and points (asks first, and offers the export)."),
    ),
    Subcommand("help", "help [more]", "help more", N_("This message; `more`: every command.")),
)


def help_message(*, command: str, unknown: str | None = None, full: bool = False) -> dict[str, Any]:
    """The short help (the core subcommands and a "More" button), or with `full` every
    subcommand; `unknown` heads it with "I don't know …"."""
    if unknown is not None:
        head = section(
            _("I don't know `{command}`. Here is what I can do:").format(command=escape(unknown))
        )
    else:
        head = section(
            _(
                "*oneonone* keeps your 1:1s happening: a shared agenda before, notes and "
                "action items after, and reminders of those action items the week after."
            )
        )
    shown = [s for s in SUBCOMMANDS if full or s.core]
    blocks = [head, divider(), section("\n".join(_line(command, s) for s in shown))]
    if not full:
        others = ", ".join(f"`{s.name}`" for s in SUBCOMMANDS if not s.core)
        more = _("*More:* {commands}.").format(commands=others)
        blocks.append(section(more, accessory=button(_("More"), ids.HELP_MORE, "more")))
    blocks.append(context(_("You can also write to me in this DM to add a talking point.")))
    if unknown is not None:
        title = _("I don't know `{command}`.").format(command=escape(unknown))
    else:
        title = _("What /oneonone can do")
    return message(title, blocks)


def _line(command: str, sub: Subcommand) -> str:
    return _("• `{usage}` — {summary}\n    _e.g._ `{example}`").format(
        usage=f"{command} {escape(sub.usage)}",
        summary=escape(_(sub.summary)),
        example=f"{command} {escape(sub.example)}",
    )


def try_this(command: str, name: str) -> str:
    """What to do next after a command that could not be read: its example and usage."""
    sub = next(s for s in SUBCOMMANDS if s.name == name)
    return _("Try `{example}` (`{usage}`).").format(
        example=f"{command} {escape(sub.example)}", usage=f"{command} {escape(sub.usage)}"
    )
