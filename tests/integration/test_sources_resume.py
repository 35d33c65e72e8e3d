"""Articles left 'pending' by a crash are finished by the next cycle of a new process: briefed,
pushed only when the policy had decided so, never pushed twice, never after the 24 h window."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from bot.briefs.maker import ArticleText
from bot.clock import ManualClock
from bot.config import Config, TelegramConfig
from bot.fakes import FakeNews
from bot.sources.service import SourceService
from storage import Database, articles, deliveries
from storage import sources as source_store
from storage.articles import NewArticle
from storage.briefs import latest_briefs
from storage.chats import subscribe
from storage.stories import add_story
from tests.integration.test_sources_support import (
    NOWHERE,
    FakeBrief,
    FakeBriefs,
    Item,
    fast_fetch,
    rss,
    source_service,
    uk_text,
)

CHATS = (101, 102)


class BlockingBriefs(FakeBriefs):
    """Hangs in ``make`` until cancelled: the process "dies" while a brief is being made."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()

    async def make(self, article: ArticleText, counter_line: str | None) -> FakeBrief | None:
        self.made.append(article)
        self.entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


@dataclass
class Run:
    """One "process": a SourceService whose pushes go into the real delivery ledger."""

    service: SourceService
    briefs: FakeBriefs
    handed: list[int]


@asynccontextmanager
async def process(db: Database, clock: ManualClock, briefs: FakeBriefs) -> AsyncIterator[Run]:
    cfg = Config(telegram=TelegramConfig(token="1:x"), fetch=fast_fetch())
    handed: list[int] = []

    async def hand_over(story_id: int, top: bool) -> None:
        handed.append(story_id)
        await deliveries.fan_out_story(db, story_id, clock.now(), top=top)

    async with httpx.AsyncClient() as http:
        service = source_service(db, http, clock, cfg, briefs, hand_over)
        yield Run(service, briefs, handed)


async def _subscribers(db: Database, clock: ManualClock) -> None:
    for chat_id in CHATS:
        await subscribe(db, chat_id, "private", f"chat {chat_id}", clock.now())


async def _ledger(db: Database) -> list[tuple[int, int]]:
    async with db.conn.execute(
        "SELECT ref, chat_id FROM deliveries WHERE kind = 'story' ORDER BY ref, chat_id"
    ) as cur:
        return [(int(b), int(c)) for b, c in await cur.fetchall()]


async def _pending(
    db: Database,
    clock: ManualClock,
    *,
    n: int = 1,
    decision: str | None = "push",
    fetched_ago: timedelta = timedelta(minutes=5),
    published_ago: timedelta | None = timedelta(minutes=10),
    source_url: str = f"{NOWHERE}/feed.xml",
) -> tuple[int, int]:
    """A pending article written straight through storage, as a crashed run left it."""
    source = await source_store.find_source_by_url(db, source_url)
    sid = (
        source.id
        if source
        else await source_store.add_source(db, "Тестове джерело", source_url, "config", clock.now())
    )
    now = clock.now()
    record = NewArticle(
        identity=f"guid:id-{n}",
        url=f"{NOWHERE}/news/{n}",
        title=f"Новина {n}: важлива подія дня",
        published_at=now - published_ago if published_ago is not None else None,
        content_hash=f"hash-{n}",
        disposition="pending",
        decision=decision,
        resume_text=json.dumps({"guid": f"id-{n}", "summary": uk_text(n), "full_text": ""}),
    )
    (article_id,) = await articles.add_articles(db, sid, [record], now - fetched_ago)
    return sid, article_id


async def test_a_crash_while_briefing_is_resumed_and_pushed_once(
    db: Database, clock: ManualClock
) -> None:
    await _subscribers(db, clock)
    async with FakeNews() as news:
        news.set("/feed.xml", rss([Item(1), Item(2)], clock.now()))
        url = news.url_for("/feed.xml")
        async with process(db, clock, FakeBriefs()) as first:
            sid = await source_store.add_source(db, "Джерело", url, "config", clock.now())
            await first.service.poll_all()  # the first poll: baseline, nothing pushed
        assert await _ledger(db) == []

        clock.advance(timedelta(minutes=5))
        news.set("/feed.xml", rss([Item(4, 1), Item(3, 2), Item(1), Item(2)], clock.now()))
        async with process(db, clock, BlockingBriefs()) as crashed:
            cycle = asyncio.create_task(crashed.service.poll_all())
            assert isinstance(crashed.briefs, BlockingBriefs)
            await crashed.briefs.entered.wait()
            cycle.cancel()  # the process dies mid-brief
            with pytest.raises(asyncio.CancelledError):
                await cycle
        left = [a for a in await articles.source_articles(db, sid) if a.disposition == "pending"]
        assert sorted(a.title for a in left) == [
            "Новина 3: важлива подія дня",
            "Новина 4: важлива подія дня",
        ]
        assert {a.decision for a in left} == {"push"}
        assert crashed.handed == [] and await _ledger(db) == []

        clock.advance(timedelta(minutes=5))
        async with process(db, clock, FakeBriefs()) as restarted:
            report = await restarted.service.poll_all()
            assert report.resumed == {"pushed": 2}
            assert report.outcomes[0].status == "not_modified"  # the feed was recorded before
            again = await restarted.service.poll_all()
            assert again.resumed == {}
        briefs = await latest_briefs(db, 10)
        pushed = sorted(b.story_id for b in briefs if b.title.startswith(("Новина 3", "Новина 4")))
        assert restarted.handed == pushed
        assert await _ledger(db) == [(b, c) for b in pushed for c in CHATS]
        counts = await articles.count_by_disposition(db, sid)
        assert counts.get("pending", 0) == 0 and counts["pushed"] == 2
        # the resumed brief was made from the feed text kept while pending
        assert uk_text(3) in restarted.briefs.made[0].text


async def test_a_brief_stored_before_the_crash_is_not_made_or_sent_again(
    db: Database, clock: ManualClock
) -> None:
    """The crash came after the hand-over to delivery, before the final disposition."""
    await _subscribers(db, clock)
    _sid, article_id = await _pending(db, clock)
    story_id = await add_story(
        db,
        article_id,
        title="Новина 1",
        summary="…",
        html="<b>Новина 1</b>",
        summariser="fake",
        now=clock.now(),
    )
    await deliveries.fan_out_story(db, story_id, clock.now())
    async with process(db, clock, FakeBriefs()) as run:
        assert await run.service.resume_pending() == {"pushed": 1}
    assert run.briefs.made == []  # not briefed again
    assert run.handed == [story_id]  # its story handed over again …
    assert await _ledger(db) == [(story_id, c) for c in CHATS]  # … and sent once per chat
    article = await articles.get_article(db, article_id)
    assert article is not None and article.disposition == "pushed"


async def test_a_first_poll_decision_is_briefed_but_not_pushed(
    db: Database, clock: ManualClock
) -> None:
    await _subscribers(db, clock)
    _sid, article_id = await _pending(db, clock, decision="first_poll")
    async with process(db, clock, FakeBriefs()) as run:
        assert await run.service.resume_pending() == {"first_poll": 1}
    assert run.handed == [] and await _ledger(db) == []
    assert [b.article_id for b in await latest_briefs(db, 10)] == [article_id]


async def test_rows_from_before_the_decision_was_stored_are_never_pushed(
    db: Database, clock: ManualClock
) -> None:
    await _subscribers(db, clock)
    await _pending(db, clock, decision=None)
    async with process(db, clock, FakeBriefs()) as run:
        assert await run.service.resume_pending() == {"first_poll": 1}
    assert run.handed == [] and await _ledger(db) == []


@pytest.mark.parametrize(
    ("fetched_ago", "published_ago"),
    [
        (timedelta(hours=25), timedelta(hours=25, minutes=5)),
        (timedelta(hours=25), None),  # no publish date: the time it was recorded counts
        (timedelta(hours=1), timedelta(hours=24, minutes=1)),  # recorded late, published long ago
    ],
)
async def test_articles_past_the_24h_window_are_abandoned(
    db: Database, clock: ManualClock, fetched_ago: timedelta, published_ago: timedelta | None
) -> None:
    await _subscribers(db, clock)
    _sid, article_id = await _pending(
        db, clock, fetched_ago=fetched_ago, published_ago=published_ago
    )
    async with process(db, clock, FakeBriefs()) as run:
        assert await run.service.resume_pending() == {"abandoned": 1}
        assert await run.service.resume_pending() == {}
    assert run.briefs.made == [] and run.handed == [] and await _ledger(db) == []
    article = await articles.get_article(db, article_id)
    assert article is not None and article.disposition == "abandoned"


async def test_articles_of_a_deleted_source_are_abandoned(db: Database, clock: ManualClock) -> None:
    await _subscribers(db, clock)
    sid, _article_id = await _pending(db, clock)
    await source_store.delete_source(db, sid, clock.now())
    async with process(db, clock, FakeBriefs()) as run:
        assert await run.service.resume_pending() == {"abandoned": 1}
    assert run.handed == [] and await _ledger(db) == []


async def test_a_poll_in_progress_is_not_mistaken_for_a_crash(
    db: Database, clock: ManualClock
) -> None:
    """An article this process is briefing right now is also 'pending': leave it alone."""
    await _subscribers(db, clock)
    async with FakeNews() as news:
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        sid = await source_store.add_source(
            db, "Джерело", news.url_for("/feed.xml"), "config", clock.now()
        )
        async with process(db, clock, BlockingBriefs()) as run:
            poll = asyncio.create_task(run.service.poll_source(sid))
            assert isinstance(run.briefs, BlockingBriefs)
            await run.briefs.entered.wait()
            assert await run.service.resume_pending() == {}
            assert len(run.briefs.made) == 1
            poll.cancel()
            with pytest.raises(asyncio.CancelledError):
                await poll
    assert (await articles.count_by_disposition(db, sid)) == {"pending": 1}


async def test_resume_text_is_dropped_once_the_article_is_done(
    db: Database, clock: ManualClock
) -> None:
    _sid, article_id = await _pending(db, clock)
    async with process(db, clock, FakeBriefs()) as run:
        await run.service.resume_pending()
    async with db.conn.execute(
        "SELECT resume_text, decision FROM articles WHERE id = ?", (article_id,)
    ) as cur:
        row = await cur.fetchone()
    assert row is not None and tuple(row) == (None, "push")
