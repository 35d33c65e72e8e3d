"""The delivery engine reports to the bot's metrics: sends by kind and outcome, each 429 once
with the time all sending stood still, and the lag from a story's first sighting (a
broadcast's press) to each message sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram.ext import ExtBot

from bot.clock import ManualClock
from bot.delivery.engine import DeliveryEngine, limiter_for
from bot.fakes.telegram import FakeTelegram
from bot.ops.metrics import Metrics
from storage import Database, broadcasts, chats
from tests.integration.delivery_support import FAST, make_brief, subscribe, tg

__all__ = ["tg"]  # fixture


class Wired:
    """An engine on a bot whose limiter reports to ``metrics``, as the composition root wires
    them."""

    def __init__(self, db: Database, clock: ManualClock, tg: FakeTelegram) -> None:
        self.db, self.clock, self.tg = db, clock, tg
        self.metrics = Metrics()
        self.bot: ExtBot[None] = ExtBot(
            tg.token, base_url=tg.base_url, rate_limiter=limiter_for(FAST, self.metrics)
        )
        self.engine = DeliveryEngine(db, self.bot, clock, FAST, metrics=self.metrics)

    def value(self, name: str, **labels: str) -> float:
        found = self.metrics.registry.get_sample_value(name, labels)
        return 0.0 if found is None else found


@pytest.fixture
async def wired(db: Database, clock: ManualClock, tg: FakeTelegram) -> AsyncIterator[Wired]:
    w = Wired(db, clock, tg)
    await w.bot.initialize()
    await w.engine.start()
    try:
        yield w
    finally:
        await w.engine.stop()
        await w.bot.shutdown()


async def test_sends_are_counted_by_kind_and_outcome(wired: Wired) -> None:
    await subscribe(wired.db, wired.clock, [1, 2, 3])
    wired.tg.block(3)
    story = await make_brief(wired.db, wired.clock)
    assert wired.value("newsbot_sends_total", kind="story", outcome="sent") == 0

    await wired.engine.enqueue_story(story)
    await wired.engine.idle()

    assert wired.value("newsbot_sends_total", kind="story", outcome="sent") == 2
    assert wired.value("newsbot_sends_total", kind="story", outcome="blocked") == 1
    assert wired.value("newsbot_telegram_429_total") == 0


async def test_lag_counts_from_a_storys_first_sighting_and_a_broadcasts_press(
    wired: Wired,
) -> None:
    await subscribe(wired.db, wired.clock, [1, 2])
    story = await make_brief(wired.db, wired.clock)  # first seen now
    wired.clock.advance(timedelta(minutes=2))  # handed to delivery two minutes later
    await wired.engine.enqueue_story(story)
    await wired.engine.idle()
    assert wired.value("newsbot_delivery_lag_seconds_count", kind="story") == 2
    assert wired.value("newsbot_delivery_lag_seconds_sum", kind="story") == 240.0
    assert wired.value("newsbot_delivery_lag_seconds_bucket", kind="story", le="120.0") == 2
    assert wired.value("newsbot_delivery_lag_seconds_bucket", kind="story", le="60.0") == 0

    draft = await broadcasts.create_broadcast(wired.db, 1001, "Оголошення", wired.clock.now())
    wired.clock.advance(timedelta(hours=1))  # the draft waited; the press starts the lag
    await chats.subscribe(wired.db, 1001, "private", "admin", wired.clock.now())
    assert await wired.engine.start_broadcast(draft, 1001, 1) == 3
    wired.clock.advance(timedelta(seconds=5))
    await wired.engine.idle()
    assert wired.value("newsbot_delivery_lag_seconds_count", kind="broadcast") == 3
    assert wired.value("newsbot_delivery_lag_seconds_sum", kind="broadcast") == 15.0


async def test_a_429_is_counted_once_with_the_time_paused(wired: Wired) -> None:
    await subscribe(wired.db, wired.clock, [1])
    story = await make_brief(wired.db, wired.clock)
    wired.tg.fail_next("sendMessage", 429, parameters={"retry_after": 1})

    await wired.engine.enqueue_story(story)
    await wired.engine.idle()

    assert [m.chat_id for m in wired.tg.sent] == [1]  # waited, then sent
    assert wired.value("newsbot_telegram_429_total") == 1
    paused = wired.value("newsbot_paused_seconds_total")
    assert 0.9 < paused <= 1.0
    assert wired.value("newsbot_sends_total", kind="story", outcome="sent") == 1


async def test_pauses_that_overlap_count_the_seconds_once(wired: Wired) -> None:
    limiter = wired.engine.limiter
    limiter.flood_control(2.0)
    limiter.flood_control(1.0)  # inside the first pause: nothing more stands still
    limiter.flood_control(3.0)  # one more second beyond the first
    assert wired.value("newsbot_telegram_429_total") == 3
    assert 2.99 < wired.value("newsbot_paused_seconds_total") < 3.1  # + the time between calls
