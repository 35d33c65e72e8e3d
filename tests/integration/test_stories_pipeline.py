"""The pipeline's story stage on a real database with the real matcher and brief maker: one
event from three outlets becomes one story, delivered once per chat with the sources known
when it is sent; a story that becomes top reaches the chats that want top stories then."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.briefs.maker import BriefMaker
from bot.clock import ManualClock
from bot.config import BriefsConfig, FetchConfig, StoriesConfig
from bot.fakes import check_telegram_html
from bot.ops.metrics import Metrics
from bot.pipeline import ArticlePipeline, ArticleTextReader
from bot.pipeline.stories import StoryDesk
from bot.sources.feeds import FeedItem
from bot.sources.fetch import Fetcher
from bot.sources.handoff import ArticleJob, SourceRef
from bot.stories import ArticleFeatures, FeatureExtractor
from storage import Database, articles, chats, deliveries, sources, stories
from storage.articles import NewArticle
from storage.chats import ChatMode
from storage.deliveries import Outcome

DATA = Path(__file__).resolve().parent.parent / "data" / "stories" / "same_event.json"
SOURCES = ("Українська правда", "Укрінформ", "УНІАН", "Суспільне", "РБК-Україна")
COUNTER = "Втрати ворога: 912\u00a0490 особового складу"


class Losses:
    def counter_line(self, now: object) -> str:
        return COUNTER


def _reports() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    raw = json.loads(DATA.read_text("utf-8"))
    return raw["shared"], raw["unrelated"]


@dataclass
class Desk:
    db: Database
    clock: ManualClock
    pipeline: ArticlePipeline
    desk: StoryDesk
    source_ids: dict[str, int]
    handed: list[tuple[int, bool]] = field(default_factory=list)
    die_at_hand_over: bool = False  # the process stops as the story is being handed over

    async def publish(self, report: dict[str, Any], *, push: bool = True) -> int:
        """Record the report as its source's new article and take it through the pipeline;
        returns its story's id."""
        source = report["source"]
        text = "\n\n".join(report["paragraphs"])
        url = f"https://{report['slug']}.example.ua/news"
        (article_id,) = await articles.add_articles(
            self.db,
            self.source_ids[source],
            [
                NewArticle(
                    f"guid:{report['slug']}",
                    url,
                    report["title"],
                    None,
                    None,
                    "pending",
                    decision="push" if push else "first_poll",
                )
            ],
            self.clock.now(),
        )
        item = FeedItem(report["slug"], url, report["title"], text[:150], text, None)
        ref = SourceRef(self.source_ids[source], source)
        disposition = await self.pipeline.process(ArticleJob(article_id, ref, item, push))
        assert disposition == ("pushed" if push else "first_poll")
        async with self.db.conn.execute(
            "SELECT story_id FROM briefs WHERE article_id = ?", (article_id,)
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def send_all(self) -> dict[int, list[str]]:
        """What the delivery worker would send now, per chat (the story's message as it is at
        send time), recorded as sent."""
        sent: dict[int, list[str]] = {}
        due = await deliveries.due_deliveries(self.db, self.clock.now(), 1000)
        for row in due:
            assert row.story_html is not None
            sent.setdefault(row.chat_id, []).append(check_telegram_html(row.story_html))
        outcomes = [Outcome(r.id, r.chat_id, "sent", message_id=r.id) for r in due]
        await deliveries.record_outcomes(self.db, outcomes, self.clock.now())
        return sent


@asynccontextmanager
async def story_desk(
    db: Database,
    clock: ManualClock,
    *,
    source_names: tuple[str, ...] = SOURCES,
    metrics: Metrics | None = None,
) -> AsyncIterator[Desk]:
    ids = {}
    for name in source_names:
        ids[name] = await sources.add_source(
            db, name, f"https://{len(ids)}.example.ua/rss", "config", clock.now()
        )
    async with httpx.AsyncClient() as http:
        fetch = FetchConfig(min_full_text_chars=100)  # the feeds carry the full text
        text = ArticleTextReader(Fetcher(http, fetch), fetch, briefs_other_languages=False)
        desk = StoryDesk(db, clock, StoriesConfig(), metrics=metrics)
        await desk.start()
        env: Desk

        async def hand_over(story_id: int, top: bool) -> None:
            if env.die_at_hand_over:
                env.die_at_hand_over = False
                raise asyncio.CancelledError
            env.handed.append((story_id, top))
            await deliveries.fan_out_story(db, story_id, clock.now(), top=top)

        briefs = BriefMaker(BriefsConfig(), http)
        pipeline = ArticlePipeline(
            db, clock, text, briefs, Losses(), desk, hand_over, max_age=timedelta(hours=24)
        )
        env = Desk(db, clock, pipeline, desk, ids)
        yield env


async def _subscribe(
    db: Database, clock: ManualClock, chat_id: int, mode: ChatMode = "all"
) -> None:
    await chats.subscribe(db, chat_id, "private", f"chat {chat_id}", clock.now())
    assert await chats.set_mode(db, chat_id, mode, clock.now())


def _sources_line(message: str) -> str:
    return message.rsplit("\n\n", maxsplit=1)[-1]


async def test_one_event_from_three_outlets_is_one_story_sent_once_per_chat(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.pipeline.stories")
    shared, unrelated = _reports()
    for chat_id, mode in ((1, "all"), (2, "all"), (3, "top"), (4, "digest")):
        await _subscribe(db, clock, chat_id, mode)
    async with story_desk(db, clock) as env:
        story = await env.publish(shared[0])
        first = await env.send_all()
        assert set(first) == {1, 2}  # not top yet: not to 'top' or 'digest' chats
        assert _sources_line(first[1][0]).startswith("Українська правда · Читати повністю")

        await _subscribe(db, clock, 5)  # a new subscriber, after the first report went out
        clock.advance(timedelta(minutes=7))
        assert await env.publish(shared[1]) == story
        second = await env.send_all()
        assert set(second) == {5}  # chats 1 and 2 have it already: nothing again
        assert _sources_line(second[5][0]) == "Про це пишуть: Українська правда, Укрінформ"

        clock.advance(timedelta(minutes=9))
        assert await env.publish(shared[2]) == story  # the third source: the story is top now
        third = await env.send_all()
        assert set(third) == {3}  # only the chat that wants top stories gets it, now
        assert _sources_line(third[3][0]) == "Про це пишуть: Українська правда, Укрінформ, УНІАН"
        assert COUNTER in third[3][0]

        clock.advance(timedelta(minutes=3))
        others = [await env.publish(report) for report in unrelated]
        assert len({story, *others}) == 3
        fourth = await env.send_all()
        assert {chat: len(sent) for chat, sent in fourth.items()} == {1: 2, 2: 2, 5: 2}

    assert env.handed == [(story, False), (story, False), (story, True)] + [
        (s, False) for s in others
    ]
    for chat_id, expected in ((1, 3), (2, 3), (3, 1), (4, 0), (5, 3)):
        rows = await deliveries.deliveries_for_chat(db, chat_id)
        assert len(rows) == expected and {r["status"] for r in rows} <= {"sent"}
    stored = await stories.get_story(db, story)
    assert stored is not None and stored.source_count == 3 and stored.is_top
    assert stored.top_at == clock.now() - timedelta(minutes=3)
    assert stored.pushed_at is not None and stored.lemmas  # the best brief's lemmas
    assert "3 sources >= 3" in stored.explain

    lines = [r.getMessage() for r in caplog.records]
    assert sum(line.startswith("new story ") for line in lines) == 3
    (joined,) = [line for line in lines if line.startswith(f"story {story} joined by Укрінформ")]
    assert "(like brief " in joined and "importance 23.0: not top; 2 sources" in joined
    (top,) = [line for line in lines if "became top" in line]
    assert top.startswith(f"story {story} became top when УНІАН joined: ")
    assert "importance 33.0: top (3 sources >= 3)" in top


async def test_a_first_poll_report_that_makes_a_delivered_story_top_reaches_top_chats(
    db: Database, clock: ManualClock
) -> None:
    shared, _ = _reports()
    await _subscribe(db, clock, 1)
    await _subscribe(db, clock, 3, "top")
    async with story_desk(db, clock) as env:
        story = await env.publish(shared[0])
        await env.publish(shared[1])
        assert set(await env.send_all()) == {1}
        # a source added later: its first poll briefs the third report, pushes nothing …
        await env.publish(shared[2], push=False)
        sent = await env.send_all()
    # … but the story it made top goes to the chat that wants top stories
    assert set(sent) == {3} and env.handed[-1] == (story, True)


async def test_a_first_poll_report_of_a_story_never_delivered_hands_nothing_over(
    db: Database, clock: ManualClock
) -> None:
    shared, _ = _reports()
    await _subscribe(db, clock, 3, "top")
    async with story_desk(db, clock) as env:
        for report in shared:
            await env.publish(report, push=False)
    assert env.handed == []
    assert await deliveries.deliveries_for_chat(db, 3) == []


async def test_with_one_enabled_source_every_story_is_top(db: Database, clock: ManualClock) -> None:
    shared, _ = _reports()
    await _subscribe(db, clock, 3, "top")
    async with story_desk(db, clock, source_names=("Українська правда",)) as env:
        story = await env.publish(shared[0])
        assert env.handed == [(story, True)]
        assert set(await env.send_all()) == {3}


async def test_a_restart_rebuilds_the_index_and_later_reports_join_stored_stories(
    db: Database, clock: ManualClock
) -> None:
    shared, unrelated = _reports()
    async with story_desk(db, clock) as first:
        story = await first.publish(shared[0])
        await first.publish(unrelated[0])
    clock.advance(timedelta(hours=2))
    async with story_desk(db, clock, source_names=()) as second:
        second.source_ids = first.source_ids
        assert len(second.desk.index) == 2  # rebuilt from the stored features
        assert await second.publish(shared[1]) == story
    clock.advance(timedelta(hours=11))  # the story was first seen 13 h ago: out of the window
    async with story_desk(db, clock, source_names=()) as third:
        third.source_ids = first.source_ids
        assert len(third.desk.index) == 0
        assert await third.publish(shared[2]) != story


async def test_briefs_from_before_stories_get_features_at_start(
    db: Database, clock: ManualClock
) -> None:
    """Their article text is gone: features come from the stored title and summary, once."""
    shared, _ = _reports()
    async with story_desk(db, clock) as first:
        story = await first.publish(shared[0])
    await db.conn.execute("UPDATE briefs SET features = NULL")  # as migration 4 left them
    async with story_desk(db, clock, source_names=()) as second:
        entry = second.desk.index.story(story)
        assert entry is not None and entry.sources == ["Українська правда"]
    (brief,) = await stories.story_members(db, story)
    assert brief.features is not None
    stored = ArticleFeatures.from_json(json.loads(brief.features))
    assert stored == FeatureExtractor().extract(brief.title, brief.summary)


async def test_story_events_are_counted_in_the_metrics(db: Database, clock: ManualClock) -> None:
    shared, unrelated = _reports()
    metrics = Metrics()

    def value(name: str) -> float | None:
        return metrics.registry.get_sample_value(name)

    async with story_desk(db, clock, metrics=metrics) as env:
        await env.publish(shared[0])
        await env.publish(shared[1])
        assert (value("newsbot_stories_total"), value("newsbot_top_stories_total")) == (1, 0)
        await env.publish(shared[2])  # became top
        await env.publish(unrelated[0])
    assert (value("newsbot_stories_total"), value("newsbot_top_stories_total")) == (2, 1)


async def test_a_crash_after_filing_hands_a_top_story_over_again_on_resume(
    db: Database, clock: ManualClock
) -> None:
    """The third report made the story top, and the process stopped before the hand-over: the
    resumed article hands it over as top, so the chats that want top stories still get it."""
    shared, _ = _reports()
    await _subscribe(db, clock, 3, "top")
    async with story_desk(db, clock) as env:
        story = await env.publish(shared[0])
        await env.publish(shared[1])
        env.die_at_hand_over = True
        with pytest.raises(asyncio.CancelledError):
            await env.publish(shared[2])

        class Directory:
            async def source_for_article(self, source_id: int) -> SourceRef | None:
                return SourceRef(source_id, "УНІАН")

            def busy_sources(self) -> tuple[int, ...]:
                return ()

        assert await env.pipeline.resume_pending(Directory()) == {"pushed": 1}
        assert env.handed[-1] == (story, True)
        assert set(await env.send_all()) == {3}
