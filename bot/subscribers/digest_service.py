"""Digests at their times: which digest is due, what it covers, and handing it to delivery.

The JobQueue calls :meth:`DigestService.run_due` at each of ``digest.times`` (Kyiv time) and
once shortly after start.  Each call looks at the last digest time at or before now (the
*slot*) and builds its digest unless it exists (storage keys digests by slot, in one
transaction with the fan-out): so a restart never sends one twice, and one missed while the
bot was down is sent when it comes back — within :data:`CATCH_UP` of its time; later, its
stories go into the next digest instead.

What a digest covers: the stories handed to delivery (or become top) since the previous
digest was built, up to the moment this one is built, most important first.  The first digest
ever, and one whose previous digest is over :data:`MAX_SPAN` old, start at the digest time
before theirs.  Every chat in mode «Дайджест» gets the same digest (a chat that switched to
it an hour ago too), except where its own words and sources leave stories out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import KYIV, Clock
from bot.subscribers.digest import DigestRenderer
from bot.subscribers.times import DigestTimes
from storage import Database, digests
from storage.digests import BuiltDigest

__all__ = ["CANDIDATES", "CATCH_UP", "MAX_SPAN", "PER_DIGEST", "DigestService"]

log = logging.getLogger(__name__)

PER_DIGEST = 10  # stories in one digest
CANDIDATES = 30  # stories considered, so a chat that mutes some still gets up to ten
CATCH_UP = timedelta(hours=3)  # a digest missed while the bot was down is sent this late at most
MAX_SPAN = timedelta(hours=24)  # a previous digest older than this is not where one starts


class CounterLine(Protocol):
    def counter_line(self, now: datetime) -> str | None: ...


class DigestService:
    """See the module docstring.  ``wake`` tells delivery that rows are waiting."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        times: DigestTimes,
        losses: CounterLine,
        wake: Callable[[], None],
    ) -> None:
        self._db, self._clock, self.times = db, clock, times
        self._losses, self._wake = losses, wake

    async def run_due(self) -> BuiltDigest | None:
        """Build the digest of the latest digest time, unless it exists or is too late."""
        now = self._clock.now()
        slot = self.times.latest(now)
        if await digests.get_digest(self._db, slot) is not None:
            log.debug("digest of %s was built already", f"{slot.astimezone(KYIV):%d.%m %H:%M}")
            return None
        if now - slot > CATCH_UP:
            log.info(
                "digest of %s missed while the bot was down; its stories go into the next one",
                f"{slot.astimezone(KYIV):%d.%m %H:%M}",
            )
            return None
        return await self.build(slot, now)

    async def build(self, slot: datetime, now: datetime) -> BuiltDigest | None:
        """The digest of ``slot`` as of ``now`` (None if it was built meanwhile)."""
        started = time.perf_counter()
        previous = await digests.previous_digest(self._db, slot)
        since = self.times.previous(slot)
        if previous is not None and previous.until_at >= now - MAX_SPAN:
            since = previous.until_at
        found = await digests.digest_candidates(
            self._db, since, now, CANDIDATES, after=previous.id if previous else None
        )
        render = DigestRenderer(since, now, self._losses.counter_line(now))
        built = await digests.build_digest(
            self._db,
            slot,
            since,
            now,
            found,
            render,
            per_message=PER_DIGEST,
            expires_at=self.times.next(now),  # then a newer digest is due
        )
        if built is None:
            return None
        log.info(
            "digest of %s built in %.2f s: %d stories, %d chats, %d variants",
            f"{slot.astimezone(KYIV):%d.%m %H:%M}",
            time.perf_counter() - started,
            min(built.stories, PER_DIGEST),
            built.recipients,
            built.variants,
        )
        if built.recipients:
            self._wake()
        return built
