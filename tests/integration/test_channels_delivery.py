"""Channels in the ledger: stories and digests reach them by their mode through the same
fan-out as subscribers, broadcasts only when the admin chose so, and the daily loss post
once a day per channel — a photo of the chart, rendered once, uploaded once, its caption
within 1 024 UTF-16 units."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import LossesConfig
from bot.delivery.engine import DeliveryEngine
from bot.fakes.telegram import FakeTelegram
from bot.losses.daily import DailyLossPost
from bot.losses.model import war_day
from bot.losses.service import LossService
from bot.telegram_text import MAX_CAPTION, utf16_len
from storage import Database, broadcasts, channels, deliveries, digests
from storage import losses as loss_store
from storage.chats import ChatMode
from tests.integration.delivery_support import FAST, Harness, h, make_bot, tg
from tests.integration.subscribers_support import make_chats, make_story, story_rows

__all__ = ["h", "tg"]  # fixtures

ALL, TOP, DIGEST, QUIET = -1001000000001, -1001000000002, -1001000000003, -1001000000004
DAY = date(2025, 3, 29)  # the clock fixture's Kyiv date


async def _channel(
    db: Database, clock: ManualClock, chat_id: int, mode: str, *, losses: bool = False
) -> None:
    await channels.save_channel(
        db,
        chat_id,
        f"Канал {mode}",
        cast(ChatMode, mode),
        name=str(chat_id),
        losses_daily=losses,
        now=clock.now(),
    )


async def test_stories_reach_channels_by_their_mode(db: Database, clock: ManualClock) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "top"})
    for chat_id, mode in ((ALL, "all"), (TOP, "top"), (DIGEST, "digest")):
        await _channel(db, clock, chat_id, mode)
    plain = await make_story(db, clock.now(), "Звичайна")
    top = await make_story(db, clock.now(), "Головна", top=True)

    await deliveries.fan_out_story(db, plain, clock.now())
    await deliveries.fan_out_story(db, top, clock.now(), top=True)
    await deliveries.fan_out_story(db, top, clock.now(), top=True)  # handed over again

    assert await story_rows(db, plain) == {1, ALL}
    assert await story_rows(db, top) == {1, 2, ALL, TOP}


async def test_a_digest_channel_gets_the_digest(db: Database, clock: ManualClock) -> None:
    await make_chats(db, clock.now(), {1: "digest"})
    await _channel(db, clock, DIGEST, "digest")
    await _channel(db, clock, ALL, "all")
    since = clock.now()
    clock.advance(60)
    story = await make_story(db, clock.now(), "Подія дня")
    await deliveries.fan_out_story(db, story, clock.now())
    found = await digests.digest_candidates(db, since, clock.now(), 10)
    built = await digests.build_digest(
        db, clock.now(), since, clock.now(), found, lambda s: "дайджест", per_message=10
    )
    assert built is not None and built.recipients == 2
    async with db.conn.execute("SELECT chat_id FROM deliveries WHERE kind = 'digest'") as cur:
        assert {int(r[0]) for r in await cur.fetchall()} == {1, DIGEST}


async def test_broadcasts_skip_channels_unless_asked(db: Database, clock: ManualClock) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "digest"})
    await _channel(db, clock, ALL, "all")
    plain = await broadcasts.create_broadcast(db, 1001, "усім", clock.now())
    wider = await broadcasts.create_broadcast(db, 1001, "і в канали", clock.now())
    assert await deliveries.start_broadcast(db, plain, 1001, 1, clock.now()) == 2
    assert await deliveries.start_broadcast(db, wider, 1001, 2, clock.now(), channels=True) == 3
    later = await broadcasts.create_broadcast(db, 1001, "ще", clock.now())
    assert await deliveries.enqueue_broadcast(db, later, clock.now()) == 2


async def test_the_daily_loss_post_is_one_row_a_day_per_channel_that_wants_it(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "all"})
    await _channel(db, clock, ALL, "all", losses=True)
    await _channel(db, clock, TOP, "top", losses=True)
    await _channel(db, clock, DIGEST, "digest")  # does not want it
    expires = clock.now() + timedelta(hours=6)
    assert await channels.fan_out_losses(db, DAY, clock.now(), expires_at=expires) == 2
    assert await channels.fan_out_losses(db, DAY, clock.now(), expires_at=expires) == 0
    async with db.conn.execute(
        "SELECT kind, ref, chat_id, expires_at IS NOT NULL FROM deliveries ORDER BY chat_id"
    ) as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    assert rows == [("losses", 20250329, TOP, 1), ("losses", 20250329, ALL, 1)]
    assert channels.ref_day(channels.losses_ref(DAY)) == DAY
    assert await channels.fan_out_losses(db, DAY + timedelta(days=1), clock.now()) == 2


# -- the daily post through the engine -------------------------------------------------------


async def _history(db: Database, last: date, days: int) -> None:
    for i in range(days):
        day = last - timedelta(days=days - 1 - i)
        n = (day - date(2025, 1, 1)).days
        await loss_store.save_record(
            db,
            loss_store.LossRecord(
                day,
                war_day(day),
                {"personnel_units": 780_000 + 1_500 * n, "tanks": 10_000 + 5 * n},
                {"personnel_units": 1_400 + (n % 5) * 50, "tanks": 5},
                "russianwarship",
                datetime.combine(day, time(6, 0), tzinfo=UTC),
            ),
        )


@pytest.fixture
async def losses(db: Database, clock: ManualClock) -> AsyncIterator[LossService]:
    async with httpx.AsyncClient() as http:  # never used: every category has its wording
        service = LossService(db, http, clock, LossesConfig(url="http://127.0.0.1:9/latest"))
        yield service


async def test_the_daily_post_is_a_chart_rendered_once_and_uploaded_once(
    h: Harness, tg: FakeTelegram, losses: LossService
) -> None:
    await _history(h.db, DAY, 40)
    await losses.start()
    tg.add_channel(ALL)
    tg.add_channel(TOP)
    await _channel(h.db, h.clock, ALL, "all", losses=True)
    await _channel(h.db, h.clock, TOP, "top", losses=True)
    bot = await make_bot(tg, FAST)
    h.bots.append(bot)

    def wake() -> None:
        engine.wake()

    post = DailyLossPost(h.db, h.clock, losses, wake, expire_hours=6)
    engine = DeliveryEngine(h.db, bot, h.clock, FAST, photos=post)
    h.engines.append(engine)
    await engine.start()

    assert await post.run_due() == 2
    await engine.idle()
    assert await post.run_due() == 0  # once a day

    first, second = sorted((m for m in tg.sent), key=lambda m: m.at)
    assert {first.chat_id, second.chat_id} == {ALL, TOP}
    assert first.photo and second.photo
    assert first.photo_size > 10_000 and second.photo_size == 0  # the second by file id
    assert first.caption == second.caption and first.caption is not None
    assert utf16_len(first.caption) <= MAX_CAPTION
    assert first.visible_text.startswith(
        "Загальні бойові втрати противника з 24.02.2022 по 29.03.2025 орієнтовно склали:"
    )
    assert "Втрати особового складу ворога за добу\nЗа 30 днів до 29 березня 2025" in (
        first.visible_text
    )
    assert [c.method for c in tg.calls].count("sendPhoto") == 2


async def test_no_post_for_a_day_whose_report_never_came(
    h: Harness, tg: FakeTelegram, losses: LossService
) -> None:
    await _history(h.db, DAY - timedelta(days=1), 10)  # yesterday's report is the newest
    await losses.start()
    tg.add_channel(ALL)
    await _channel(h.db, h.clock, ALL, "all", losses=True)
    post = DailyLossPost(h.db, h.clock, losses, lambda: None, expire_hours=6)
    assert await post.run_due() == 0
    engine = await h.engine(photos=post)  # type: ignore[arg-type]
    await channels.fan_out_losses(h.db, DAY, h.clock.now())  # queued by hand for a day without one
    engine.wake()
    await engine.idle()
    assert tg.sent == []
    (row,) = await deliveries.deliveries_for_chat(h.db, ALL)
    assert row["status"] == "failed" and "nothing to send" in row["last_error"]
