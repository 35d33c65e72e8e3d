"""The day's report arriving queues the channels' daily post: LossService tells its listeners
when a report dated today (Kyiv) is stored — once, not at every refresh, and never for an
older day's report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.losses.daily import DailyLossPost
from bot.losses.model import Snapshot
from storage import channels
from tests.integration.test_losses_service import DAY, Rig, record, rig

__all__ = ["rig"]  # fixture


async def test_listeners_hear_of_todays_report_once(rig: Rig) -> None:
    heard: list[Snapshot] = []

    async def listener(snapshot: Snapshot) -> None:
        heard.append(snapshot)

    rig.service.on_today(listener)
    rig.set_latest(record(DAY - timedelta(days=1)))  # the morning report is not out yet
    await rig.service.refresh()
    assert heard == []
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    await rig.service.refresh()  # the same report again
    assert [s.day for s in heard] == [DAY]


async def test_a_listener_that_fails_keeps_the_report(rig: Rig) -> None:
    async def broken(snapshot: Snapshot) -> None:
        raise RuntimeError("boom")

    rig.service.on_today(broken)
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    latest = rig.service.latest_snapshot()
    assert latest is not None and latest.day == DAY
    assert await rig.count() == 1


async def test_todays_report_queues_the_post_for_channels_that_want_it(rig: Rig) -> None:
    now = rig.clock.now()
    await channels.save_channel(
        rig.db, -1001, "Канал", "top", name="@kanal_test", losses_daily=True, now=now
    )
    woken: list[bool] = []
    post = DailyLossPost(rig.db, rig.clock, rig.service, lambda: woken.append(True), expire_hours=6)
    rig.service.on_today(post.report_stored)
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    assert woken == [True]
    assert await channels.fan_out_losses(rig.db, DAY, now) == 0  # queued already
    assert await post.run_due() == 0  # and the daily run finds it queued


async def test_a_post_not_queued_for_want_of_a_writable_database_is_queued_later(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    now = rig.clock.now()
    await channels.save_channel(
        rig.db, -1001, "Канал", "top", name="@kanal_test", losses_daily=True, now=now
    )
    post = DailyLossPost(rig.db, rig.clock, rig.service, lambda: None, expire_hours=6)

    async def read_only_then_post(snapshot: Snapshot) -> None:
        await rig.db.conn.execute("PRAGMA query_only = ON")  # the disk went read-only
        try:
            await post.report_stored(snapshot)
        finally:
            await rig.db.conn.execute("PRAGMA query_only = OFF")

    rig.service.on_today(read_only_then_post)
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    (said,) = [r for r in caplog.records if "not handed on yet" in r.getMessage()]
    assert said.exc_info is None
    assert await post.run_due() == 1  # after the next refresh (the app's job runs it)
