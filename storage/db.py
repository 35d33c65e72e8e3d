"""The one owner of the aiosqlite connection.

The connection is opened in the application's ``post_init`` and closed in ``post_shutdown``.
All writes go through :meth:`Database.transaction`, which serialises writers on an asyncio lock
(one connection is shared by every coroutine, so an unguarded write could land inside another
coroutine's open transaction).  Reads may use :attr:`Database.conn` directly.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from storage.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


class StorageError(Exception):
    """The database cannot be used (unreadable file, newer schema, disk full ...)."""


def to_db(moment: datetime) -> str:
    """Store a timestamp: aware datetimes become UTC ISO-8601 text that sorts correctly."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage; pass an aware (UTC) datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    """Inverse of :func:`to_db`."""
    return None if value is None else datetime.fromisoformat(value)


class Database:
    """An open SQLite database at the current schema version."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if needed) and migrate the database at ``path`` (``":memory:"`` ok)."""
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {str(path)!r}: {exc}") from None
        conn.row_factory = aiosqlite.Row
        db = cls(conn)
        try:
            await conn.execute("PRAGMA busy_timeout = 5000")
            await conn.execute("PRAGMA foreign_keys = ON")
            if str(path) != ":memory:":
                await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await db.migrate()
        except sqlite3.Error as exc:
            await conn.close()
            raise StorageError(f"cannot use database {str(path)!r}: {exc}") from None
        except StorageError:
            await conn.close()
            raise
        return db

    @property
    def conn(self) -> aiosqlite.Connection:
        return self._conn

    async def close(self) -> None:
        async with self._write_lock:
            await self._conn.close()

    async def version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, target: int = SCHEMA_VERSION) -> int:
        """Apply the missing migrations up to ``target``; idempotent. Returns the new version."""
        current = await self.version()
        if current > SCHEMA_VERSION:
            raise StorageError(
                f"database schema version {current} is newer than this newsbot knows "
                f"({SCHEMA_VERSION}); upgrade newsbot"
            )
        for number in range(current + 1, target + 1):
            async with self.transaction() as conn:
                for statement in _split_sql(MIGRATIONS[number - 1]):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {number}")
        if target > current and await self._free_pages():
            # A migration that rebuilt a table left its old pages free: give them back, so
            # the file holds what it says (and "disk full" means full), once per upgrade.
            # VACUUM needs free disk space about the database's size; without it the bot
            # starts anyway, with the pages left for SQLite to reuse.
            try:
                await self._conn.execute("VACUUM")
            except sqlite3.Error as exc:
                log.warning("database not compacted after the upgrade: %s", exc)
        return await self.version()

    async def _free_pages(self) -> int:
        async with self._conn.execute("PRAGMA freelist_count") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error), one writer at a time."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit our transaction)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line.split("--", 1)[0] + ("\n" if "--" in line else "")
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements
