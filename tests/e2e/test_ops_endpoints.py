"""/metrics and /healthz of the real ``newsbot run``: Prometheus text that parses, poll
counters that move with each poll, and a healthy bot saying so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
from e2e_harness import ConfigWriter, StartBot
from prometheus_client.parser import text_string_to_metric_families

from bot.fakes import FakeNews, FakeTelegram
from tests.integration.test_sources_support import Item, rss

SOURCE = "Тестові новини"


async def _polls(client: httpx.AsyncClient, url: str) -> dict[str, float]:
    response = await client.get(f"{url}/metrics")
    assert response.status_code == 200
    polls: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "newsbot_polls_total" and sample.labels["source"] == SOURCE:
                polls[sample.labels["outcome"]] = sample.value
    return polls


async def test_metrics_parse_and_poll_counters_move_with_each_poll(
    telegram: FakeTelegram, news: FakeNews, bot_config: ConfigWriter, start_bot: StartBot
) -> None:
    news.set("/feed.xml", rss([Item(1), Item(2)], datetime.now(UTC)))
    config = bot_config(
        sources=[(SOURCE, news.url_for("/feed.xml"))],
        schedule={"poll_seconds": 2, "jitter_seconds": 0},
    )
    bot = await start_bot(config)
    async with httpx.AsyncClient(timeout=20) as client:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        seen: list[dict[str, float]] = []
        # The first poll parses the feed; the next ones find it not modified (ETag).
        while not (seen and seen[-1].get("parsed") and seen[-1].get("not_modified")):
            assert loop.time() < deadline, f"poll counters did not move: {seen}"
            seen.append(await _polls(client, bot.ops_url))
            await asyncio.sleep(0.2)
        assert seen[-1]["parsed"] == 1

        health = await client.get(f"{bot.ops_url}/healthz")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["status"] == "ok"
        assert body["checks"]["sources"]["ok"] is True
        assert "last successful poll" in body["checks"]["sources"]["detail"]
    assert await bot.stop() == 0
    assert news.hits("/feed.xml") >= 2
