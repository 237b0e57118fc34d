"""Languages (README, "Languages"): every string a person reads is in the catalog, the German
catalog translates all of it with the same placeholders, and each surface reads in its
reader's language (blocks.i18n)."""

from __future__ import annotations

import ast
import gettext
import html
import io
import re
import string
from collections.abc import Callable, Iterator, Set
from dataclasses import replace
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

from blocks import calendar, deletion, export, help, i18n, ics, settings, welcome
from blocks.agenda import agenda_ephemeral, agenda_message
from blocks.checkin import checkin_modal
from blocks.digest import digest_message
from blocks.home import home_view, summary_modal
from blocks.i18n import _, language_of, ngettext, preferred_locale, reading
from blocks.notes import ItemRow, notes_modal
from blocks.prompt import prompt_message
from blocks.when import dst_heads_up, due_phrase, recurring_time
from store.calendar_views import CalendarReader, CalendarSeries, FeedLink, Instance
from store.health_views import (
    DIGEST_HELD,
    DIGEST_NOT_HELD,
    DIGEST_SKIPPED,
    DIGEST_UPCOMING,
    AgendaShare,
    CheckInView,
    DigestMeeting,
    DigestView,
    MeetingCheckIns,
    OwnerItems,
    PromptHealth,
    StuckPoint,
)
from store.models import StandingCadence
from store.settings_views import SettingsChanged
from store.views import HistoryDeletionView, HomeData, PrivateCounts, StandingView
from tests import (
    test_blocks,
    test_blocks_export,
    test_blocks_followups,
    test_blocks_home,
    test_blocks_notes,
    test_settings_blocks,
)
from tests.calendar_check import parse

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


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de-DE"),
        ("en-US,en;q=0.9,de;q=0.8", "en-US"),
        ("fr-FR,fr;q=0.9,de;q=0.7,en;q=0.5", "de"),
        ("en;q=0.5, de;q=0.6", "de"),  # by weight, not by order
        ("fr, *;q=0.1", None),
        ("de;q=0", None),  # not wanted at all
        ("de;q=x, en", "en"),  # a broken weight drops that language
        ("", None),
        (None, None),
    ],
)
def test_a_browsers_most_preferred_language_that_oneonone_speaks(
    header: str | None, locale: str | None
) -> None:
    assert preferred_locale(header) == locale


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
    built.update({f"health:{name}": f for name, f in _health().items()})
    built.update({f"settings:{name}": f for name, f in _settings().items()})
    built.update({f"calendar:{name}": f for name, f in _calendar().items()})
    built.update({f"welcome:{name}": f for name, f in _welcome().items()})
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


# the language picker names each language in its own words: never translated
ENDONYMS = frozenset({"English", "Deutsch"})
# what people wrote in the fixtures below: words no catalog has (see fixture_words)
TOPIC, LINE = "Kubernetes migration", "Fernweh"
STANDING = ("Wellbeing", "Roadmap", "Hiring")
CADENCES = tuple(StandingCadence)


def _health() -> dict[str, Callable[[], Any]]:
    """The check-in in the prompt and on the agenda, its form, the digest, the Home switch."""
    mine = CheckInView(test_blocks.MGR, 3, LINE, ())
    low = CheckInView(test_blocks.REP, 1, LINE, (4, 5, 4))
    share = AgendaShare(test_blocks.REP, test_blocks.MGR, 1, 20)
    stuck = (StuckPoint(1, test_blocks.MGR, TOPIC, 1), StuckPoint(2, test_blocks.MGR, TOPIC, 4))
    health = PromptHealth(7, True, mine, low, share, stuck)

    def prompt(viewer: str, answer: CheckInView | None) -> Any:
        shown = replace(health, mine=answer, report_low=None if viewer == test_blocks.REP else low)
        return prompt_message(
            agenda=test_blocks.typical(), viewer_id=viewer, suggestion=None, health=shown
        )

    checkins = MeetingCheckIns(test_blocks.REP, test_blocks.MGR, (low, mine))
    data = test_blocks_home.manager(3)
    shared = [replace(o, share=share) for o in data.one_on_ones]
    return {
        "prompt:manager": lambda: prompt(test_blocks.MGR, mine),
        "prompt:report": lambda: prompt(test_blocks.REP, None),
        "agenda": lambda: agenda_message(test_blocks.typical(), checkins=checkins),
        "modal": lambda: [checkin_modal(7, LINE), checkin_modal(7, "")],
        "digest": lambda: digest_message(_digest(stuck)),
        "digest:empty": lambda: digest_message(replace(_digest(()), week=(), quiet=(), items=())),
        "home:digest_on": lambda: home_view(HomeData(data.viewer_id, shared), today=TODAY),
        "home:digest_off": lambda: home_view(
            HomeData(data.viewer_id, shared, digest_off=True), today=TODAY
        ),
    }


TODAY = test_blocks_home.TODAY


def _digest(stuck: tuple[StuckPoint, ...]) -> DigestView:
    reports = tuple(f"U_R{n}" for n in range(40))
    states = (DIGEST_HELD, DIGEST_SKIPPED, DIGEST_NOT_HELD, DIGEST_UPCOMING)
    return DigestView(
        manager_id=test_blocks.MGR,
        week_of=date(2026, 11, 30),
        reports=reports,
        week=tuple(
            DigestMeeting(r, test_blocks.START, states[n % 4]) for n, r in enumerate(reports)
        ),
        quiet=reports[:2],
        items=tuple(OwnerItems(r, 2, n % 2) for n, r in enumerate(reports)),
        stuck=tuple(replace(p, report_id=test_blocks.REP) for p in stuck * 10),
    )


def _settings() -> dict[str, Callable[[], Any]]:
    """The settings modal for both roles (no rows, every cadence, full), standing items on the
    agenda, and the notices of a change and of a handover."""
    view, modal_of = test_settings_blocks.settings, test_settings_blocks.modal_of
    items = [StandingView(n, STANDING[n % 3], CADENCES[n % 3], ticked=n == 1) for n in range(3)]
    on_agenda = test_settings_blocks.agenda(items)
    changed = SettingsChanged(
        pair_id=7,
        actor_id="UM",
        manager_id="UB",
        report_id="UR",
        fields=frozenset({"local_time"}),
        standing=("added",),
        handed_from="UM",
        next_starts_at=test_blocks.START,
        series=test_blocks.SERIES,
    )
    built: dict[str, Callable[[], Any]] = {}
    for viewer, count in product(("UM", "UR"), (0, 3, 10)):
        built[f"modal:{viewer}:{count}"] = lambda v=viewer, c=count: modal_of(view(v, c))
    built["modal:odd_times"] = lambda: modal_of(
        replace(view("UM"), duration_minutes=40, prompt_lead_minutes=90, agenda_lead_minutes=45)
    )
    built["modal:odd_times_read"] = lambda: modal_of(
        replace(view("UR"), prompt_lead_minutes=90, series=None)
    )
    built["agenda"] = lambda: agenda_message(on_agenda)
    built["agenda:nothing_else"] = lambda: agenda_message(test_settings_blocks.agenda([items[0]]))
    built["agenda:mine"] = lambda: agenda_ephemeral(on_agenda, "UR")
    built["notices"] = lambda: [
        settings.retimed_notice(changed, "Europe/Berlin"),
        settings.saved_notice(changed, "Europe/Berlin"),
        settings.saved_notice(replace(changed, fields=frozenset(), standing=()), None),
        *settings.handover_notices(changed).values(),
    ]
    return built


def _calendar() -> dict[str, Callable[[], Any]]:
    """What `/oneonone calendar` answers, and the .ics files' titles, lines and events."""
    made = datetime(2026, 11, 2, 9, tzinfo=UTC)
    return {
        "new_feed": lambda: calendar.feed_url_message("https://x/calendar/t0ken.ics"),
        "feed_unread": lambda: calendar.feed_exists_message(FeedLink(made, None)),
        "feed_read": lambda: calendar.feed_exists_message(FeedLink(made, made)),
        "socket_mode": lambda: calendar.no_feed_message(calendar.SOCKET_MODE),
        "no_public_url": lambda: calendar.no_feed_message(calendar.NO_PUBLIC_URL),
        "texts": lambda: [
            calendar.all_file_comment(1),
            calendar.all_file_comment(3),
            calendar.no_series_text(),
            calendar.file_refused_text("not_allowed_token_type"),
        ],
        "ics": _ics,
    }


def _ics() -> list[str]:
    series = CalendarSeries(
        pair_id=3,
        uid="pair-3@oneonone",
        team_id="T1",
        manager_id=test_blocks.MGR,
        report_id=test_blocks.REP,
        channel_id="G1",
        cadence=test_blocks.SERIES.cadence,
        weekday=1,
        local_time=test_blocks.START.time(),
        timezone=test_blocks.SERIES.timezone,
        first_date=test_blocks.START.date(),
        nth=None,
        minutes=30,
        excluded=(),
        moved=(Instance(9, None, test_blocks.START, 30),),
        ended=False,
        sequence=0,
    )
    readers = [
        CalendarReader(test_blocks.MGR, None, {}),  # nobody's name known: "your report"
        CalendarReader(test_blocks.REP, None, {}),
    ]
    now = test_blocks.START
    texts = []
    for reader, one in product(readers, (series, replace(series, sequence=2))):
        texts += [ics.file_title(one, reader), ics.file_comment(one, reader)]
        texts += _event_texts(ics.series_file(one, reader, now=now))
    ended = replace(series, ended=True)
    texts.append(ics.file_comment(ended, readers[0]))
    texts += _event_texts(ics.feed([series], readers[1], now=now))
    return texts


def _event_texts(data: bytes) -> list[str]:
    """The texts a calendar app shows of a file: its name, each event's title and notes."""
    cal = parse(data)
    shown = [str(cal["X-WR-CALNAME"])] if "X-WR-CALNAME" in cal else []
    for event in cal.walk("VEVENT"):
        shown += [str(event["SUMMARY"]), str(event["DESCRIPTION"])]
    return shown


def _welcome() -> dict[str, Callable[[], Any]]:
    """The install pages (their text, not their HTML) and the installer's DMs."""
    return {
        "install_page": lambda: _page_text(welcome.install_page(authorize_url="https://x/a")),
        "installed_page": lambda: _page_text(
            welcome.installed_page(workspace="Zanzibar", slack_url="https://x/s")
        ),
        "failed_pages": lambda: [
            _page_text(welcome.failed_page(reason=reason, retry_url="https://x/i"))
            for reason in (*welcome.FAILURES, "xyzzy")
        ],
        "welcome": lambda: welcome.welcome_message(installer_id="U_INSTALLER"),
        "reinstall": lambda: welcome.reinstall_message(scope="files:write"),
    }


def _page_text(page: str) -> str:
    """What a browser shows of a page: its title and body text, without the markup."""
    page = re.sub(r"<style>.*?</style>|<!DOCTYPE[^>]*>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("name", list(surfaces()))
def test_every_text_a_person_reads_comes_from_the_catalog(name: str, pseudo: None) -> None:
    allowed = fixture_words() | ENDONYMS
    texts = list(readable(surfaces()[name]()))
    assert texts
    found = {text: words for text in texts if (words := untranslated(text, allowed))}
    assert found == {}, f"not in the catalog (wrap it in _()): {found}"


def test_each_calendar_text_is_one_catalog_message(pseudo: None) -> None:
    """A file's title and line, each event's title and notes, the feed's name: one message
    each (words such as "with" are in the fixtures too, so the word check alone would not
    see a literal "1:1 with {name}")."""
    texts = _ics()
    assert len(texts) == 30  # 4 files: title, line, 2 events; an ended line; a feed
    for text in texts:
        assert text.startswith(OPEN) and text.endswith(CLOSE), text


def test_the_check_sees_a_string_the_catalog_lacks(pseudo: None) -> None:
    assert untranslated(f"{_('Skip')} · Snooze forever", fixture_words()) == ["Snooze", "forever"]
    assert untranslated(_("Your 1:1s: {when}.").format(when="<!date^1^x|y>"), set()) == []
