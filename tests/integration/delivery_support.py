"""Shared wiring for the delivery engine tests: the fake Telegram, a bot on the engine's
limiter, subscribers, a brief, and a harness that starts engines and stops them at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import ExtBot

from bot.clock import ManualClock
from bot.config import DeliveryConfig
from bot.delivery.engine import DeliveryEngine, limiter_for
from bot.fakes.telegram import FakeTelegram, Limits
from storage import Database, chats
from storage.stories import add_story

# Fast limits so the tests stay quick; the real defaults are checked in the unit tests.
FAST = DeliveryConfig(overall_per_second=1000, allow_paid_broadcast=True, per_chat_per_second=50)
BRIEF_HTML = '<b>Заголовок</b>\nКоротко про головне.\n<a href="https://example.com/1">Джерело</a>'


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(limits=Limits(enabled=False)) as fake:
        yield fake


async def make_bot(tg: FakeTelegram, config: DeliveryConfig) -> ExtBot[None]:
    bot: ExtBot[None] = ExtBot(tg.token, base_url=tg.base_url, rate_limiter=limiter_for(config))
    await bot.initialize()
    return bot


async def subscribe(db: Database, clock: ManualClock, ids: list[int]) -> None:
    for chat_id in ids:
        kind = "private" if chat_id > 0 else "group"
        await chats.subscribe(db, chat_id, kind, f"chat {chat_id}", clock.now())


async def numbered_story(db: Database, clock: ManualClock, n: int = 1) -> int:
    """Story ``n`` of one article ``n`` of source 1 (made on first use), for ledger tests."""
    stamp = clock.now().isoformat()
    await db.conn.execute(
        "INSERT OR IGNORE INTO sources (id, url, name, created_at) VALUES (1, 'https://e', 'E', ?)",
        (stamp,),
    )
    await db.conn.execute(
        "INSERT INTO articles (id, source_id, identity, url, title, fetched_at)"
        " VALUES (?, 1, ?, 'https://e/1', 't', ?)",
        (n, f"guid:{n}", stamp),
    )
    return await add_story(
        db, n, title="t", summary="s", html=f"<b>{n}</b>", summariser="x", now=clock.now()
    )


async def make_brief(db: Database, clock: ManualClock) -> int:
    await db.conn.execute(
        "INSERT INTO sources (id, url, name, created_at) VALUES (1, 'https://e.com/rss', 'E', ?)",
        (clock.now().isoformat(),),
    )
    await db.conn.execute(
        "INSERT INTO articles (id, source_id, identity, url, title, fetched_at)"
        " VALUES (1, 1, 'guid:1', 'https://example.com/1', 'Заголовок', ?)",
        (clock.now().isoformat(),),
    )
    return await add_story(
        db,
        1,
        title="Заголовок",
        summary="Коротко",
        html=BRIEF_HTML,
        summariser="t",
        now=clock.now(),
    )


class Harness:
    def __init__(self, db: Database, clock: ManualClock, tg: FakeTelegram) -> None:
        self.db, self.clock, self.tg = db, clock, tg
        self.bots: list[ExtBot[None]] = []
        self.engines: list[DeliveryEngine] = []

    async def engine(self, config: DeliveryConfig = FAST, **options: float) -> DeliveryEngine:
        bot = await make_bot(self.tg, config)
        self.bots.append(bot)
        engine = DeliveryEngine(self.db, bot, self.clock, config, **options)
        self.engines.append(engine)
        await engine.start()
        return engine

    async def close(self) -> None:
        for engine in self.engines:
            await engine.stop()
        for bot in self.bots:
            await bot.shutdown()


@pytest.fixture
async def h(db: Database, clock: ManualClock, tg: FakeTelegram) -> AsyncIterator[Harness]:
    harness = Harness(db, clock, tg)
    try:
        yield harness
    finally:
        await harness.close()
