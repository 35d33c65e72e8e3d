"""The delivery engine under faults: a full disk, a dead loop, a timeout, a 400, a migration.

Everything is counted at the fake Telegram server (what arrived, how often it was asked).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest

from bot.clock import ManualClock
from bot.delivery.engine import DeliveryEngine
from bot.services import Services
from storage import Database, broadcasts, chats, deliveries, to_db
from tests.integration.delivery_support import (
    FAST,
    Harness,
    h,
    make_bot,
    make_brief,
    subscribe,
    tg,
)

__all__ = ["h", "tg"]  # fixtures

# Enough rows that the oldest ones fill their pages: writing their outcomes needs a new page.
SUBSCRIBERS = list(range(1, 301))


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait for a condition of the engine's own state (no fake activity to wait on)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the engine's state has no event to wait on
            await asyncio.sleep(0.01)


async def _set_max_pages(db: Database, pages: int | None) -> None:
    """``None``: the database may not grow by one page more (SQLITE_FULL); else the limit."""
    if pages is None:
        async with db.conn.execute("PRAGMA page_count") as cur:
            row = await cur.fetchone()
        assert row is not None
        pages = int(row[0])
    await db.conn.execute(f"PRAGMA max_page_count = {pages}")


def _copies(h: Harness) -> Counter[int]:
    return Counter(m.chat_id for m in h.tg.sent)


async def test_a_full_disk_pauses_delivery_and_nothing_is_sent_twice(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Before issue 10 an outcome that could not be written freed its row, which was sent
    again at once: each chat got a copy a second for as long as the disk stayed full."""
    caplog.set_level(logging.INFO)
    await chats.import_chats(h.db, [(c, "private", "") for c in SUBSCRIBERS], h.clock.now())
    await deliveries.fan_out_story(h.db, await make_brief(h.db, h.clock), h.clock.now())
    await _set_max_pages(h.db, None)  # the disk is full before the first outcome is written
    config = replace(FAST, concurrency=8)
    engine = await h.engine(config)

    await _until(lambda: engine.paused)
    at_pause = len(h.tg.sent)
    # The disk stays full while the recorder tries again (0.5 s, 1 s …): nothing more leaves.
    with pytest.raises(TimeoutError):
        await h.tg.wait_until(lambda: len(h.tg.sent) > at_pause, timeout=2.0)
    assert engine.write_failures >= 2
    assert max(_copies(h).values()) == 1
    # Only the sends in flight when the fault began wait in memory (a first group commit may
    # have found room on a page that was not yet full).
    written = len(SUBSCRIBERS) - await deliveries.count_pending(h.db)
    assert 0 < len(h.tg.sent) - written <= config.concurrency
    assert engine.alive  # paused, not dead

    await _set_max_pages(h.db, 1_000_000)  # space again: it resumes by itself
    await _until(lambda: len(h.tg.sent) == len(SUBSCRIBERS), timeout=30)
    await engine.idle()
    assert _copies(h) == Counter(SUBSCRIBERS)  # everyone exactly once
    async with h.db.conn.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status") as cur:
        assert [tuple(r) for r in await cur.fetchall()] == [("sent", len(SUBSCRIBERS))]
    lines = [r.getMessage() for r in caplog.records if "delivery" in r.name or "db" in r.name]
    # One line per change of state, not one per attempt.
    assert [line for line in lines if "not writable" in line] == [
        "database not writable: database or disk is full"
    ]
    assert sum("delivery paused" in line for line in lines) == 1
    assert sum("delivery resumed" in line for line in lines) == 1
    assert sum("database writable again" in line for line in lines) == 1


async def _break_ledger(db: Database) -> None:
    """Every read of the ledger fails ("no such table") until :func:`_mend_ledger`."""
    async with db.transaction() as conn:
        await conn.execute("ALTER TABLE deliveries RENAME TO deliveries_away")


async def _mend_ledger(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("ALTER TABLE deliveries_away RENAME TO deliveries")


async def test_a_dispatcher_that_crashes_is_restarted_and_logged_once(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Before issue 10 one failed read (next_retry_at, outside the try) ended the dispatcher
    for good, silently, and ``stop()`` raised the stored error."""
    caplog.set_level(logging.INFO)
    await subscribe(h.db, h.clock, [1, 2, 3])
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()
    await engine.idle()
    assert engine.alive

    await _break_ledger(h.db)
    engine.wake()
    await _until(lambda: not engine.alive)  # three failed rounds in a row: a crash loop
    crashes = [r for r in caplog.records if r.getMessage().startswith("delivery-dispatcher")]
    assert len(crashes) == 1 and crashes[0].exc_info is not None  # once, with its traceback
    assert "no such table" in str(crashes[0].exc_info[1])

    await _mend_ledger(h.db)
    await engine.enqueue_story(brief_id)
    await h.tg.wait_until(lambda: len(h.tg.sent) == 3, timeout=20)
    await _until(lambda: engine.alive)
    assert any("delivery-dispatcher running again" in r.getMessage() for r in caplog.records)


async def test_stop_never_raises_even_with_a_crashed_loop(h: Harness) -> None:
    engine = await h.engine()
    await _break_ledger(h.db)
    engine.wake()
    await _until(lambda: not engine.alive)
    await engine.stop()  # no stored error comes back up
    assert not engine.alive
    await _mend_ledger(h.db)


class _StuckEngine:
    """An engine whose stop fails (as a bug would make it)."""

    async def stop(self) -> None:
        raise RuntimeError("stuck")


async def test_services_close_everything_even_if_a_step_fails(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    http = httpx.AsyncClient()
    unused = cast(Any, None)  # close() touches only the engine, the client and the database
    # (and the ops server, absent here)
    stuck = cast(DeliveryEngine, _StuckEngine())
    services = Services(
        unused, clock, db, http, unused, unused, unused, stuck, unused, unused, unused, unused
    )
    await services.close()
    assert http.is_closed
    with pytest.raises(ValueError, match="no active connection"):
        await db.conn.execute("SELECT 1")
    assert any("closing the delivery engine failed" in r.getMessage() for r in caplog.records)


async def test_a_send_that_timed_out_is_never_sent_again(h: Harness) -> None:
    """Telegram may have delivered it (here it did, late): it ends 'unknown', not retried."""
    await subscribe(h.db, h.clock, [1, 2])
    bc = await broadcasts.create_broadcast(h.db, 1001, "усім", h.clock.now())
    engine = await h.engine(replace(FAST, concurrency=1), send_timeout=0.3)
    h.tg.delay(0.6)  # every answer comes after the engine stopped waiting
    await engine.enqueue_broadcast(bc)
    await h.tg.wait_until(lambda: len(h.tg.sent) == 2)
    await engine.idle()
    h.tg.delay(0)
    h.clock.advance(timedelta(hours=1))  # past any backoff
    engine.wake()
    await engine.idle()
    assert sorted(m.chat_id for m in h.tg.sent) == [1, 2]  # each once, although no answer came
    assert len(h.tg.calls_of("sendMessage")) == 2
    counts = await deliveries.broadcast_counts(h.db, bc)
    assert (counts.unknown, counts.pending) == (2, 0)
    assert await deliveries.uncertain_counts(h.db) == (0, 2)


async def test_a_bad_request_is_sent_once_and_logged_as_a_bug(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribe(h.db, h.clock, [1])
    bc = await broadcasts.create_broadcast(h.db, 1001, "усім", h.clock.now())
    engine = await h.engine()
    h.tg.fail_next("sendMessage", 400, description="Bad Request: can't parse entities")
    await engine.enqueue_broadcast(bc)
    await engine.idle()
    assert len(h.tg.calls_of("sendMessage")) == 1 and h.tg.sent == []
    (row,) = await deliveries.deliveries_for_chat(h.db, 1)
    assert row["status"] == "failed" and "parse entities" in row["last_error"]
    (bug,) = [r for r in caplog.records if r.getMessage().startswith("bug:")]
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
    assert "sendMessage" in bug.getMessage() and "parse entities" in bug.getMessage().lower()


async def test_a_group_that_became_a_known_supergroup_gets_the_brief_once(h: Harness) -> None:
    """Before issue 10 the old group's row was sent to the supergroup, which had its own."""
    await subscribe(h.db, h.clock, [-100, -1001234567890])
    h.tg.migrate(-100, -1001234567890)
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()
    await engine.enqueue_story(brief_id)
    await engine.idle()
    assert [m.chat_id for m in h.tg.sent] == [-1001234567890]
    statuses = sorted(str(r["status"]) for r in await deliveries.deliveries_for_chat(h.db, -100))
    assert statuses == ["skipped"]


async def test_a_brief_past_its_expiry_is_never_sent(h: Harness) -> None:
    """Rows of a brief still pending ``expire_hours`` after fan-out end as 'expired', unsent;
    a broadcast enqueued at the same time does not expire."""
    await subscribe(h.db, h.clock, [1, 2, 3])
    brief_id = await make_brief(h.db, h.clock)
    bc = await broadcasts.create_broadcast(h.db, 1001, "усім", h.clock.now())
    bot = await make_bot(h.tg, FAST)
    h.bots.append(bot)
    engine = DeliveryEngine(h.db, bot, h.clock, replace(FAST, expire_hours=6))
    await engine.enqueue_story(brief_id)  # written; the engine is not running yet
    await engine.enqueue_broadcast(bc)
    (row, *_) = await deliveries.deliveries_for_chat(h.db, 1)
    assert row["expires_at"] == to_db(h.clock.now() + timedelta(hours=6))

    h.clock.advance(timedelta(hours=6, seconds=1))
    await engine.start()
    h.engines.append(engine)
    await engine.idle()
    assert sorted((m.chat_id, m.text) for m in h.tg.sent) == [(c, "усім") for c in (1, 2, 3)]
    await engine.expire_stale()  # (the sweep at start may have done it already)
    async with h.db.conn.execute(
        "SELECT status, COUNT(*) FROM deliveries WHERE kind = 'story' GROUP BY status"
    ) as cur:
        assert [tuple(r) for r in await cur.fetchall()] == [("expired", 3)]
    assert await deliveries.uncertain_counts(h.db) == (3, 0)
