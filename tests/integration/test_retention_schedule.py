"""The prune job is scheduled in the real application: daily at 03:30 Kyiv time and once a
minute after start; run, it prunes with the configured keep_days and logs one line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.clock import KYIV, ManualClock
from tests.integration.test_sources_handlers import running_bot


async def test_the_prune_job_runs_daily_and_after_start(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(clock) as bot:
        jq = bot.app.job_queue
        assert jq is not None
        jobs = {j.name: j for j in jq.jobs() if (j.name or "").startswith("prune")}
        assert set(jobs) == {"prune-daily", "prune-after-start"}
        daily, first = jobs["prune-daily"].next_t, jobs["prune-after-start"].next_t
        assert daily is not None and first is not None
        assert daily.astimezone(KYIV).time() == time(3, 30)
        assert timedelta(0) < first - datetime.now(UTC) <= timedelta(seconds=60)

        caplog.set_level(logging.INFO, logger="bot.retention")
        await jobs["prune-after-start"].callback(None)
        (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.retention"]
        assert line.startswith("pruned 0 ledger rows")
        assert "older than 30 days" in line
