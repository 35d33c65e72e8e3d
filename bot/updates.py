"""Update processing that keeps one chat from starving the others.

PTB's default processor admits any update into its global slots.  A reply to a chat can go out
only about once a second (Telegram's per-chat limit), so a user who fires 100 commands would
hold every slot while their replies wait for the limiter, and everyone else would wait behind
them.  Here each chat gets one slot at a time: its updates queue in order behind a per-chat
lock *before* they take a working slot, and a chat's backlog beyond ``max_backlog`` is dropped
(logged once per burst) so a flood costs neither memory nor anyone else's latency, and a
shutdown never waits behind a long queue of one chat's paced replies (5 → about 5 s).

PTB's ``process_update`` (final) holds the base class's semaphore around
``do_process_update``; that semaphore is sized as the bound on *admitted* updates, and the
real working limit is a second semaphore taken after the per-chat lock.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


class _ChatQueue:
    __slots__ = ("lock", "waiting", "warned")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0
        self.warned = False


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most one update per chat in flight, ``working`` in all, ``admitted`` waiting."""

    def __init__(self, working: int, *, admitted: int = 4096, max_backlog: int = 5) -> None:
        super().__init__(admitted)
        self._working = asyncio.Semaphore(working)
        self._max_backlog = max_backlog
        self._chats: dict[int, _ChatQueue] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._working:
                await coroutine
            return
        queue = self._chats.setdefault(chat.id, _ChatQueue())
        if queue.waiting >= self._max_backlog:
            if not queue.warned:
                log.warning("chat %s sends faster than it can be answered; dropping", chat.id)
                queue.warned = True
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            return
        queue.waiting += 1
        entered = False
        try:
            async with queue.lock:
                queue.waiting -= 1
                entered = True
                async with self._working:
                    await coroutine
        finally:
            if not entered:  # cancelled while queued: it no longer waits, and never will run
                queue.waiting -= 1
                if inspect.iscoroutine(coroutine):
                    coroutine.close()
            if queue.waiting == 0 and not queue.lock.locked():
                queue.warned = False
                self._chats.pop(chat.id, None)

    @property
    def chats(self) -> int:
        """Chats with an update in flight or queued (the others cost nothing)."""
        return len(self._chats)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
