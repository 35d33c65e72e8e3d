"""Waiting for a busy chat costs no concurrency slot: other chats are not stalled behind it.

Groups get one message per ``group_per_minute`` window; with ``group_per_minute=1`` a group's
second brief must wait a whole minute.  Those waits must not hold the engine's slots: the
private chats' briefs queued behind them go out at once.  Everything is counted at the fake
Telegram server (what arrived, in which order), never timed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram.ext import ExtBot

from bot.clock import ManualClock
from bot.config import DeliveryConfig
from bot.delivery.engine import DeliveryEngine, limiter_for
from bot.fakes.telegram import FakeTelegram, Limits
from storage import Database, broadcasts, chats, deliveries
from storage.stories import add_story

GROUPS = [-(i + 1) for i in range(20)]  # more groups than the engine's 16 slots
PRIVATES = list(range(1, 201))
# Overall budget out of the way; per chat 50/s; a group may take one message a minute.
SLOW_GROUPS = DeliveryConfig(
    overall_per_second=1000,
    allow_paid_broadcast=True,
    per_chat_per_second=50,
    group_per_minute=1,
    concurrency=16,
)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(limits=Limits(enabled=False)) as fake:
        yield fake


async def _subscribe(db: Database, clock: ManualClock, ids: list[int]) -> None:
    for chat_id in ids:
        kind = "private" if chat_id > 0 else "group"
        await chats.subscribe(db, chat_id, kind, f"chat {chat_id}", clock.now())


async def _briefs(db: Database, clock: ManualClock, n: int, first: int = 1) -> list[int]:
    """``n`` briefs whose HTML is ``brief <k>`` (k = first..), so arrival order is visible."""
    await db.conn.execute(
        "INSERT OR IGNORE INTO sources (id, url, name, created_at)"
        " VALUES (1, 'https://e.com/rss', 'E', ?)",
        (clock.now().isoformat(),),
    )
    ids = []
    for k in range(first, first + n):
        await db.conn.execute(
            "INSERT INTO articles (id, source_id, identity, url, title, fetched_at)"
            " VALUES (?, 1, ?, ?, 'T', ?)",
            (k, f"guid:{k}", f"https://example.com/{k}", clock.now().isoformat()),
        )
        ids.append(
            await add_story(
                db, k, title="T", summary="S", html=f"brief {k}", summariser="t", now=clock.now()
            )
        )
    return ids


async def _engine(
    db: Database, clock: ManualClock, tg: FakeTelegram, config: DeliveryConfig
) -> tuple[DeliveryEngine, ExtBot[None]]:
    bot: ExtBot[None] = ExtBot(tg.token, base_url=tg.base_url, rate_limiter=limiter_for(config))
    await bot.initialize()
    return DeliveryEngine(db, bot, clock, config), bot


async def test_private_chats_are_not_stalled_behind_waiting_groups(
    db: Database, clock: ManualClock, tg: FakeTelegram
) -> None:
    """20 groups with 3 pending briefs each, then 200 private chats with one.

    Before the fix the groups' second briefs took all 16 slots, each waiting a minute for its
    group's window, and no private chat got anything until then.
    """
    b1, b2, b3 = await _briefs(db, clock, 3)
    await _subscribe(db, clock, GROUPS)
    for brief_id in (b1, b2):
        await deliveries.fan_out_story(db, brief_id, clock.now())
    await _subscribe(db, clock, PRIVATES)
    assert await deliveries.fan_out_story(db, b3, clock.now()) == len(GROUPS) + len(PRIVATES)

    engine, bot = await _engine(db, clock, tg, SLOW_GROUPS)
    await engine.start()
    try:
        await tg.wait_until(lambda: sum(m.chat_id > 0 for m in tg.sent) == len(PRIVATES))
        # Every private chat got its brief while each group has had only its first one.
        assert sorted(m.chat_id for m in tg.sent if m.chat_id > 0) == PRIVATES
        assert all(m.text == "brief 3" for m in tg.sent if m.chat_id > 0)
        assert sorted(m.chat_id for m in tg.sent if m.chat_id < 0) == sorted(GROUPS)
        assert all(m.text == "brief 1" for m in tg.sent if m.chat_id < 0)
        # The groups' waiting rows hold no slot: none of them is in flight.
        assert not any(chat_id < 0 for chat_id in engine.in_flight_chats)
    finally:
        await engine.stop()
        await bot.shutdown()
    # Stopping took no sends down with it: the deferred rows are simply still pending.
    assert await deliveries.count_pending(db) == 2 * len(GROUPS)
    assert len(tg.sent) == len(GROUPS) + len(PRIVATES)


async def test_a_chats_messages_keep_their_order_when_deferred(
    db: Database, clock: ManualClock, tg: FakeTelegram
) -> None:
    """Busy chats are deferred, not reordered: each chat still gets brief 1, 2, 3 in order."""
    briefs = await _briefs(db, clock, 3)
    ids = [-1, -2, -3, *range(1, 31)]
    await _subscribe(db, clock, ids)
    for brief_id in briefs:
        await deliveries.fan_out_story(db, brief_id, clock.now())
    # Per chat 20/s: every chat's 2nd and 3rd brief must wait for its window.
    config = replace(SLOW_GROUPS, per_chat_per_second=20, group_per_minute=1200, concurrency=4)
    engine, bot = await _engine(db, clock, tg, config)
    await engine.start()
    try:
        await engine.idle()
    finally:
        await engine.stop()
        await bot.shutdown()
    for chat_id in ids:
        assert [m.text for m in tg.messages_to(chat_id)] == ["brief 1", "brief 2", "brief 3"]
    assert len(tg.sent) == 3 * len(ids)


async def test_a_stream_of_briefs_does_not_stop_a_broadcast(
    db: Database, clock: ManualClock, tg: FakeTelegram
) -> None:
    """Twenty briefs waiting for 300 chats (6 000 messages) and a broadcast to the same chats.

    Strict priority (before issue 10) sent all 6 000 briefs first: the first 600 messages held
    no broadcast message at all.  Now the broadcast has its share (one in three) from the start
    and is done after about 900 messages.
    """
    subscribers = list(range(1, 301))
    await _subscribe(db, clock, subscribers)
    for brief_id in await _briefs(db, clock, 20):
        await deliveries.fan_out_story(db, brief_id, clock.now())
    bc = await broadcasts.create_broadcast(db, 1001, "розсилка", clock.now())
    await deliveries.enqueue_broadcast(db, bc, clock.now())

    config = replace(SLOW_GROUPS, per_chat_per_second=1000)
    engine, bot = await _engine(db, clock, tg, config)
    await engine.start()
    try:
        await tg.wait_until(lambda: len(tg.sent) >= 600, timeout=60)
        first = tg.sent[:600]
        broadcast_share = sum(m.text == "розсилка" for m in first) / len(first)
        assert 0.2 <= broadcast_share <= 0.45, broadcast_share
        # The broadcast is done long before the briefs: about two for each of its messages.
        await tg.wait_until(
            lambda: sum(m.text == "розсилка" for m in tg.sent) == len(subscribers), timeout=60
        )
        assert len(tg.sent) < 4 * len(subscribers)
    finally:
        await engine.stop()
        await bot.shutdown()
