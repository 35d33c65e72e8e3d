"""What the retention tests build through the real storage functions: delivered stories,
broadcasts and digests, and a counting database that sees what each transaction changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime

import aiosqlite

from storage import Database, broadcasts, deliveries, digests
from storage.deliveries import Outcome
from storage.digests import DigestStory
from storage.losses import LossRecord, save_record
from tests.integration.subscribers_support import make_chats, make_story

__all__ = [
    "CountingDatabase",
    "count",
    "delivered_story",
    "finished_broadcast",
    "make_chats",
    "make_story",
    "sent_digest",
    "snapshot",
]


class CountingDatabase(Database):
    """A :class:`Database` that records how many rows each transaction changed."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn)
        self.changes: list[int] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with super().transaction() as conn:
            before = conn.total_changes
            yield conn
            self.changes.append(conn.total_changes - before)


async def count(db: Database, table: str, where: str = "1") -> int:
    async with db.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}") as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _send_all(db: Database, kind: str, ref: int, now: datetime) -> None:
    """Every pending row of ``(kind, ref)`` ends as sent, as the delivery engine records it."""
    async with db.conn.execute(
        "SELECT id, chat_id FROM deliveries WHERE kind = ? AND ref = ? AND status = 'pending'",
        (kind, ref),
    ) as cur:
        rows = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
    outcomes = [Outcome(row_id, chat, "sent", message_id=row_id) for row_id, chat in rows]
    await deliveries.record_outcomes(db, outcomes, now)


async def delivered_story(
    db: Database, now: datetime, title: str, *, by: tuple[str, ...] = ("A",), send: bool = True
) -> int:
    """A story handed to the chats that want it, every row sent (or left pending)."""
    story_id = await make_story(db, now, title, by=by)
    await deliveries.fan_out_story(db, story_id, now)
    if send:
        await _send_all(db, deliveries.KIND_STORY, story_id, now)
    return story_id


async def finished_broadcast(db: Database, now: datetime, *, finish: bool = True) -> int:
    """A broadcast sent to every active chat and done (or still sending, rows pending)."""
    broadcast_id = await broadcasts.create_broadcast(db, 1, "Оголошення", now)
    await deliveries.start_broadcast(db, broadcast_id, 1, 1, now)
    if finish:
        await _send_all(db, deliveries.KIND_BROADCAST, broadcast_id, now)
        await broadcasts.finish_broadcast(db, broadcast_id, now)
    return broadcast_id


async def sent_digest(db: Database, now: datetime, stories: list[int]) -> int:
    """A digest of ``stories`` built at ``now`` for the digest chats, every row sent."""
    candidates = [DigestStory(s, f"Історія {s}", None, 1, False) for s in stories]
    built = await digests.build_digest(
        db, now, now, now, candidates, lambda found: f"{len(found)} історій", per_message=10
    )
    assert built is not None
    for message_id, _, _ in await digests.digest_messages(db, built.digest_id):
        await _send_all(db, digests.KIND_DIGEST, message_id, now)
    return built.digest_id


async def snapshot(db: Database, day: date, fetched_at: datetime) -> None:
    record = LossRecord(day, 1000, {"personnel": 912_490}, {"personnel": 1_740}, "test", fetched_at)
    await save_record(db, record)
