"""``/healthz``: is the bot doing its job?  Three checks, each named when it fails.

* ``delivery`` — the delivery worker is alive (``DeliveryEngine.alive``: its loops run and
  are not stuck in a crash loop);
* ``database`` — a test write succeeds now (:func:`storage.ops.probe_write`: the write lock,
  a page allocation, rolled back) and the disk holding the file has room left;
* ``sources`` — at least one source was polled successfully within three poll intervals
  (counted from the bot's start at the earliest, so a fresh start is not "unhealthy" before
  its first poll; with no source enabled there is nothing to check).

A write probe that hangs (a lock held by another process waits out the busy timeout) is not
cancelled — cancelling a task inside ``BEGIN IMMEDIATE`` could leave the shared connection in
a transaction — the check reports it as failing after ``write_wait`` seconds and the next
check joins the same probe instead of starting another.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from bot.clock import Clock
from storage import Database
from storage.ops import PollState, poll_state, probe_write

__all__ = ["Check", "HealthChecker", "HealthReport", "delivery_alive", "sources_check"]

MIN_FREE_BYTES = 1 << 20  # less free disk than this beside the database counts as full
POLL_INTERVALS = 3


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class HealthReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failing(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "failing",
            "failing": self.failing,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }


class Liveness(Protocol):
    """What the check needs of the delivery engine."""

    @property
    def alive(self) -> bool: ...


def delivery_alive(delivery: Liveness | None) -> bool:
    return delivery is not None and delivery.alive


def sources_check(
    state: PollState, *, started_at: datetime, now: datetime, poll_seconds: int
) -> Check:
    """Pure: did some source poll successfully within ``POLL_INTERVALS`` poll intervals?"""
    if state.enabled == 0:
        return Check("sources", True, "no source is enabled")
    last = state.last_success_at
    since = started_at if last is None or last < started_at else last
    window = timedelta(seconds=POLL_INTERVALS * poll_seconds)
    age = int((now - since).total_seconds())
    if now - since <= window:
        if last is None or last < started_at:
            return Check("sources", True, f"no successful poll yet, started {age} s ago")
        return Check("sources", True, f"last successful poll {age} s ago")
    when = "never" if last is None else last.isoformat(timespec="seconds")
    return Check(
        "sources",
        False,
        f"no source polled successfully in {POLL_INTERVALS} poll intervals "
        f"({int(window.total_seconds())} s); last success: {when}",
    )


def _free_bytes(path: str) -> int:
    return shutil.disk_usage(path).free


class HealthChecker:
    def __init__(
        self,
        db: Database,
        delivery: Liveness | None,
        clock: Clock,
        *,
        poll_seconds: int,
        database_path: str,
        started_at: datetime,
        write_wait: float = 10.0,
        free_bytes: Callable[[str], int] = _free_bytes,
    ) -> None:
        self._db, self._delivery, self._clock = db, delivery, clock
        self._poll_seconds = poll_seconds
        self._directory = (
            None if database_path == ":memory:" else str(Path(database_path).resolve().parent)
        )
        self._started_at = started_at
        self._write_wait = write_wait
        self._free_bytes = free_bytes
        self._probe: asyncio.Task[None] | None = None

    async def check(self) -> HealthReport:
        delivery = (
            Check("delivery", True, "the delivery worker is running")
            if delivery_alive(self._delivery)
            else Check("delivery", False, "the delivery worker is not running")
        )
        return HealthReport((delivery, await self._database(), await self._sources()))

    async def close(self) -> None:
        """Wait for a probe still running (it is never cancelled: see the module docstring)."""
        if self._probe is not None and not self._probe.done():
            await asyncio.wait({self._probe})

    async def _database(self) -> Check:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(probe_write(self._db))
            self._probe.add_done_callback(_retrieve)
        probe = self._probe
        done, _ = await asyncio.wait({probe}, timeout=self._write_wait)
        if not done:
            return Check("database", False, f"a test write got no answer in {self._write_wait} s")
        error = probe.exception()
        if error is not None:
            return Check("database", False, f"a test write failed: {error}")
        if self._directory is not None:
            free = self._free_bytes(self._directory)
            if free < MIN_FREE_BYTES:
                return Check("database", False, f"disk almost full: {free} bytes free")
        return Check("database", True, "a test write succeeded")

    async def _sources(self) -> Check:
        try:
            state = await poll_state(self._db)
        except Exception as exc:
            return Check("sources", False, f"cannot read the sources: {exc}")
        return sources_check(
            state,
            started_at=self._started_at,
            now=self._clock.now(),
            poll_seconds=self._poll_seconds,
        )


def _retrieve(task: asyncio.Task[None]) -> None:
    """Mark a finished probe's exception as seen (the check reports it)."""
    if not task.cancelled():
        task.exception()
