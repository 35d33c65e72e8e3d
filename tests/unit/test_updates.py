"""PerChatUpdateProcessor: one update per chat at a time, others unaffected, floods dropped."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.updates import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat, text="/latest"))  # type: ignore[arg-type]


async def test_one_chat_is_serialised_and_another_chat_is_not_blocked() -> None:
    processor = PerChatUpdateProcessor(4, max_backlog=3)
    release = asyncio.Event()
    order: list[tuple[int, int]] = []

    async def handle(chat_id: int, n: int, *, block: bool) -> None:
        order.append((chat_id, n))
        if block:
            await release.wait()

    busy = [
        asyncio.create_task(processor.process_update(_update(n, 1), handle(1, n, block=True)))
        for n in range(3)
    ]
    await asyncio.sleep(0)  # let the first update of chat 1 start
    await asyncio.wait_for(processor.process_update(_update(9, 2), handle(2, 9, block=False)), 1)
    assert order == [(1, 0), (2, 9)]  # chat 2 went ahead while chat 1's backlog waits
    release.set()
    await asyncio.gather(*busy)
    assert [n for chat, n in order if chat == 1] == [0, 1, 2]  # in order, one at a time


async def test_a_backlog_beyond_the_limit_is_dropped_without_warnings() -> None:
    processor = PerChatUpdateProcessor(4, max_backlog=2)
    release = asyncio.Event()
    handled: list[int] = []

    async def handle(n: int) -> None:
        handled.append(n)
        await release.wait()

    tasks = [
        asyncio.create_task(processor.process_update(_update(n, 7), handle(n))) for n in range(6)
    ]
    for _ in range(3):
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)
    assert handled == [0, 1, 2]  # one running, two waiting, the rest dropped (coroutines closed)


async def test_chats_are_forgotten_once_their_updates_are_done() -> None:
    processor = PerChatUpdateProcessor(16)

    async def handle() -> None:
        await asyncio.sleep(0)

    await asyncio.gather(
        *(processor.process_update(_update(n, 100_000 + n), handle()) for n in range(5000))
    )
    assert processor.chats == 0


async def test_an_update_cancelled_while_queued_leaves_nothing_behind() -> None:
    processor = PerChatUpdateProcessor(4, max_backlog=1)
    release = asyncio.Event()
    handled: list[int] = []

    async def handle(n: int) -> None:
        handled.append(n)
        await release.wait()

    running = asyncio.create_task(processor.process_update(_update(1, 5), handle(1)))
    await asyncio.sleep(0)
    queued = asyncio.create_task(processor.process_update(_update(2, 5), handle(2)))
    await asyncio.sleep(0)
    queued.cancel()  # e.g. at shutdown
    await asyncio.gather(queued, return_exceptions=True)
    release.set()
    await running
    assert handled == [1]
    assert processor.chats == 0  # before: the chat's queue stayed, counting a waiter forever
    # ... and the chat is not taken for a flood: its next update is handled.
    await asyncio.wait_for(processor.process_update(_update(3, 5), handle(3)), 1)
    assert handled == [1, 3]
