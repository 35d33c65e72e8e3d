"""Chats (subscribers): private users, groups and supergroups the bot talks to."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.db import Database, to_db

ChatStatus = Literal["active", "stopped", "blocked", "gone"]


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: str
    title: str
    status: ChatStatus
    joined_at: datetime
    updated_at: datetime


def _chat(r: sqlite3.Row) -> Chat:
    return Chat(
        id=r["id"],
        type=r["type"],
        title=r["title"],
        status=r["status"],
        joined_at=datetime.fromisoformat(r["joined_at"]),
        updated_at=datetime.fromisoformat(r["updated_at"]),
    )


async def get_chat(db: Database, chat_id: int) -> Chat | None:
    async with db.conn.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)) as cur:
        row = await cur.fetchone()
    return _chat(row) if row else None


async def subscribe(db: Database, chat_id: int, chat_type: str, title: str, now: datetime) -> bool:
    """Make the chat an active subscriber. Returns False if it already was one."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT status FROM chats WHERE id = ?", (chat_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            await conn.execute(
                "INSERT INTO chats (id, type, title, status, joined_at, updated_at)"
                " VALUES (?, ?, ?, 'active', ?, ?)",
                (chat_id, chat_type, title, to_db(now), to_db(now)),
            )
            return True
        await conn.execute(
            "UPDATE chats SET status = 'active', type = ?, title = ?, updated_at = ? WHERE id = ?",
            (chat_type, title, to_db(now), chat_id),
        )
        return bool(row["status"] != "active")


async def set_status(db: Database, chat_id: int, status: ChatStatus, now: datetime) -> bool:
    """Change a known chat's status. Returns False if the chat is unknown or already had it."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET status = ?, updated_at = ? WHERE id = ? AND status <> ?",
            (status, to_db(now), chat_id, status),
        )
        return cur.rowcount > 0


async def iter_active_chat_ids(db: Database, batch: int = 1000) -> AsyncIterator[int]:
    """Active chat ids in ascending order, fetched ``batch`` at a time (never all in memory)."""
    last = None
    while True:
        query = "SELECT id FROM chats WHERE status = 'active'"
        params: tuple[int, ...] = ()
        if last is not None:
            query += " AND id > ?"
            params = (last,)
        async with db.conn.execute(query + " ORDER BY id LIMIT ?", (*params, batch)) as cur:
            rows = list(await cur.fetchall())
        if not rows:
            return
        for row in rows:
            yield int(row[0])
        last = int(rows[-1][0])


async def count_by_status(db: Database) -> dict[str, int]:
    counts = {"active": 0, "stopped": 0, "blocked": 0, "gone": 0}
    async with db.conn.execute("SELECT status, COUNT(*) FROM chats GROUP BY status") as cur:
        for status, n in await cur.fetchall():
            counts[str(status)] = int(n)
    return counts
