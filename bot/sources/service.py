"""STUB (foundation): replaced by the sources work. Keeps the interface the app relies on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from bot.briefs.maker import BriefMaker
from bot.clock import Clock
from bot.config import Config
from bot.losses.service import LossService
from storage import Database

OnNewBrief = Callable[[int], Awaitable[object]]


class SourceService:
    def __init__(
        self,
        db: Database,
        http: httpx.AsyncClient,
        clock: Clock,
        config: Config,
        briefs: BriefMaker,
        losses: LossService,
        on_new_brief: OnNewBrief,
    ) -> None:
        self._db, self._http, self._clock, self._config = db, http, clock, config
        self._briefs, self._losses, self._on_new_brief = briefs, losses, on_new_brief

    async def sync_config_sources(self) -> None:
        """Make the stored sources match the config's (admin-added ones are kept)."""

    async def poll_all(self) -> None:
        """One poll cycle over every due source; never raises for one source's failure."""
