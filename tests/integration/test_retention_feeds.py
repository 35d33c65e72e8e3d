"""Retention through the real poll path (loopback FakeNews, ManualClock): an item still in its
feed keeps its identity however old it is, so it is never pushed again after pruning; items
that left their feed are forgotten once they are older than keep_days."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.fakes import FakeNews
from bot.retention import Retention
from storage import Database
from storage.articles import source_articles
from tests.integration.test_sources_support import Item, fast_fetch, rss, sources_env

WINDOW = timedelta(hours=12)
STEADY = Item(1, minutes_ago=None)  # undated: only its stored identity says it was seen


async def _identities(db: Database, source_id: int) -> set[str]:
    return {a.identity for a in await source_articles(db, source_id, limit=1000)}


async def test_an_old_item_still_in_its_feed_is_not_pushed_again_after_pruning(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([STEADY, Item(2, minutes_ago=None)], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()  # the first poll: recorded, nothing pushed
        for day in range(1, 41):  # a new item a day; the steady one stays, item 2 is gone
            clock.advance(timedelta(days=1))
            news.set("/feed.xml", rss([Item(100 + day, minutes_ago=5), STEADY], clock.now()))
            await env.service.poll_all()
        assert len(env.pushed) == 40
        clock.advance(timedelta(hours=1))

        pruned = await Retention(db, clock, 30, WINDOW).run()

        # gone: item 2 and the items of days 1-10, which left the feed over 30 days ago
        assert pruned.articles == 11
        assert await _identities(db, sid) == {"guid:id-1"} | {
            f"guid:id-{100 + day}" for day in range(11, 41)
        }
        clock.advance(timedelta(days=1))
        news.set("/feed.xml", rss([Item(141, minutes_ago=5), STEADY], clock.now()))
        report = await env.service.poll_all()
        assert (report.outcomes[0].new, report.pushed) == (1, 1)  # the new item only
        assert len(env.pushed) == 41


async def test_a_feed_that_answers_304_for_months_keeps_its_items(
    db: Database, clock: ManualClock
) -> None:
    # Nothing briefed at the first poll: no story of theirs keeps the articles.
    async with FakeNews() as news, sources_env(db, clock, fast_fetch(first_poll_briefs=0)) as env:
        items = [Item(4, minutes_ago=None), STEADY, Item(2, minutes_ago=None)]
        news.set("/feed.xml", rss(items, clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        for _ in range(60):
            clock.advance(timedelta(days=1))
            report = await env.service.poll_all()
            assert report.outcomes[0].status == "not_modified"

        await Retention(db, clock, 30, WINDOW).run()

        assert await _identities(db, sid) == {"guid:id-1", "guid:id-2", "guid:id-4"}
        news.set("/feed.xml", rss([Item(3, minutes_ago=5), *items], clock.now()))
        report = await env.service.poll_all()
        assert (report.outcomes[0].new, report.pushed) == (1, 1)
