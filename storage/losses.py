"""Loss-counter history: one snapshot per report date (Europe/Kyiv).

Rows travel as :class:`LossRecord` (storage does not import the domain); the loss service
converts them to and from its ``LossRecord``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage.db import Database, to_db


@dataclass(frozen=True, slots=True)
class LossRecord:
    day: date
    war_day: int
    stats: Mapping[str, int]  # category -> total, in the source's order
    increase: Mapping[str, int]  # category -> change since the previous report
    source: str
    fetched_at: datetime

    def same_figures(self, other: LossRecord) -> bool:
        return (
            self.day == other.day
            and self.war_day == other.war_day
            and dict(self.stats) == dict(other.stats)
            and dict(self.increase) == dict(other.increase)
        )


def _figures(text: str) -> dict[str, int]:
    raw: Any = json.loads(text)
    return {str(k): int(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _record(r: sqlite3.Row) -> LossRecord:
    return LossRecord(
        day=date.fromisoformat(r["day"]),
        war_day=r["war_day"] or 0,
        stats=_figures(r["stats"]),
        increase=_figures(r["increase"]),
        source=r["source"],
        fetched_at=datetime.fromisoformat(r["fetched_at"]),
    )


def _row(s: LossRecord) -> tuple[str, int, str, str, str, str]:
    return (
        s.day.isoformat(),
        s.war_day,
        json.dumps(dict(s.stats), ensure_ascii=False),
        json.dumps(dict(s.increase), ensure_ascii=False),
        s.source,
        to_db(s.fetched_at),
    )


async def save_record(db: Database, record: LossRecord) -> bool:
    """Insert the day's snapshot, or replace it when its figures changed; True if written."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT * FROM loss_snapshots WHERE day = ?", (record.day.isoformat(),)
        ) as cur:
            row = await cur.fetchone()
        if row is not None and _record(row).same_figures(record):
            return False
        await conn.execute(
            "INSERT INTO loss_snapshots (day, war_day, stats, increase, source, fetched_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET war_day = excluded.war_day,"
            " stats = excluded.stats, increase = excluded.increase,"
            " source = excluded.source, fetched_at = excluded.fetched_at",
            _row(record),
        )
        return True


async def get_record(db: Database, day: date) -> LossRecord | None:
    async with db.conn.execute(
        "SELECT * FROM loss_snapshots WHERE day = ?", (day.isoformat(),)
    ) as cur:
        row = await cur.fetchone()
    return _record(row) if row else None


async def newest_record(db: Database) -> LossRecord | None:
    async with db.conn.execute("SELECT * FROM loss_snapshots ORDER BY day DESC LIMIT 1") as cur:
        row = await cur.fetchone()
    return _record(row) if row else None


async def neighbours(db: Database, day: date) -> tuple[LossRecord | None, LossRecord | None]:
    """The nearest stored snapshots before and after ``day``."""
    key = day.isoformat()
    async with db.conn.execute(
        "SELECT * FROM loss_snapshots WHERE day < ? ORDER BY day DESC LIMIT 1", (key,)
    ) as cur:
        before = await cur.fetchone()
    async with db.conn.execute(
        "SELECT * FROM loss_snapshots WHERE day > ? ORDER BY day ASC LIMIT 1", (key,)
    ) as cur:
        after = await cur.fetchone()
    return (_record(before) if before else None, _record(after) if after else None)


async def records_between(db: Database, first: date, last: date) -> list[LossRecord]:
    """Stored snapshots from ``first`` to ``last`` inclusive, oldest first."""
    async with db.conn.execute(
        "SELECT * FROM loss_snapshots WHERE day BETWEEN ? AND ? ORDER BY day",
        (first.isoformat(), last.isoformat()),
    ) as cur:
        return [_record(r) for r in await cur.fetchall()]


async def stored_days(db: Database, first: date, last: date) -> set[date]:
    async with db.conn.execute(
        "SELECT day FROM loss_snapshots WHERE day BETWEEN ? AND ?",
        (first.isoformat(), last.isoformat()),
    ) as cur:
        return {date.fromisoformat(r["day"]) for r in await cur.fetchall()}


async def count_records(db: Database) -> int:
    async with db.conn.execute("SELECT COUNT(*) FROM loss_snapshots") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
