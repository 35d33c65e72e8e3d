"""Cost of one poll cycle: 200 sources × 50 items on loopback fake news servers.

    .venv/bin/python benchmarks/poll_cycle.py [--sources 200] [--items 50] [--pages]
                                              [--real-briefs] [--max-pushes 10] [--json]

Scenarios, run in this order on one database (each one cycle of ``SourceService.poll_all``):

* ``first poll``          every source new: all items recorded, 3 per source briefed;
* ``all 304``             every feed answers 304 Not Modified (ETag matched);
* ``unchanged 200``       no validators, the same bytes again (recognised by their hash);
* ``200, no new items``   no validators, bytes changed (``lastBuildDate``): parsed, all seen;
* ``1 / 5 / 25 new``      that many new items at the top of every feed.

The fake servers (one per source: the fetcher allows one request at a time per host, and 200
sources live on 200 hosts in real life) run in a *child process*, so the CPU time printed is
the bot's alone: ``time.process_time()`` of this process, worker threads (feed parsing,
extraction) included.  Wall time is ``time.perf_counter()``.

By default items carry their full text in ``content:encoded`` and briefs are made by a trivial
stand-in, so the figures are the sources machinery's own plus the story stage (the real
:class:`~bot.pipeline.stories.StoryDesk`: features off the loop, matching, storing).
``--pages`` drops the full text (so every briefed item costs a page fetch and a trafilatura
extraction) and ``--real-briefs`` uses
the real extractive :class:`~bot.briefs.maker.BriefMaker`.  ``--max-pushes`` raises the per-poll
push cap (default 10, as in production) to see the cost of briefing all 25 new items.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.config import Config, FetchConfig, TelegramConfig  # noqa: E402
from bot.pipeline import ArticlePipeline, ArticleTextReader  # noqa: E402
from bot.pipeline.stories import StoryDesk  # noqa: E402
from bot.sources.fetch import Fetcher  # noqa: E402
from bot.sources.service import SourceService  # noqa: E402
from storage import Database  # noqa: E402
from storage import sources as source_store  # noqa: E402

START = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)

# -- the fake servers (child process) ---------------------------------------------------------


_PLACES = (
    "Вінниця", "Луцьк", "Дніпро", "Житомир", "Ужгород", "Запоріжжя", "Івано-Франківськ",
    "Кропивницький", "Львів", "Миколаїв", "Одеса", "Полтава", "Рівне", "Суми", "Тернопіль",
    "Харків", "Херсон", "Хмельницький", "Черкаси", "Чернівці", "Чернігів", "Київ",
)  # fmt: skip
_TOPICS = (
    ("пункт незламності", "мешканці можуть зігрітися, зарядити телефони й отримати гарячий чай"),
    ("укриття у школі", "учні зможуть навчатися очно навіть під час повітряних тривог"),
    ("міст через річку", "водії знову можуть об'їхати затори в центрі міста"),
    ("центр реабілітації", "ветерани отримають допомогу фізичних терапевтів і психологів"),
    ("котельню", "тепло отримають кілька тисяч квартир до початку опалювального сезону"),
    ("амбулаторію", "лікарі прийматимуть пацієнтів із навколишніх сіл щодня"),
)


def _event(source: int, n: int) -> tuple[str, str, str]:
    """Place, thing and what it gives: items of different sources rarely tell one event."""
    place = _PLACES[(source * 7 + n) % len(_PLACES)]
    thing, gives = _TOPICS[(source * 5 + n * 3) % len(_TOPICS)]
    return place, thing, gives


def _paragraphs(source: int, n: int) -> list[str]:
    place, thing, gives = _event(source, n)
    return [
        f"У місті {place} відкрили {thing}: тепер {gives}. Про це повідомила місцева влада.",
        f"Роботи коштували {source * 1000 + n} тисяч гривень і тривали кілька місяців; "
        "частину коштів дали міжнародні партнери.",
        "Волонтери закликають приносити теплі речі й ліки, які потім передадуть родинам "
        f"переселенців; усього за тиждень допомогу отримали {n % 90 + 10} сімей.",
    ]


def _title(source: int, n: int) -> str:
    place, thing, _ = _event(source, n)
    return f"{place}: відкрили {thing} за {source * 1000 + n} тисяч гривень"


def feed_body(source: int, top: int, items: int, stamp: str, full: bool) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>Джерело {source}</title><link>https://s{source}.example.ua/</link>",
        f"<description>бенчмарк</description><lastBuildDate>{stamp}</lastBuildDate>",
    ]
    for n in range(top, top - items, -1):
        when = START + timedelta(minutes=n - 60)  # fixed per item: same bytes when unchanged
        paragraphs = _paragraphs(source, n)
        parts += [
            "<item>",
            f"<title>{_title(source, n)}</title>",
            f"<link>{{base}}/a/{n}?utm_source=rss</link>",
            f'<guid isPermaLink="false">s{source}-n{n}</guid>',
            f"<pubDate>{format_datetime(when)}</pubDate>",
            f"<description>{html.escape(paragraphs[0])}</description>",
        ]
        if full:
            body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
            parts.append(f"<content:encoded><![CDATA[{body}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def page_body(source: int, n: int) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(source, n))
    return (
        '<!DOCTYPE html><html lang="uk"><head><meta charset="utf-8">'
        f"<title>Новина {n}</title></head><body><nav><a href='/'>Головна</a></nav>"
        f"<article><h1>{_title(source, n)}</h1>{paragraphs}"
        "<p>Читайте також: інші новини громади</p></article>"
        "<footer>© Тестові новини</footer></body></html>"
    )


async def serve(count: int) -> None:
    """Child: run ``count`` FakeNews servers; obey JSON commands on stdin, one per line."""
    from bot.fakes import FakeNews

    servers = [await FakeNews().start() for _ in range(count)]
    print(json.dumps([s.url for s in servers]), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        for i, server in enumerate(servers):
            body = feed_body(i, cmd["top"], cmd["items"], cmd["stamp"], cmd["full"])
            etag: Any = None
            if cmd["etag"]:
                from bot.fakes import AUTO

                etag = AUTO
            server.set("/feed.xml", body.replace("{base}", server.url), etag=etag)
            if cmd["pages"]:
                for n in range(cmd["top"], cmd["top"] - cmd["items"], -1):
                    server.set(f"/a/{n}", page_body(i, n), content_type="text/html; charset=utf-8")
        print("ok", flush=True)
    for server in servers:
        await server.close()


# -- the bot side -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Brief:
    title: str
    summary: str
    html: str
    summariser: str


class _StandInBriefs:
    async def make(self, article: Any, counter_line: str | None) -> _Brief:
        return _Brief(article.title, article.text[:200], html.escape(article.title), "bench")


class _NoLosses:
    def counter_line(self, now: datetime) -> str | None:
        return None


class Servers:
    def __init__(self, count: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        self.urls: list[str] = json.loads(self.proc.stdout.readline())

    def set(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"cmd": "set", **cmd}) + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ok":
            raise RuntimeError("fake servers did not confirm")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write('{"cmd": "quit"}\n')
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    servers = Servers(args.sources)
    rows: list[dict[str, Any]] = []
    tmp = tempfile.TemporaryDirectory()
    db = await Database.open(Path(tmp.name) / "bench.db")
    clock = ManualClock(START)
    fetch = FetchConfig(allow_private_sources=True, max_pushes_per_poll=args.max_pushes)
    config = Config(telegram=TelegramConfig(token="1:x"), fetch=fetch, sources=())
    http = httpx.AsyncClient(
        headers={"User-Agent": fetch.user_agent},
        timeout=httpx.Timeout(20.0, connect=5.0),
        limits=httpx.Limits(max_connections=fetch.concurrency * 2),
    )
    pushed = 0

    async def hand_over(story_id: int, top: bool) -> None:
        nonlocal pushed
        pushed += 1

    if args.real_briefs:
        from bot.briefs.maker import BriefMaker

        briefs: Any = BriefMaker(config.briefs, http)
    else:
        briefs = _StandInBriefs()
    fetcher = Fetcher(http, config.fetch)
    text = ArticleTextReader(fetcher, config.fetch, briefs_other_languages=False)
    max_age = timedelta(hours=fetch.max_age_hours)
    desk = StoryDesk(db, clock, config.stories)
    await desk.start()
    pipeline = ArticlePipeline(
        db, clock, text, briefs, _NoLosses(), desk, hand_over, max_age=max_age
    )
    service = SourceService(db, fetcher, clock, config, pipeline)
    for i, url in enumerate(servers.urls):
        await source_store.add_source(db, f"Джерело {i}", f"{url}/feed.xml", "config", START)

    stamp = 0

    async def cycle(label: str, new: int, **feed: Any) -> None:
        nonlocal pushed, stamp
        if not feed.pop("stamp_same", False):
            stamp += 1  # lastBuildDate changes: the bytes (and the fake's ETag) change
        servers.set(
            items=args.items,
            full=not args.pages,
            pages=args.pages,
            stamp=f"build {stamp}",
            **feed,
        )
        pushed = 0
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = await service.poll_all()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        statuses = {s: report.count(s) for s in ("not_modified", "unchanged", "parsed", "error")}
        briefed = sum(o.briefed for o in report.outcomes)
        rows.append(
            {
                "scenario": label,
                "new_per_source": new,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "briefed": briefed,
                "pushed": pushed,
                **{k: v for k, v in statuses.items() if v},
            }
        )
        clock.advance(timedelta(seconds=config.schedule.poll_seconds))

    try:
        top = args.items
        await cycle("first poll", args.items, top=top, etag=True)
        await cycle("all 304", 0, top=top, etag=True, stamp_same=True)
        await cycle("unchanged 200", 0, top=top, etag=False, stamp_same=True)
        await cycle("200, no new items", 0, top=top, etag=False)
        for k in (1, 5, 25):
            top += k
            await cycle(f"{k} new per source", k, top=top, etag=False)
    finally:
        await http.aclose()
        await db.close()
        tmp.cleanup()
        servers.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--pages", action="store_true", help="no feed full text: fetch pages")
    parser.add_argument("--real-briefs", action="store_true", help="use the real BriefMaker")
    parser.add_argument("--max-pushes", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return 0
    rows = asyncio.run(run(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{args.sources} sources × {args.items} items, cpus={os.cpu_count()}, "
        f"pages={'yes' if args.pages else 'no (feed full text)'}, "
        f"briefs={'real' if args.real_briefs else 'stand-in'}, max pushes={args.max_pushes}"
    )
    print(f"{'scenario':<22}{'wall s':>9}{'cpu s':>9}{'briefed':>9}{'pushed':>8}  statuses")
    for r in rows:
        statuses = ", ".join(
            f"{k}={r[k]}" for k in ("not_modified", "unchanged", "parsed", "error") if k in r
        )
        print(
            f"{r['scenario']:<22}{r['wall_s']:>9.3f}{r['cpu_s']:>9.3f}"
            f"{r['briefed']:>9}{r['pushed']:>8}  {statuses}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
