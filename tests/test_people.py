"""Profiles are stored: asked of Slack once, refreshed on `user_change` and when stale, never
asked per post."""

from __future__ import annotations

from bot.due import housekeeping
from handlers import people
from store.people import stored_profile
from store.views import Profile
from tests.running_bot import RunningBot
from tests.test_weekly_loop import schedule


def profile(bot: RunningBot, user_id: str) -> tuple[bool, Profile | None]:
    with bot.db.read() as session:
        return stored_profile(session, "T0001", user_id, now=bot.clock())


def test_scheduling_stores_both_peoples_profiles(bot: RunningBot) -> None:
    schedule(bot)
    for user_id, tz in (("U_MANAGER", "America/New_York"), ("U_REPORT", "Europe/Berlin")):
        fresh, stored = profile(bot, user_id)
        assert fresh and stored is not None and stored.tz == tz


def test_a_user_change_updates_a_kept_profile_and_stores_no_one_else(bot: RunningBot) -> None:
    schedule(bot)
    moved = {
        "id": "U_REPORT",
        "team_id": "T0001",
        "tz": "Asia/Tokyo",
        "profile": {"real_name": "R"},
    }
    stranger = {"id": "U_STRANGER", "team_id": "T0001", "tz": "Europe/Paris", "profile": {}}
    for user in (moved, stranger):
        assert bot.slack.event({"type": "user_change", "user": user}).status == 200
    bot.settle()
    _fresh, kept = profile(bot, "U_REPORT")
    assert kept is not None and kept.tz == "Asia/Tokyo"
    assert profile(bot, "U_STRANGER") == (False, None)
    people._cache.clear()
    assert (
        people.profile_of(bot.db, bot.client, "T0001", "U_REPORT", now=bot.clock()).tz
        == "Asia/Tokyo"
    )  # from the store: Slack is not asked


def test_housekeeping_refreshes_stale_profiles_in_the_background(bot: RunningBot) -> None:
    schedule(bot)
    bot.fake.add_user("U_REPORT", tz="America/Chicago")  # moved, and Slack sent no event
    bot.clock.advance(days=1, minutes=1)
    asked = len(bot.fake.calls("users.info"))
    report = housekeeping(bot.db, bot.clients, bot.clock())
    assert report.counts.get("profiles_refreshed") == 2
    assert len(bot.fake.calls("users.info")) == asked + 2
    fresh, stored = profile(bot, "U_REPORT")
    assert fresh and stored is not None and stored.tz == "America/Chicago"
    assert "profiles_refreshed" not in housekeeping(bot.db, bot.clients, bot.clock()).counts


def test_a_stored_locale_is_read_once_and_a_user_change_replaces_it(bot: RunningBot) -> None:
    schedule(bot)
    people.clear_cache()
    ask = (bot.db, bot.client, "T0001", "U_REPORT")
    assert people.cached_locale(bot.client, "T0001", "U_REPORT") == (False, None)
    stored = people.reader_locale(*ask, now=bot.clock())
    assert people.cached_locale(bot.client, "T0001", "U_REPORT") == (True, stored)
    changed = {"id": "U_REPORT", "team_id": "T0001", "locale": "de-DE", "profile": {}}
    assert bot.slack.event({"type": "user_change", "user": changed}).status == 200
    bot.settle()
    assert people.reader_locale(*ask, now=bot.clock()) == "de-DE"
