"""A version-6 database (before retention) upgrades with its rows: every article counts as
last seen when it was first fetched, no source counts as parsed since, so nothing of an
upgraded bot's articles is forgotten until its feed has been parsed again without them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import Database, articles, sources
from storage.retention import prune
from storage.schema import SCHEMA_VERSION
from tests.integration.migration_support import build_at_version

BEFORE = 6
T0 = "2025-02-01T08:00:00.000000+00:00"
T1 = "2025-02-02T08:00:00.000000+00:00"


def _old_database(path: Path) -> None:
    build_at_version(path, BEFORE)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO sources (id, url, name, created_at, first_success_at, last_success_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(1, "https://a.example/rss", "А", T0, T0, T1),
             (2, "https://b.example/rss", "Б", T0, T0, T1)],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO articles (id, source_id, identity, url, title, disposition, fetched_at)"
            " VALUES (?, ?, ?, ?, ?, 'baseline', ?)",
            [
                (1, 1, "guid:a1", "https://a.example/1", "Перша", T0),
                (2, 2, "guid:b1", "https://b.example/1", "Друга", T0),
                (3, 1, "guid:a2", "https://a.example/2", "Третя", T1),
            ],
        )
        conn.execute(
            "INSERT INTO chats (id, type, title, status, joined_at, updated_at)"
            " VALUES (1, 'private', '', 'active', ?, ?)",
            (T0, T0),
        )
        conn.executemany(
            "INSERT INTO deliveries (kind, ref, chat_id, priority, status, created_at, sent_at)"
            " VALUES ('broadcast', ?, 1, 2, 'sent', ?, ?)",
            [(1, T0, T0), (2, T1, T1)],
        )


async def test_a_version_6_database_upgrades_and_keeps_identities_until_a_parse(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v6.db"
    _old_database(path)
    db = await Database.open(path)
    try:
        assert await db.version() == SCHEMA_VERSION == BEFORE + 1
        async with db.conn.execute("SELECT id, fetched_at, last_seen_at FROM articles") as cur:
            assert all(r["last_seen_at"] == r["fetched_at"] for r in await cur.fetchall())
        async with db.conn.execute("SELECT last_parsed_at FROM sources") as cur:
            assert [r[0] for r in await cur.fetchall()] == [None, None]

        now = datetime(2025, 4, 1, 9, tzinfo=UTC)  # two months on
        before = now - timedelta(days=30)
        first = await prune(db, before, keep_latest=10)
        # the older ledger row goes (the newest row of a table always stays); no article
        # goes: no source has been parsed since the upgrade
        assert (first.ledger, first.articles) == (1, 0)
        # source А is parsed: its feed still has a2, no longer a1; Б answers 304 (not parsed)
        assert await articles.mark_seen(db, 1, ["guid:a2"], now) == {"guid:a2"}
        await sources.record_success(
            db, 1, now, etag=None, last_modified=None, body_sha="x", item_count=1,
            warning=None, parsed=True,
        )  # fmt: skip
        await sources.record_not_modified(db, 2, now)
        second = await prune(db, before, keep_latest=10)
        assert second.articles == 1
        async with db.conn.execute("SELECT identity FROM articles ORDER BY id") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["guid:b1", "guid:a2"]
    finally:
        await db.close()
