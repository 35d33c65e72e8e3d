"""A database made by the schema before stories (version 4) upgrades in place: every brief
becomes a one-report story of the same id, pending and sent ledger rows keep working and keep
their outcome, chats want everything, the old ledger's pages are given back."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from storage import Database, deliveries, stories
from tests.integration.migration_support import build_at_version

BEFORE_STORIES = 4
T0 = "2025-03-29T08:00:00.000000+00:00"
T1 = "2025-03-29T08:30:00.000000+00:00"
T6 = "2025-03-29T14:00:00.000000+00:00"  # the ledger's expiry of version 4
NOW = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)


def _old_database(path: Path) -> None:
    """Schema version 4 with what a running bot had in it: two briefs, a broadcast, three
    chats, and ledger rows sent, pending and skipped."""
    build_at_version(path, BEFORE_STORIES)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO chats (id, type, title, status, joined_at, updated_at)"
            " VALUES (?, 'private', ?, ?, ?, ?)",
            [
                (1, "Олена", "active", T0, T0),
                (2, "Тарас", "active", T0, T0),
                (3, "Ірина", "stopped", T0, T0),
            ],
        )
        conn.execute(
            "INSERT INTO sources (id, url, name, created_at) VALUES (1, 'https://e.ua/rss',"
            " 'Українська правда', ?)",
            (T0,),
        )
        conn.executemany(
            "INSERT INTO articles (id, source_id, identity, url, title, disposition, fetched_at)"
            " VALUES (?, 1, ?, ?, ?, 'pushed', ?)",
            [
                (1, "guid:1", "https://e.ua/1", "Перша", T0),
                (2, "guid:2", "https://e.ua/2", "Друга", T1),
            ],
        )
        conn.executemany(
            "INSERT INTO briefs (id, article_id, title, summary, html, summariser, created_at)"
            " VALUES (?, ?, ?, 'Підсумок.', ?, 'extractive', ?)",
            [(1, 1, "Перша", "<b>Перша</b>", T0), (2, 2, "Друга", "<b>Друга</b>", T1)],
        )
        conn.execute(
            "INSERT INTO broadcasts (id, admin_id, text, status, created_at)"
            " VALUES (1, 1001, 'Оголошення', 'sending', ?)",
            (T1,),
        )
        conn.executemany(
            "INSERT INTO deliveries (id, brief_id, broadcast_id, chat_id, priority, status,"
            " message_id, created_at, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, 1, None, 1, 1, "sent", 501, T0, T0, T6),
                (2, 1, None, 2, 1, "pending", None, T0, None, T6),
                (3, 1, None, 3, 1, "skipped", None, T0, None, T6),
                (4, 2, None, 1, 1, "pending", None, T1, None, T6),
                (5, None, 1, 1, 2, "pending", None, T1, None, None),
            ],
        )


async def test_a_database_from_before_stories_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    _old_database(path)
    db = await Database.open(path)
    try:
        first = await stories.get_story(db, 1)
        assert first is not None
        assert (first.title, first.html, first.best_brief_id, first.source_count) == (
            "Перша",
            "<b>Перша</b>",
            1,
            1,
        )
        assert first.first_seen_at == datetime.fromisoformat(T0) and not first.is_top
        assert first.pushed_at == datetime.fromisoformat(T0)  # it had ledger rows
        async with db.conn.execute("SELECT id, story_id FROM briefs ORDER BY id") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [(1, 1), (2, 2)]
        async with db.conn.execute("SELECT DISTINCT mode FROM chats") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [("all",)]

        async with db.conn.execute(
            "SELECT id, kind, ref, chat_id, status, message_id, expires_at FROM deliveries"
            " ORDER BY id"
        ) as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [
                (1, "story", 1, 1, "sent", 501, T6),
                (2, "story", 1, 2, "pending", None, T6),
                (3, "story", 1, 3, "skipped", None, T6),
                (4, "story", 2, 1, "pending", None, T6),
                (5, "broadcast", 1, 1, "pending", None, None),
            ]
        # the pending rows are still sent, with the story's message (the brief's)
        due = await deliveries.due_deliveries(db, NOW, 10)
        assert [(d.id, d.story_html, d.broadcast_text) for d in due] == [
            (2, "<b>Перша</b>", None),
            (4, "<b>Друга</b>", None),
            (5, None, "Оголошення"),
        ]
        # and nobody gets an old story again when it is handed over once more
        assert await deliveries.fan_out_story(db, 1, NOW, top=True) == 0
        async with db.conn.execute("PRAGMA freelist_count") as cur:
            assert tuple(await cur.fetchone() or ()) == (0,)  # the old ledger's pages: gone
    finally:
        await db.close()
