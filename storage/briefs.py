"""Briefs: an article's title, summary and rendered message.

A brief is written together with its story (:func:`storage.stories.file_brief`): a brief never
exists without one.  Here: reading them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, to_db


@dataclass(frozen=True, slots=True)
class StoredBrief:
    id: int
    article_id: int
    title: str
    summary: str
    html: str
    summariser: str
    created_at: datetime
    story_id: int | None = None  # None only in a database older than stories


def _brief(r: sqlite3.Row) -> StoredBrief:
    return StoredBrief(
        id=r["id"],
        article_id=r["article_id"],
        title=r["title"],
        summary=r["summary"],
        html=r["html"],
        summariser=r["summariser"],
        created_at=datetime.fromisoformat(r["created_at"]),
        story_id=r["story_id"],
    )


async def get_brief(db: Database, brief_id: int) -> StoredBrief | None:
    async with db.conn.execute("SELECT * FROM briefs WHERE id = ?", (brief_id,)) as cur:
        row = await cur.fetchone()
    return _brief(row) if row else None


async def latest_briefs(db: Database, limit: int) -> list[StoredBrief]:
    """The ``limit`` newest briefs, newest first."""
    async with db.conn.execute(
        "SELECT * FROM briefs ORDER BY created_at DESC, id DESC LIMIT ?", (limit,)
    ) as cur:
        return [_brief(r) for r in await cur.fetchall()]


async def count_briefs_since(db: Database, since: datetime) -> int:
    async with db.conn.execute(
        "SELECT COUNT(*) FROM briefs WHERE created_at >= ?", (to_db(since),)
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
