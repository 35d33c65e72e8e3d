"""Transactions under faults: cancelled at any await, disk full, read-only, a lock held too long.

Every write goes through :meth:`Database.transaction`; after any of these faults the next
transaction must work (no "cannot start a transaction within a transaction"), and a passing
write failure must reach callers as :class:`StorageUnavailable`, logged once per change.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from storage import Database, StorageUnavailable

INSERT = (
    "INSERT INTO chats (id, type, status, joined_at, updated_at)"
    " VALUES (?, 'private', 'active', 'x', 'x')"
)


async def _chat_ids(db: Database) -> list[int]:
    async with db.conn.execute("SELECT id FROM chats ORDER BY id") as cur:
        return [int(r[0]) for r in await cur.fetchall()]


def _cancel_at(
    conn: aiosqlite.Connection, points: set[int], calls: list[str]
) -> Callable[..., Awaitable[Any]]:
    """``conn.execute`` that cancels its caller while it waits for the answer of the n-th call
    (n in ``points``, counting from 1), as a real cancellation would: the statement is already
    queued for aiosqlite's thread and still runs there."""
    real = conn.execute

    async def execute(sql: str, *args: Any) -> Any:
        calls.append(sql.split(maxsplit=1)[0])
        pending = asyncio.ensure_future(real(sql, *args))
        if len(calls) not in points:
            return await pending
        await asyncio.sleep(0)  # the statement is queued now
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        return await asyncio.shield(pending)  # raises CancelledError here; the statement runs

    return execute


async def _unit_of_work(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(INSERT, (1,))
        await conn.execute(INSERT, (2,))


# The awaits of a transaction: BEGIN, the two statements, COMMIT.
@pytest.mark.parametrize(
    ("point", "name"), [(1, "BEGIN"), (2, "INSERT"), (3, "INSERT"), (4, "COMMIT")]
)
@pytest.mark.parametrize("twice", [False, True], ids=["once", "rollback-cancelled-too"])
async def test_a_transaction_cancelled_at_any_await_leaves_the_connection_usable(
    db: Database, monkeypatch: pytest.MonkeyPatch, point: int, name: str, twice: bool
) -> None:
    calls: list[str] = []
    # With ``twice`` the ROLLBACK that follows is cancelled as well (a second cancellation).
    points = {point, point + 1} if twice else {point}
    monkeypatch.setattr(db.conn, "execute", _cancel_at(db.conn, points, calls))
    task = asyncio.create_task(_unit_of_work(db))
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.undo()
    assert calls[point - 1] == name
    assert calls[-1] == "ROLLBACK"

    async with asyncio.timeout(5):  # the write lock is free again
        async with db.transaction() as conn:
            await conn.execute(INSERT, (3,))
    assert not db.conn.in_transaction
    # Cancelled at COMMIT, the commit itself may have gone through; before it, nothing did.
    assert await _chat_ids(db) == ([1, 2, 3] if name == "COMMIT" else [3])


async def _fill_up(db: Database) -> None:
    """SQLITE_FULL from now on: the database may not grow by a single page."""
    async with db.conn.execute("PRAGMA page_count") as cur:
        row = await cur.fetchone()
    assert row is not None
    await db.conn.execute(f"PRAGMA max_page_count = {int(row[0])}")


async def test_a_full_disk_is_storage_unavailable_logged_once_until_a_write_succeeds(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.db")
    await _fill_up(db)
    big = "x" * 20_000  # needs new pages
    for _ in range(3):
        with pytest.raises(StorageUnavailable, match="full"):
            async with db.transaction() as conn:
                await conn.execute("UPDATE sources SET name = ?", (big,))
                await conn.execute(
                    "INSERT INTO chats (id, type, title, joined_at, updated_at)"
                    " VALUES (1, 'private', ?, 'x', 'x')",
                    (big,),
                )
        assert not db.conn.in_transaction
    assert not db.writable
    assert await _chat_ids(db) == []  # reads still work

    await db.conn.execute("PRAGMA max_page_count = 1000000")
    async with db.transaction() as conn:
        await conn.execute(INSERT, (7,))
    assert db.writable
    lines = [r.getMessage() for r in caplog.records if r.name == "storage.db"]
    assert lines == ["database not writable: database or disk is full", "database writable again"]


async def test_a_read_only_database_is_storage_unavailable(db: Database) -> None:
    await db.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageUnavailable):
        async with db.transaction() as conn:
            await conn.execute(INSERT, (1,))
    await db.conn.execute("PRAGMA query_only = OFF")
    async with db.transaction() as conn:
        await conn.execute(INSERT, (1,))
    assert await _chat_ids(db) == [1]


async def test_a_lock_held_past_the_busy_timeout_is_storage_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    db = await Database.open(path)
    try:
        await db.conn.execute("PRAGMA busy_timeout = 50")
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            with pytest.raises(StorageUnavailable, match="locked"):
                async with db.transaction() as conn:
                    await conn.execute(INSERT, (1,))
            other.execute("ROLLBACK")
        async with db.transaction() as conn:
            await conn.execute(INSERT, (1,))
        assert await _chat_ids(db) == [1]
    finally:
        await db.close()


async def test_a_constraint_violation_is_not_mistaken_for_a_passing_fault(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(INSERT, (1,))
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(INSERT, (1,))
    assert db.writable
