"""Supervised loops and jobs: a failure is logged once, the loop restarts, stop never raises."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.supervise import CRASH_LOOP, Supervisor, supervised_job
from storage import StorageUnavailable


class _Flaky:
    """A loop step that raises the queued errors, then succeeds and counts."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.good = 0
        self.done = asyncio.Event()

    async def step(self) -> None:
        await asyncio.sleep(0)
        if self.errors:
            raise self.errors.pop(0)
        self.good += 1
        if self.good >= 3:
            self.done.set()
            await asyncio.Event().wait()  # the loop's next wait


async def test_a_crash_is_logged_once_with_its_traceback_and_the_loop_restarts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.supervise")
    boom = RuntimeError("boom")
    flaky = _Flaky(boom, RuntimeError("boom"), RuntimeError("boom"), KeyError("other"))
    loop = Supervisor("worker", flaky.step, first_backoff=0.001, max_backoff=0.004)
    loop.start()
    async with asyncio.timeout(5):
        await flaky.done.wait()
    assert loop.alive and loop.failures == 0
    await loop.stop()
    assert not loop.running
    records = [(r.levelno, r.getMessage(), r.exc_info) for r in caplog.records]
    failed = [r for r in records if "failed" in r[1]]
    # The same error three times in a row: one line; a different one: one more.
    assert [r[1].split(";")[0] for r in failed] == ["worker failed", "worker failed"]
    assert all(level == logging.ERROR and info is not None for level, _, info in failed)
    assert failed[0][2] is not None and failed[0][2][1] is boom
    assert [r[1] for r in records if "again after" in r[1]] == [
        "worker running again after 4 failure(s)"
    ]


async def test_a_crash_loop_is_not_alive_and_stop_never_raises() -> None:
    calls = 0
    looping = asyncio.Event()

    async def always() -> None:
        nonlocal calls
        calls += 1
        if calls > CRASH_LOOP:  # CRASH_LOOP failures are behind us
            looping.set()
        await asyncio.sleep(0)
        raise RuntimeError("broken for good")

    loop = Supervisor("broken", always, first_backoff=0.001, max_backoff=0.002)
    loop.start()
    async with asyncio.timeout(5):
        await looping.wait()
    assert loop.failures >= CRASH_LOOP
    assert loop.running and not loop.alive
    await loop.stop()  # nothing raised
    assert not loop.alive


async def test_stop_cancels_again_a_step_that_swallowed_the_cancellation() -> None:
    entered = asyncio.Event()

    async def stubborn() -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.Event().wait()  # swallowed once (as some library code does)

    loop = Supervisor("stubborn", stubborn)
    loop.start()
    await entered.wait()
    async with asyncio.timeout(5):
        await loop.stop()
    assert not loop.running


async def test_a_job_logs_a_failure_once_per_change_of_state(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.supervise")
    outcomes: list[Exception | None] = [
        StorageUnavailable("database or disk is full"),
        StorageUnavailable("database or disk is full"),
        None,
        ValueError("bug"),
    ]

    async def job(_: object) -> None:
        if (error := outcomes.pop(0)) is not None:
            raise error

    run = supervised_job("poll-sources", job)
    for _ in range(4):
        await run(None)  # never raises
    lines = [(r.getMessage(), r.exc_info is not None) for r in caplog.records]
    assert lines == [
        (
            "poll-sources: database not writable (database or disk is full); "
            "will run again on schedule",
            False,  # an expected fault: one plain line
        ),
        ("poll-sources running again after 2 failure(s)", False),
        ("poll-sources failed; will run again on schedule", True),
    ]
