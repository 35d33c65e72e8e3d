"""Waiting for Telegram at start: capped backoff, one line per attempt, a rejected token ends
the wait (the sleeps are recorded, not slept)."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta

import pytest
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.startup import TOKEN_REJECTED, TokenRejected, quiet_startup_failures, wait_for_telegram


class Probe:
    """getMe that fails with the given errors in turn, then answers."""

    def __init__(self, *errors: TelegramError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> object:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"id": 1}


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_backoff_doubles_from_two_seconds_up_to_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.startup")
    probe = Probe(*[NetworkError("httpx.ConnectError: connection refused")] * 8)
    sleeps = Sleeps()
    assert await wait_for_telegram(probe, sleep=sleeps) == 9
    assert sleeps.slept == [2, 4, 8, 16, 32, 60, 60, 60]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 9  # one per failed attempt, one when it answers
    assert lines[0] == (
        "Telegram is not reachable yet (attempt 1: httpx.ConnectError: connection refused); "
        "next try in 2 s"
    )
    assert lines[-1] == "Telegram answered on attempt 9"
    assert not any(r.exc_info for r in caplog.records)


async def test_an_answer_at_once_waits_for_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.startup")
    sleeps = Sleeps()
    assert await wait_for_telegram(Probe(), sleep=sleeps) == 1
    assert sleeps.slept == [] and caplog.records == []


async def test_a_rejected_token_ends_the_wait() -> None:
    probe = Probe(TimedOut(), InvalidToken("Unauthorized"))
    with pytest.raises(TokenRejected) as caught:
        await wait_for_telegram(probe, sleep=Sleeps())
    assert str(caught.value) == TOKEN_REJECTED
    assert probe.calls == 2


async def test_a_429_waits_as_long_as_telegram_asks() -> None:
    sleeps = Sleeps()
    await wait_for_telegram(Probe(RetryAfter(timedelta(seconds=30))), sleep=sleeps)
    assert sleeps.slept == [30]


def test_ptb_start_up_tracebacks_are_dropped() -> None:
    ext = logging.getLogger("telegram.ext")
    before = list(ext.filters)
    try:
        quiet_startup_failures()
        quiet_startup_failures()  # idempotent
        assert len(ext.filters) == len(before) + 1
        try:
            raise NetworkError("down")
        except NetworkError:
            aborting = ext.makeRecord(
                "telegram.ext", logging.ERROR, __file__, 1,
                "%s Failed run number %s of %s. Aborting.", ("Network Retry Loop", 0, 0),
                sys.exc_info(),
            )  # fmt: skip
        other = ext.makeRecord("telegram.ext", logging.ERROR, __file__, 1, "other", (), None)
        assert ext.filter(aborting) is False
        assert ext.filter(other) is True
    finally:
        for added in [f for f in ext.filters if f not in before]:
            ext.removeFilter(added)
