"""News sources: the feeds the bot polls, their conditional-GET validators and their health."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.db import Database, from_db, to_db

Origin = Literal["config", "admin"]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: int
    name: str
    url: str
    origin: Origin
    enabled: bool
    deleted_at: datetime | None
    etag: str | None
    last_modified: str | None
    body_sha: str | None
    first_success_at: datetime | None
    last_success_at: datetime | None
    last_polled_at: datetime | None
    last_item_count: int | None
    last_error: str | None
    last_error_at: datetime | None
    last_warning: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    created_at: datetime

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures == 0 and self.last_error is None


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: tuple[str, ...]
    renamed: tuple[str, ...]
    disabled: tuple[str, ...]
    kept_deleted: tuple[str, ...]


def _source(r: sqlite3.Row) -> SourceRecord:
    return SourceRecord(
        id=r["id"],
        name=r["name"],
        url=r["url"],
        origin=r["origin"],
        enabled=bool(r["enabled"]),
        deleted_at=from_db(r["deleted_at"]),
        etag=r["etag"],
        last_modified=r["last_modified"],
        body_sha=r["body_sha"],
        first_success_at=from_db(r["first_success_at"]),
        last_success_at=from_db(r["last_success_at"]),
        last_polled_at=from_db(r["last_polled_at"]),
        last_item_count=r["last_item_count"],
        last_error=r["last_error"],
        last_error_at=from_db(r["last_error_at"]),
        last_warning=r["last_warning"],
        consecutive_failures=r["consecutive_failures"],
        next_poll_at=from_db(r["next_poll_at"]),
        created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
    )


async def list_sources(db: Database, *, include_disabled: bool = True) -> list[SourceRecord]:
    """Every source not removed by an admin, in id order (disabled ones too, unless asked)."""
    query = "SELECT * FROM sources WHERE deleted_at IS NULL"
    if not include_disabled:
        query += " AND enabled = 1"
    async with db.conn.execute(query + " ORDER BY id") as cur:
        return [_source(r) for r in await cur.fetchall()]


async def count_enabled(db: Database) -> int:
    """How many sources are polled (enabled, not removed)."""
    async with db.conn.execute(
        "SELECT COUNT(*) FROM sources WHERE deleted_at IS NULL AND enabled = 1"
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def due_sources(db: Database, now: datetime) -> list[SourceRecord]:
    """Enabled sources whose backoff (``next_poll_at``) has passed, in id order."""
    async with db.conn.execute(
        "SELECT * FROM sources WHERE deleted_at IS NULL AND enabled = 1"
        " AND (next_poll_at IS NULL OR next_poll_at <= ?) ORDER BY id",
        (to_db(now),),
    ) as cur:
        return [_source(r) for r in await cur.fetchall()]


async def get_source(db: Database, source_id: int) -> SourceRecord | None:
    async with db.conn.execute(
        "SELECT * FROM sources WHERE id = ? AND deleted_at IS NULL", (source_id,)
    ) as cur:
        row = await cur.fetchone()
    return _source(row) if row else None


async def find_source_by_url(db: Database, url: str) -> SourceRecord | None:
    """The source with this exact URL, removed ones included (so /addsource can restore it)."""
    async with db.conn.execute("SELECT * FROM sources WHERE url = ?", (url,)) as cur:
        row = await cur.fetchone()
    return _source(row) if row else None


async def add_source(db: Database, name: str, url: str, origin: Origin, now: datetime) -> int:
    """Add a source, or restore (and rename) a removed or disabled one with the same URL."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT id FROM sources WHERE url = ?", (url,)) as cur:
            row = await cur.fetchone()
        if row is not None:
            await conn.execute(
                "UPDATE sources SET name = ?, origin = ?, enabled = 1, deleted_at = NULL,"
                " next_poll_at = NULL WHERE id = ?",
                (name, origin, row["id"]),
            )
            return int(row["id"])
        cur = await conn.execute(
            "INSERT INTO sources (url, name, origin, created_at) VALUES (?, ?, ?, ?)",
            (url, name, origin, to_db(now)),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid


async def delete_source(db: Database, source_id: int, now: datetime) -> SourceRecord | None:
    """Remove a source from polling and from the lists (its articles and briefs stay, as
    history).  A config source removed this way is not brought back by the next start."""
    source = await get_source(db, source_id)
    if source is None:
        return None
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE sources SET deleted_at = ? WHERE id = ?", (to_db(now), source_id)
        )
    return source


async def sync_config_sources(
    db: Database, wanted: Iterable[tuple[str, str]], now: datetime
) -> SyncResult:
    """Make the config-origin sources match ``wanted`` (name, url) pairs.

    New URLs are added, names follow the config, config sources no longer listed are disabled
    (not deleted: their articles are history), admin-added sources are left alone, and a source
    an admin removed with /delsource stays removed.
    """
    wanted_by_url = {url: name for name, url in wanted}
    added, renamed, disabled, kept_deleted = [], [], [], []
    async with db.transaction() as conn:
        async with conn.execute("SELECT * FROM sources") as cur:
            existing = {r["url"]: r for r in await cur.fetchall()}
        for url, name in wanted_by_url.items():
            row = existing.get(url)
            if row is None:
                await conn.execute(
                    "INSERT INTO sources (url, name, origin, created_at)"
                    " VALUES (?, ?, 'config', ?)",
                    (url, name, to_db(now)),
                )
                added.append(name)
            elif row["deleted_at"] is not None:
                kept_deleted.append(row["name"])
            elif row["name"] != name or not row["enabled"]:
                await conn.execute(
                    "UPDATE sources SET name = ?, enabled = 1 WHERE id = ?", (name, row["id"])
                )
                if row["name"] != name:
                    renamed.append(name)
        for url, row in existing.items():
            if (
                row["origin"] == "config"
                and url not in wanted_by_url
                and row["enabled"]
                and row["deleted_at"] is None
            ):
                await conn.execute("UPDATE sources SET enabled = 0 WHERE id = ?", (row["id"],))
                disabled.append(row["name"])
    return SyncResult(tuple(added), tuple(renamed), tuple(disabled), tuple(kept_deleted))


async def record_success(
    db: Database,
    source_id: int,
    now: datetime,
    *,
    etag: str | None,
    last_modified: str | None,
    body_sha: str | None,
    item_count: int,
    warning: str | None,
) -> None:
    """A poll that produced a usable feed: store validators, clear the error and backoff."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, body_sha = ?,"
            " first_success_at = COALESCE(first_success_at, ?), last_success_at = ?,"
            " last_polled_at = ?, last_item_count = ?, last_error = NULL, last_error_at = NULL,"
            " last_warning = ?, consecutive_failures = 0, next_poll_at = NULL WHERE id = ?",
            (
                etag,
                last_modified,
                body_sha,
                to_db(now),
                to_db(now),
                to_db(now),
                item_count,
                warning,
                source_id,
            ),
        )


async def record_not_modified(db: Database, source_id: int, now: datetime) -> None:
    """A 304: the feed is as it was — healthy, nothing to parse."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE sources SET last_success_at = ?, last_polled_at = ?, last_error = NULL,"
            " last_error_at = NULL, consecutive_failures = 0, next_poll_at = NULL WHERE id = ?",
            (to_db(now), to_db(now), source_id),
        )


async def record_failure(
    db: Database, source_id: int, now: datetime, *, error: str, next_poll_at: datetime
) -> int:
    """A failed poll: store the error in plain words and the backoff; returns the failure count."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE sources SET last_error = ?, last_error_at = ?, last_polled_at = ?,"
            " consecutive_failures = consecutive_failures + 1, next_poll_at = ? WHERE id = ?",
            (error, to_db(now), to_db(now), to_db(next_poll_at), source_id),
        )
        async with conn.execute(
            "SELECT consecutive_failures FROM sources WHERE id = ?", (source_id,)
        ) as cur:
            row = await cur.fetchone()
    return int(row[0]) if row else 0
