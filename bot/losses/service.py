"""STUB (foundation): replaced by the loss-counter work. Keeps the interface the app relies on."""

from __future__ import annotations

from datetime import datetime

import httpx

from bot.clock import Clock
from bot.config import LossesConfig
from storage import Database


class LossService:
    def __init__(
        self, db: Database, http: httpx.AsyncClient, clock: Clock, config: LossesConfig
    ) -> None:
        self._db, self._http, self._clock, self._config = db, http, clock, config

    async def start(self) -> None:
        """Load the last stored snapshot (no network)."""

    async def refresh(self) -> None:
        """Fetch the latest snapshot (primary, then fallback) and store it."""

    async def backfill(self) -> None:
        """Fill in missing days of history on first start."""

    def counter_line(self, now: datetime) -> str | None:
        """The compact counter line for briefs, or None when no snapshot is known."""
        return None
