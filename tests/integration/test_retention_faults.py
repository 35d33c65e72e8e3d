"""Pruning when the database cannot be written: the job logs one plain line (no traceback), the
runs after it while the fault lasts log nothing more, and the first run after it prunes all.

Two faults: a write lock held by another process past the busy timeout (runs everywhere), and a
real full disk — the database on a small tmpfs taken up by a filler file (needs ``mount``).
SQLite's own size limit (``PRAGMA max_page_count``, SQLITE_FULL in-process) does not stop a
DELETE: deleting needs no new page.  So a database full in that sense is pruned, and the pages
pruning frees take the writes that failed before it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.retention import Retention, prune_job
from storage import Database, StorageUnavailable, broadcasts
from tests.integration.retention_support import count, delivered_story, make_chats
from tests.small_disk import fill, mounted_tmpfs

WINDOW = timedelta(hours=12)


async def _old_rows(db: Database, clock: ManualClock) -> None:
    """Delivered stories now 40 days old (their rows go; /latest keeps the stories), and a
    fresh one."""
    await make_chats(db, clock.now(), {1: "all", 2: "all"})
    for n in range(5):
        await delivered_story(db, clock.now(), f"Стара {n}")
    clock.advance(timedelta(days=40))
    await delivered_story(db, clock.now(), "Свіжа")


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name in ("bot.supervise", "bot.retention")]


async def test_a_held_write_lock_is_one_line_and_the_next_run_prunes(
    tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "newsbot.db"
    db = await Database.open(path)
    try:
        await _old_rows(db, clock)
        await db.conn.execute("PRAGMA busy_timeout = 50")
        job = prune_job(Retention(db, clock, 30, WINDOW))
        caplog.set_level(logging.INFO)
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            await job(None)
            await job(None)
            other.execute("ROLLBACK")
            failed = _lines(caplog)
            assert [r.levelname for r in failed] == ["WARNING"]
            assert "prune: database not writable (database is locked)" in failed[0].message
            assert failed[0].exc_info is None
            assert await count(db, "deliveries") == 12
        await job(None)
        messages = [r.getMessage() for r in _lines(caplog)[1:]]
        assert messages[0].startswith("pruned 10 ledger rows, 0 stories")  # /latest keeps them
        assert messages[1] == "prune running again after 2 failure(s)"
        assert await count(db, "deliveries") == 2
    finally:
        await db.close()


async def test_a_full_disk_is_one_line_and_the_run_after_space_came_back_prunes(
    tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "4m") as disk:
        db = await Database.open(disk / "newsbot.db")
        try:
            await _old_rows(db, clock)
            await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # any write needs space
            job = prune_job(Retention(db, clock, 30, WINDOW))
            caplog.set_level(logging.INFO)
            filler = fill(disk)
            await job(None)
            await job(None)
            failed = _lines(caplog)
            assert [r.levelname for r in failed] == ["WARNING"]
            assert "prune: database not writable" in failed[0].message
            assert failed[0].exc_info is None
            os.unlink(filler)
            await job(None)
            assert await count(db, "deliveries") == 2
            assert _lines(caplog)[-1].getMessage() == "prune running again after 2 failure(s)"
        finally:
            await db.close()


async def test_a_database_at_its_size_limit_is_pruned_and_takes_writes_again(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await make_chats(db, clock.now(), dict.fromkeys(range(1, 301), "all"))
    for n in range(4):
        await delivered_story(db, clock.now(), f"Стара {n}")
    clock.advance(timedelta(days=40))
    async with db.conn.execute("PRAGMA page_count") as cur:
        row = await cur.fetchone()
    assert row is not None
    await db.conn.execute(f"PRAGMA max_page_count = {int(row[0])}")  # not one page more
    text = "Оголошення " * 1500  # about 30 KB: needs new pages
    with pytest.raises(StorageUnavailable, match="full"):
        await broadcasts.create_broadcast(db, 1, text, clock.now())
    caplog.set_level(logging.INFO)

    await prune_job(Retention(db, clock, 30, WINDOW))(None)

    assert [r.levelname for r in _lines(caplog)] == ["INFO"]  # "pruned …", no warning
    assert await count(db, "deliveries") == 1  # the row of the highest id stays
    await broadcasts.create_broadcast(db, 1, text, clock.now())  # the freed pages take it
    assert db.writable
