"""The one owner of the aiosqlite connection.

The connection is opened in the application's ``post_init`` and closed in ``post_shutdown``.
All writes go through :meth:`Database.transaction`, which serialises writers on an asyncio lock
(one connection is shared by every coroutine, so an unguarded write could land inside another
coroutine's open transaction).  Reads may use :attr:`Database.conn` directly.

Errors, as callers see them::

    StorageError            the database cannot be used (unreadable file, newer schema …)
    └── StorageUnavailable  a write failed for a reason outside the bot: disk full, read-only
                            volume, lock held longer than the busy timeout, I/O error.  Reads
                            still work; the same write may succeed later.

Transactions are cancellation-safe: a task cancelled at any ``await`` of a transaction (the
``BEGIN``, a statement, the ``COMMIT``) leaves the connection outside any transaction and the
write lock free — the ``ROLLBACK`` runs shielded from the cancellation.
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

# Primary SQLite result codes that mean "not now", not "never": the write may succeed later.
_UNAVAILABLE_CODES = frozenset(
    {
        5,  # SQLITE_BUSY: another process holds the write lock past the busy timeout
        6,  # SQLITE_LOCKED
        8,  # SQLITE_READONLY: read-only file or volume
        10,  # SQLITE_IOERR
        13,  # SQLITE_FULL: disk full (or PRAGMA max_page_count reached)
        14,  # SQLITE_CANTOPEN: cannot create the journal / WAL file
    }
)


class StorageError(Exception):
    """The database cannot be used (unreadable file, newer schema, disk full ...)."""


class StorageUnavailable(StorageError):
    """A write failed for a passing reason (disk full, read-only, locked); reads still work."""


def unavailable(exc: BaseException) -> StorageUnavailable | None:
    """``exc`` as a :class:`StorageUnavailable` when it is a passing write failure, else None."""
    if isinstance(exc, StorageUnavailable):
        return exc
    if not isinstance(exc, sqlite3.Error) or isinstance(exc, sqlite3.IntegrityError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in _UNAVAILABLE_CODES:
        return None
    return StorageUnavailable(str(exc) or getattr(exc, "sqlite_errorname", "write failed"))


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
        self._unwritable: str | None = None  # why the last write failed, until one succeeds

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

    @property
    def writable(self) -> bool:
        """False from a write that failed with :class:`StorageUnavailable` to the next commit."""
        return self._unwritable is None

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
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error), one writer at a time.

        A passing write failure is raised as :class:`StorageUnavailable`; the first one after a
        good write, and the first good write after one, are logged (one line per change).
        """
        async with self._write_lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException as exc:
                # Shielded: a second cancellation must not leave the transaction open.
                await _finish(asyncio.ensure_future(self._rollback()))
                translated = unavailable(exc)
                if translated is None:
                    raise
                self._note_unwritable(translated)
                raise translated from exc
            self._note_written()

    async def _rollback(self) -> None:
        # The statements of a cancelled await still run in aiosqlite's thread, in order, so
        # this ROLLBACK comes after them; "no transaction is active" means SQLite already
        # rolled back (some I/O errors do) or the COMMIT went through before the cancel.
        try:
            await self._conn.execute("ROLLBACK")
        except Exception as exc:  # the error being handled matters more than this one
            if "no transaction is active" not in str(exc):
                log.warning("rollback failed: %s", exc)

    def _note_unwritable(self, exc: StorageUnavailable) -> None:
        if self._unwritable is None:
            log.warning("database not writable: %s", exc)
        self._unwritable = str(exc)

    def _note_written(self) -> None:
        if self._unwritable is not None:
            log.info("database writable again")
            self._unwritable = None


async def _finish(task: asyncio.Future[None]) -> None:
    """Await ``task`` to its end even if the caller is cancelled meanwhile (then re-raise)."""
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    task.result()


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
