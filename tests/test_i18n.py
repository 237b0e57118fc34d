"""Languages (README, "Languages"): every string a person reads is in the catalog, the German
catalog translates all of it with the same placeholders, and each surface reads in its
reader's language (blocks.i18n)."""

from __future__ import annotations

import ast
import gettext
import io
import re
import string
from collections.abc import Callable, Iterator, Set
from datetime import UTC, date, datetime
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from babel.dates import get_day_names, get_month_names
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from blocks import deletion, export, help, i18n
from blocks.home import home_view, summary_modal
from blocks.i18n import _, language_of, ngettext, reading
from blocks.notes import ItemRow, notes_modal
from blocks.when import dst_heads_up, due_phrase, recurring_time
from store.views import HistoryDeletionView, HomeData, PrivateCounts
from tests import (
    test_blocks,
    test_blocks_export,
    test_blocks_followups,
    test_blocks_home,
    test_blocks_notes,
)

ROOT = Path(__file__).parents[1]
LOCALE = ROOT / "blocks" / "locale"
POT = LOCALE / "messages.pot"
GERMAN = LOCALE / "de" / "LC_MESSAGES" / "messages.po"
PSEUDO = "eo"  # a locale Babel knows and oneonone does not speak: the test's pseudo-language
OPEN, CLOSE = "⟦", "⟧"
FIXTURE_MODULES = (
    test_blocks,
    test_blocks_followups,
    test_blocks_home,
    test_blocks_notes,
    test_blocks_export,
)
EXTRACT = "pybabel extract -F babel.cfg -o blocks/locale/messages.pot ."


def catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def messages(cat: Catalog) -> dict[str | tuple[str, ...], Message]:
    return {m.id if isinstance(m.id, str) else tuple(m.id): m for m in cat if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- the catalog is complete ---------------------------------------------------------------


def test_the_committed_template_holds_every_string_the_code_marks() -> None:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {
        ids if isinstance(ids, str) else tuple(ids)
        for _file, _line, ids, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map
        )
    }
    committed = set(messages(catalog(POT)))
    assert sorted(map(str, found - committed)) == [], f"new strings: run `{EXTRACT}`"
    assert sorted(map(str, committed - found)) == [], f"strings gone: run `{EXTRACT}`"


def test_the_german_catalog_translates_every_message_of_the_template() -> None:
    german = messages(catalog(GERMAN, "de"))
    for key, template in messages(catalog(POT)).items():
        assert key in german, f"not in the German catalog (pybabel update): {key!r}"
        message = german[key]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(forms), f"untranslated: {key!r}"
        assert not message.fuzzy, f"fuzzy: {key!r}"
        expected = placeholders(key if isinstance(key, str) else key[0])
        if isinstance(key, tuple):
            expected |= placeholders(key[1])
        for form in forms:
            assert placeholders(form) == expected, f"placeholders differ: {key!r} → {form!r}"
        assert template.python_brace_format == message.python_brace_format


def test_a_translation_with_other_placeholders_is_caught() -> None:
    assert placeholders("Dein 1:1 mit {person}") != placeholders("Your 1:1 with {other}")
    assert placeholders("{count} Treffen") == placeholders("{count} meetings")


def test_german_is_read_for_german_locales_and_english_for_the_rest() -> None:
    assert [language_of(x) for x in ("de-DE", "de_AT", "de", "DE-CH")] == ["de"] * 4
    assert [language_of(x) for x in ("en-US", "fr-FR", "ja-JP", "", None)] == ["en"] * 5
    with reading("de-DE"):
        assert _("Skip") == "Überspringen"
        assert ngettext("{count} meeting", "{count} meetings", 2) == "{count} Treffen"
        with reading("fr-FR"):
            assert _("Skip") == "Skip"
        assert _("Skip") == "Überspringen"
    assert _("Skip") == "Skip"


# --- every surface is translated: rendered in a pseudo-language ----------------------------


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A language whose every catalog message reads ⟦message⟧ (placeholders kept): text
    outside the brackets came from no catalog."""
    cat = Catalog(locale=PSEUDO)
    for m in catalog(POT):
        if not m.id:
            continue
        if isinstance(m.id, str):
            cat.add(m.id, f"{OPEN}{m.id}{CLOSE}")
        else:
            cat.add(m.id, tuple(f"{OPEN}{form}{CLOSE}" for form in m.id))
    compiled = io.BytesIO()
    write_mo(compiled, cat)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    real = i18n._catalog
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, PSEUDO))
    monkeypatch.setattr(
        i18n, "_catalog", lambda lang: translations if lang == PSEUDO else real(lang)
    )
    with reading(PSEUDO):
        yield


@cache
def fixture_words() -> frozenset[str]:
    """Words people (not the code) wrote: the string data of the blocks tests' fixtures (not
    what their tests assert), names of zones, days and months."""
    words: set[str] = set()
    for source in [Path(m.__file__ or "") for m in FIXTURE_MODULES] + [Path(__file__)]:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        skipped: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) or (
                isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
            ):
                skipped |= {id(sub) for sub in ast.walk(node)}
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and id(node) not in skipped:
                words |= set(re.findall(r"[A-Za-z]{2,}", node.value))
    for width, names_of in product(("wide", "abbreviated"), (get_day_names, get_month_names)):
        names = names_of(width, locale=PSEUDO)
        words |= {word for name in names.values() for word in re.findall(r"[A-Za-z]{2,}", name)}
    return frozenset(words)


TOKENS = re.compile(
    r"<!date\^[^>]*>|<[@#!][^>]*>|<https?://[^|>]*\|?|`[^`]*`|:[a-z0-9_+-]+:|https?://\S+"
)


def untranslated(text: str, allowed: Set[str]) -> list[str]:
    """Words of `text` outside every ⟦catalog message⟧, mention, date token, link, code span
    and emoji code, that no fixture wrote."""
    while True:
        inner = re.sub(rf"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if inner == text:
            break
        text = inner
    text = TOKENS.sub(" ", text)
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in allowed]


READ_KEYS = ("text", "title", "submit", "close", "label", "hint", "placeholder")


def readable(value: Any) -> Iterator[str]:
    """Every text a person reads in a message, view or file."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key in READ_KEYS or isinstance(sub, dict | list):
                yield from readable(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from readable(sub)


def surfaces() -> dict[str, Callable[[], Any]]:
    """Every builder of what people read, with the blocks tests' fixtures."""
    built: dict[str, Callable[[], Any]] = {}
    for name in test_blocks.all_messages():
        built[f"message:{name}"] = lambda name=name: test_blocks.all_messages()[name]
    for name in test_blocks.all_views():
        built[f"view:{name}"] = lambda name=name: test_blocks.all_views()[name]
    for name in test_blocks_followups.all_messages():
        built[f"follow-up:{name}"] = lambda name=name: test_blocks_followups.all_messages()[name]
    built["home"] = lambda: test_blocks_home.all_pages(test_blocks_home.manager(9))
    built["home:empty"] = lambda: home_view(HomeData("U_MANAGER", []), today=test_blocks_home.TODAY)
    built["home:privacy"] = lambda: home_view(
        HomeData("U_MANAGER", []), today=test_blocks_home.TODAY, privacy_url="https://x/privacy"
    )
    built["summary_modal"] = lambda: summary_modal(test_blocks_followups.summary())
    built["notes_modal"] = _notes_modal
    built["help"] = lambda: help.help_message(command="/oneonone", full=True)
    built["help:unknown"] = lambda: help.help_message(command="/oneonone", unknown="frob")
    built["try_this"] = lambda: help.try_this("/oneonone", "schedule")
    built["deletion"] = _deletion
    built["export"] = _export
    built["when"] = _when
    return built


def _notes_modal() -> Any:
    points = [test_blocks_notes.point(i, f"Point {i}", carried=i % 2) for i in range(1, 60)]
    rows = [ItemRow("i1", "Ship it", "U_MANAGER", date(2026, 12, 8), done=True)]
    return notes_modal(test_blocks_notes.notes(points), rows, test_blocks_notes.NAMES)


def _deletion() -> list[Any]:
    counts = PrivateCounts(points=3, notes=1, pairs=2)
    request = HistoryDeletionView(3, "U_MANAGER", "U_REPORT", datetime(2026, 12, 9, tzinfo=UTC))
    return [
        deletion.delete_my_data_modal(counts),
        deletion.delete_my_data_modal(PrivateCounts(0, 0, 0)),
        deletion.private_deleted_message(counts),
        deletion.history_requested_message(request, "U_MANAGER"),
        deletion.history_requested_message(request, "U_REPORT"),
        deletion.objected_message(request),
        deletion.person_left_notice(other_id="U_REPORT"),
        deletion.privacy_footer(None),
    ]


def _export() -> list[str]:
    reader, pair = test_blocks_export.READER, test_blocks_export.PAIR
    full = test_blocks_export.meeting(
        points=[test_blocks_export.point("Mine", "UREP", private=True)],
        shared_notes="We agreed",
        private_notes="only mine",
        action_items=[
            test_blocks_export.item("Ship it"),
            test_blocks_export.item("Done", done=True),
        ],
    )
    return [
        export.document_head(reader, part=1),
        export.document_head(reader, part=2),
        export.pair_head(pair, reader),
        export.pair_head(pair, reader, continued=True),
        export.meeting_markdown(full, reader),
        export.meeting_markdown(test_blocks_export.meeting(unscheduled=True), reader),
        export.csv_head(),
        export.export_comment(pairs=2, meetings=1),
    ]


def _when() -> list[str]:
    series = test_blocks.SERIES
    return [
        recurring_time(series, "Asia/Kolkata"),
        recurring_time(series, None),
        dst_heads_up(series, series.slot.replace(hour=14), "Europe/Berlin"),
        due_phrase(date(2026, 12, 7), date(2026, 12, 1)),
        due_phrase(date(2026, 12, 1), date(2026, 12, 7)),
    ]


@pytest.mark.parametrize("name", list(surfaces()))
def test_every_text_a_person_reads_comes_from_the_catalog(name: str, pseudo: None) -> None:
    allowed = fixture_words()
    texts = list(readable(surfaces()[name]()))
    assert texts
    found = {text: words for text in texts if (words := untranslated(text, allowed))}
    assert found == {}, f"not in the catalog (wrap it in _()): {found}"


def test_the_check_sees_a_string_the_catalog_lacks(pseudo: None) -> None:
    assert untranslated(f"{_('Skip')} · Snooze forever", fixture_words()) == ["Snooze", "forever"]
    assert untranslated(_("Your 1:1s: {when}.").format(when="<!date^1^x|y>"), set()) == []
