"""GET /metrics: due work waiting and its lag, Slack calls and 429s per method, claims taken
over, in Prometheus text format."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from tests.running_bot import RunningBot
from tests.test_follow_ups_flow import move_to, tick_at
from tests.test_weekly_loop import schedule


def scrape(bot: RunningBot) -> dict[str, float]:
    """Every sample of GET /metrics, by `name{labels}`."""
    reply = bot.slack.get("/metrics")
    assert reply.status == 200
    samples = {}
    for family in text_string_to_metric_families(reply.body):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def test_metrics_show_waiting_work_and_its_lag(bot: RunningBot) -> None:
    schedule(bot)
    assert scrape(bot)["oneonone_due_work_waiting{}"] == 2  # each person's .ics, due at once
    bot.tick()
    assert scrape(bot)["oneonone_due_work_waiting{}"] == 0
    move_to(bot, "2026-11-30 15:10")  # the prompts fell due ten minutes ago; no tick yet
    metrics = scrape(bot)
    assert metrics["oneonone_due_work_waiting{}"] == 2
    assert metrics["oneonone_due_work_lag_seconds{}"] == 600


def test_metrics_count_posts_429s_and_how_late_posts_went_out(bot: RunningBot) -> None:
    schedule(bot)
    bot.fake.fail("chat.postMessage", status=429, retry_after=0)
    tick_at(bot, "2026-11-30 15:00")
    metrics = scrape(bot)
    assert metrics['oneonone_slack_rate_limited_total{method="chat.postMessage"}'] == 1
    assert metrics['oneonone_due_work_done_total{kind="prompt",outcome="sent"}'] == 2
    assert metrics['oneonone_due_post_lateness_seconds_count{kind="prompt"}'] == 2
    posts = metrics['oneonone_slack_calls_total{method="chat.postMessage",outcome="ok"}']
    assert posts >= 3  # the report's intro DM and the two prompts
    assert metrics['oneonone_slack_call_seconds_count{method="chat.postMessage"}'] >= posts
    assert metrics["oneonone_due_claims_taken_over_total{}"] == 0
    assert re.search(
        r"^# TYPE oneonone_due_work_waiting gauge$", bot.slack.get("/metrics").body, re.M
    )
