"""The database figures a scrape shows, read at scrape time."""

from __future__ import annotations

import os

from bot.clock import Clock
from bot.ops.metrics import StorageGauges
from storage import Database
from storage import losses as loss_store
from storage.ops import database_bytes, pending_by_kind


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # no WAL file (yet, or after a clean checkpoint)
        return 0


async def read_storage_gauges(db: Database, clock: Clock, database_path: str) -> StorageGauges:
    newest = await loss_store.newest_record(db)
    age = None if newest is None else (clock.now() - newest.fetched_at).total_seconds()
    wal = 0 if database_path == ":memory:" else _file_size(f"{database_path}-wal")
    return StorageGauges(
        pending_by_kind=await pending_by_kind(db),
        database_bytes=await database_bytes(db),
        wal_bytes=wal,
        losses_age_seconds=None if age is None else max(0.0, age),
    )
