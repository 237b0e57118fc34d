"""The reader's language: gettext catalogs in blocks/locale, one language per reader.

Every string a person reads goes through `_()` or `ngettext()` (with named `{placeholders}`
filled by `.format()` afterwards, never assembled from translated fragments). Which
language they are translated into is the reader's, set around the code that builds what
they read: `with reading(locale): blocks = agenda_blocks(...)`. Code after an ack runs on
another thread and sets its own reader (context variables do not cross threads).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
LANGUAGES = ("en", "de")  # the languages oneonone speaks; anything else reads English

_reader: ContextVar[str] = ContextVar("reader_language", default=DEFAULT)


def language_of(locale: str | None) -> str:
    """The language oneonone speaks for a Slack locale (`de-DE` → `de`; unknown → `en`)."""
    code = (locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT


def preferred_locale(accept_language: str | None) -> str | None:
    """The browser's most preferred language (an `Accept-Language` header: `de-DE,de;q=0.9,
    en;q=0.8`) that oneonone speaks, as a locale for `reading`; None when it speaks none."""
    weighted = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if weight > 0:  # q=0: not wanted
            weighted.append((-weight, position, tag.strip()))
    for _weight, _position, tag in sorted(weighted):  # the heaviest first, then in order
        if tag.split("-")[0].lower() in LANGUAGES:
            return tag
    return None


@contextmanager
def reading(locale: str | None) -> Iterator[str]:
    """Translate into the language of `locale` inside the block (yields that language)."""
    language = language_of(locale)
    token = _reader.set(language)
    try:
        yield language
    finally:
        _reader.reset(token)


def current_language() -> str:
    """The language of the reader being written for now."""
    return _reader.get()


def _(message: str) -> str:
    """`message` in the reader's language."""
    return _catalog(_reader.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the reader's language."""
    return _catalog(_reader.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it yet (translate it with `_()`
    where it is read: constants are built before anyone's language is known)."""
    return message


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language`: `messages.mo` when `pybabel compile` made one,
    else the `messages.po` compiled in memory, so a fresh checkout needs no build step."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    compiled, source = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if compiled.is_file() and (
        not source.is_file() or compiled.stat().st_mtime >= source.stat().st_mtime
    ):
        with compiled.open("rb") as file:
            return gettext.GNUTranslations(file)
    if source.is_file():
        return gettext.GNUTranslations(_compile(source))
    return gettext.NullTranslations()


def _compile(source: Path) -> io.BytesIO:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as file:
        catalog = read_po(file)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return compiled


def read_as(locale: str | None) -> str:
    """Translate into the language of `locale` from here on, in this context: for the entry
    of work that is all one reader's (a request, whose listener thread copies the context).
    Returns the language."""
    language = language_of(locale)
    _reader.set(language)
    return language
