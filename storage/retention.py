"""Retention: what grows with time, deleted once it is older than a cutoff, in small transactions.

:func:`prune` deletes, in this order, so that nothing is left pointing at a deleted row:

1. **ledger rows** created before the cutoff that are finished (anything but ``pending``);
2. **stories** whose last report joined before the cutoff (and handed over, become top before
   it), with no ledger row left, that are not among the ``keep_latest`` newest (/latest) — with
   their **briefs**;
3. **articles** fetched and last seen in their feed before the cutoff, whose feed has been
   parsed since without them (``last_seen_at < sources.last_parsed_at``), with no brief left
   and not ``pending``.  The identity of an item still in its feed is never forgotten (it would
   be pushed again), however old: a feed that answers 304 for months keeps all of its items;
4. **broadcasts** done or cancelled before the cutoff with no ledger row left;
5. **digests** built before the cutoff: their messages with no ledger row left, then the
   digests with no message left.

Loss snapshots, chats and their settings, and sources are kept (they do not grow with time).
The row with the highest id of each table is never deleted, so SQLite never hands out an id
again (a stale button or a late ledger row cannot meet a new row under an old id).

Each transaction changes at most ``batch`` rows (a story costs 2 + its briefs: its pointer to
its best brief is cleared first, as the foreign keys require), and the event loop gets a turn
between transactions, so a command or a delivery write waits at most one batch for the write
lock.  The cutoff is the caller's (``now`` − keep_days, never later than the start of today).

The ledger has no index on ``created_at`` (one more B-tree for every fan-out row): its rows
are created in id order, so the boundary id is found by bisecting the ids (about 30 point
reads at 100 million rows), and each batch walks the ids from where the last one stopped;
``created_at`` is still checked on every row, so a row out of order is kept, never lost.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, to_db
from storage.deliveries import KIND_BROADCAST, KIND_STORY
from storage.digests import KIND_DIGEST

__all__ = ["BATCH", "Pruned", "prune"]

BATCH = 1000  # rows changed per transaction

# A batch step: given the cursor where the last batch stopped, delete the next batch inside
# the open transaction; returns the cursor to go on from, or None when there is no more.
_Step = Callable[[aiosqlite.Connection, tuple[str, int]], Awaitable[tuple[str, int] | None]]
_START = ("", 0)  # before every (timestamp, id)
_EACH = "(SELECT value FROM json_each(?))"  # the ids of a JSON array, one parameter


async def _delete(conn: aiosqlite.Connection, table: str, column: str, ids: list[int]) -> int:
    """Delete the rows of ``table`` whose ``column`` is one of ``ids``; returns how many."""
    cur = await conn.execute(f"DELETE FROM {table} WHERE {column} IN {_EACH}", (json.dumps(ids),))
    return cur.rowcount


@dataclass(slots=True)
class Pruned:
    """What one :func:`prune` deleted, and what its transactions cost."""

    ledger: int = 0
    stories: int = 0
    briefs: int = 0
    articles: int = 0
    broadcasts: int = 0
    digests: int = 0
    digest_messages: int = 0
    transactions: int = 0
    longest_seconds: float = 0.0  # the longest transaction (waiting for the write lock too)

    @property
    def rows(self) -> int:
        return (
            self.ledger
            + self.stories
            + self.briefs
            + self.articles
            + self.broadcasts
            + self.digests
            + self.digest_messages
        )


async def prune(db: Database, before: datetime, *, keep_latest: int, batch: int = BATCH) -> Pruned:
    """Delete what is older than ``before`` (see the module docstring); returns the counts.

    A failed write (:class:`~storage.StorageUnavailable`) stops the run where it is: every
    batch committed so far stays done, and the next run goes on from there.
    """
    if batch < 10:
        raise ValueError(f"batch must be at least 10 rows, got {batch}")
    run = _Run(db, to_db(before), keep_latest, batch)
    bound = await _ledger_bound(db, run.before)
    await run.drain(lambda conn, after: run.ledger(conn, after, bound))
    await run.drain(run.stories)
    await run.drain(run.articles)
    await run.drain(run.broadcasts)
    await run.drain(run.digests)
    return run.pruned


async def _ledger_bound(db: Database, before: str) -> int:
    """An id such that the ledger rows below it were created before ``before`` (rows are
    created in id order; a row out of order is still checked) and that is at most the
    highest id (kept)."""
    async with db.conn.execute("SELECT MIN(id), MAX(id) FROM deliveries") as cur:
        row = await cur.fetchone()
    if row is None or row[0] is None:
        return 0
    low, high = int(row[0]), int(row[1])
    top = high
    while low < high:  # the first id from which rows are not older than ``before``
        middle = (low + high) // 2
        async with db.conn.execute(
            "SELECT id, created_at FROM deliveries WHERE id >= ? ORDER BY id LIMIT 1", (middle,)
        ) as cur:
            found = await cur.fetchone()
        if found is None or found[1] >= before:
            high = middle
        else:
            low = int(found[0]) + 1
    return min(low, top)


class _Run:
    def __init__(self, db: Database, before: str, keep_latest: int, batch: int) -> None:
        self.db, self.before, self.keep_latest, self.batch = db, before, keep_latest, batch
        self.pruned = Pruned()

    async def drain(self, step: _Step) -> None:
        """Batches of ``step``, one transaction each, until it finds nothing more."""
        cursor: tuple[str, int] | None = _START
        while cursor is not None:
            started = time.perf_counter()
            async with self.db.transaction() as conn:
                cursor = await step(conn, cursor)
            self.pruned.transactions += 1
            self.pruned.longest_seconds = max(
                self.pruned.longest_seconds, time.perf_counter() - started
            )
            await asyncio.sleep(0)  # commands and delivery writes get the lock between batches

    async def ledger(
        self, conn: aiosqlite.Connection, after: tuple[str, int], bound: int
    ) -> tuple[str, int] | None:
        finished = "created_at < ? AND status <> 'pending'"
        async with conn.execute(
            "SELECT MAX(id) FROM (SELECT id FROM deliveries"
            f" WHERE id > ? AND id < ? AND {finished} ORDER BY id LIMIT ?)",
            (after[1], bound, self.before, self.batch),
        ) as cur:
            row = await cur.fetchone()
        if row is None or row[0] is None:
            return None
        last = int(row[0])
        cur = await conn.execute(
            f"DELETE FROM deliveries WHERE id > ? AND id <= ? AND {finished}",
            (after[1], last, self.before),
        )
        self.pruned.ledger += cur.rowcount
        return ("", last)

    async def stories(
        self, conn: aiosqlite.Connection, after: tuple[str, int]
    ) -> tuple[str, int] | None:
        async with conn.execute(
            "SELECT st.id, st.updated_at,"
            " (SELECT COUNT(*) FROM briefs b WHERE b.story_id = st.id) AS briefs"
            " FROM stories st WHERE st.updated_at < :before AND (st.updated_at, st.id) > (:at, :id)"
            " AND st.first_seen_at < :before AND COALESCE(st.top_at, '') < :before"
            " AND COALESCE(st.pushed_at, '') < :before"
            " AND st.id < (SELECT MAX(id) FROM stories)"
            " AND st.id NOT IN (SELECT id FROM stories"
            "  ORDER BY first_seen_at DESC, id DESC LIMIT :keep)"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.kind = :kind AND d.ref = st.id)"
            " ORDER BY st.updated_at, st.id LIMIT :batch",
            {
                "before": self.before,
                "at": after[0],
                "id": after[1],
                "keep": self.keep_latest,
                "kind": KIND_STORY,
                "batch": self.batch,
            },
        ) as cur:
            found = [(int(r[0]), str(r[1]), int(r[2])) for r in await cur.fetchall()]
        if not found:
            return None
        chosen, cost = [], 0
        for story_id, updated_at, briefs in found:
            if cost + 2 + briefs > self.batch:
                break
            chosen.append((story_id, updated_at))
            cost += 2 + briefs
        if not chosen:  # a story of more briefs than a batch: some of its briefs now
            await self._some_briefs(conn, found[0][0])
            return after
        ids = [story_id for story_id, _ in chosen]
        await conn.execute(
            f"UPDATE stories SET best_brief_id = NULL WHERE id IN {_EACH}", (json.dumps(ids),)
        )
        self.pruned.briefs += await _delete(conn, "briefs", "story_id", ids)
        self.pruned.stories += await _delete(conn, "stories", "id", ids)
        return chosen[-1][1], chosen[-1][0]

    async def _some_briefs(self, conn: aiosqlite.Connection, story_id: int) -> None:
        await conn.execute("UPDATE stories SET best_brief_id = NULL WHERE id = ?", (story_id,))
        cur = await conn.execute(
            "DELETE FROM briefs WHERE id IN (SELECT id FROM briefs WHERE story_id = ? LIMIT ?)",
            (story_id, self.batch - 1),
        )
        self.pruned.briefs += cur.rowcount

    async def articles(
        self, conn: aiosqlite.Connection, after: tuple[str, int]
    ) -> tuple[str, int] | None:
        # One table in FROM, so the walk follows articles_by_fetched; the source's last parse
        # is one primary-key lookup per row (NULL: not parsed since the upgrade, keep all).
        async with conn.execute(
            "SELECT a.id, a.fetched_at FROM articles a"
            " WHERE a.fetched_at < :before AND (a.fetched_at, a.id) > (:at, :id)"
            " AND a.last_seen_at < :before AND a.disposition <> 'pending'"
            " AND a.last_seen_at <"
            " (SELECT s.last_parsed_at FROM sources s WHERE s.id = a.source_id)"
            " AND a.id < (SELECT MAX(id) FROM articles)"
            " AND NOT EXISTS (SELECT 1 FROM briefs b WHERE b.article_id = a.id)"
            " ORDER BY a.fetched_at, a.id LIMIT :batch",
            {"before": self.before, "at": after[0], "id": after[1], "batch": self.batch},
        ) as cur:
            found = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
        if not found:
            return None
        ids = [article_id for article_id, _ in found]
        self.pruned.articles += await _delete(conn, "articles", "id", ids)
        return found[-1][1], found[-1][0]

    async def broadcasts(
        self, conn: aiosqlite.Connection, after: tuple[str, int]
    ) -> tuple[str, int] | None:
        async with conn.execute(
            "SELECT id FROM broadcasts b WHERE id > :id AND status IN ('done', 'cancelled')"
            " AND COALESCE(finished_at, created_at) < :before"
            " AND id < (SELECT MAX(id) FROM broadcasts)"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.kind = :kind AND d.ref = b.id)"
            " ORDER BY id LIMIT :batch",
            {"id": after[1], "before": self.before, "kind": KIND_BROADCAST, "batch": self.batch},
        ) as cur:
            ids = [int(r[0]) for r in await cur.fetchall()]
        if not ids:
            return None
        self.pruned.broadcasts += await _delete(conn, "broadcasts", "id", ids)
        return ("", ids[-1])

    async def digests(
        self, conn: aiosqlite.Connection, after: tuple[str, int]
    ) -> tuple[str, int] | None:
        """One old digest at a time (from id ``after``): its messages no ledger row points at,
        then the digest itself once it has no message left."""
        async with conn.execute(
            "SELECT id FROM digests WHERE id >= ? AND until_at < ?"
            " AND id < (SELECT MAX(id) FROM digests) ORDER BY id LIMIT 1",
            (after[1], self.before),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        digest = int(row[0])
        async with conn.execute(
            "SELECT id FROM digest_messages m WHERE digest_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM deliveries d WHERE d.kind = ? AND d.ref = m.id) LIMIT ?",
            (digest, KIND_DIGEST, self.batch),
        ) as cur:
            ids = [int(r[0]) for r in await cur.fetchall()]
        self.pruned.digest_messages += await _delete(conn, "digest_messages", "id", ids)
        if len(ids) == self.batch:
            return ("", digest)  # more of its messages in the next batch
        cur = await conn.execute(
            "DELETE FROM digests WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM digest_messages WHERE digest_id = ?)",
            (digest, digest),
        )
        self.pruned.digests += cur.rowcount
        return ("", digest + 1)
