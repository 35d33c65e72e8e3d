"""Broadcast progress as the admin sees it: the text (pure) and the edits of the message."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot import texts
from bot.clock import Clock
from bot.delivery.ratelimit import PRIORITY_REPLY, TelegramLimiter
from bot.uk import group_digits
from storage import Database, broadcasts, deliveries
from storage.deliveries import DeliveryCounts

log = logging.getLogger(__name__)


def _sent(counts: DeliveryCounts) -> str:
    return texts.BROADCAST_SENT.format(
        sent=group_digits(counts.sent), total=group_digits(counts.total)
    )


def progress_text(counts: DeliveryCounts) -> str:
    """'Розсилка триває…\nНадіслано: 1 200 з 3 000' (punctuated as the summary is)."""
    return "\n".join([texts.BROADCAST_IN_PROGRESS, _sent(counts)])


def summary_text(counts: DeliveryCounts) -> str:
    """The final edit: sent, blocked (or unreachable) and failed."""
    lines = [
        texts.BROADCAST_DONE,
        _sent(counts),
        texts.BROADCAST_SKIPPED.format(skipped=group_digits(counts.skipped)),
        texts.BROADCAST_FAILED.format(failed=group_digits(counts.failed)),
    ]
    if counts.unknown:
        lines.append(texts.BROADCAST_UNKNOWN.format(unknown=group_digits(counts.unknown)))
    return "\n".join(lines)


class ProgressReporter:
    """Edits each running broadcast's progress message, and finishes the broadcast at the end.

    One report at a time (a lock): a late edit with an older text never overwrites the summary.
    """

    def __init__(
        self, db: Database, bot: Bot, clock: Clock, limiter: TelegramLimiter, *, through_bot: bool
    ) -> None:
        self._db, self._bot, self._clock, self._limiter = db, bot, clock, limiter
        self._through_bot = through_bot  # the bot calls the limiter itself
        self._lock = asyncio.Lock()
        self._shown: dict[int, str] = {}

    async def report(self) -> None:
        async with self._lock:
            for bc in await broadcasts.sending_broadcasts(self._db):
                await self._report(bc)

    async def _report(self, bc: broadcasts.Broadcast) -> None:
        counts = await deliveries.broadcast_counts(self._db, bc.id)
        done = counts.pending == 0
        if done:
            await broadcasts.finish_broadcast(self._db, bc.id, self._clock.now())
            log.info("broadcast %d done: %s", bc.id, counts)
        text = summary_text(counts) if done else progress_text(counts)
        if bc.progress_chat_id is None or bc.progress_message_id is None:
            return
        if self._shown.get(bc.id) == text:
            return
        await self._edit(bc.progress_chat_id, bc.progress_message_id, text)
        if done:
            self._shown.pop(bc.id, None)
        else:
            self._shown[bc.id] = text

    async def _edit(self, chat_id: int, message_id: int, text: str) -> None:
        try:
            if self._through_bot:
                limit: dict[str, Any] = {"rate_limit_args": {"priority": PRIORITY_REPLY}}
                await self._bot.edit_message_text(text, chat_id, message_id, **limit)
            else:
                async with self._limiter.slot(chat_id, PRIORITY_REPLY):
                    await self._bot.edit_message_text(text, chat_id, message_id)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("cannot edit progress message: %s", exc.message)
        except TelegramError as exc:
            log.warning("cannot edit progress message: %s", exc.message)
