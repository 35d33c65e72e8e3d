"""Chats (subscribers): private users, groups and supergroups the bot talks to."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.db import Database, to_db

ChatStatus = Literal["active", "stopped", "blocked", "gone"]
# What a chat wants: every story, top stories only, or (issue 12) a digest.
ChatMode = Literal["all", "top", "digest"]


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


async def subscribe(
    db: Database,
    chat_id: int,
    chat_type: str,
    title: str,
    now: datetime,
    *,
    mode: ChatMode = "all",
) -> bool:
    """Make the chat an active subscriber. Returns False if it already was one.

    A chat new to the bot starts in ``mode`` (the configured ``subscribers.default_mode``);
    a chat that comes back keeps the settings it had.
    """
    async with db.transaction() as conn:
        async with conn.execute("SELECT status FROM chats WHERE id = ?", (chat_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            await conn.execute(
                "INSERT INTO chats (id, type, title, status, joined_at, updated_at, mode)"
                " VALUES (?, ?, ?, 'active', ?, ?, ?)",
                (chat_id, chat_type, title, to_db(now), to_db(now), mode),
            )
            return True
        await conn.execute(
            "UPDATE chats SET status = 'active', type = ?, title = ?, updated_at = ? WHERE id = ?",
            (chat_type, title, to_db(now), chat_id),
        )
        return bool(row["status"] != "active")


async def set_status(db: Database, chat_id: int, status: ChatStatus, now: datetime) -> bool:
    """Change a known chat's status. Returns False if the chat is unknown or already had it.

    A chat that stops being active has its pending deliveries skipped (it wants no more).
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET status = ?, updated_at = ? WHERE id = ? AND status <> ?",
            (status, to_db(now), chat_id, status),
        )
        if cur.rowcount > 0 and status != "active":
            await conn.execute(
                "UPDATE deliveries SET status = 'skipped', last_error = ?"
                " WHERE chat_id = ? AND status = 'pending'",
                (f"chat {status}", chat_id),
            )
        return cur.rowcount > 0


async def set_mode(db: Database, chat_id: int, mode: ChatMode, now: datetime) -> bool:
    """Which stories the chat wants from now on. Returns False if the chat is unknown."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET mode = ?, updated_at = ? WHERE id = ?", (mode, to_db(now), chat_id)
        )
        return cur.rowcount > 0


async def mark_blocked(db: Database, chat_id: int, now: datetime) -> bool:
    """An active chat blocked or removed the bot: blocked, pending rows skipped.

    A chat that had unsubscribed stays ``stopped`` (so unblocking does not resubscribe it).
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET status = 'blocked', updated_at = ?"
            " WHERE id = ? AND status = 'active'",
            (to_db(now), chat_id),
        )
        if cur.rowcount > 0:
            await conn.execute(
                "UPDATE deliveries SET status = 'skipped', last_error = 'chat blocked'"
                " WHERE chat_id = ? AND status = 'pending'",
                (chat_id,),
            )
        return cur.rowcount > 0


async def reactivate(db: Database, chat_id: int, now: datetime) -> bool:
    """A chat that had blocked the bot (or vanished) is reachable again: back to active.

    A chat that unsubscribed with /stop stays stopped. Returns True if the status changed.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET status = 'active', updated_at = ?"
            " WHERE id = ? AND status IN ('blocked', 'gone')",
            (to_db(now), chat_id),
        )
        return cur.rowcount > 0


async def migrate_chat(
    db: Database, old_id: int, new_id: int, now: datetime, delivery_id: int | None = None
) -> bool:
    """A group became supergroup ``new_id``: move the chat (its ledger rows follow by cascade).

    If ``new_id`` is already known (it subscribed on its own), the old chat is marked gone and
    its pending rows move to the new id unless the new chat already has a row for the same
    story or broadcast, or is no longer active: those rows are skipped, so the new chat gets
    each message once.  Returns True if the pending rows (or, given ``delivery_id``, that row)
    now point at ``new_id`` and are to be sent there.
    """
    stamp = to_db(now)
    async with db.transaction() as conn:
        async with conn.execute("SELECT status FROM chats WHERE id = ?", (new_id,)) as cur:
            known = await cur.fetchone()
        if known is None:
            cur = await conn.execute(
                "UPDATE chats SET id = ?, type = 'supergroup', updated_at = ? WHERE id = ?",
                (new_id, stamp, old_id),
            )
            moved = cur.rowcount > 0
        else:
            if known["status"] == "active":
                await conn.execute(
                    "UPDATE OR IGNORE deliveries SET chat_id = ?"
                    " WHERE chat_id = ? AND status = 'pending'",
                    (new_id, old_id),
                )
            await conn.execute(
                "UPDATE deliveries SET status = 'skipped', last_error = ?"
                " WHERE chat_id = ? AND status = 'pending'",
                (f"migrated to {new_id}", old_id),
            )
            await conn.execute(
                "UPDATE chats SET status = 'gone', updated_at = ? WHERE id = ?", (stamp, old_id)
            )
            moved = known["status"] == "active"
        if delivery_id is None or not moved:
            return moved
        async with conn.execute(
            "SELECT 1 FROM deliveries WHERE id = ? AND chat_id = ? AND status = 'pending'",
            (delivery_id, new_id),
        ) as cur:
            return await cur.fetchone() is not None


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


async def import_chats(
    db: Database,
    rows: Iterable[tuple[int, str, str]],
    now: datetime,
    batch: int = 5000,
    *,
    mode: ChatMode = "all",
) -> int:
    """Add many active chats ``(id, type, title)`` quickly (benchmarks, migrations from
    another bot), all wanting ``mode``; chats already known are left as they are. Returns the
    number added."""
    added = 0
    chunk: list[tuple[int, str, str, str, str, str]] = []
    stamp = to_db(now)

    async def flush() -> None:
        nonlocal added
        async with db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(
                "INSERT OR IGNORE INTO chats (id, type, title, status, joined_at, updated_at,"
                " mode) VALUES (?, ?, ?, 'active', ?, ?, ?)",
                chunk,
            )
            added += conn.total_changes - before
        chunk.clear()

    for chat_id, chat_type, title in rows:
        chunk.append((chat_id, chat_type, title, stamp, stamp, mode))
        if len(chunk) >= batch:
            await flush()
    if chunk:
        await flush()
    return added
