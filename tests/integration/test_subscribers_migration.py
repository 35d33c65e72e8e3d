"""A database from before the subscribers' choices upgrades in place: every existing chat keeps
receiving every story ('all', quiet hours off, no words, every source on), and a pending story
row keeps working."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from storage import Database, deliveries, settings
from storage.schema import SCHEMA_VERSION
from tests.integration.migration_support import build_at_version

BEFORE = 5  # chats.mode came with stories; the rest of the choices after it
T0 = "2025-03-29T08:00:00.000000+00:00"


def _old_database(path: Path) -> None:
    build_at_version(path, BEFORE)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO chats (id, type, title, status, joined_at, updated_at)"
            " VALUES (?, ?, '', 'active', ?, ?)",
            [(1, "private", T0, T0), (-5, "group", T0, T0)],
        )
        conn.execute(
            "INSERT INTO stories (id, first_seen_at, updated_at, title, html, pushed_at)"
            " VALUES (1, ?, ?, 'Перша', '<b>Перша</b>', ?)",
            (T0, T0, T0),
        )
        conn.execute(
            "INSERT INTO deliveries (kind, ref, chat_id, priority, created_at)"
            " VALUES ('story', 1, 1, 1, ?)",
            (T0,),
        )


async def test_existing_chats_keep_everything_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    db = await Database.open(path)
    try:
        assert await db.version() == SCHEMA_VERSION
        for chat in (1, -5):
            found = await settings.get_settings(db, chat)
            assert found is not None
            assert (found.mode, found.quiet, found.follow, found.mute, found.sources_off) == (
                "all", False, (), (), frozenset()
            )  # fmt: skip
        now = datetime(2025, 3, 29, 9, tzinfo=UTC)
        due = await deliveries.due_deliveries(db, now, 10)
        assert [(d.chat_id, d.story_html, d.quiet) for d in due] == [(1, "<b>Перша</b>", False)]
    finally:
        await db.close()
