"""STUB (foundation): replaced by the delivery work. Keeps the interface the app relies on."""

from __future__ import annotations

from telegram import Bot

from bot.clock import Clock
from bot.config import DeliveryConfig
from storage import Database


class DeliveryEngine:
    def __init__(self, db: Database, bot: Bot, clock: Clock, config: DeliveryConfig) -> None:
        self._db, self._bot, self._clock, self._config = db, bot, clock, config

    async def start(self) -> None:
        """Start the worker that drains pending ledger rows (including those left by a crash)."""

    async def stop(self) -> None:
        """Stop the worker; rows in flight finish or stay pending."""

    async def enqueue_brief(self, brief_id: int) -> int:
        """One pending row per active subscriber; returns the number of rows created."""
        return 0
