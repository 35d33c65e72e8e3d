"""At send time: a chat with quiet hours on gets its messages without a sound inside the
window (``disable_notification``), and with one outside it; a digest row sends its message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from telegram.ext import ExtBot

from bot.clock import KYIV, ManualClock
from bot.config import DeliveryConfig
from bot.delivery.engine import DeliveryEngine, limiter_for
from bot.fakes.telegram import FakeTelegram, Limits
from bot.subscribers.times import QuietHours
from storage import Database, deliveries, digests, settings
from tests.integration.subscribers_support import make_chats, make_story

FAST = DeliveryConfig(overall_per_second=1000, allow_paid_broadcast=True, per_chat_per_second=50)


@pytest.fixture
async def engine(
    db: Database, clock: ManualClock
) -> AsyncIterator[tuple[DeliveryEngine, FakeTelegram]]:
    async with FakeTelegram(limits=Limits(enabled=False)) as tg:
        bot: ExtBot[None] = ExtBot(tg.token, base_url=tg.base_url, rate_limiter=limiter_for(FAST))
        await bot.initialize()
        sender = DeliveryEngine(db, bot, clock, FAST, quiet_hours=QuietHours.parse("23:00-08:00"))
        await sender.start()
        try:
            yield sender, tg
        finally:
            await sender.stop()
            await bot.shutdown()


def _silent(tg: FakeTelegram) -> dict[int, bool]:
    return {
        int(c.params["chat_id"]): bool(c.params.get("disable_notification"))
        for c in tg.calls_of("sendMessage")
    }


async def test_quiet_hours_send_without_a_sound_only_inside_the_window(
    db: Database, clock: ManualClock, engine: tuple[DeliveryEngine, FakeTelegram]
) -> None:
    sender, tg = engine
    await make_chats(db, clock.now(), {1: "all", 2: "all"})
    await settings.set_quiet(db, 1, True, clock.now())
    clock.set(datetime(2025, 3, 29, 23, 30, tzinfo=KYIV))
    night = await make_story(db, clock.now(), "Нічна новина")
    await sender.enqueue_story(night)
    await sender.idle()
    assert _silent(tg) == {1: True, 2: False}
    clock.set(datetime(2025, 3, 30, 8, 0, tzinfo=KYIV))
    tg.calls.clear()
    morning = await make_story(db, clock.now(), "Ранкова новина")
    await sender.enqueue_story(morning)
    await sender.idle()
    assert _silent(tg) == {1: False, 2: False}


async def test_a_digest_row_sends_its_message(
    db: Database, clock: ManualClock, engine: tuple[DeliveryEngine, FakeTelegram]
) -> None:
    sender, tg = engine
    await make_chats(db, clock.now(), {1: "digest"})
    since = clock.now()
    clock.advance(60)
    story = await make_story(db, clock.now(), "Новина дня")
    await deliveries.fan_out_story(db, story, clock.now())  # a digest chat: no row
    found = await digests.digest_candidates(db, since, clock.now(), 30)
    built = await digests.build_digest(
        db, clock.now(), since, clock.now(), found, lambda s: "<b>Дайджест</b>", per_message=10
    )
    assert built is not None
    sender.wake()
    await sender.idle()
    assert [(m.chat_id, m.text) for m in tg.sent] == [(1, "<b>Дайджест</b>")]
