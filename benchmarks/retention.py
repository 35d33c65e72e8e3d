"""Database size under retention: 60 days of news and deliveries, pruned every night.

    .venv/bin/python benchmarks/retention.py [--quick] [--days 60] [--keep-days 30]
        [--subscribers 10000] [--items 2000] [--batch 1000] [--json]

A file database (WAL, as the bot runs) and a controlled clock; storage is called directly,
no HTTP.  Every simulated day:

* 2 000 items from 7 sources, polled hourly: each poll records the new items
  (``articles.add_articles``), marks the feed's items seen (``articles.mark_seen``: a feed
  lists its 50 newest) and records the parse (``sources.record_success``);
* every item is briefed and filed in a story (``stories.file_brief``, with a brief, a story
  message and matcher features of realistic sizes); 15 % of the items join a story of the
  last 12 hours (≈ 1 700 stories a day: the throughput note in benchmarks/README.md);
  ≈ 50 stories a day are top;
* subscribers: 20 % want every story, 60 % top stories, 20 % a digest (the README's mix);
  each story goes to the 'all' chats, a top story also to the 'top' chats, and the real
  ``DigestService`` builds the digests at 09:00 and 19:00 Kyiv time;
* every ledger row is finished (sent) the same day.

Ledger rows: story rows are bulk-inserted, one ``INSERT … SELECT`` per story in the order the
fan-out writes them (story by story, chats in id order), already in the state the delivery
engine leaves a sent row in (status, attempts, message id, sent and expiry times): the real
path — ``fan_out_story`` and then one ``record_outcomes`` per send — would take hours for the
≈ 3.7 million rows a day.  They skip the pending-row indexes, which only ever hold the rows in
flight.  An hour's fan-out is one transaction with a 64 MiB page cache (the bot commits each
story's fan-out alone): the same rows and pages, less I/O.  Digest rows go through the real
``build_digest`` and are then marked sent.

At 03:30 Kyiv time the real :class:`bot.retention.Retention` runs, with SQLite's default page
cache (as in the bot).  Printed per day: the database file and its WAL, free pages, what was
pruned, how long it took and its longest transaction.  The file should stop growing once it
holds ``keep_days`` of data: the growth over the second half is printed as a %.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import KYIV, ManualClock  # noqa: E402
from bot.retention import Retention  # noqa: E402
from bot.subscribers.digest_service import DigestService  # noqa: E402
from bot.subscribers.times import DigestTimes  # noqa: E402
from storage import Database, articles, chats, sources, stories, to_db  # noqa: E402
from storage.articles import NewArticle  # noqa: E402
from storage.stories import NewBrief, StoryState  # noqa: E402

START = datetime(2025, 1, 1, 0, 0, tzinfo=KYIV)
SOURCES = 7
FEED_ITEMS = 50  # what a feed lists
JOIN = 0.15  # share of items that join an open story
TOP_PER_DAY = 50
WINDOW = timedelta(hours=12)
BENCH_CACHE_KIB = 65536  # the simulation's page cache; pruning runs with SQLite's default
DEFAULT_CACHE_KIB = 2000
_SAMPLE = (
    "Сили оборони відбили атаки на напрямку окупанти втратили техніку громада отримала "
    "допомогу уряд ухвалив рішення енергетики відновили живлення Харків Одеса Дніпро Львів "
    "Київ міст школа лікарня волонтери зібрали кошти президент заявив партнери передали"
)
_WORDS = _SAMPLE.split()


def _text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(_WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


@dataclass(slots=True)
class Day:
    day: int
    db_mb: float
    wal_mb: float
    free_mb: float
    ledger_rows: int
    stories: int
    articles: int
    pruned_rows: int
    prune_s: float
    prune_transactions: int
    longest_ms: float


class Simulation:
    def __init__(self, db: Database, path: Path, args: argparse.Namespace) -> None:
        self.db, self.path, self.args = db, path, args
        self.rng = random.Random(7)
        self.clock = ManualClock(START)
        self.source_ids: list[int] = []
        self.feeds: list[deque[str]] = [deque(maxlen=FEED_ITEMS) for _ in range(SOURCES)]
        self.open: deque[list[Any]] = deque()  # [first seen, story, best brief, reports]
        self.items = 0

        class Counter:
            def counter_line(self, now: datetime) -> str:
                return "Втрати ворога: 912 490 осіб (+1 740) · 10 478 танків"

        self.digests = DigestService(
            db, self.clock, DigestTimes.parse(("09:00", "19:00")), Counter(), lambda: None
        )
        self.retention = Retention(db, self.clock, args.keep_days, WINDOW, batch=args.batch)

    async def setup(self) -> dict[str, int]:
        now = self.clock.now()
        for n in range(SOURCES):
            url = f"https://source{n}.example/rss"
            self.source_ids.append(await sources.add_source(self.db, f"S{n}", url, "config", now))
        by_mode: dict[str, list[int]] = {}
        for i in range(self.args.subscribers):  # the modes interleaved, as in real life
            by_mode.setdefault(_mode_of(i), []).append(100_000_000 + i)
        for mode, ids in by_mode.items():
            rows = ((c, "private", "") for c in ids)
            await chats.import_chats(self.db, rows, now, mode=mode)  # type: ignore[arg-type]
        return {mode: len(ids) for mode, ids in by_mode.items()}

    async def day(self) -> None:
        per_hour = self.args.items / 24
        owed = 0.0
        for _ in range(24):
            owed += per_hour
            count, owed = int(owed), owed - int(owed)
            await self._hour(count)
            self.clock.advance(timedelta(hours=1))
            await self._digest()

    async def _hour(self, count: int) -> None:
        now = self.clock.now()
        per_source = [0] * SOURCES
        for _ in range(count):
            per_source[self.rng.randrange(SOURCES)] += 1
        fan_out: list[tuple[int, bool, datetime]] = []
        for index, n in enumerate(per_source):
            sid, feed = self.source_ids[index], self.feeds[index]
            new = []
            for _ in range(n):
                self.items += 1
                identity = f"guid:{self.items}"
                feed.appendleft(identity)
                title = _text(self.rng, 90)
                new.append(
                    NewArticle(identity, f"https://s{index}.example/{self.items}", title,
                               now, f"h{self.items}", "pushed")
                )  # fmt: skip
            ids = await articles.add_articles(self.db, sid, new, now)
            await articles.mark_seen(self.db, sid, feed, now)
            await sources.record_success(
                self.db, sid, now, etag=None, last_modified=None, body_sha=str(self.items),
                item_count=len(feed), warning=None, parsed=True,
            )  # fmt: skip
            for article_id, record in zip(ids, new, strict=True):
                fan_out += await self._file(article_id, record.title, now)
        await self._fan_out(fan_out)

    async def _file(self, article_id: int, title: str, now: datetime) -> list[Any]:
        while self.open and now - self.open[0][0] > WINDOW:
            self.open.popleft()
        summary = _text(self.rng, 420)
        html = f"<b>{title}</b>\n\n{summary}\n\nВтрати ворога: 912 490 осіб\n\n<a href='x'>S</a>"
        features = json.dumps({"lemmas": [_text(self.rng, 12) for _ in range(90)]})
        brief = NewBrief(article_id, title, summary, html, "extractive", features)
        lemmas = sorted({w.lower() for w in summary.split()})
        top = self.rng.random() < TOP_PER_DAY / (self.args.items * (1 - JOIN))
        if self.open and self.rng.random() < JOIN:
            joined = self.open[self.rng.randrange(len(self.open))]
            joined[3] += 1
            state = StoryState(title, html, joined[3], 1.0, False, "bench", False, joined[2])
            await stories.file_brief(self.db, brief, joined[1], state, now)
            return []
        state = StoryState(title, html, 1, 1.0, top, "bench", True, lemmas=lemmas)
        filed = await stories.file_brief(self.db, brief, None, state, now)
        self.open.append([now, filed.story_id, filed.brief_id, 1])
        return [(filed.story_id, top, now)]

    async def _fan_out(self, handed: list[tuple[int, bool, datetime]]) -> None:
        """The hour's story rows, as sent rows (see the module docstring)."""
        async with self.db.transaction() as conn:
            for story_id, top, at in handed:
                await conn.execute(
                    "UPDATE stories SET pushed_at = ? WHERE id = ?", (to_db(at), story_id)
                )
                modes = "('all', 'top')" if top else "('all')"
                sent = to_db(at + timedelta(minutes=2))
                await conn.execute(
                    "INSERT INTO deliveries (kind, ref, chat_id, priority, status, attempts,"
                    " message_id, created_at, sent_at, expires_at)"
                    " SELECT 'story', ?, id, 1, 'sent', 1, abs(random() % 1000000), ?, ?, ?"
                    f" FROM chats WHERE status = 'active' AND mode IN {modes} ORDER BY id",
                    (story_id, to_db(at), sent, to_db(at + timedelta(hours=6))),
                )

    async def _digest(self) -> None:
        built = await self.digests.run_due()
        if built is None or not built.recipients:
            return
        async with self.db.transaction() as conn:  # every digest row sent
            await conn.execute(
                "UPDATE deliveries SET status = 'sent', attempts = 1, sent_at = ?,"
                " message_id = abs(random() % 1000000)"
                " WHERE kind = 'digest' AND status = 'pending'",
                (to_db(self.clock.now()),),
            )

    async def prune(self) -> tuple[int, float, int, float]:
        await self.db.conn.execute(f"PRAGMA cache_size = -{DEFAULT_CACHE_KIB}")
        started = time.perf_counter()
        pruned = await self.retention.run()
        took = time.perf_counter() - started
        await self.db.conn.execute(f"PRAGMA cache_size = -{BENCH_CACHE_KIB}")
        return pruned.rows, took, pruned.transactions, pruned.longest_seconds

    async def measure(self, day: int, pruned: tuple[int, float, int, float]) -> Day:
        await self.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        wal = self.path.with_name(self.path.name + "-wal")
        free = await _one(self.db, "PRAGMA freelist_count")
        page = await _one(self.db, "PRAGMA page_size")
        return Day(
            day=day,
            db_mb=round(self.path.stat().st_size / 2**20, 1),
            wal_mb=round((wal.stat().st_size if wal.exists() else 0) / 2**20, 1),
            free_mb=round(free * page / 2**20, 1),
            # every row is finished and pruned oldest first: the id span is the count
            ledger_rows=await _one(self.db, "SELECT MAX(id) - MIN(id) + 1 FROM deliveries"),
            stories=await _one(self.db, "SELECT COUNT(*) FROM stories"),
            articles=await _one(self.db, "SELECT COUNT(*) FROM articles"),
            pruned_rows=pruned[0],
            prune_s=round(pruned[1], 2),
            prune_transactions=pruned[2],
            longest_ms=round(pruned[3] * 1000, 1),
        )


def _mode_of(i: int) -> str:
    """20 % 'all', 60 % 'top', 20 % 'digest'."""
    return {0: "all", 4: "digest"}.get(i % 5, "top")


async def _one(db: Database, query: str) -> int:
    async with db.conn.execute(query) as cur:
        row = await cur.fetchone()
    return int(row[0] or 0) if row else 0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in vars(args).items() if k != "json"}
    with tempfile.TemporaryDirectory(prefix="newsbot-retention-") as tmp:
        path = Path(tmp) / "newsbot.db"
        db = await Database.open(path)
        try:
            await db.conn.execute(f"PRAGMA cache_size = -{BENCH_CACHE_KIB}")
            sim = Simulation(db, path, args)
            out["modes"] = await sim.setup()
            days: list[Day] = []
            started = time.perf_counter()
            for day in range(1, args.days + 1):
                await sim.day()
                sim.clock.set(START + timedelta(days=day, hours=3, minutes=30))
                pruned = await sim.prune()
                days.append(await sim.measure(day, pruned))
                sim.clock.set(START + timedelta(days=day))
                if not args.json:
                    _print_day(days[-1], args.days)
            out["seconds"] = round(time.perf_counter() - started, 1)
        finally:
            await db.close()
    out["days"] = [asdict(d) for d in days]
    half = [d for d in days if d.day > args.keep_days]
    if half:
        first, last = half[0].db_mb, half[-1].db_mb
        out["growth_after_keep_pct"] = round((last - first) / first * 100, 1)
        out["max_prune_s"] = max(d.prune_s for d in half)
        out["longest_transaction_ms"] = max(d.longest_ms for d in half)
    out["load_average"] = round(os.getloadavg()[0], 2)
    return out


def _print_day(d: Day, days: int) -> None:
    if d.day == 1:
        print(
            f"{'day':>4}{'db MB':>9}{'WAL MB':>8}{'free MB':>9}{'ledger':>11}{'stories':>9}"
            f"{'articles':>10}{'pruned':>10}{'prune s':>9}{'txns':>7}{'longest ms':>12}"
        )
    if days > 20 and d.day % 5 and d.day not in (1, 31):
        return
    print(
        f"{d.day:>4}{d.db_mb:>9.1f}{d.wal_mb:>8.1f}{d.free_mb:>9.1f}{d.ledger_rows:>11}"
        f"{d.stories:>9}{d.articles:>10}{d.pruned_rows:>10}{d.prune_s:>9.2f}"
        f"{d.prune_transactions:>7}{d.longest_ms:>12.1f}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="1 000 subscribers, 20 days")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--keep-days", type=int, default=30)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=2_000, help="items a day")
    parser.add_argument("--batch", type=int, default=1000, help="rows per prune transaction")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.days, args.keep_days = 1_000, 20, 10
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{args.subscribers} subscribers {result['modes']}, {args.items} items a day")
    if "growth_after_keep_pct" in result:
        print(
            f"file size over days {args.keep_days + 1}-{args.days}: "
            f"{result['growth_after_keep_pct']:+.1f} %; pruning at most {result['max_prune_s']} s"
            f" a night, longest transaction {result['longest_transaction_ms']} ms"
        )
    print(f"{result['seconds']} s in all; load average at the end {result['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
