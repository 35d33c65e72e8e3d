"""Databases as an older newsbot left them, for the migration tests."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from storage.db import _split_sql
from storage.schema import MIGRATIONS


def build_at_version(path: Path, version: int) -> None:
    """A database as an older newsbot left it: migrations 1..version, no newer ones."""
    with closing(sqlite3.connect(path)) as conn, conn:
        for number in range(1, version + 1):
            for statement in _split_sql(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
