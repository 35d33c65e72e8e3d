"""Migrations: from an empty database and from every earlier version, idempotent."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from storage import Database, StorageError
from storage.schema import SCHEMA_VERSION
from tests.integration.migration_support import build_at_version


def _schema_of(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
    return [(str(n), " ".join(str(s).split())) for n, s in rows]


async def test_empty_database_reaches_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = await Database.open(path)
    try:
        assert await db.version() == SCHEMA_VERSION
        async with db.conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
        async with db.conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1  # type: ignore[index]
    finally:
        await db.close()
    tables = {name for name, _ in _schema_of(path)}
    assert {"chats", "sources", "articles", "briefs", "loss_snapshots"} <= tables
    assert {"broadcasts", "deliveries"} <= tables


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
async def test_every_earlier_version_upgrades_to_the_same_schema(
    tmp_path: Path, start: int
) -> None:
    fresh = tmp_path / "fresh.db"
    await (await Database.open(fresh)).close()
    old = tmp_path / f"v{start}.db"
    build_at_version(old, start)
    with closing(sqlite3.connect(old)) as conn, conn:
        if start >= 1:  # data written by the older version survives the upgrade
            conn.execute(
                "INSERT INTO chats (id, type, title, status, joined_at, updated_at)"
                " VALUES (42, 'private', 'Олена', 'active', '2025-01-01', '2025-01-01')"
            )
    db = await Database.open(old)
    try:
        assert await db.version() == SCHEMA_VERSION
        if start >= 1:
            async with db.conn.execute("SELECT title FROM chats WHERE id = 42") as cur:
                assert (await cur.fetchone())[0] == "Олена"  # type: ignore[index]
    finally:
        await db.close()
    assert _schema_of(old) == _schema_of(fresh)


async def test_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    for _ in range(3):
        db = await Database.open(path)
        assert await db.migrate() == SCHEMA_VERSION
        await db.close()


async def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    async with aiosqlite.connect(path) as conn:
        await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer than this newsbot knows"):
        await Database.open(path)


async def test_failed_transaction_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO chats (id, type, status, joined_at, updated_at)"
                " VALUES (1, 'private', 'active', 'x', 'x')"
            )
            raise RuntimeError("boom")
    async with db.conn.execute("SELECT COUNT(*) FROM chats") as cur:
        assert (await cur.fetchone())[0] == 0  # type: ignore[index]


async def test_version_3_ledger_upgrades_with_its_rows(tmp_path: Path) -> None:
    """Migration 4 rebuilds the deliveries table (new statuses, expiry), migration 5 keys it by
    what is delivered (kind, ref): nothing is lost on the way."""
    path = tmp_path / "v3.db"
    build_at_version(path, 3)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            """
            INSERT INTO chats (id, type, status, joined_at, updated_at) VALUES
                (1, 'private', 'active', '2025-01-01', '2025-01-01'),
                (2, 'private', 'active', '2025-01-01', '2025-01-01'),
                (-5, 'group', 'blocked', '2025-01-01', '2025-01-01');
            INSERT INTO sources (id, url, name, created_at) VALUES (1, 'https://e', 'E', 'x');
            INSERT INTO articles (id, source_id, identity, url, title, fetched_at)
                VALUES (1, 1, 'guid:1', 'https://e/1', 't', 'x');
            INSERT INTO briefs (id, article_id, title, summary, html, summariser, created_at)
                VALUES (1, 1, 't', 's', '<b>t</b>', 'x', '2025-03-29T09:30:00.000000+00:00');
            INSERT INTO broadcasts (id, admin_id, text, status, created_at)
                VALUES (1, 9, 'усім', 'sending', '2025-03-29T09:00:00.000000+00:00');
            INSERT INTO deliveries (id, brief_id, broadcast_id, chat_id, priority, status,
                                    attempts, not_before, last_error, message_id, created_at,
                                    sent_at) VALUES
                (10, 1, NULL, 1, 1, 'sent', 1, NULL, NULL, 77,
                 '2025-03-29T09:30:00.000000+00:00', '2025-03-29T09:30:01.000000+00:00'),
                (11, 1, NULL, 2, 1, 'pending', 2, '2025-03-29T09:31:00.000000+00:00', '502',
                 NULL, '2025-03-29T09:30:00.000000+00:00', NULL),
                (12, 1, NULL, -5, 1, 'skipped', 1, NULL, 'chat blocked', NULL,
                 '2025-03-29T09:30:00.000000+00:00', NULL),
                (13, NULL, 1, 2, 2, 'pending', 0, NULL, NULL, NULL,
                 '2025-03-29T09:00:00.000000+00:00', NULL);
            """
        )
    db = await Database.open(path)
    try:
        assert await db.version() == SCHEMA_VERSION
        async with db.conn.execute(
            "SELECT id, kind, ref, chat_id, priority, status, attempts, not_before,"
            " last_error, message_id, sent_at, expires_at FROM deliveries ORDER BY id"
        ) as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
        assert rows == [
            (10, "story", 1, 1, 1, "sent", 1, None, None, 77, "2025-03-29T09:30:01.000000+00:00",
             None),
            # A pending brief row expires 6 hours (the default) after it was created.
            (11, "story", 1, 2, 1, "pending", 2, "2025-03-29T09:31:00.000000+00:00", "502", None,
             None, "2025-03-29T15:30:00.000000+00:00"),
            (12, "story", 1, -5, 1, "skipped", 1, None, "chat blocked", None, None, None),
            (13, "broadcast", 1, 2, 2, "pending", 0, None, None, None, None, None),  # no expiry
        ]  # fmt: skip
        async with db.transaction() as conn:
            await conn.execute("UPDATE deliveries SET status = 'expired' WHERE id = 11")
            await conn.execute("UPDATE deliveries SET status = 'unknown' WHERE id = 13")
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as conn:
                await conn.execute("UPDATE deliveries SET status = 'lost' WHERE id = 10")
        # The cascade from chats still works after the rebuild (a group migration).
        async with db.transaction() as conn:
            await conn.execute("UPDATE chats SET id = -1005 WHERE id = -5")
        async with db.conn.execute("SELECT chat_id FROM deliveries WHERE id = 12") as cur:
            assert (await cur.fetchone())[0] == -1005  # type: ignore[index]
    finally:
        await db.close()
