"""Shared wiring for the sources tests: a SourceService over a real httpx client, the migrated
in-memory database, a ManualClock, and small fakes for the brief maker and the loss counter.

(Named ``test_*`` only so that it lives among the sources tests; it holds one self-check.)
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

from bot.briefs.maker import ArticleText
from bot.clock import ManualClock
from bot.config import Config, FetchConfig, TelegramConfig
from bot.pipeline import ArticlePipeline, ArticleTextReader
from bot.pipeline.flow import Briefs, Handover
from bot.pipeline.stories import StoryDesk
from bot.sources.fetch import Fetcher
from bot.sources.service import SourceService
from storage import Database
from storage import sources as source_store

UA = "newsbot/0.1 (+Telegram news bot)"


@dataclass(frozen=True, slots=True)
class FakeBrief:
    title: str
    summary: str
    html: str
    summariser: str


class FakeBriefs:
    """Briefs Ukrainian articles only (as the extractive summariser does)."""

    def __init__(self) -> None:
        self.made: list[ArticleText] = []
        self.counter_lines: list[str | None] = []

    async def make(self, article: ArticleText, counter_line: str | None) -> FakeBrief | None:
        self.made.append(article)
        self.counter_lines.append(counter_line)
        if article.language != "uk":
            return None
        summary = article.text[:200]
        body = f"<b>{html.escape(article.title)}</b>\n{html.escape(summary)}"
        return FakeBrief(article.title, summary, body, "fake")


class FakeLosses:
    def counter_line(self, now: datetime) -> str | None:
        return "Втрати ворога: 912 490 осіб"


@dataclass
class Env:
    db: Database
    clock: ManualClock
    service: SourceService
    briefs: FakeBriefs
    pushed: list[int] = field(default_factory=list)  # story ids handed to delivery
    pushed_event: asyncio.Event = field(default_factory=asyncio.Event)

    async def add(self, url: str, name: str | None = None) -> int:
        return await source_store.add_source(
            self.db, name or url.rsplit("/", 1)[-1], url, "config", self.clock.now()
        )

    async def source(self, source_id: int) -> source_store.SourceRecord:
        record = await source_store.get_source(self.db, source_id)
        assert record is not None
        return record

    async def dispositions(self, source_id: int | None = None) -> dict[str, int]:
        from storage.articles import count_by_disposition

        return await count_by_disposition(self.db, source_id)


def fast_fetch(**overrides: Any) -> FetchConfig:
    """Fetch rules scaled down so fault tests finish in well under a second each."""
    base = FetchConfig(
        allow_private_sources=True,
        connect_timeout=1.0,
        read_timeout=0.4,
        source_timeout=1.0,
    )
    return replace(base, **overrides)


def source_service(
    db: Database,
    http: httpx.AsyncClient,
    clock: ManualClock,
    cfg: Config,
    briefs: Briefs,
    handover: Handover,
) -> SourceService:
    """The sources service over the real pipeline (text, brief, story, hand-over) with these
    parts."""
    fetcher = Fetcher(http, cfg.fetch)
    text = ArticleTextReader(
        fetcher, cfg.fetch, briefs_other_languages=cfg.briefs.summariser == "llm"
    )
    max_age = timedelta(hours=cfg.fetch.max_age_hours)
    desk = StoryDesk(db, clock, cfg.stories, top_sources=[s.name for s in cfg.sources if s.top])
    pipeline = ArticlePipeline(
        db, clock, text, briefs, FakeLosses(), desk, handover, max_age=max_age
    )
    return SourceService(db, fetcher, clock, cfg, pipeline)


@asynccontextmanager
async def sources_env(
    db: Database, clock: ManualClock, fetch: FetchConfig | None = None, **config: Any
) -> AsyncIterator[Env]:
    cfg = Config(telegram=TelegramConfig(token="1:x"), fetch=fetch or fast_fetch(), **config)
    http = httpx.AsyncClient(
        headers={"User-Agent": cfg.fetch.user_agent},
        timeout=httpx.Timeout(20.0, connect=5.0),
        follow_redirects=True,
        max_redirects=5,
        limits=httpx.Limits(max_connections=cfg.fetch.concurrency * 2),
    )
    briefs = FakeBriefs()
    pushed: list[int] = []
    event = asyncio.Event()

    async def hand_over(story_id: int, top: bool) -> None:
        pushed.append(story_id)
        event.set()

    service = source_service(db, http, clock, cfg, briefs, hand_over)
    try:
        yield Env(db, clock, service, briefs, pushed, event)
    finally:
        await http.aclose()


@dataclass(frozen=True, slots=True)
class Item:
    n: int
    minutes_ago: float | None = 10
    title: str | None = None
    guid: str | None = None
    link: str | None = None
    description: str | None = None
    content: str | None = None


def uk_text(n: int) -> str:
    return (
        f"Новина номер {n}: у громаді відкрили ще один пункт незламності, де мешканці "
        "можуть зігрітися, зарядити телефони й отримати допомогу."
    )


# Article links point at the discard port on loopback, where nothing listens: a page fetch
# fails at once and offline, so no test ever leaves the machine.
NOWHERE = "http://127.0.0.1:9"


def rss(items: Sequence[Item], now: datetime, *, base: str = NOWHERE) -> str:
    """An RSS 2.0 document with ``items`` (newest first, as feeds list them)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel><title>Тестова стрічка</title>",
        f"<link>{base}/</link><description>тест</description>",
    ]
    for it in items:
        parts.append("<item>")
        title = it.title if it.title is not None else f"Новина {it.n}: важлива подія дня"
        parts.append(f"<title>{html.escape(title)}</title>")
        link = it.link if it.link is not None else f"{base}/news/{it.n}"
        parts.append(f"<link>{html.escape(link)}</link>")
        parts.append(f'<guid isPermaLink="false">{html.escape(it.guid or f"id-{it.n}")}</guid>')
        if it.minutes_ago is not None:
            when = now - timedelta(minutes=it.minutes_ago)
            parts.append(f"<pubDate>{format_datetime(when)}</pubDate>")
        description = it.description if it.description is not None else uk_text(it.n)
        parts.append(f"<description>{html.escape(description)}</description>")
        if it.content is not None:
            parts.append(f"<content:encoded><![CDATA[{it.content}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def test_rss_builder_makes_a_parsable_feed() -> None:
    from datetime import UTC

    from bot.sources.feeds import parse_feed

    now = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
    parsed = parse_feed(rss([Item(1), Item(2, minutes_ago=None)], now).encode(), now=now)
    assert [i.title for i in parsed.items] == [
        "Новина 1: важлива подія дня",
        "Новина 2: важлива подія дня",
    ]
    assert parsed.items[0].published == now - timedelta(minutes=10)
