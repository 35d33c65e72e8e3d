"""The poll job is scheduled with the clamped jitter (at most a tenth of the interval)."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import ManualClock
from bot.config import ScheduleConfig
from tests.integration.test_sources_handlers import running_bot


async def test_a_short_interval_gets_a_short_jitter(clock: ManualClock) -> None:
    schedule = ScheduleConfig(poll_seconds=2, jitter_seconds=30)
    async with running_bot(clock, schedule=schedule) as bot:
        assert bot.app.job_queue is not None
        (job,) = bot.app.job_queue.get_jobs_by_name("poll-sources")
        trigger = job.job.trigger
        assert isinstance(trigger, IntervalTrigger)
        assert trigger.jitter == 0.2
