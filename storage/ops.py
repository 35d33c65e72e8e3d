"""What the operations side asks of the database: a write probe and figures for metrics."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, StorageError, from_db


class _ProbeDone(Exception):
    """Raised inside the probe's transaction so that it rolls back."""


async def probe_write(db: Database) -> None:
    """Prove that the database takes a write right now, and leave nothing behind.

    ``BEGIN IMMEDIATE`` takes the write lock (a lock held elsewhere fails here after the
    busy timeout), then a new table with a page-sized row makes SQLite allocate pages — where
    a full database (``SQLITE_FULL``), a read-only file and I/O errors show — and the
    transaction is rolled back.  Updating an existing row would not do: it needs no new page
    and succeeds on a database that is full.  Raises :class:`StorageError` in SQLite's words.
    """
    try:
        async with db.transaction() as conn:
            await conn.execute("CREATE TABLE newsbot_write_probe (filler BLOB)")
            await conn.execute("INSERT INTO newsbot_write_probe VALUES (zeroblob(4096))")
            raise _ProbeDone
    except _ProbeDone:
        return
    except sqlite3.Error as exc:
        # When SQLite has already rolled back (some I/O errors), the ROLLBACK fails too:
        # report the error that caused it.
        cause = exc.__context__ if isinstance(exc.__context__, sqlite3.Error) else exc
        raise StorageError(str(cause)) from None


async def pending_by_kind(db: Database) -> dict[str, int]:
    """Pending ledger rows: ``{"story": n, "broadcast": m}`` (kinds with rows only)."""
    async with db.conn.execute(
        "SELECT kind, COUNT(*) FROM deliveries WHERE status = 'pending' GROUP BY kind"
    ) as cur:
        return {str(kind): int(n) for kind, n in await cur.fetchall()}


async def database_bytes(db: Database) -> int:
    """The database's size as SQLite sees it: page count × page size."""
    async with db.conn.execute("PRAGMA page_count") as cur:
        pages = await cur.fetchone()
    async with db.conn.execute("PRAGMA page_size") as cur:
        size = await cur.fetchone()
    return int(pages[0]) * int(size[0]) if pages and size else 0


@dataclass(frozen=True, slots=True)
class PollState:
    """The enabled sources, and the last time any of them was polled successfully."""

    enabled: int
    last_success_at: datetime | None


async def poll_state(db: Database) -> PollState:
    async with db.conn.execute(
        "SELECT COUNT(*), MAX(last_success_at) FROM sources"
        " WHERE deleted_at IS NULL AND enabled = 1"
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return PollState(0, None)
    return PollState(int(row[0]), from_db(row[1]))
