"""The ops server inside the real application: /healthz follows the database's health,
/metrics parses and its counters move; the server survives a taken port."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import (
    Config,
    FetchConfig,
    LossesConfig,
    OpsConfig,
    ScheduleConfig,
    SourceConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.fakes import FakeNews, FakeTelegram, Limits
from bot.ops.health import HealthChecker
from bot.ops.metrics import Metrics, StorageGauges
from bot.ops.server import OpsServer
from bot.services import Services
from storage import Database
from tests.integration.test_sources_support import Item, rss

SOURCE = "Тестові новини"


@dataclass
class Running:
    services: Services
    url: str
    client: httpx.AsyncClient

    async def health(self) -> tuple[int, dict[str, Any]]:
        response = await self.client.get(f"{self.url}/healthz")
        return response.status_code, response.json()

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = await self.client.get(f"{self.url}/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
        }


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Running]:
    async with FakeTelegram(limits=Limits(enabled=False)) as tg, FakeNews() as news:
        news.set("/feed.xml", rss([Item(1), Item(2), Item(3)], clock.now()))
        news.fault("/losses", "status", status=503)
        config = Config(
            telegram=TelegramConfig(token=tg.token, api_url=tg.api_url),
            storage=StorageConfig(database=str(tmp_path / "bot.db")),
            schedule=ScheduleConfig(poll_seconds=3600),
            losses=LossesConfig(url=news.url_for("/losses"), fallback_url=news.url_for("/losses")),
            fetch=FetchConfig(allow_private_sources=True),
            ops=OpsConfig(listen="127.0.0.1:0"),
            sources=(SourceConfig(SOURCE, news.url_for("/feed.xml")),),
        )
        app = build_application(config, clock=clock)
        async with running(app) as services, httpx.AsyncClient(timeout=20) as client:
            assert services.ops is not None and services.ops.listening
            yield Running(services, services.ops.url, client)


async def test_healthz_turns_503_on_an_unwritable_database_and_200_after(bot: Running) -> None:
    status, body = await bot.health()
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"delivery", "database", "sources"}

    conn = bot.services.db.conn
    async with conn.execute("PRAGMA page_count") as cur:
        pages = (await cur.fetchone())[0]  # type: ignore[index]
    await conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is "full"
    status, body = await bot.health()
    assert status == 503
    assert body["failing"] == ["database"]
    assert "full" in body["checks"]["database"]["detail"]

    await conn.execute("PRAGMA max_page_count = 1073741823")
    await conn.execute("PRAGMA query_only = ON")  # now read-only
    status, body = await bot.health()
    assert (status, body["failing"]) == (503, ["database"])
    assert "readonly" in body["checks"]["database"]["detail"]

    await conn.execute("PRAGMA query_only = OFF")
    status, body = await bot.health()
    assert (status, body["failing"]) == (200, [])


async def test_healthz_names_a_stopped_delivery_worker(bot: Running) -> None:
    await bot.services.delivery.stop()
    status, body = await bot.health()
    assert (status, body["failing"]) == (503, ["delivery"])
    await bot.services.delivery.start()
    assert (await bot.health())[0] == 200


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_parse_and_poll_counters_move_after_a_poll(bot: Running) -> None:
    before = await bot.metrics()
    polls_before = sum(
        v
        for (name, labels), v in before.items()
        if name == "newsbot_polls_total" and ("source", SOURCE) in labels
    )
    await bot.services.sources.poll_all()
    after = await bot.metrics()
    polls_after = sum(
        v
        for (name, labels), v in after.items()
        if name == "newsbot_polls_total" and ("source", SOURCE) in labels
    )
    assert polls_after >= polls_before + 1
    assert _value(after, "newsbot_items_total", source=SOURCE) == 3  # recorded once, ever
    assert _value(after, "newsbot_summarise_seconds_count", summariser="extractive") >= 1
    assert _value(after, "newsbot_pending_deliveries", kind="story") == 0
    assert _value(after, "newsbot_pending_deliveries", kind="broadcast") == 0
    assert _value(after, "newsbot_database_bytes") > 0
    assert _value(after, "process_resident_memory_bytes") > 0


async def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_a_taken_port_is_retried_until_it_frees(db: Database, clock: ManualClock) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        health = HealthChecker(
            db, None, clock, poll_seconds=60, database_path=":memory:", started_at=clock.now()
        )

        async def no_storage() -> StorageGauges:
            return StorageGauges()

        server = OpsServer(f"127.0.0.1:{port}", Metrics(), health, no_storage, retry_seconds=0.02)
        await server.start()
        assert not server.listening
    try:
        await _wait_until(lambda: server.listening)
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 503  # no delivery engine here
        assert response.json()["failing"] == ["delivery"]
    finally:
        await server.stop()


async def test_a_write_probe_stuck_on_a_lock_is_reported_and_never_cancelled(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "locked.db"
    db = await Database.open(path)
    await db.conn.execute("PRAGMA busy_timeout = 300")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        health = HealthChecker(
            db,
            None,
            clock,
            poll_seconds=60,
            database_path=str(path),
            started_at=clock.now(),
            write_wait=0.05,
        )
        report = await health.check()
        assert "no answer" in next(c.detail for c in report.checks if c.name == "database")
        await health.close()  # the probe ends by itself (busy timeout), not cancelled
        assert not db.conn.in_transaction
        other.execute("ROLLBACK")
        report = await health.check()
        assert next(c for c in report.checks if c.name == "database").ok
    finally:
        other.close()
        await db.close()
