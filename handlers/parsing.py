"""Reading `/oneonone` arguments: mentions, weekdays, times, cadences, durations, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from blocks.i18n import _
from blocks.text import escape
from blocks.when import clock, weekday_name
from store.models import Cadence
from store.schedule import DURATION_RANGE
from store.views import WEEKDAY_NAMES

MENTION = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")
LEADING_MENTION = re.compile(r"<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>(?:\s+(.*))?\Z", re.DOTALL)
LEADING_PRIVATE = re.compile(r"private(?:\s+(.*))?\Z", re.DOTALL | re.IGNORECASE)
WEEKDAYS = tuple(name.lower() for name in WEEKDAY_NAMES)
# German, as people write it: the names, their adverbs (`dienstags`), their prefixes and the
# two-letter abbreviations of the calendar (`Di`).
WOCHENTAGE = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
WEEKDAY_ALIASES = {
    "weds": 2,  # the one English form that is not a prefix
    "sonnabend": 5,
    **{name[:2]: index for index, name in enumerate(WOCHENTAGE)},  # mo di mi do fr sa so
}
DAY_WORDS = {"today": 0, "heute": 0, "tomorrow": 1, "morgen": 1}  # days from today
CADENCE_WORDS = {
    "weekly": Cadence.WEEKLY,
    "biweekly": Cadence.BIWEEKLY,
    "fortnightly": Cadence.BIWEEKLY,
    "monthly": Cadence.MONTHLY,
}
# Shapes only: the hour and minute ranges are checked in `clock_time`, so that `13 pm` or
# `24:00` is still one word the person can be told about.
TIME_24H = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
TIME_12H = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?$")
_HOURS = r"(?:h|hrs?|hours?)"
_MINUTES = r"(?:m|mins?|minutes?)"
DURATION = re.compile(rf"^(?:(\d+(?:\.\d+)?)\s*{_HOURS})?\s*(?:(\d+)\s*{_MINUTES})?$")
_END = r"(?![^\s,])"  # a word ends at whitespace, a comma or the end of the text
TOKEN = re.compile(
    r"<[^<>]*>"  # a Slack mention or link, spaces and all
    rf"|\d+(?:[:.]\d+)?\s*[ap]\.?m\.?{_END}"  # 10 am, 10:30 p.m.
    rf"|(?:\d+(?:\.\d+)?\s*{_HOURS}(?:\s*\d+\s*{_MINUTES})?|\d+\s*{_MINUTES}){_END}"  # 1h 30m
    r"|[^\s,]+",
    re.IGNORECASE,
)


class ParseError(ValueError):
    """Arguments that could not be read; the message says what was understood and the usage."""


def tokens(text: str) -> list[str]:
    """The words of `text`, split on whitespace and commas, keeping together what belongs
    together: a mention or link `<@U1|Dana Smith>`, a 12-hour time `10 am` / `10:30 p.m.`,
    and a duration `90 min` / `2 hours` / `1h 30m`."""
    return TOKEN.findall(text)


def mention(word: str) -> str | None:
    """The user id of an escaped mention `<@U123|name>` or `<@U123>`, else None."""
    match = MENTION.match(word)
    return match.group(1) if match else None


def weekday(word: str) -> int | None:
    """0=Monday … 6=Sunday, any case, trailing `.` or `,` ignored, else None.

    Accepted in English and in German: a name (`tuesday`, `dienstag`), its plural or adverb
    (`tuesdays`, `dienstags`), any prefix of three letters or more (`tue`, `thurs`, `wed`,
    `die`, `mitt`, `son`), `weds`, `sonnabend`, and the German two-letter abbreviations
    (`mo`, `di`, `mi`, `do`, `fr`, `sa`, `so`).
    """
    word = word.lower().rstrip(".,")
    if word.endswith("s") and (word[:-1] in WEEKDAYS or word[:-1] in WOCHENTAGE):
        word = word[:-1]
    if word in WEEKDAY_ALIASES:
        return WEEKDAY_ALIASES[word]
    if len(word) < 3:
        return None
    for names in (WEEKDAYS, WOCHENTAGE):
        for index, name in enumerate(names):
            if name.startswith(word):
                return index
    return None


def clock_time(word: str) -> time | None:
    """A time of day, else None (any case; inner spaces as `tokens` keeps them).

    24-hour: `H:MM` or `HH:MM`, with `:`, `.` or `h` between (`9:30`, `09.30`, `14h30`),
    hours 0–23 and minutes 00–59, so `24:00` and `10:60` are refused.
    12-hour: `10am`, `10 am`, `10:30pm`, `10.30 p.m.`, hours 1–12 (`0 am`, `13 pm` are
    refused); `12 am` is 00:00 and `12 pm` is 12:00. A bare number (`10`) is not a time.
    """
    word = word.strip().lower()
    if match := TIME_24H.match(word):
        hour, minute = int(match.group(1)), int(match.group(2))
        return time(hour, minute) if hour <= 23 and minute <= 59 else None
    if match := TIME_12H.match(word):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not (1 <= hour <= 12 and minute <= 59):
            return None
        return time(hour % 12 + (12 if match.group(3) == "p" else 0), minute)
    return None


def duration_minutes(word: str) -> int | None:
    """A length of time in whole minutes, else None (any case, spaces optional).

    Minutes: `30m`, `45 min`, `45 mins`, `90 minutes`. Hours: `1h`, `2 hr`, `2 hrs`,
    `2 hours`, with a decimal fraction if it makes whole minutes (`1.5h` is 90, `1.01h` is
    None). Both: `1h30m`, `1h 30m`, `1 hour 30 minutes`. The range is not checked here;
    `1h30` without a minute unit is a time (01:30), not a duration.
    """
    match = DURATION.match(word.strip().lower())
    if not match or (match.group(1) is None and match.group(2) is None):
        return None
    total = Decimal(match.group(1) or 0) * 60 + Decimal(match.group(2) or 0)
    return int(total) if total == total.to_integral_value() else None


def day(word: str, *, today: date) -> date | None:
    """A date, else None: an ISO date (`2026-12-03`), `today` / `heute`, `tomorrow` /
    `morgen`, or a weekday as `weekday` reads it (its next date after today: on a Tuesday,
    `tuesday` is in a week)."""
    word = word.strip().lower()
    if word in DAY_WORDS:
        return today + timedelta(days=DAY_WORDS[word])
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
            parts.append(_("person {person}").format(person=f"<@{self.person}>"))
        if self.weekday is not None:
            parts.append(_("weekday {weekday}").format(weekday=weekday_name(self.weekday)))
        if self.at is not None:
            parts.append(_("time {time}").format(time=clock(self.at)))
        return ", ".join(parts) or _("nothing yet")


def schedule_args(text: str) -> ScheduleArgs:
    """Read `@person <weekday> <HH:MM> [weekly|biweekly|monthly] [<N>m]` in any order.

    The words are those of `tokens` (so `10 am` and `2 hours` are one word each); a weekday
    as `weekday` reads it, a time as `clock_time`, a cadence `weekly`, `biweekly`,
    `fortnightly` or `monthly`, a duration as `duration_minutes` (30 minutes if none). The
    first of each counts; a second one, and any word read as nothing, goes to `unread`.
    Raises ParseError for a duration outside `DURATION_RANGE`, naming the range.
    """
    args = ScheduleArgs()
    seen_cadence = seen_duration = False
    for word in tokens(text):
        if (user := mention(word)) and args.person is None:
            args.person = user
        elif (index := weekday(word)) is not None and args.weekday is None:
            args.weekday = index
        elif (at := clock_time(word)) is not None and args.at is None:
            args.at = at
        elif word.lower() in CADENCE_WORDS and not seen_cadence:
            args.cadence, seen_cadence = CADENCE_WORDS[word.lower()], True
        elif (minutes := duration_minutes(word)) is not None and not seen_duration:
            args.duration, seen_duration = _in_range(word, minutes), True
        else:
            args.unread.append(word)
    return args


def _in_range(word: str, minutes: int) -> int:
    low, high = DURATION_RANGE
    if not low <= minutes <= high:
        raise ParseError(
            _(
                "A 1:1 can't last `{text}`: the duration must be between {low} and {high} "
                "minutes, e.g. `30m`, `45 min` or `1h 30m`."
            ).format(text=escape(word), low=low, high=high)
        )
    return minutes


def person_and_rest(text: str) -> tuple[str | None, str]:
    """An optional leading mention (`<@U1|dana>` or `<@U1>`, then whitespace or the end),
    and the text after it, stripped; without one, (None, the whole text stripped)."""
    text = text.strip()
    match = LEADING_MENTION.match(text)
    return (match.group(1), (match.group(2) or "").strip()) if match else (None, text)


def add_args(text: str) -> tuple[bool, str | None, str]:
    """`[private] [@person] <text>` (either order) → (private, person, text).

    `private` is a whole word in any case; the text keeps its inner lines and spacing.
    """
    private, person, rest = False, None, text.strip()
    for _attempt in range(2):
        if not private and (match := LEADING_PRIVATE.match(rest)):
            private, rest = True, (match.group(1) or "").strip()
        elif person is None and (match := LEADING_MENTION.match(rest)):
            person, rest = match.group(1), (match.group(2) or "").strip()
        else:
            break
    return private, person, rest


def settings_args(text: str) -> str | None:
    """`settings [@person]` → the person (None: the only 1:1); anything else is ParseError."""
    person, rest = person_and_rest(text)
    if rest:
        raise ParseError(
            _("I couldn't read `{words}`: name one person, or nobody.").format(words=escape(rest))
        )
    return person


def no_args(text: str) -> None:
    """A subcommand that takes no arguments (e.g. `calendar`): anything after it is refused."""
    if text.strip():
        unread = escape(text.strip())
        raise ParseError(
            _("I couldn't read `{unread}`: this command takes nothing more.").format(unread=unread)
        )
