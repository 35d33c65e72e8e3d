"""Admin broadcasts: a draft (previewed), then sending (ledger rows exist), then done.

``cancelled`` is only reachable from ``draft``: once the admin pressed "Надіслати всім" the
rows are in the ledger and the broadcast runs to its end.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.db import Database, from_db, to_db

BroadcastStatus = Literal["draft", "sending", "done", "cancelled"]


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    admin_id: int
    text: str
    status: BroadcastStatus
    progress_chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _broadcast(r: sqlite3.Row) -> Broadcast:
    created = from_db(r["created_at"])
    assert created is not None
    return Broadcast(
        id=r["id"],
        admin_id=r["admin_id"],
        text=r["text"],
        status=r["status"],
        progress_chat_id=r["progress_chat_id"],
        progress_message_id=r["progress_message_id"],
        created_at=created,
        started_at=from_db(r["started_at"]),
        finished_at=from_db(r["finished_at"]),
    )


async def create_broadcast(db: Database, admin_id: int, text: str, now: datetime) -> int:
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO broadcasts (admin_id, text, created_at) VALUES (?, ?, ?)",
            (admin_id, text, to_db(now)),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid


async def get_broadcast(db: Database, broadcast_id: int) -> Broadcast | None:
    async with db.conn.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)) as cur:
        row = await cur.fetchone()
    return _broadcast(row) if row else None


async def cancel_broadcast(db: Database, broadcast_id: int, now: datetime) -> bool:
    """Draft → cancelled. False if it was not a draft (already sending, done or cancelled)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ?"
            " WHERE id = ? AND status = 'draft'",
            (to_db(now), broadcast_id),
        )
        return cur.rowcount > 0


async def finish_broadcast(db: Database, broadcast_id: int, now: datetime) -> bool:
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ?"
            " WHERE id = ? AND status = 'sending'",
            (to_db(now), broadcast_id),
        )
        return cur.rowcount > 0


async def sending_broadcasts(db: Database) -> list[Broadcast]:
    async with db.conn.execute(
        "SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id"
    ) as cur:
        return [_broadcast(r) for r in await cur.fetchall()]
