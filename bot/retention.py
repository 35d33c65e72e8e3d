"""Bounded growth: once a day (and once shortly after start) what is older than
``storage.keep_days`` is deleted — finished ledger rows, stories with their briefs, articles
no longer in their feeds, finished broadcasts, digests (see :mod:`storage.retention`).

Kept whatever their age: pending ledger rows, the newest :data:`LATEST_KEPT` stories (/latest),
everything /stats counts for today, the identity of every item still in its feed, loss
snapshots (/losses shows any past date), chats, their settings and the sources.

SQLite reuses the pages it frees, so the database file stops growing once it holds
``keep_days`` of news; it is never VACUUMed while the bot runs (that would rewrite the whole
file under one lock).  ``auto_vacuum`` stays off: shrinking the file each night only for the
next day's rows to grow it again costs page moves under the write lock and gains nothing.
"""

from __future__ import annotations

import logging
import time as timer
from collections.abc import Callable, Coroutine
from datetime import datetime, time, timedelta
from typing import Any

from bot.clock import KYIV, Clock
from bot.supervise import supervised_job
from bot.uk import kyiv_today
from storage import Database, retention
from storage.retention import BATCH, Pruned

__all__ = ["AFTER_START_SECONDS", "DAILY_AT", "LATEST_KEPT", "Retention", "cutoff", "prune_job"]

log = logging.getLogger(__name__)

LATEST_KEPT = 10  # /latest shows at most this many stories (handlers.latest.MAX_COUNT)
DAILY_AT = time(3, 30)  # Kyiv time: the quietest hour for the ledger
AFTER_START_SECONDS = 60.0  # the first run, once the bot is up


def cutoff(now: datetime, keep_days: int, story_window: timedelta) -> datetime:
    """What is older than this goes: ``keep_days`` before ``now``, but never later than the
    start of today in Kyiv (/stats counts today: with keep_days = 1 on the 25-hour day that
    ends summer time, a day back is still today) nor within the story window (a story still
    open to new reports keeps its ledger rows: a chat never gets it twice)."""
    midnight = datetime.combine(kyiv_today(now), time(0, 0), tzinfo=KYIV)
    return min(now - timedelta(days=keep_days), midnight, now - story_window)


class Retention:
    """Runs :func:`storage.retention.prune` with the cutoff of the moment, and logs one line."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        keep_days: int,
        story_window: timedelta,
        *,
        batch: int = BATCH,
    ) -> None:
        self._db, self._clock = db, clock
        self.keep_days, self._window, self._batch = keep_days, story_window, batch

    async def run(self) -> Pruned:
        """Prune once; a failed write (:class:`~storage.StorageUnavailable`) is raised to the
        job's supervisor, which logs it once; what was deleted before it stays deleted."""
        started = timer.perf_counter()
        before = cutoff(self._clock.now(), self.keep_days, self._window)
        pruned = await retention.prune(self._db, before, keep_latest=LATEST_KEPT, batch=self._batch)
        log.info(
            "pruned %d ledger rows, %d stories (%d briefs), %d articles, %d broadcasts,"
            " %d digests (%d messages) older than %d days in %.1f s"
            " (%d transactions, the longest %.0f ms)",
            pruned.ledger,
            pruned.stories,
            pruned.briefs,
            pruned.articles,
            pruned.broadcasts,
            pruned.digests,
            pruned.digest_messages,
            self.keep_days,
            timer.perf_counter() - started,
            pruned.transactions,
            pruned.longest_seconds * 1000,
        )
        return pruned


def prune_job(retention: Retention) -> Callable[[object], Coroutine[Any, Any, None]]:
    """The scheduler's job: a failure (a full disk, say) is logged once, not once a run, and
    the first good run after it says so (:func:`bot.supervise.supervised_job`)."""

    async def prune(_: object) -> None:
        await retention.run()

    return supervised_job("prune", prune)
