"""Channels the bot posts to: chats of type ``channel``, kept in step with ``[[channels]]``.

A channel that passed its check is an active chat with the mode the config gives it; every
fan-out (stories by mode, digests) reaches it as it reaches a subscriber.  What only a channel
has is kept in the chat's ``settings`` JSON: ``channel`` — its name as the config writes it
(``"@name"`` or the id), for logs and for finding the row again when the name cannot be
resolved — and ``losses_daily``.  A channel that fails its check, or leaves the config, is
not deleted: its status changes (``blocked``, ``stopped``) and its pending rows are skipped.

The daily loss-counter post is a ledger row of kind ``losses`` whose ref is the report's day
as an integer (20250329): the ledger's unique (kind, ref, chat) index makes it once a day per
channel, whatever restarts in between.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from storage.chats import ChatMode
from storage.db import Database, to_db

__all__ = [
    "KIND_LOSSES",
    "ChannelCounts",
    "channel_counts",
    "fan_out_losses",
    "find_channel",
    "losses_ref",
    "ref_day",
    "save_channel",
    "set_channel_status",
    "stop_unlisted",
]

KIND_LOSSES = "losses"
PRIORITY_LOSSES = 1  # news, like stories and digests


def losses_ref(day: date) -> int:
    """The ledger ref of a day's loss-counter post: 2025-03-29 → 20250329."""
    return day.year * 10000 + day.month * 100 + day.day


def ref_day(ref: int) -> date:
    """The day of a ``losses`` ledger ref (the inverse of :func:`losses_ref`)."""
    return date(ref // 10000, ref // 100 % 100, ref % 100)


async def save_channel(
    db: Database,
    chat_id: int,
    title: str,
    mode: ChatMode,
    *,
    name: str,
    losses_daily: bool,
    now: datetime,
) -> bool:
    """The channel passed its check: an active chat of type 'channel' with ``mode``.

    Returns True when it was not active before (new, or back after a failure or a pause).
    """
    settings = json.dumps({"channel": name, "losses_daily": losses_daily}, ensure_ascii=False)
    stamp = to_db(now)
    async with db.transaction() as conn:
        async with conn.execute("SELECT status FROM chats WHERE id = ?", (chat_id,)) as cur:
            row = await cur.fetchone()
        await conn.execute(
            "INSERT INTO chats (id, type, title, status, joined_at, updated_at, mode, settings)"
            " VALUES (:id, 'channel', :title, 'active', :now, :now, :mode, :settings)"
            " ON CONFLICT (id) DO UPDATE SET type = 'channel', title = :title,"
            " status = 'active', updated_at = :now, mode = :mode, settings = :settings",
            {"id": chat_id, "title": title, "now": stamp, "mode": mode, "settings": settings},
        )
    return row is None or row["status"] != "active"


async def find_channel(db: Database, name: str) -> int | None:
    """The id of the channel stored under config name ``name`` (any case), if any."""
    async with db.conn.execute(
        "SELECT id FROM chats WHERE type = 'channel'"
        " AND lower(json_extract(settings, '$.channel')) = lower(?)",
        (name,),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else None


async def set_channel_status(
    db: Database, chat_id: int, status: str, reason: str, now: datetime
) -> bool:
    """An active channel becomes ``blocked`` (its check failed) or ``stopped``; its pending
    rows are skipped with ``reason``.  Returns True if the status changed."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET status = ?, updated_at = ?"
            " WHERE id = ? AND type = 'channel' AND status = 'active'",
            (status, to_db(now), chat_id),
        )
        if cur.rowcount:
            await conn.execute(
                "UPDATE deliveries SET status = 'skipped', last_error = ?"
                " WHERE chat_id = ? AND status = 'pending'",
                (reason, chat_id),
            )
        return cur.rowcount > 0


async def stop_unlisted(
    db: Database, names: Collection[str], ids: Collection[int], now: datetime
) -> list[str]:
    """Channels no longer in the config (neither their stored name nor their id is listed)
    stop receiving: status 'stopped', pending rows skipped.  Returns their names."""
    params = {
        "names": json.dumps([n.lower() for n in names]),
        "ids": json.dumps(list(ids)),
        "now": to_db(now),
    }
    unlisted = (
        "type = 'channel' AND status <> 'stopped'"
        " AND id NOT IN (SELECT value FROM json_each(:ids))"
        " AND coalesce(lower(json_extract(settings, '$.channel')), '')"
        " NOT IN (SELECT value FROM json_each(:names))"
    )
    async with db.transaction() as conn:
        async with conn.execute(
            f"SELECT id, coalesce(json_extract(settings, '$.channel'), id) FROM chats"
            f" WHERE {unlisted}",
            params,
        ) as cur:
            found = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
        if not found:
            return []
        await conn.execute(
            f"UPDATE chats SET status = 'stopped', updated_at = :now WHERE {unlisted}", params
        )
        await conn.execute(
            "UPDATE deliveries SET status = 'skipped', last_error = 'removed from the config'"
            " WHERE status = 'pending' AND chat_id IN (SELECT value FROM json_each(?))",
            (json.dumps([chat_id for chat_id, _ in found]),),
        )
    return [name for _, name in found]


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    active: int = 0  # receiving
    failing: int = 0  # blocked or gone: the bot may not post there now
    stopped: int = 0  # removed from the config


async def channel_counts(db: Database) -> ChannelCounts:
    async with db.conn.execute(
        "SELECT status, COUNT(*) FROM chats WHERE type = 'channel' GROUP BY status"
    ) as cur:
        counts = {str(status): int(n) for status, n in await cur.fetchall()}
    return ChannelCounts(
        active=counts.get("active", 0),
        failing=counts.get("blocked", 0) + counts.get("gone", 0),
        stopped=counts.get("stopped", 0),
    )


async def fan_out_losses(
    db: Database, day: date, now: datetime, *, expires_at: datetime | None = None
) -> int:
    """One ``losses`` row for ``day`` per active channel that wants the daily post and has
    none for that day yet; returns the rows created (0 the second time, after any restart)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (kind, ref, chat_id, priority, created_at,"
            " expires_at) SELECT ?, ?, id, ?, ?, ? FROM chats"
            " WHERE type = 'channel' AND status = 'active'"
            " AND json_extract(settings, '$.losses_daily') = 1",
            (
                KIND_LOSSES,
                losses_ref(day),
                PRIORITY_LOSSES,
                to_db(now),
                None if expires_at is None else to_db(expires_at),
            ),
        )
        return cur.rowcount
