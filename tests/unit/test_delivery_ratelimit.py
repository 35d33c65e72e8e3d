"""The limiter: pure sliding windows, the budget caps, priorities and per-chat pacing."""

from __future__ import annotations

import asyncio
import math

import pytest

from bot.delivery.ratelimit import (
    PRIORITY_BRIEF,
    PRIORITY_BROADCAST,
    PRIORITY_REPLY,
    Budget,
    SlidingWindow,
    TelegramLimiter,
)


def test_window_allows_count_events_then_waits_for_the_oldest_to_expire() -> None:
    w = SlidingWindow(30)  # 30 in any 1 s
    for i in range(30):
        assert w.wait(10.0 + i * 0.001) == 0.0
        w.record(10.0 + i * 0.001)
    assert w.wait(10.5) == pytest.approx(0.5)
    assert w.wait(11.0) == 0.0  # the first event left the window


def test_per_chat_window_is_one_a_second() -> None:
    w = SlidingWindow(1.0)
    w.record(5.0)
    assert w.wait(5.4) == pytest.approx(0.6)
    assert w.wait(6.0) == 0.0


def test_group_window_is_twenty_a_minute() -> None:
    w = SlidingWindow(20, 60.0)
    for i in range(20):
        w.record(float(i))
    assert w.wait(20.0) == pytest.approx(40.0)  # the first of the 20 expires at 60 s
    assert w.idle_since(200.0)


def test_fractional_rates_keep_the_average() -> None:
    w = SlidingWindow(0.5)  # one every 2 s
    w.record(0.0)
    assert w.wait(1.0) == pytest.approx(1.0)


def test_budget_caps_the_overall_rate_unless_paid() -> None:
    assert Budget.from_config(100, 1, 20, False).overall_per_second == 30
    assert Budget.from_config(100, 1, 20, True).overall_per_second == 100
    assert Budget.from_config(5000, 1, 20, True).overall_per_second == 1000
    assert Budget.from_config(10, 1, 20, False).overall_per_second == 10


async def test_replies_overtake_briefs_and_briefs_overtake_broadcasts() -> None:
    limiter = TelegramLimiter(Budget(overall_per_second=1000, per_chat_per_second=1000))
    order: list[str] = []
    limiter.pause(0.05)  # everything queues behind a 429 pause

    async def send(chat: int, priority: int, name: str) -> None:
        async with limiter.slot(chat, priority):
            order.append(name)

    tasks = [
        asyncio.create_task(send(1, PRIORITY_BROADCAST, "broadcast-1")),
        asyncio.create_task(send(2, PRIORITY_BROADCAST, "broadcast-2")),
        asyncio.create_task(send(3, PRIORITY_BRIEF, "brief")),
        asyncio.create_task(send(4, PRIORITY_REPLY, "reply")),
    ]
    await asyncio.gather(*tasks)
    assert order == ["reply", "brief", "broadcast-1", "broadcast-2"]


async def test_one_chat_is_served_one_message_at_a_time_and_paced() -> None:
    # 1.4/s per chat: one message in any 0.71 s window (1/s would make the test take 1 s).
    limiter = TelegramLimiter(Budget(overall_per_second=1000, per_chat_per_second=1.4))
    loop = asyncio.get_running_loop()
    granted: list[float] = []
    inside = 0

    async def send() -> None:
        nonlocal inside
        async with limiter.slot(7, PRIORITY_BRIEF):
            inside += 1
            assert inside == 1
            granted.append(loop.time())
            await asyncio.sleep(0)
            inside -= 1

    await asyncio.gather(send(), send())
    # The window's own arithmetic (the second grant waited for the first to leave), not speed.
    assert granted[1] - granted[0] >= 1 / 1.4 - 1e-3


async def test_disabled_limits_only_honour_a_429_pause() -> None:
    limiter = TelegramLimiter(Budget(enabled=False))
    async with limiter.slot(1, PRIORITY_BROADCAST):
        pass
    assert limiter.waiting == 0


async def test_cancelled_waiter_does_not_block_the_queue() -> None:
    limiter = TelegramLimiter(Budget(overall_per_second=1000, per_chat_per_second=1000))
    limiter.pause(0.05)
    done: list[int] = []

    async def send(chat: int) -> None:
        async with limiter.slot(chat, PRIORITY_BROADCAST):
            done.append(chat)

    victim = asyncio.create_task(send(1))
    survivor = asyncio.create_task(send(2))
    await asyncio.sleep(0)
    victim.cancel()
    await survivor
    assert done == [2]
    with pytest.raises(asyncio.CancelledError):
        await victim


async def test_busy_chats_are_those_inside_their_window_or_being_sent_to() -> None:
    limiter = TelegramLimiter(
        Budget(overall_per_second=1000, per_chat_per_second=1000, group_per_minute=1)
    )
    assert limiter.chat_wait(5) == 0.0 and limiter.busy_chats() == {}
    async with limiter.slot(-5, PRIORITY_BRIEF):
        assert limiter.chat_wait(-5) == math.inf  # a send to it is under way
    async with limiter.slot(5, PRIORITY_BRIEF):
        pass
    # The group had its one message of the minute; the private chat's 1/1000 s may be over.
    assert 59.0 < limiter.chat_wait(-5) <= 60.0
    assert set(limiter.busy_chats()) <= {-5, 5} and -5 in limiter.busy_chats()
    assert limiter.chat_wait(6) == 0.0


async def test_with_limits_off_only_a_send_under_way_makes_a_chat_busy() -> None:
    limiter = TelegramLimiter(Budget(enabled=False))
    async with limiter.slot(3, PRIORITY_BRIEF):
        assert limiter.busy_chats() == {3: math.inf}
    assert limiter.chat_wait(3) == 0.0 and limiter.busy_chats() == {}
