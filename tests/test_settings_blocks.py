"""The settings modal, the standing items on the agenda and the settings notices: their
content for each reader, and Slack's Block Kit limits at their largest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from blocks import ids
from blocks.agenda import agenda_ephemeral, agenda_message
from blocks.settings import (
    SettingsMeta,
    StandingRow,
    first_meta,
    handover_notices,
    retimed_notice,
    saved_rows,
    settings_modal,
)
from store.models import StandingCadence
from store.settings_views import SettingsChanged, SettingsView
from store.standing import is_due, month_start
from store.views import AgendaView, FollowUpView, SeriesTime, StandingView, fingerprint
from tests.blockcheck import check_message, check_view
from tests.test_blocks import texts

SLOT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SERIES = SeriesTime(cadence="weekly", timezone="America/New_York", slot=SLOT)
NAMES = {"UM": "Mona Manager", "UR": "Rita Report"}


def settings(viewer: str, count: int = 0) -> SettingsView:
    standing = tuple(
        StandingView(id=n, text=f"Standing item number {n} " + "x" * 170, cadence="every_2nd")
        for n in range(1, count + 1)
    )
    return SettingsView(
        pair_id=7,
        viewer_id=viewer,
        manager_id="UM",
        report_id="UR",
        cadence="weekly",
        weekday=1,
        local_time=time(10, 0),
        timezone="America/New_York",
        duration_minutes=30,
        prompt_lead_minutes=1440,
        agenda_lead_minutes=45,  # none of the offered ones: offered as it is
        checkins_report=True,
        checkins_manager=False,
        group_language=None,
        standing=standing,
        series=SERIES,
    )


def modal_of(view: SettingsView, zone: str | None = None) -> dict:
    meta = first_meta(view, {item.id: fingerprint(item.text) for item in view.standing})
    return settings_modal(view, saved_rows(view.standing), NAMES, meta, zone)


@pytest.mark.parametrize("viewer", ["UM", "UR"])
@pytest.mark.parametrize("count", [0, 1, 10])
def test_the_settings_modal_passes_the_block_kit_checks(viewer: str, count: int) -> None:
    modal = modal_of(settings(viewer, count))
    assert check_view(modal) == []
    assert len(modal["blocks"]) <= 100
    assert modal["title"]["text"] == "1:1 settings"


def test_the_manager_edits_the_time_and_the_report_reads_it() -> None:
    manager = modal_of(settings("UM"))
    inputs = {b["block_id"] for b in manager["blocks"] if b["type"] == "input"}
    assert {ids.SETTINGS_TIME, ids.SETTINGS_WEEKDAY, ids.SETTINGS_HAND_TO} <= inputs
    (agenda,) = [b for b in manager["blocks"] if b.get("block_id") == ids.SETTINGS_AGENDA_LEAD]
    assert agenda["element"]["initial_option"]["text"]["text"] == "45 minutes before"
    report = modal_of(settings("UR"))
    inputs = {b["block_id"] for b in report["blocks"] if b["type"] == "input"}
    assert inputs == {ids.SETTINGS_CHECKINS, ids.SETTINGS_LANGUAGE}
    shown = texts(report["blocks"])
    assert "*When:* Tuesdays 10:00 in New York, 30 minutes" in shown
    assert "Agenda posted:* 45 minutes before" in shown
    assert "Ask me before each 1:1" in shown and "Ask Mona Manager before each 1:1" in shown
    berlin = texts(modal_of(settings("UR"), "Europe/Berlin")["blocks"])
    assert "*When:* Tuesdays 16:00 your time (Tuesdays 10:00 in New York), 30 minutes" in berlin


def test_the_handover_is_its_own_section_and_asks_to_confirm() -> None:
    blocks = modal_of(settings("UM", 10))["blocks"]
    at = next(i for i, b in enumerate(blocks) if b.get("block_id") == ids.SETTINGS_HAND_TO)
    assert [b["type"] for b in blocks[at - 2 : at]] == ["divider", "header"]
    assert texts(blocks[at - 1 : at]) == "Hand these 1:1s over"
    box = blocks[at + 1]
    assert box["block_id"] == ids.SETTINGS_HAND_CONFIRM and box["optional"] is True
    options = box["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["Yes, hand these 1:1s over to this person"]
    assert "initial_options" not in box["element"]  # never ticked in advance
    assert blocks[at + 1 :] == [box]  # the last thing in the form


def test_the_rows_keep_their_order_and_the_metadata_round_trips() -> None:
    view = settings("UM", 2)
    rows = [StandingRow("s2", "Second", "monthly"), StandingRow("n1", "", "every")]
    meta = SettingsMeta(pair_id=7, rows=("s2", "n1"), shown={2: ("abc", "monthly")}, order=(1, 2))
    modal = settings_modal(view, rows, NAMES, meta)
    assert SettingsMeta.from_json(modal["private_metadata"]) == meta
    labels = [b["label"]["text"] for b in modal["blocks"] if b.get("type") == "input"]
    assert "Standing item 1" in labels and "Standing item 2" in labels
    up = [b for b in modal["blocks"] if b.get("block_id") == f"{ids.STANDING_ROW}:s2"]
    assert [e["action_id"] for e in up[0]["elements"]] == [ids.STANDING_DOWN, ids.STANDING_REMOVE]
    with pytest.raises(ValueError):
        SettingsMeta.from_json('{"pair": 7, "rows": ["x1"], "shown": {}, "order": []}')


def agenda(standing: list[StandingView]) -> AgendaView:
    return AgendaView(
        meeting_id=3,
        pair_id=7,
        manager_id="UM",
        report_id="UR",
        starts_at=SLOT,
        duration_minutes=30,
        status="scheduled",
        follow_ups=[],
        carried=[],
        new=[],
        standing=standing,
    )


def test_standing_items_on_the_agenda_each_with_its_tick() -> None:
    items = [
        StandingView(1, "Wellbeing <@U9>", "every", ticked=True),
        StandingView(2, "Career", "monthly"),
    ]
    posted = agenda_message(agenda(items))
    assert check_message(posted["blocks"], posted["text"]) == []
    shown = texts(posted["blocks"])
    assert "📌 Wellbeing &lt;@U9&gt;" in shown and "📌 Career — _monthly_" in shown
    boxes = [
        b["accessory"] for b in posted["blocks"] if b.get("block_id", "").startswith("standing")
    ]
    assert [bool(box.get("initial_options")) for box in boxes] == [True, False]
    assert "Anything to talk about besides the standing items?" in shown
    follow_up = FollowUpView(1, "UR", "Send the doc", None)
    both = texts(agenda_message(replace(agenda(items), follow_ups=[follow_up]))["blocks"])
    assert "Anything to talk about besides the open action items and standing items?" in both
    many = [StandingView(n, "y" * 200, "every") for n in range(10)]
    assert check_message(agenda_message(agenda(many))["blocks"], "x") == []
    mine = agenda_ephemeral(agenda(items), "UR")
    assert "☑ Wellbeing" in texts(mine["blocks"])


def test_the_notices_pass_the_checks() -> None:
    changed = SettingsChanged(
        pair_id=7,
        actor_id="UM",
        manager_id="UB",
        report_id="UR",
        fields=frozenset({"local_time"}),
        handed_from="UM",
        next_starts_at=SLOT,
        series=SERIES,
    )
    body = retimed_notice(changed, "Europe/Berlin")
    assert check_message(body["blocks"], body["text"]) == []
    assert (
        "<@UB> moved your 1:1s to Tuesdays 16:00 your time (Tuesdays 10:00 in New York), "
        "30 minutes each." in texts(body["blocks"])
    )
    notices = handover_notices(changed)
    assert set(notices) == {"UM", "UB", "UR"}
    assert "Your open action items in them go to <@UB>." in texts(notices["UM"]["blocks"])
    for notice in notices.values():
        assert check_message(notice["blocks"], notice["text"]) == []


# --- when a standing item is due ---------------------------------------------------------------


def item(cadence: StandingCadence, anchor: datetime) -> tuple[str, datetime]:
    return cadence.value, anchor


def weekly(count: int, start: datetime = SLOT) -> list[datetime]:
    return [start + timedelta(weeks=n) for n in range(count)]


@pytest.mark.parametrize(
    ("cadence", "shown"),
    [
        (StandingCadence.EVERY, [True] * 10),
        (StandingCadence.EVERY_2ND, [True, False] * 5),
        # Dec 1, 8, 15, 22, 29, Jan 5, 12, 19, 26, Feb 2
        (
            StandingCadence.MONTHLY,
            [True, False, False, False, False, True, False, False, False, True],
        ),
    ],
)
def test_which_meetings_show_a_standing_item(cadence: StandingCadence, shown: list[bool]) -> None:
    starts = weekly(10)
    rule = item(cadence, SLOT)
    due = [
        is_due(*rule, s, starts[:i], month_start(s, "America/New_York"))
        for i, s in enumerate(starts)
    ]
    assert due == shown


def test_counting_starts_at_the_anchor_and_skipped_meetings_do_not_count() -> None:
    starts = weekly(6)
    later = item(StandingCadence.EVERY_2ND, starts[2])
    assert [is_due(*later, s, starts[:i], SLOT) for i, s in enumerate(starts)] == [
        False,
        False,
        True,
        False,
        True,
        False,
    ]
    happened = [starts[0], starts[2]]  # the 2nd was skipped
    assert is_due(*item(StandingCadence.EVERY_2ND, SLOT), starts[3], happened, SLOT) is True
    mid_month = item(StandingCadence.MONTHLY, starts[2])  # added on Dec 15: from then on
    december = month_start(starts[2], "America/New_York")
    assert is_due(*mid_month, starts[2], starts[:2], december) is True
    assert is_due(*mid_month, starts[3], starts[:3], december) is False
