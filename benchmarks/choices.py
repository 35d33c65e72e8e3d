"""The subscribers' choices at scale: a story's fan-out with follow/mute words and switched-off
sources, and a digest's preparation for 100 000 digest subscribers.

    .venv/bin/python benchmarks/choices.py [--subscribers N] [--words 0.10] [--repeat 5] [--json]

A file database (WAL, ``synchronous = NORMAL``, as the bot runs).  ``--words`` of the chats
hold words: each of them follows 3 and mutes 3 (at most 20 each in the bot).  A story's text has
40 lemmas drawn from a 2 000-word vocabulary with Zipf-like popularity (news words are not
equally common); the subscribers' words are drawn the same way from all but the 50 commonest
(which are in nearly every story: nobody follows «Україна»), so the most popular of them are in
about one story in ten.  One in five holders has also switched off one or two of the 7 sources;
a story has 1–3 sources.

Story fan-out (80 % of the chats in mode 'all', 15 % 'top', 5 % 'digest', as in fanout.py):

* ``new story``          the rows for 'all' chats and for any chat that follows one of its words,
                         minus chats that mute one or switched off all its sources;
* ``top at first sight`` the same for 'all' and 'top' chats.

Digest (every chat in mode 'digest'): ``build`` is what the bot does at a digest time — the
candidates (stories of the window, most important first), one common message, a ledger row per
chat, and a variant message for each chat whose mutes, sources or instant follows leave out one
of its stories.  ``--repeat`` runs each on fresh data; the median is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.subscribers.digest import DigestRenderer  # noqa: E402
from bot.subscribers.digest_service import CANDIDATES, PER_DIGEST  # noqa: E402
from storage import Database, articles, chats, deliveries, digests, sources, stories  # noqa: E402
from storage.articles import NewArticle  # noqa: E402
from storage.stories import NewBrief, StoryState  # noqa: E402

NOW = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
VOCABULARY = [f"слово{n}" for n in range(2000)]
WEIGHTS = [1 / (n + 1) for n in range(len(VOCABULARY))]  # Zipf-like: a few words are everywhere
SOURCES = 7
COMMON = 50
MIXED = (("all", 0.80), ("top", 0.15), ("digest", 0.05))


def _words(rng: random.Random, k: int) -> list[str]:
    """A story's lemmas: the common words of news appear in most stories."""
    return sorted(set(rng.choices(VOCABULARY, WEIGHTS, k=k)))


def _topics(rng: random.Random, k: int) -> list[str]:
    """A subscriber's words: topical ones (a place, a name, a sport), with the same Zipf-like
    popularity but not among the 50 commonest words, which are in nearly every story."""
    return sorted(set(rng.choices(VOCABULARY[COMMON:], WEIGHTS[COMMON:], k=k)))


async def _population(
    db: Database, n: int, share: float, modes: Sequence[tuple[str, float]]
) -> dict[str, int]:
    """``n`` active chats by ``modes``; ``share`` of them hold words (some switch sources off)."""
    rng = random.Random(12)
    counts: dict[str, int] = {}
    start = 10_000_000
    for mode, part in modes:
        size = round(n * part)
        rows = ((start + i, "private", "") for i in range(size))
        counts[mode] = await chats.import_chats(db, rows, NOW, mode=mode)  # type: ignore[arg-type]
        start += size
    source_ids = [await sources.add_source(db, f"S{s}", f"https://s{s}.example/rss", "config", NOW)
                  for s in range(SOURCES)]  # fmt: skip
    holders = rng.sample(range(10_000_000, start), round(n * share))
    words, off = [], []
    for chat in holders:
        for kind in ("follow", "mute"):
            words += [(chat, kind, w, w, NOW.isoformat()) for w in _topics(rng, 3)]
        if rng.random() < 0.2:
            off += [(chat, s) for s in rng.sample(source_ids, rng.choice((1, 2)))]
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT OR IGNORE INTO chat_words (chat_id, kind, lemma, word, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            words,
        )
        await conn.executemany("INSERT INTO chat_sources_off VALUES (?, ?)", off)
    counts["holding words"] = len(holders)
    counts["with sources off"] = len({c for c, _ in off})
    return counts


class Stories:
    def __init__(self, db: Database) -> None:
        self._db, self._n, self._rng = db, 0, random.Random(7)

    async def new(self, at: datetime, *, top: bool = False) -> int:
        story_id: int | None = None
        lemmas = _words(self._rng, 40)
        for s in self._rng.sample(range(1, SOURCES + 1), self._rng.choice((1, 2, 3))):
            self._n += 1
            record = NewArticle(
                f"guid:{self._n}", f"https://b.ua/{self._n}", "t", at, None, "pushed"
            )
            (article_id,) = await articles.add_articles(self._db, s, [record], at)
            brief = NewBrief(article_id, f"Новина {self._n}", "s", "<b>t</b>", "b", None)
            state = StoryState(f"Новина {self._n}", "<b>t</b>", 1, 1.0, top, "bench",
                               best_is_new=story_id is None, lemmas=lemmas)  # fmt: skip
            story_id = (await stories.file_brief(self._db, brief, story_id, state, at)).story_id
        assert story_id is not None
        return story_id


Sample = tuple[float, float, int, int]  # wall s, CPU s, rows, Python peak bytes


async def _measure(work: Any) -> tuple[float, float, Any, int]:
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return wall, cpu, result, peak


async def fan_out(n: int, share: float, repeat: int, tmp: Path) -> dict[str, Any]:
    db = await Database.open(tmp / "fanout.db")
    try:
        population = await _population(db, n, share, MIXED)
        made = Stories(db)
        samples: dict[str, list[Sample]] = {}
        at = NOW
        for _ in range(repeat):
            at += timedelta(minutes=1)
            for name, top in (("new story", False), ("top at first sight", True)):
                story = await made.new(at, top=top)
                wall, cpu, rows, peak = await _measure(
                    deliveries.fan_out_story(db, story, at, top=top)
                )
                samples.setdefault(name, []).append((wall, cpu, rows, peak))
    finally:
        await db.close()
    return {"population": population, "scenarios": _summary(samples)}


async def digest(n: int, share: float, repeat: int, tmp: Path) -> dict[str, Any]:
    db = await Database.open(tmp / "digest.db")
    try:
        population = await _population(db, n, share, (("digest", 1.0),))
        made = Stories(db)
        samples: dict[str, list[Sample]] = {}
        variants: list[int] = []
        at = NOW
        for _ in range(repeat):
            since = at
            for k in range(60):  # a window's worth of stories, some top
                at += timedelta(minutes=5)
                story = await made.new(at, top=k % 5 == 0)
                await deliveries.fan_out_story(db, story, at, top=k % 5 == 0)
            at += timedelta(minutes=5)

            async def build(since: datetime = since, until: datetime = at) -> Any:
                found = await digests.digest_candidates(db, since, until, CANDIDATES)
                render = DigestRenderer(since, until, "Втрати ворога: 1 000 000 осіб")
                return await digests.build_digest(
                    db, until, since, until, found, render, per_message=PER_DIGEST
                )

            wall, cpu, built, peak = await _measure(build())
            samples.setdefault("build", []).append((wall, cpu, built.recipients, peak))
            variants.append(built.variants)
    finally:
        await db.close()
    return {"population": population, "scenarios": _summary(samples), "variants": variants}


def _summary(samples: dict[str, list[Sample]]) -> dict[str, Any]:
    return {
        name: {
            "median_s": round(statistics.median(r[0] for r in runs), 4),
            "max_s": round(max(r[0] for r in runs), 4),
            "median_cpu_s": round(statistics.median(r[1] for r in runs), 4),
            "rows": round(statistics.median(r[2] for r in runs)),
            "python_peak_kb": round(max(r[3] for r in runs) / 1024, 1),
        }
        for name, runs in samples.items()
    }


async def run(n: int, share: float, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = {
            "subscribers": n,
            "words_share": share,
            "fan_out": await fan_out(n, share, repeat, Path(tmp)),
            "digest": await digest(n, share, repeat, Path(tmp)),
        }
    out["load_average"] = round(os.getloadavg()[0], 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--words", type=float, default=0.10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.subscribers, args.words, args.repeat))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for part in ("fan_out", "digest"):
        print(f"{part}: {result['subscribers']} subscribers {result[part]['population']}")
        head = f"{'median s':>10}{'max s':>9}{'CPU s':>8}{'rows':>9}{'py peak KB':>12}"
        print(f"  {'scenario':<20}{head}")
        for name, r in result[part]["scenarios"].items():
            print(
                f"  {name:<20}{r['median_s']:>10.3f}{r['max_s']:>9.3f}{r['median_cpu_s']:>8.3f}"
                f"{r['rows']:>9}{r['python_peak_kb']:>12.1f}"
            )
    print(f"digest variants per build: {result['digest']['variants']}")
    print(f"load average (1 min) at the end: {result['load_average']} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
