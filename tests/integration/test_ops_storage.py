"""storage.ops: the write probe really fails on a full or read-only database, leaves nothing
behind, and the figures for /metrics and /healthz come from real rows."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from storage import Database, StorageError, chats, deliveries, sources
from storage.ops import PollState, database_bytes, pending_by_kind, poll_state, probe_write
from storage.stories import add_story

NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)


async def _tables(db: Database) -> set[str]:
    async with db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {r[0] for r in await cur.fetchall()}


async def test_probe_passes_on_a_healthy_database_and_leaves_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "ok.db")
    try:
        before = await _tables(db), await db.version(), await database_bytes(db)
        await probe_write(db)
        await probe_write(db)
        assert (await _tables(db), await db.version(), await database_bytes(db)) == before
        assert not db.conn.in_transaction
    finally:
        await db.close()


async def test_probe_reports_a_full_database_and_recovers(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "full.db")
    try:
        async with db.conn.execute("PRAGMA page_count") as cur:
            pages = (await cur.fetchone())[0]  # type: ignore[index]
        await db.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StorageError, match="full"):
            await probe_write(db)
        assert not db.conn.in_transaction
        await db.conn.execute("PRAGMA max_page_count = 1073741823")
        await probe_write(db)
    finally:
        await db.close()


async def test_probe_reports_a_read_only_database(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    await (await Database.open(path)).close()  # created and migrated
    conn = await aiosqlite.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    read_only = Database(conn)
    try:
        with pytest.raises(StorageError, match="readonly"):
            await probe_write(read_only)
    finally:
        await conn.close()


async def test_probe_reports_a_connection_switched_to_query_only(db: Database) -> None:
    await db.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageError, match="readonly"):
        await probe_write(db)
    await db.conn.execute("PRAGMA query_only = OFF")
    await probe_write(db)


async def test_pending_rows_are_counted_by_kind(db: Database) -> None:
    assert await pending_by_kind(db) == {}
    await chats.import_chats(db, ((c, "private", f"u{c}") for c in (11, 12, 13)), NOW)
    source_id = await sources.add_source(db, "Тест", "https://e.x/rss", "config", NOW)
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO articles (source_id, identity, url, title, fetched_at)"
            " VALUES (?, 'guid:1', 'https://e.x/1', 'Новина', ?)",
            (source_id, NOW.isoformat()),
        )
        article_id = cur.lastrowid
    assert article_id is not None
    story_id = await add_story(
        db, article_id, title="Т", summary="С", html="<b>Т</b>", summariser="none", now=NOW
    )
    assert await deliveries.fan_out_story(db, story_id, NOW) == 3
    assert await pending_by_kind(db) == {"story": 3}


async def test_poll_state_is_the_newest_success_of_enabled_sources(db: Database) -> None:
    assert await poll_state(db) == PollState(0, None)
    a = await sources.add_source(db, "А", "https://a.x/rss", "config", NOW)
    b = await sources.add_source(db, "Б", "https://b.x/rss", "config", NOW)
    state = await poll_state(db)
    assert (state.enabled, state.last_success_at) == (2, None)
    await sources.record_not_modified(db, a, NOW)
    await sources.record_not_modified(db, b, NOW + timedelta(minutes=5))
    assert (await poll_state(db)).last_success_at == NOW + timedelta(minutes=5)
    await sources.delete_source(db, b, NOW)
    state = await poll_state(db)
    assert (state.enabled, state.last_success_at) == (1, NOW)


async def test_database_bytes_is_pages_times_page_size(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "size.db")
    size = await database_bytes(db)
    await db.close()
    with closing(sqlite3.connect(tmp_path / "size.db")) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    assert size == pages * page_size > 0


async def test_scrape_time_gauges_come_from_the_database(tmp_path: Path) -> None:
    from bot.clock import ManualClock
    from bot.ops.collect import read_storage_gauges
    from storage.losses import LossRecord, save_record

    path = tmp_path / "gauges.db"
    db = await Database.open(path)
    try:
        clock = ManualClock(NOW)
        empty = await read_storage_gauges(db, clock, str(path))
        assert empty.losses_age_seconds is None
        record = LossRecord(
            NOW.date(),
            1130,
            {"personnel_units": 912_490},
            {"personnel_units": 1740},
            "russianwarship",
            NOW - timedelta(hours=2),
        )
        assert await save_record(db, record)
        gauges = await read_storage_gauges(db, clock, str(path))
        assert gauges.losses_age_seconds == 7200
        assert gauges.database_bytes == await database_bytes(db)
        assert gauges.wal_bytes == (tmp_path / "gauges.db-wal").stat().st_size > 0
        assert gauges.pending_by_kind == {}
    finally:
        await db.close()
