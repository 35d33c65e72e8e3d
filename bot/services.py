"""The services every handler and job uses, built and torn down by the composition root."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from bot.briefs.lemmas import Lemmatizer
from bot.briefs.maker import BriefMaker
from bot.clock import Clock
from bot.config import Config
from bot.delivery.engine import DeliveryEngine
from bot.losses.service import LossService
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer
from bot.pipeline.stories import StoryDesk
from bot.sources.service import SourceService
from bot.subscribers.digest_service import DigestService
from storage import Database

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    config: Config
    clock: Clock
    db: Database
    http: httpx.AsyncClient
    losses: LossService
    briefs: BriefMaker
    sources: SourceService
    delivery: DeliveryEngine
    metrics: Metrics
    stories: StoryDesk  # the story index, rebuilt at start
    digests: DigestService
    lemmatizer: Lemmatizer  # one dictionary for summaries, stories and /follow, /mute
    ops: OpsServer | None = None  # /metrics and /healthz, when [ops] listen is set

    async def close(self) -> None:
        """Stop background work first, then release the network client and the database.

        Each step runs even if an earlier one failed (that failure is logged): a stuck
        delivery engine must not keep the database open.  Never raises.
        """
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            *([("ops server", self.ops.stop)] if self.ops is not None else []),
            ("delivery engine", self.delivery.stop),
            ("HTTP client", self.http.aclose),
            ("database", self.db.close),
        ]
        for what, close in steps:
            try:
                await close()
            except Exception:
                log.exception("closing the %s failed", what)
