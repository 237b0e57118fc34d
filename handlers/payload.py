"""What arrives in a Slack payload — button values, a modal's private_metadata, form state —
parsed and range-checked in one place: anything else is a forged or stale payload, and the
person reads one refusal (never "int too large" or "integer out of range")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from store.access import N_, NotAllowed

MAX_ID = 2**31 - 1  # ids are 32-bit integers in every table (PostgreSQL's `integer`)
FORGED = N_("That button doesn't belong to one of your 1:1s.")


def payload_id(value: object) -> int:
    """An id from a payload: a positive 32-bit integer, or NotAllowed."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        raise NotAllowed(FORGED)
    if not 1 <= number <= MAX_ID:
        raise NotAllowed(FORGED)
    return number


def payload_ids(values: Iterable[object]) -> tuple[int, ...]:
    """Several ids (every one checked)."""
    return tuple(payload_id(value) for value in values)


def payload_date(value: object) -> date | None:
    """A date picker's value: None when empty; ValueError when it is not a real date."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(f"not a date: {value!r}")
    return date.fromisoformat(value)
