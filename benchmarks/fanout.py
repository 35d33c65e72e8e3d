"""Story fan-out: one ``INSERT … SELECT`` puts a story in the ledger for every chat that wants it.

    .venv/bin/python benchmarks/fanout.py [--subscribers 100000] [--repeat 5] [--json]

A file database (WAL, ``synchronous = NORMAL``, as the bot runs) with ``--subscribers`` active
chats: 80 % want every story (mode 'all'), 15 % top stories only, 5 % a digest (nothing yet).
Each scenario runs ``--repeat`` times on fresh one-report stories (the median is printed):

* ``new story``          a story's first hand-over: a row for each 'all' chat;
* ``became top``         the same story handed over again as top: rows for the 'top' chats,
                         the 'all' chats' existing rows ignored by the unique index;
* ``again, nothing new`` a later report of a story everyone has: no row written;
* ``top at first sight`` a new story that is top at once: 'all' and 'top' chats.

The ledger grows as it would (each scenario adds its rows to the rows already there).  Python
memory is ``tracemalloc``'s peak during one fan-out (the rows never pass through Python); the
process RSS includes SQLite's page cache, which its ``cache_size`` bounds.  Wall and CPU time
are both printed: on a machine shared with other work the wall time also shows the others.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import DeliveryConfig  # noqa: E402
from storage import Database, articles, chats, deliveries, sources, stories  # noqa: E402
from storage.articles import NewArticle  # noqa: E402

NOW = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
SHARES = (("all", 0.80), ("top", 0.15), ("digest", 0.05))


async def _chats(db: Database, subscribers: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    start = 10_000_000
    for mode, share in SHARES:
        n = round(subscribers * share)
        rows = ((start + i, "private", f"u{start + i}") for i in range(n))
        counts[mode] = await chats.import_chats(db, rows, NOW, mode=mode)  # type: ignore[arg-type]
        start += n
    return counts


class Stories:
    """Fresh one-report stories, each on its own article."""

    def __init__(self, db: Database) -> None:
        self._db, self._n, self._source = db, 0, 0

    async def new(self) -> int:
        if not self._source:
            self._source = await sources.add_source(
                self._db, "Bench", "https://bench.example/rss", "config", NOW
            )
        self._n += 1
        record = NewArticle(f"guid:{self._n}", f"https://b.ua/{self._n}", "t", NOW, None, "pushed")
        (article_id,) = await articles.add_articles(self._db, self._source, [record], NOW)
        return await stories.add_story(
            self._db, article_id, title="t", summary="s", html="<b>t</b>", summariser="b", now=NOW
        )


Sample = tuple[float, float, int, int]  # wall s, CPU s, rows, Python peak bytes


async def _timed(db: Database, story_id: int, top: bool, at: datetime) -> Sample:
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    expires = at + timedelta(hours=DeliveryConfig().expire_hours)  # as the engine hands over
    rows = await deliveries.fan_out_story(db, story_id, at, top=top, expires_at=expires)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return wall, cpu, rows, peak


async def run(subscribers: int, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"subscribers": subscribers}
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "fanout.db")
        try:
            out["modes"] = await _chats(db, subscribers)
            made = Stories(db)
            samples: dict[str, list[Sample]] = {}
            at = NOW
            for _ in range(repeat):
                at += timedelta(minutes=1)
                story = await made.new()
                samples.setdefault("new story", []).append(await _timed(db, story, False, at))
                samples.setdefault("became top", []).append(await _timed(db, story, True, at))
                again = await _timed(db, story, True, at)
                samples.setdefault("again, nothing new", []).append(again)
                top = await made.new()
                samples.setdefault("top at first sight", []).append(await _timed(db, top, True, at))
            out["ledger_rows"] = await deliveries.count_pending(db)
        finally:
            await db.close()
    out["scenarios"] = {
        name: {
            "median_s": round(statistics.median(r[0] for r in runs), 4),
            "max_s": round(max(r[0] for r in runs), 4),
            "median_cpu_s": round(statistics.median(r[1] for r in runs), 4),
            "rows": runs[0][2],
            "python_peak_kb": round(max(r[3] for r in runs) / 1024, 1),
        }
        for name, runs in samples.items()
    }
    out["load_average"] = round(os.getloadavg()[0], 2)
    out["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.subscribers, args.repeat))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{result['subscribers']} subscribers {result['modes']}, ledger {result['ledger_rows']}")
    print(f"{'scenario':<22}{'median s':>10}{'max s':>9}{'CPU s':>8}{'rows':>9}{'py peak KB':>12}")
    for name, r in result["scenarios"].items():
        print(
            f"{name:<22}{r['median_s']:>10.3f}{r['max_s']:>9.3f}{r['median_cpu_s']:>8.3f}"
            f"{r['rows']:>9}{r['python_peak_kb']:>12.1f}"
        )
    print(f"load average (1 min) at the end: {result['load_average']} on {os.cpu_count()} cores")
    print(f"process RSS at the end: {result['rss_mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
