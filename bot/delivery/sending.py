"""One ledger row to Telegram, and what became of it as an :class:`~storage.deliveries.Outcome`.

Every decision about a failed send is :func:`bot.delivery.policy.decide`'s; this module carries
it out: waits out a 429, follows a group to its supergroup, and logs what needs a human (a 400
is a bug, a timeout may have been delivered).
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest

from bot.clock import Clock
from bot.config import DeliveryConfig
from bot.delivery.policy import Action, backoff_delay, decide
from bot.delivery.ratelimit import PRIORITY_LEDGER, TelegramLimiter
from bot.subscribers.times import QuietHours
from storage import Database, chats
from storage.db import unavailable
from storage.deliveries import Outcome, PendingDelivery

log = logging.getLogger(__name__)

MAX_MIGRATIONS = 3


class RowSender:
    """Sends ledger rows through a bot (see :meth:`use`) under the shared limiter."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: DeliveryConfig,
        limiter: TelegramLimiter,
        send_timeout: float,
        quiet_hours: QuietHours | None = None,
    ) -> None:
        self._db, self._clock, self._config = db, clock, config
        self._limiter, self._send_timeout = limiter, send_timeout
        self._quiet_hours = quiet_hours  # chats with quiet hours on get silent sends in it
        self._bot: Bot | None = None
        self._through = False

    def use(self, bot: Bot, *, through_bot: bool) -> None:
        """Send with ``bot``; ``through_bot``: the bot calls the limiter itself."""
        self._bot, self._through = bot, through_bot

    def unexpected(self, row: PendingDelivery, exc: Exception) -> Outcome:
        """No send was confirmed: try the row again after a backoff, never at once."""
        delay = backoff_delay(row.attempts + 1)
        if unavailable(exc) is not None:
            log.warning("delivery %d: database not writable (%s); retry later", row.id, exc)
        else:
            log.error("delivery %d to %d: unexpected error", row.id, row.chat_id, exc_info=exc)
        retry_at = self._clock.now() + timedelta(seconds=delay)
        return Outcome(row.id, row.chat_id, "retry", error=repr(exc)[:300], not_before=retry_at)

    async def send(self, row: PendingDelivery) -> Outcome:
        """Send ``row`` (following 429s and group migrations) and say what became of it."""
        chat_id, attempts, migrations = row.chat_id, row.attempts, 0
        while True:
            try:
                message = await self._send(chat_id, row)
            except Exception as exc:
                verdict = decide(exc, attempts + 1, self._config.max_attempts)
                error = exc
            else:
                return Outcome(row.id, chat_id, "sent", message_id=message.message_id)
            if verdict.action is Action.WAIT:
                self._limiter.pause(verdict.delay)
                continue
            if verdict.action is Action.MIGRATE and verdict.new_chat_id is not None:
                migrations += 1
                if migrations > MAX_MIGRATIONS:
                    return Outcome(row.id, chat_id, "failed", error=verdict.reason)
                new_id = verdict.new_chat_id
                moved = await chats.migrate_chat(
                    self._db, chat_id, new_id, self._clock.now(), delivery_id=row.id
                )
                log.info("chat %d migrated to %d", chat_id, new_id)
                if not moved:  # the new chat has this message already (or wants no more)
                    reason = f"chat migrated to {new_id}, which has it already"
                    return Outcome(row.id, chat_id, "skipped", error=reason)
                chat_id = new_id
                continue
            attempts += 1
            if verdict.action is Action.BLOCK:
                return Outcome(row.id, chat_id, "blocked", error=verdict.reason)
            if verdict.action is Action.GONE:
                return Outcome(row.id, chat_id, "gone", error=verdict.reason)
            if verdict.action is Action.UNKNOWN:
                log.warning(
                    "delivery %d to %d: no answer from Telegram in %.0f s; not sent again "
                    "(it may have arrived)",
                    row.id,
                    chat_id,
                    self._send_timeout,
                )
                return Outcome(row.id, chat_id, "unknown", error=verdict.reason)
            if verdict.action is Action.RETRY:
                log.info("delivery %d: %s; retry in %.0f s", row.id, verdict.reason, verdict.delay)
                retry_at = self._clock.now() + timedelta(seconds=verdict.delay)
                return Outcome(row.id, chat_id, "retry", error=verdict.reason, not_before=retry_at)
            if isinstance(error, BadRequest):
                log.error(
                    "bug: Telegram rejected sendMessage for delivery %d to %d: %s",
                    row.id,
                    chat_id,
                    error.message,
                    exc_info=error,
                )
            else:
                log.warning("delivery %d to %d failed: %s", row.id, chat_id, verdict.reason)
            return Outcome(row.id, chat_id, "failed", error=verdict.reason)

    async def _send(self, chat_id: int, row: PendingDelivery) -> Message:
        assert self._bot is not None, "use() a bot first"
        if row.story_html is not None:
            text = row.story_html
        else:
            text = html.escape(row.broadcast_text or "", quote=False)
        kwargs: dict[str, Any] = {
            "parse_mode": "HTML",
            "read_timeout": self._send_timeout,
            "write_timeout": self._send_timeout,
        }
        if row.quiet and self._quiet_hours and self._quiet_hours.contains(self._clock.now()):
            kwargs["disable_notification"] = True  # arrives without a sound
        if self._config.allow_paid_broadcast:
            kwargs["allow_paid_broadcast"] = True
        # Every ledger row has the same place in the limiter's queue: the kinds' shares are
        # the dispatcher's (queue.py); replies to commands still go first.
        if self._through:
            kwargs["rate_limit_args"] = {"priority": PRIORITY_LEDGER, "retry": False}
            return await self._bot.send_message(chat_id, text, **kwargs)
        async with self._limiter.slot(chat_id, PRIORITY_LEDGER):
            return await self._bot.send_message(chat_id, text, **kwargs)
