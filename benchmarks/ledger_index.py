"""The ledger's queue queries at 100 000 pending rows, before and after issue 10's indexes.

Run through ``python benchmarks/delivery.py --only index``.  One database at schema version 3
(the indexes of before: ``deliveries_pending (priority, id)`` only) is filled with 100 000
pending rows; a copy is upgraded to the current schema by ``Database.open``.  Then, in three
states of the queue, each query the dispatcher runs when it looks for work is timed on both:

* ``fresh``   — every row never tried (a fan-out just happened);
* ``outage``  — every row waiting out a backoff (Telegram was down), none due;
* ``half``    — the oldest half waiting out a backoff, the newer half fresh.

*before* runs the queries of version 3 (their SQL is copied below, as the engine ran it);
*after* runs the statements today's storage functions execute (caught with SQLite's trace), so
both sides time the same work: SQL only, no Python row objects.  Figures: median milliseconds
per call.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from storage import Database, deliveries
from storage.db import _split_sql, to_db
from storage.schema import MIGRATIONS

NOW = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
LIMIT = 32  # 2 × the default concurrency: one dispatcher read
# The dispatcher's queries as version 3 ran them (storage/deliveries.py before issue 10).
OLD_DUE = (
    "SELECT d.id, d.chat_id, d.brief_id, d.broadcast_id, d.priority, d.attempts,"
    " b.html, bc.text FROM deliveries d"
    " LEFT JOIN briefs b ON b.id = d.brief_id"
    " LEFT JOIN broadcasts bc ON bc.id = d.broadcast_id"
    " WHERE d.status = 'pending' AND (d.not_before IS NULL OR d.not_before <= ?)"
    " ORDER BY d.priority, d.id LIMIT ?"
)
OLD_NEXT_RETRY = (
    "SELECT MIN(not_before) FROM deliveries WHERE status = 'pending' AND not_before IS NOT NULL"
)


def _build_v3(path: Path, rows: int) -> None:
    """A version-3 database with ``rows`` pending brief rows (one brief, ``rows`` chats)."""
    stamp = to_db(NOW)
    with closing(sqlite3.connect(path)) as conn, conn:
        for number in range(1, 4):
            for statement in _split_sql(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.executemany(
            "INSERT INTO chats (id, type, status, joined_at, updated_at)"
            " VALUES (?, 'private', 'active', ?, ?)",
            ((10_000_000 + i, stamp, stamp) for i in range(rows)),
        )
        conn.execute(
            "INSERT INTO sources (id, url, name, created_at) VALUES (1, 'u', 'n', ?)", (stamp,)
        )
        conn.execute(
            "INSERT INTO articles (id, source_id, identity, url, title, fetched_at)"
            " VALUES (1, 1, 'guid:1', 'u', 't', ?)",
            (stamp,),
        )
        conn.execute(
            "INSERT INTO briefs (id, article_id, title, summary, html, summariser, created_at)"
            " VALUES (1, 1, 't', 's', '<b>t</b>', 'x', ?)",
            (stamp,),
        )
        conn.execute(
            "INSERT INTO deliveries (brief_id, chat_id, priority, created_at)"
            " SELECT 1, id, 1, ? FROM chats",
            (stamp,),
        )


def _set_state(path: Path, state: str, rows: int) -> None:
    later = to_db(NOW + timedelta(minutes=5))
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE deliveries SET not_before = NULL")
        if state == "outage":
            conn.execute("UPDATE deliveries SET not_before = ?", (later,))
        elif state == "half":
            conn.execute("UPDATE deliveries SET not_before = ? WHERE id <= ?", (later, rows // 2))
        conn.execute("ANALYZE")


async def _ms_per_call(conn: aiosqlite.Connection, sql: str, repeat: int) -> float:
    await conn.execute_fetchall(sql)  # warm the page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await conn.execute_fetchall(sql)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def _statement(
    db: Database, function: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> str:
    """The SQL ``function(db, *args, **kwargs)`` executes (parameters expanded by the trace)."""
    seen: list[str] = []
    await db.conn.set_trace_callback(seen.append)
    try:
        await function(db, *args, **kwargs)
    finally:
        await db.conn.set_trace_callback(None)
    (sql,) = [s for s in seen if "deliveries" in s]
    return sql


def _expanded(sql: str, *params: object) -> str:
    for value in params:
        sql = sql.replace("?", f"'{value}'" if isinstance(value, str) else str(value), 1)
    return sql


async def index_run(work: Path, rows: int = 100_000, repeat: int = 30) -> list[dict[str, Any]]:
    before, after = work / "v3.db", work / "current.db"
    _build_v3(before, rows)
    old_due = _expanded(OLD_DUE, to_db(NOW), LIMIT)
    results = []
    for state in ("fresh", "outage", "half"):
        _set_state(before, state, rows)
        shutil.copy(before, after)
        old = await aiosqlite.connect(before)
        new = await Database.open(after)  # migrates to the current schema
        try:
            await new.conn.execute("ANALYZE")
            new_due = await _statement(new, deliveries.due_by_kind, NOW, LIMIT)
            new_retry = await _statement(new, deliveries.next_retry_at, after=NOW)
            figures = {
                "due_ms_before": await _ms_per_call(old, old_due, repeat),
                "due_ms_after": await _ms_per_call(new.conn, new_due, repeat),
                "next_retry_ms_before": await _ms_per_call(old, OLD_NEXT_RETRY, repeat),
                "next_retry_ms_after": await _ms_per_call(new.conn, new_retry, repeat),
            }
        finally:
            await old.close()
            await new.close()
        results.append(
            {
                "scenario": f"ledger index, {state}",
                "pending_rows": rows,
                **{k: round(v, 3) for k, v in figures.items()},
            }
        )
    return results
