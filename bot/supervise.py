"""Long-lived loops that cannot die silently.

A :class:`Supervisor` runs one *step* of a loop again and again.  When a step raises, the
error is logged once — with its traceback, unless it is an expected passing fault such as a
full disk (:class:`~storage.StorageUnavailable`), which gets one plain line — and the step is
restarted after a short backoff that doubles up to a cap.  The same error repeating is not
logged again; the first good step after a failure is ("… running again").  :meth:`stop` cancels
the loop and never raises, so shutdown always goes on to close what it must.

:func:`supervised_job` does the same for a job the scheduler runs on its own timetable: the
timetable is the restart, so it only keeps the logging to one line per change of state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from storage import StorageUnavailable

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
CRASH_LOOP = 3  # consecutive failed steps after which a loop no longer counts as alive
STOP_RECHECK_SECONDS = 1.0

T = TypeVar("T")


class _FaultLog:
    """Logs a failure when it is new (first, or different from the last) and the recovery."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.failures = 0
        self._last: tuple[type[BaseException], str] | None = None

    def failed(self, exc: BaseException, then: str) -> None:
        self.failures += 1
        key = (type(exc), str(exc))
        if key == self._last:
            return
        self._last = key
        if isinstance(exc, StorageUnavailable):
            log.warning("%s: database not writable (%s); %s", self.name, exc, then)
        else:
            log.error("%s failed; %s", self.name, then, exc_info=exc)

    def succeeded(self) -> None:
        if self.failures:
            log.info("%s running again after %d failure(s)", self.name, self.failures)
        self.failures = 0
        self._last = None


class Supervisor:
    """Run ``step`` forever in a task named ``name``; restart it after an error (see module)."""

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[None]],
        *,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
        max_backoff: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self.name = name
        self._step = step
        self._first, self._max = first_backoff, max_backoff
        self._faults = _FaultLog(name)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop and wait for it; never raises (shutdown must go on).

        A step that swallowed the cancellation (some library code does) is cancelled again.
        """
        task, self._task = self._task, None
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_RECHECK_SECONDS)
        if task is not None and not task.cancelled() and task.exception() is not None:
            log.error("%s ended with an error", self.name, exc_info=task.exception())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def failures(self) -> int:
        """Consecutive failed steps (0 once a step succeeds)."""
        return self._faults.failures

    @property
    def alive(self) -> bool:
        """Running and not in a crash loop (fewer than CRASH_LOOP failed steps in a row)."""
        return self.running and self._faults.failures < CRASH_LOOP

    async def _run(self) -> None:
        delay = self._first
        while True:
            try:
                await self._step()
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # we are being stopped
                self._faults.failed(
                    RuntimeError("a step was cancelled from inside"), f"again in {delay:.1f} s"
                )
            except Exception as exc:
                self._faults.failed(exc, f"again in {delay:.1f} s")
            else:
                self._faults.succeeded()
                delay = self._first
                continue
            await asyncio.sleep(delay)
            delay = min(self._max, delay * 2)


def supervised_job(
    name: str, job: Callable[[T], Awaitable[None]]
) -> Callable[[T], Coroutine[Any, Any, None]]:
    """``job`` for a scheduler: errors logged once per change of state, never raised.

    The scheduler's timetable restarts it; a repeating job that keeps failing costs one log
    line, not one per run.
    """
    faults = _FaultLog(name)

    async def run(context: T) -> None:
        try:
            await job(context)
        except Exception as exc:
            faults.failed(exc, "will run again on schedule")
        else:
            faults.succeeded()

    return run
