"""Reading `/oneonone` arguments: mentions, weekdays, times, cadences, durations, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from store.models import Cadence
from store.views import WEEKDAY_NAMES

MENTION = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")
WEEKDAYS = tuple(name.lower() for name in WEEKDAY_NAMES)
CADENCE_WORDS = {
    "weekly": Cadence.WEEKLY,
    "biweekly": Cadence.BIWEEKLY,
    "fortnightly": Cadence.BIWEEKLY,
    "monthly": Cadence.MONTHLY,
}
TIME_24H = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
TIME_12H = re.compile(r"^(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*(am|pm)$")
DURATION = re.compile(r"^(\d{1,3})\s*(m|min|mins|minutes|h|hr|hours?)$")


class ParseError(ValueError):
    """Arguments that could not be read; the message says what was understood and the usage."""


def mention(word: str) -> str | None:
    """The user id of an escaped mention `<@U123|name>`, else None."""
    match = MENTION.match(word)
    return match.group(1) if match else None


def weekday(word: str) -> int | None:
    """0=Monday … 6=Sunday for a weekday name or its 3+ letter prefix."""
    word = word.lower().rstrip(".,")
    if len(word) < 3:
        return None
    for index, name in enumerate(WEEKDAYS):
        if name.startswith(word) or (word in ("tues", "thur", "thurs") and name[:3] == word[:3]):
            return index
    return None


def clock_time(word: str) -> time | None:
    """`10:00`, `9.30`, `14h30`, `10am`, `2:30pm` as a time, else None."""
    word = word.lower()
    if match := TIME_24H.match(word):
        return time(int(match.group(1)), int(match.group(2)))
    if match := TIME_12H.match(word):
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "pm" else 0)
        return time(hour, int(match.group(2) or 0))
    return None


def duration_minutes(word: str) -> int | None:
    """`30m`, `45min`, `1h` as minutes, else None."""
    match = DURATION.match(word.lower())
    if not match:
        return None
    amount = int(match.group(1))
    return amount * 60 if match.group(2).startswith("h") else amount


def day(word: str, *, today: date) -> date | None:
    """`2026-12-03`, `today`, `tomorrow`, or a weekday name (its next date after today)."""
    word = word.lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    try:
        return date.fromisoformat(word)
    except ValueError:
        pass
    index = weekday(word)
    if index is None:
        return None
    return today + timedelta(days=(index - today.weekday()) % 7 or 7)


@dataclass
class ScheduleArgs:
    """What `/oneonone schedule …` said; missing parts are None."""

    person: str | None = None
    weekday: int | None = None
    at: time | None = None
    cadence: str = Cadence.WEEKLY
    duration: int = 30
    unread: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Everything needed to create the pair without the modal."""
        return None not in (self.person, self.weekday, self.at)

    def understood(self) -> str:
        """What was read, in words, for error messages."""
        parts = []
        if self.person:
            parts.append(f"person <@{self.person}>")
        if self.weekday is not None:
            parts.append(f"weekday {WEEKDAY_NAMES[self.weekday]}")
        if self.at is not None:
            parts.append(f"time {self.at:%H:%M}")
        return ", ".join(parts) or "nothing yet"


def schedule_args(text: str) -> ScheduleArgs:
    """Read `@person <weekday> <HH:MM> [weekly|biweekly|monthly] [<N>m]` in any order."""
    args = ScheduleArgs()
    for word in text.split():
        if (user := mention(word)) and args.person is None:
            args.person = user
        elif (index := weekday(word)) is not None and args.weekday is None:
            args.weekday = index
        elif (at := clock_time(word)) is not None and args.at is None:
            args.at = at
        elif word.lower() in CADENCE_WORDS:
            args.cadence = CADENCE_WORDS[word.lower()]
        elif (minutes := duration_minutes(word)) is not None:
            args.duration = minutes
        else:
            args.unread.append(word)
    return args


def person_and_rest(text: str) -> tuple[str | None, str]:
    """An optional leading mention, and the text after it."""
    first, _, rest = text.strip().partition(" ")
    user = mention(first)
    return (user, rest.strip()) if user else (None, text.strip())


def add_args(text: str) -> tuple[bool, str | None, str]:
    """`[private] [@person] <text>` (either order) → (private, person, text)."""
    private, person, rest = False, None, text.strip()
    for _ in range(2):
        first, _, after = rest.partition(" ")
        if not private and first.lower() == "private":
            private, rest = True, after.strip()
        elif person is None and (user := mention(first)):
            person, rest = user, after.strip()
        else:
            break
    return private, person, rest


SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def plain_from_slack(encoded: str) -> str:
    """Text Slack encoded (commands, messages) as the person meant it, with no live mentions.

    `<@U1|dana>` → `@dana`, `<@U1>` → `@U1`, `<!here>` → `@here`, `<#C1|general>` →
    `#general`, `<https://x|label>` → `label (https://x)`; then `&amp;` `&lt;` `&gt;` decoded.
    Blocks escape it again on the way out, so none of it can notify anyone.
    """
    return _unescape(SLACK_TOKEN.sub(lambda m: _token_text(m.group(1)), encoded))


def _token_text(token: str) -> str:
    target, _, label = token.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("!subteam^"):
        return label or "@group"
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    return f"{label} ({target})" if label and label != target else target


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
