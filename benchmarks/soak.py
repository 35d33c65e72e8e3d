"""Soak: the real bot for ``--minutes`` with a new article every ``--interval`` seconds.

    .venv/bin/python benchmarks/soak.py [--minutes 30] [--interval 3] [--subscribers 50]
                                        [--story-window-minutes M] [--malloc-arena-max N]
                                        [--json]

The bot (``python -m bot run``) runs as a subprocess against a fake Telegram and a fake news
site that live in a *second* child process, so neither the fakes' memory nor this script's is
the bot's.  The news site serves one RSS feed (the 20 newest items) and an article page per
item; every ``--interval`` seconds a new item appears at the top.  Items carry only a short
description in the feed, so each one costs the bot the whole pipeline: feed poll (every
second), page fetch, trafilatura, the extractive summariser, a stored brief and one ledger row
per subscriber, sent under Telegram's real limits (30/s overall, 1/s per chat).  The
subscribers are in mode ``all`` (every story is pushed to them at once) with quiet hours off.

Texts are real Ukrainian press paragraphs (``../shared/data/summ_eval/``, read at run time):
each page is eight paragraphs drawn at random and its lead paragraph is never reused, so the
vocabulary keeps growing the way a news stream's does (new names, places, numbers).  Without
the shared data the bot's demo articles are used (a small vocabulary: says so).

The story index holds every story first seen within ``stories.window_hours`` (12 h by
default): at this rate (20 items a minute, 16 times a real bot's ~1 750 a day) it fills for 12
hours, by design.  ``--story-window-minutes`` shortens the window so the index reaches its
steady size within the warm-up and the run shows whether anything *else* grows per item.

Every 10 s the bot's RSS is sampled (psutil).  At the end the fake Telegram's log is checked
against the bot's database (read after the bot stopped): each item belongs to a story (an item
may join an earlier one: the same event), and every subscriber got exactly one message for
every story that holds an item published during the run (a message links its story's best
report, so its link names the story).  Printed: RSS at the end of the warm-up
(the first third, at most the first 10 minutes), at minute 10, at the end; the growth over
the rest of the run (the last 20 minutes of a 30-minute run) and its least-squares slope.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "424242:SOAK"
CHAT_BASE = 20_000_000
FEED_ITEMS = 20
SEED_ITEMS = 5
PARAGRAPHS_PER_PAGE = 8
SAMPLE_SECONDS = 10.0
SHARED_TEXTS = ROOT.parent / "shared" / "data" / "summ_eval" / "brownuk_press_lede_eval.jsonl"
DEMO_TEXTS = ROOT / "bot" / "demo_data" / "articles.json"
LOSSES_JSON = ROOT / "tests" / "data" / "losses" / "api_latest_2025-03-29.json"
_ITEM_IN_LINK = re.compile(r"/a/(\d+)")

# -- the fakes' process -----------------------------------------------------------------------


def load_paragraphs() -> tuple[list[str], str]:
    """Ukrainian paragraphs to build pages from, and where they came from."""
    if SHARED_TEXTS.exists():
        paragraphs: list[str] = []
        for line in SHARED_TEXTS.read_text("utf-8").splitlines():
            record = json.loads(line)
            text = f"{record['summary']}\n{record['text']}"
            paragraphs += [p.strip() for p in text.split("\n") if len(p.strip()) > 80]
        return paragraphs, "Brown-UK press paragraphs (../shared/data)"
    articles = json.loads(DEMO_TEXTS.read_text("utf-8"))
    paragraphs = [p for a in articles for p in a["paragraphs"]]
    return paragraphs, "the demo articles only (small vocabulary: ../shared/data is absent)"


class NewsStream:
    """The feed and pages of a news site that publishes an item every few seconds."""

    def __init__(self, paragraphs: list[str], base_url: str, seed: int = 10) -> None:
        self._paragraphs = paragraphs
        self._base = base_url
        self._rng = random.Random(seed)
        self._leads = list(range(len(paragraphs)))
        self._rng.shuffle(self._leads)
        self.items: list[tuple[int, str, str, datetime]] = []  # (n, title, lead, published)

    def publish(self, now: datetime) -> tuple[int, str]:
        """A new item on top; returns its number and its page's HTML."""
        n = len(self.items) + 1
        lead_index = self._leads[(n - 1) % len(self._leads)]
        lead = self._paragraphs[lead_index]
        title = _title_of(lead)
        if n > len(self._leads):  # a lead comes round again: the headline must still differ
            title = f"{title} (оновлено {n // len(self._leads)})"
        self.items.append((n, title, lead, now))
        body = [lead, *self._rng.sample(self._paragraphs, PARAGRAPHS_PER_PAGE - 1)]
        return n, _page(n, title, body, self.items[-12:-1], now)

    def feed(self) -> str:
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>',
            f"<title>Стрічка новин</title><link>{self._base}/</link>",
            "<description>soak</description>",
        ]
        for n, title, lead, published in reversed(self.items[-FEED_ITEMS:]):
            parts.append(
                f"<item><title>{html.escape(title)}</title><link>{self._base}/a/{n}</link>"
                f'<guid isPermaLink="false">soak-{n}</guid>'
                f"<pubDate>{format_datetime(published)}</pubDate>"
                f"<description>{html.escape(lead[:300])}</description></item>"
            )
        parts.append("</channel></rss>")
        return "\n".join(parts)


def _title_of(paragraph: str) -> str:
    first = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0].rstrip(".")
    return first if len(first) <= 110 else first[:107].rsplit(" ", 1)[0] + "…"


def _page(
    n: int,
    title: str,
    paragraphs: list[str],
    related: list[tuple[int, str, str, datetime]],
    now: datetime,
) -> str:
    stamp = now.isoformat(timespec="seconds")
    shown = f"{now:%d.%m.%Y, %H:%M}"
    links = "".join(f'<li><a href="/a/{r[0]}">{html.escape(r[1])}</a></li>' for r in related)
    text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html lang="uk"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | Новини</title>"
        f'<meta property="article:published_time" content="{stamp}">'
        f'<meta name="description" content="{html.escape(paragraphs[0][:160])}">'
        "</head><body><header><nav><a href='/'>Головна</a> · <a href='/war'>Війна</a> · "
        "<a href='/economy'>Економіка</a></nav></header>"
        f"<main><article><h1>{html.escape(title)}</h1><time datetime='{stamp}'>{shown}</time>"
        f"{text}<p>Читайте також: інші новини дня</p></article>"
        f"<aside><h2>Останні новини</h2><ul>{links}</ul></aside></main>"
        "<footer>© Новини, 2025. Усі права захищено.</footer></body></html>"
    )


async def serve() -> None:
    """Child: FakeTelegram + FakeNews + the item stream; JSON commands on stdin, one reply each."""
    from bot.fakes import FakeNews, FakeTelegram

    paragraphs, corpus = load_paragraphs()
    loop = asyncio.get_running_loop()
    async with FakeTelegram(token=TOKEN) as tg, FakeNews() as news:
        stream = NewsStream(paragraphs, news.url)
        losses = LOSSES_JSON.read_bytes()
        news.set("/api/v2/statistics/latest", losses, content_type="application/json")
        seed_time = datetime.now(UTC) - timedelta(minutes=SEED_ITEMS)
        for i in range(SEED_ITEMS):
            _publish(stream, news, seed_time + timedelta(minutes=i))
        seeds = len(stream.items)
        counts: Counter[tuple[int, int]] = Counter()
        scanned = 0
        publisher: asyncio.Task[None] | None = None

        async def publish_every(interval: float) -> None:
            while True:
                await asyncio.sleep(interval)
                _publish(stream, news, datetime.now(UTC))

        def status(with_counts: bool) -> dict[str, Any]:
            nonlocal scanned
            for message in tg.sent[scanned:]:
                match = _ITEM_IN_LINK.search(message.text or "")
                if match:
                    counts[(message.chat_id, int(match.group(1)))] += 1
            scanned = len(tg.sent)
            return {
                "items": len(stream.items) - seeds,
                "first_item": seeds + 1,
                "feed_hits": news.hits("/feed.xml"),
                "messages": sum(counts.values()),
                "count_429": tg.count_429,
                "counts": [[c, n, k] for (c, n), k in counts.items()] if with_counts else [],
            }

        hello = {"api_url": tg.api_url, "news_url": news.url, "corpus": corpus}
        print(json.dumps(hello), flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            cmd = json.loads(line)
            if cmd["cmd"] == "start":
                publisher = asyncio.create_task(publish_every(cmd["interval"]))
            elif cmd["cmd"] == "stop" and publisher is not None:
                publisher.cancel()
            reply = status(cmd.get("counts", False)) if cmd["cmd"] == "status" else {"ok": True}
            print(json.dumps(reply), flush=True)
            if cmd["cmd"] == "quit":
                break


def _publish(stream: NewsStream, news: Any, now: datetime) -> None:
    n, page = stream.publish(now)
    news.set(f"/a/{n}", page, content_type="text/html; charset=utf-8")
    news.set("/feed.xml", stream.feed())


# -- this process -----------------------------------------------------------------------------


class Fakes:
    """The fakes' child process, driven over its stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process, hello: dict[str, str]) -> None:
        self.proc = proc
        self.api_url, self.news_url = hello["api_url"], hello["news_url"]
        self.corpus = hello["corpus"]

    @classmethod
    async def start(cls) -> Fakes:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,  # the delivery counts come back as one long line
        )  # fmt: skip
        assert proc.stdout is not None
        return cls(proc, json.loads(await proc.stdout.readline()))

    async def ask(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((json.dumps({"cmd": cmd, **args}) + "\n").encode())
        await self.proc.stdin.drain()
        reply: dict[str, Any] = json.loads(await self.proc.stdout.readline())
        return reply

    async def wait_for(self, key: str, at_least: int, timeout: float) -> None:  # noqa: ASYNC109
        """Until the fakes' status says ``key`` ≥ ``at_least`` (they live in another process:
        asking over the pipe is the only way to know)."""
        deadline = time.monotonic() + timeout
        while (await self.ask("status"))[key] < at_least:
            if time.monotonic() > deadline:
                raise TimeoutError(f"fakes: {key} did not reach {at_least} in {timeout} s")
            await asyncio.sleep(0.5)

    async def close(self) -> None:
        if self.proc.returncode is None:
            try:
                await asyncio.wait_for(self.ask("quit"), 30)
            except (TimeoutError, ValueError, OSError):
                self.proc.kill()
            await self.proc.wait()


def write_config(work: Path, fakes: Fakes, story_window_minutes: float | None = None) -> Path:
    from delivery import _toml  # the delivery benchmark's TOML writer (benchmarks/ is on the path)

    sections: dict[str, dict[str, Any]] = {
        "telegram": {"token": TOKEN, "api_url": fakes.api_url},
        "storage": {"database": str(work / "newsbot.db")},
        "schedule": {"poll_seconds": 1, "losses_seconds": 3600, "jitter_seconds": 0},
        "losses": {
            "url": f"{fakes.news_url}/api/v2/statistics/latest",
            "fallback_url": f"{fakes.news_url}/minfin/",
            "backfill_days": 1,
        },
        "ops": {"listen": "127.0.0.1:0"},
    }
    if story_window_minutes is not None:
        sections["stories"] = {"window_hours": story_window_minutes / 60}
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    lines += ["[[sources]]", 'name = "Стрічка"', f'url = "{fakes.news_url}/feed.xml"']
    path = work / "config.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


async def prepare_db(path: Path, subscribers: int) -> None:
    from storage import Database, chats

    db = await Database.open(path)
    try:
        rows = ((CHAT_BASE + i, "private", f"u{i}") for i in range(subscribers))
        await chats.import_chats(db, rows, datetime.now(UTC), mode="all")
    finally:
        await db.close()


def rss_anon_mib(pid: int) -> float:
    """The anonymous part of a process's RSS (heap, arenas; not the mapped files), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def warmup_minutes(minutes: float) -> float:
    """The first third, at most the first 10 minutes (the last 20 of a 30-minute run count)."""
    return minutes - min(20.0, minutes * 2 / 3)


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB) samples, in MiB per minute."""
    n = len(samples)
    if n < 2:
        return float("nan")
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    return cov / var * 60 if var else float("nan")


def rss_at(samples: list[tuple[float, float]], seconds: float) -> float:
    """The sample nearest to ``seconds`` after the start."""
    return min(samples, key=lambda s: abs(s[0] - seconds))[1]


async def stories_of_items(path: Path) -> dict[int, int]:
    """Item number → the story its brief was filed in, from the bot's database."""
    from storage import Database, stories

    db = await Database.open(path)
    try:
        members = await stories.window_members(db, datetime(2000, 1, 1, tzinfo=UTC))
    finally:
        await db.close()
    return {int(m.group(1)): s.story_id for s in members if (m := _ITEM_IN_LINK.search(s.url))}


def check_deliveries(
    status: dict[str, Any], subscribers: int, story_of: dict[int, int]
) -> dict[str, int]:
    """Every (subscriber, story of an item of the run) exactly once: what was lost or doubled.

    ``status["counts"]`` holds (chat, item linked, messages); a message links its story's best
    report, which may be another item of the same story."""
    first, items = status["first_item"], status["items"]
    run_items = range(first, first + items)
    stories = {story_of[n] for n in run_items if n in story_of}
    counts: Counter[tuple[int, int]] = Counter()
    for chat, n, k in status["counts"]:
        counts[(chat, story_of.get(n, -n))] += k
    wanted = {(CHAT_BASE + i, story) for i in range(subscribers) for story in stories}
    return {
        "stories": len(stories),
        "not_filed": sum(1 for n in run_items if n not in story_of),
        "expected": len(wanted),
        "delivered": sum(counts.values()),
        "missing": sum(1 for key in wanted if key not in counts),
        "duplicated": sum(1 for key, k in counts.items() if k > 1),
        "unexpected": sum(k for key, k in counts.items() if key not in wanted),
    }


def summarise(
    samples: list[tuple[float, float]], minutes: float, deliveries: dict[str, int]
) -> dict[str, Any]:
    warm = warmup_minutes(minutes) * 60
    after = [s for s in samples if s[0] >= warm]
    end = samples[-1][1]
    return {
        "minutes": minutes,
        "warmup_minutes": round(warm / 60, 1),
        "rss_start_mib": round(samples[0][1], 1),
        "rss_warmup_end_mib": round(rss_at(samples, warm), 1),
        "rss_minute_10_mib": round(rss_at(samples, 600), 1) if minutes >= 10 else None,
        "rss_end_mib": round(end, 1),
        "rss_peak_mib": round(max(m for _, m in samples), 1),
        "growth_after_warmup_mib": round(end - rss_at(samples, warm), 2),
        "slope_mib_per_min": round(slope_per_minute(after), 3),
        **deliveries,
    }


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    import psutil

    fakes = await Fakes.start()
    tmp = tempfile.TemporaryDirectory(prefix="newsbot-soak-")
    work = Path(tmp.name)
    bot: asyncio.subprocess.Process | None = None
    try:
        await prepare_db(work / "newsbot.db", args.subscribers)
        config = write_config(work, fakes, args.story_window_minutes)
        env = {**os.environ, "PTB_TIMEDELTA": "1"}
        if args.malloc_arena_max:
            env["MALLOC_ARENA_MAX"] = str(args.malloc_arena_max)
        with (work / "bot.log").open("ab") as log:
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config),
                stdout=log, stderr=log, cwd=ROOT, env=env,
            )  # fmt: skip
        process = psutil.Process(bot.pid)
        # Two fetches of the feed: the first poll (records the seed items, pushes nothing) is over.
        await fakes.wait_for("feed_hits", 2, timeout=120)
        await fakes.ask("start", interval=args.interval)
        started = time.monotonic()
        samples: list[tuple[float, float]] = []
        anon: list[tuple[float, float]] = []
        loads: list[float] = []
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            samples.append((elapsed, process.memory_info().rss / 2**20))
            anon.append((elapsed, rss_anon_mib(bot.pid)))
            loads.append(os.getloadavg()[0])
            if len(samples) % 6 == 1:
                status = await fakes.ask("status")
                print(
                    f"{elapsed / 60:5.1f} min  RSS {samples[-1][1]:6.1f} MiB (anonymous "
                    f"{anon[-1][1]:6.1f})  items "
                    f"{status['items']:4d}  messages {status['messages']:6d}",
                    file=sys.stderr, flush=True,
                )  # fmt: skip
            await asyncio.sleep(SAMPLE_SECONDS - (time.monotonic() - started) % SAMPLE_SECONDS)
        elapsed = time.monotonic() - started
        samples.append((elapsed, process.memory_info().rss / 2**20))
        anon.append((elapsed, rss_anon_mib(bot.pid)))
        await fakes.ask("stop")
        status = await drain(fakes)
        bot_cpu_s = round(sum(process.cpu_times()[:2]), 1)
        bot.terminate()
        await bot.wait()
        deliveries = check_deliveries(
            status, args.subscribers, await stories_of_items(work / "newsbot.db")
        )
        result = summarise(samples, args.minutes, deliveries)
        result.update(
            interval_s=args.interval,
            subscribers=args.subscribers,
            items=status["items"],
            count_429=status["count_429"],
            bot_cpu_s=bot_cpu_s,
            load_avg_1min_mean=round(sum(loads) / len(loads), 2),
            malloc_arena_max=args.malloc_arena_max,
            story_window_minutes=args.story_window_minutes,
            anon_growth_after_warmup_mib=round(
                anon[-1][1] - rss_at(anon, warmup_minutes(args.minutes) * 60), 2
            ),
            corpus=fakes.corpus,
            samples=[[round(t), round(m, 2)] for t, m in samples],
        )
        return result
    finally:
        if bot is not None and bot.returncode is None:
            bot.terminate()
            await bot.wait()
        await fakes.close()
        tmp.cleanup()


async def drain(fakes: Fakes, quiet: float = 20.0, longest: float = 180.0) -> dict[str, Any]:
    """Let the last items through: until no message arrived for ``quiet`` seconds (at most
    ``longest`` seconds in all)."""
    deadline = time.monotonic() + longest
    last, since = -1, time.monotonic()
    while True:
        status = await fakes.ask("status", counts=True)
        if status["messages"] != last:
            last, since = status["messages"], time.monotonic()
        elif time.monotonic() - since >= quiet or time.monotonic() > deadline:
            return status
        await asyncio.sleep(1)


def report(r: dict[str, Any]) -> str:
    minute_10 = f"{r['rss_minute_10_mib']} MiB" if r["rss_minute_10_mib"] is not None else "—"
    minutes = r["story_window_minutes"]
    window = "12 h, the default" if minutes is None else f"{minutes:g} min"
    return "\n".join(
        [
            f"soak: {r['minutes']:g} min, an item every {r['interval_s']:g} s ({r['items']} "
            f"items, story window {window}) to {r['subscribers']} subscribers; texts: "
            f"{r['corpus']}",
            f"RSS: start {r['rss_start_mib']} MiB, warm-up end (minute "
            f"{r['warmup_minutes']:g}) {r['rss_warmup_end_mib']} MiB, minute 10 {minute_10}, "
            f"end {r['rss_end_mib']} MiB, peak {r['rss_peak_mib']} MiB",
            f"growth after warm-up: {r['growth_after_warmup_mib']:+.2f} MiB; slope "
            f"{r['slope_mib_per_min']:+.3f} MiB/min (least squares over the samples after "
            f"warm-up); anonymous memory {r['anon_growth_after_warmup_mib']:+.2f} MiB",
            f"items in {r['stories']} stories ({r['items'] - r['stories']} joined an earlier "
            f"one, {r['not_filed']} not filed); sends (subscriber, story): {r['delivered']} of "
            f"{r['expected']}, missing {r['missing']}, duplicated {r['duplicated']}, "
            f"unexpected {r['unexpected']}, 429s {r['count_429']}",
            f"bot CPU {r['bot_cpu_s']} s; machine load (1-min average, mean) "
            f"{r['load_avg_1min_mean']}",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between items")
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument(
        "--story-window-minutes", type=float, default=None, help="default: the bot's (12 h)"
    )
    parser.add_argument("--malloc-arena-max", type=int, default=0, help="set it for the bot")
    parser.add_argument("--json", action="store_true", help="one JSON object (with the samples)")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve())
        return 0
    result = asyncio.run(soak(args))
    print(json.dumps(result, ensure_ascii=False) if args.json else report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
