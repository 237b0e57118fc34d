"""The `/oneonone help` message: every subcommand with one example."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blocks.kit import context, divider, message, section
from blocks.text import escape


@dataclass(frozen=True)
class Subcommand:
    """One `/oneonone` subcommand as the help shows it."""

    name: str
    usage: str
    example: str
    summary: str


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "schedule",
        "schedule @person <weekday> <HH:MM> [weekly|biweekly|monthly] [<N>m]",
        "schedule @dana tuesday 10:00 weekly 30m",
        "Start a recurring 1:1 with someone you manage (no arguments: a form opens).",
    ),
    Subcommand(
        "add",
        "add [private] [@person] <text>",
        "add @dana How did the launch retro go?",
        "Add a talking point to your next 1:1; `private` keeps it visible to you alone.",
    ),
    Subcommand("agenda", "agenda [@person]", "agenda @dana", "Show the agenda of your next 1:1."),
    Subcommand("notes", "notes [@person]", "notes @dana", "Take notes and action items for a 1:1."),
    Subcommand("actions", "actions", "actions", "List your open action items."),
    Subcommand("history", "history [@person]", "history @dana", "The summaries of your last 1:1s."),
    Subcommand("skip", "skip [@person]", "skip @dana", "Skip the next 1:1 (try rescheduling)."),
    Subcommand(
        "reschedule",
        "reschedule [@person] <date> <HH:MM>",
        "reschedule @dana 2026-12-03 14:30",
        "Move the next 1:1 to another date and time.",
    ),
    Subcommand(
        "pause",
        "pause [@person] until <date>",
        "pause @dana until 2027-01-05",
        "No prompts or agendas until a date (vacations).",
    ),
    Subcommand("end", "end @person", "end @dana", "End a recurring 1:1 (managers; keeps history)."),
    Subcommand("list", "list", "list", "Your 1:1s with their next dates."),
    Subcommand("help", "help", "help", "This message."),
)


def help_message(
    *, command: str, unknown: str | None = None, pairs: list[str] | None = None
) -> dict[str, Any]:
    """The help message; `unknown` heads it with "I don't know …"; `pairs` lists your 1:1s."""
    blocks = []
    if unknown is not None:
        blocks.append(section(f"I don't know `{escape(unknown)}`. Here is what I can do:"))
    else:
        blocks.append(
            section(
                "*oneonone* keeps your 1:1s happening: a shared agenda before, notes and "
                "action items after, and follow-ups the week after."
            )
        )
    lines = [
        f"• `{command} {escape(s.usage)}` — {escape(s.summary)}\n"
        f"    _e.g._ `{command} {escape(s.example)}`"
        for s in SUBCOMMANDS
    ]
    blocks.append(divider())
    blocks.append(section("\n".join(lines)))
    if pairs:
        blocks.append(section("*Your 1:1s*\n" + "\n".join(f"• {p}" for p in pairs)))
    blocks.append(context("You can also write to me in this DM to add a talking point."))
    head = f"I don't know `{escape(unknown)}`." if unknown is not None else "What /oneonone can do"
    return message(head, blocks)
