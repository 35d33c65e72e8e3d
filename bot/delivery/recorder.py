"""Writing send outcomes to the ledger: group commit, and never losing one.

A send's outcome (sent, failed, retry …) is what keeps its row from being sent again, so an
outcome that cannot be written (disk full, read-only volume, a lock held past the busy
timeout) is not dropped: it stays in memory and the write is retried with a backoff (0.5 s
doubling to 30 s) until it goes through.  Meanwhile :attr:`Recorder.writable` is cleared and
the dispatcher takes no new row, so while the process lives nothing is sent twice however long
the disk stays full, and at most ``concurrency`` sends (those already in flight) wait in
memory.  The pause and the resume are logged once each, not once per attempt.

Outcomes that arrive while a commit runs go into the next one (group commit).  A caller of
:meth:`Recorder.record` waits until its outcome is written; the engine holds the send's
concurrency slot meanwhile, which is also what bounds re-sends after a crash.
"""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from bot.supervise import Supervisor
from storage import Database, deliveries
from storage.db import unavailable
from storage.deliveries import Outcome

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0


class Recorder:
    """See the module docstring.  ``start``/``close`` bracket its life."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        first_retry: float = FIRST_RETRY_SECONDS,
        max_retry: float = MAX_RETRY_SECONDS,
    ) -> None:
        self._db, self._clock = db, clock
        self._first_retry, self._max_retry = first_retry, max_retry
        self._delay = first_retry
        self._queue: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._arrived = asyncio.Event()
        self.writable = asyncio.Event()
        self.writable.set()
        self.commits = 0
        self.failed_writes = 0  # attempts that failed, over the recorder's life
        self.loop = Supervisor("delivery-recorder", self._step)

    @property
    def unwritten(self) -> int:
        """Outcomes waiting to be written."""
        return len(self._queue)

    def start(self) -> None:
        self.loop.start()

    async def record(self, outcome: Outcome) -> None:
        """Return once ``outcome`` is in the ledger (however long that takes)."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, fut))
        self._arrived.set()
        await fut

    async def close(self) -> None:
        """Stop the loop, then one last try to write what is left; never raises."""
        await self.loop.stop()
        if self._queue and not await self._write(len(self._queue)):
            log.warning(
                "%d delivery outcome(s) could not be written before shutdown; those messages "
                "may be sent again after the restart",
                len(self._queue),
            )
        for _, fut in self._queue:
            fut.cancel()
        self._queue.clear()

    async def _step(self) -> None:
        await self._arrived.wait()
        if await self._write(len(self._queue)):
            self._delay = self._first_retry
            return
        await asyncio.sleep(self._delay)
        self._delay = min(self._max_retry, self._delay * 2)

    async def _write(self, n: int) -> bool:
        """Write the first ``n`` outcomes in one transaction; False (kept) if that failed."""
        batch = self._queue[:n]
        try:
            await deliveries.record_outcomes(self._db, [o for o, _ in batch], self._clock.now())
        except Exception as exc:
            self.failed_writes += 1
            self._paused(exc)
            return False
        del self._queue[:n]
        if not self._queue:
            self._arrived.clear()
        self.commits += 1
        for _, fut in batch:
            if not fut.done():
                fut.set_result(None)
        if not self.writable.is_set():
            log.info("delivery resumed: the waiting outcomes are written")
            self.writable.set()
        return True

    def _paused(self, exc: Exception) -> None:
        if not self.writable.is_set():
            return  # already said
        self.writable.clear()
        n = len(self._queue)
        if unavailable(exc) is not None:  # the database has logged why, once
            log.warning(
                "delivery paused: %d outcome(s) kept in memory until the database is writable", n
            )
        else:
            log.error("cannot record %d delivery outcome(s); delivery paused", n, exc_info=exc)
