"""The poll cycle against the loopback fake news server: first poll, conditional GET, new-item
policy, article text, backoff, no overlap."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.fakes import FakeNews
from storage import Database
from storage.articles import source_articles
from storage.briefs import latest_briefs
from tests.integration.test_sources_support import NOWHERE, Item, rss, sources_env, uk_text

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


async def test_first_poll_records_briefs_a_few_and_pushes_nothing(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(i, minutes_ago=i) for i in range(1, 8)], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        report = await env.service.poll_all()

        (outcome,) = report.outcomes
        assert (outcome.status, outcome.items, outcome.new, outcome.pushed) == ("parsed", 7, 7, 0)
        assert env.pushed == []
        assert await env.dispositions(sid) == {"first_poll": 3, "baseline": 4}
        briefs = await latest_briefs(db, 10)
        assert sorted(b.title for b in briefs) == [
            f"Новина {i}: важлива подія дня" for i in (1, 2, 3)
        ]
        source = await env.source(sid)
        assert source.first_success_at == clock.now()
        assert source.last_item_count == 7 and source.last_error is None


async def test_later_polls_push_only_unseen_items_oldest_first(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(1), Item(2)], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        clock.advance(timedelta(minutes=5))
        news.set("/feed.xml", rss([Item(4, 1), Item(3, 2), Item(1), Item(2)], clock.now()))
        report = await env.service.poll_all()

        assert report.pushed == 2
        pushed_titles = [(await _brief_title(db, b)) for b in env.pushed]
        assert pushed_titles == ["Новина 3: важлива подія дня", "Новина 4: важлива подія дня"]
        counts = await env.dispositions(sid)
        assert counts["pushed"] == 2
        # the same feed again: nothing new (and a 304, since the fake answers ETags)
        clock.advance(timedelta(minutes=5))
        report = await env.service.poll_all()
        assert report.outcomes[0].status == "not_modified"
        assert len(env.pushed) == 2


async def _brief_title(db: Database, story_id: int) -> str:
    from storage.stories import get_story

    story = await get_story(db, story_id)
    assert story is not None
    return story.title


async def test_304_sends_validators_and_parses_nothing(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set(
            "/feed.xml", rss([Item(1)], clock.now()), last_modified="Sat, 29 Mar 2025 09:00:00 GMT"
        )
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        stored = await env.source(sid)
        assert stored.etag and stored.last_modified == "Sat, 29 Mar 2025 09:00:00 GMT"

        report = await env.service.poll_all()
        assert report.outcomes[0].status == "not_modified"
        last = news.requests[-1]
        assert last.headers["if-none-match"] == stored.etag
        assert last.headers["if-modified-since"] == stored.last_modified
        assert "newsbot" in last.headers["user-agent"]


async def test_unchanged_200_is_recognised_without_parsing(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(1)], clock.now()), etag=None)
        await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        report = await env.service.poll_all()
        assert report.outcomes[0].status == "unchanged"
        assert report.outcomes[0].items == 1


async def test_old_items_and_the_push_cap(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(0)], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        items = [Item(i, minutes_ago=i) for i in range(1, 16)] + [Item(99, minutes_ago=25 * 60)]
        news.set("/feed.xml", rss([*items, Item(0)], clock.now()))
        report = await env.service.poll_all()

        assert report.pushed == 10
        counts = await env.dispositions(sid)
        assert counts == {"first_poll": 1, "pushed": 10, "skipped": 5, "too_old": 1}
        recorded = {a.title: a.disposition for a in await source_articles(db, sid)}
        assert recorded["Новина 1: важлива подія дня"] == "pushed"  # the newest are pushed
        assert recorded["Новина 15: важлива подія дня"] == "skipped"


async def test_republished_article_under_a_new_guid_is_not_pushed_again(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        again = Item(1, guid="new-guid-for-the-same-story", link=f"{NOWHERE}/x/1")
        news.set("/feed.xml", rss([again, Item(1)], clock.now()))
        report = await env.service.poll_all()
        assert report.pushed == 0
        assert (await env.dispositions(sid))["duplicate"] == 1


async def test_identity_survives_tracking_parameters(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        first = Item(1, guid="", link=f"{NOWHERE}/a?utm_source=rss")
        news.set(
            "/feed.xml",
            rss([first], clock.now()).replace('<guid isPermaLink="false">id-1</guid>', ""),
        )
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        moved = Item(1, link=f"{NOWHERE}/a?utm_medium=tg#top", description="інший")
        body = rss([moved], clock.now()).replace('<guid isPermaLink="false">id-1</guid>', "")
        news.set("/feed.xml", body)
        report = await env.service.poll_all()
        assert report.outcomes[0].new == 0
        (article,) = await source_articles(db, sid)
        assert article.identity == f"link:{NOWHERE}/a"


async def test_feed_full_text_is_used_when_long_enough(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        long_body = "".join(f"<p>{uk_text(i)}</p>" for i in range(5))
        news.set(
            "/feed.xml", rss([Item(1, content=long_body, link=news.url_for("/a/1"))], clock.now())
        )
        await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        (made,) = env.briefs.made
        assert made.text.startswith("Новина номер 0: у громаді")
        assert made.language == "uk" and made.source_name == "feed.xml"
        assert news.hits("/a/1") == 0
        assert env.briefs.counter_lines == ["Втрати ворога: 912 490 осіб"]


async def test_short_feed_body_means_the_page_is_fetched_and_extracted(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        page = (FEEDS / "article.html").read_bytes()
        news.set("/a/bridge", page, content_type="text/html; charset=utf-8")
        item = Item(1, link=news.url_for("/a/bridge"), description="Коротко.")
        news.set("/feed.xml", rss([item], clock.now()))
        await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        (made,) = env.briefs.made
        assert news.hits("/a/bridge") == 1
        assert made.text.startswith("У суботу, 29 березня, у Києві відкрили рух новим мостом")
        assert "Читайте також" not in made.text


async def test_russian_item_is_recorded_not_briefed_and_its_page_not_fetched(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        ru = Item(
            1,
            title="Херсонский губернатор купил квартиру в кредит",
            description="Глава обладминистрации сообщил, что это самое крупное приобретение семьи.",
            link=news.url_for("/ru/1"),
        )
        news.set("/feed.xml", rss([ru], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        assert news.hits("/ru/1") == 0
        assert await env.dispositions(sid) == {"not_briefed": 1}
        (article,) = await source_articles(db, sid)
        assert article.language == "ru"


async def test_page_failure_falls_back_to_the_feed_text(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.fault("/gone", "status", status=404)
        news.set("/feed.xml", rss([Item(1, link=news.url_for("/gone"))], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        (made,) = env.briefs.made
        assert made.text == uk_text(1)
        assert await env.dispositions(sid) == {"first_poll": 1}


async def test_failures_back_off_and_recover(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.fault("/feed.xml", "status", status=503)
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        failing = await env.source(sid)
        assert failing.consecutive_failures == 1
        assert failing.last_error == "сервер відповів помилкою 503 (сервіс недоступний)"
        assert failing.next_poll_at == clock.now() + timedelta(seconds=150)

        report = await env.service.poll_all()  # not due yet: not even requested
        assert report.outcomes == [] and news.hits("/feed.xml") == 1

        clock.advance(timedelta(seconds=300))
        await env.service.poll_all()
        failing = await env.source(sid)
        assert failing.consecutive_failures == 2
        assert failing.next_poll_at == clock.now() + timedelta(seconds=450)

        clock.advance(timedelta(hours=1))
        news.clear_fault("/feed.xml")
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        await env.service.poll_all()
        healthy = await env.source(sid)
        assert (healthy.consecutive_failures, healthy.last_error, healthy.next_poll_at) == (
            0,
            None,
            None,
        )
        assert healthy.last_success_at == clock.now()


async def test_errors_are_logged_once_per_state_change(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.sources.service")
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.fault("/feed.xml", "status", status=500)
        sid = await env.add(news.url_for("/feed.xml"))
        for _ in range(3):
            await env.service.poll_source(sid)
        news.clear_fault("/feed.xml")
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        await env.service.poll_source(sid)
        await env.service.poll_source(sid)
    messages = [r.getMessage() for r in caplog.records if "feed.xml" in r.getMessage()]
    assert len([m for m in messages if "failing" in m]) == 1
    assert len([m for m in messages if "recovered" in m]) == 1


async def test_cycles_never_overlap(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.fault("/slow.xml", "hang")
        await env.add(news.url_for("/slow.xml"))
        first = asyncio.create_task(env.service.poll_all())
        await news.wait_for_hits("/slow.xml")
        second = await env.service.poll_all()
        assert second.skipped and second.outcomes == []
        report = await first
        assert not report.skipped and report.outcomes[0].status == "error"


async def test_sync_config_sources(db: Database, clock: ManualClock) -> None:
    from bot.config import SourceConfig
    from storage import sources as store

    one = SourceConfig("Перше", "https://one.example.ua/rss")
    two = SourceConfig("Друге", "https://two.example.ua/rss")
    async with sources_env(db, clock, sources=(one, two)) as env:
        await env.service.sync_config_sources()
        await store.add_source(
            db, "Адмінське", "https://admin.example.ua/rss", "admin", clock.now()
        )
        removed = await env.service.delete_source(2)
        assert removed is not None and removed.name == "Друге"
    renamed = SourceConfig("Перше (нова назва)", one.url)
    three = SourceConfig("Третє", "https://three.example.ua/rss")
    async with sources_env(db, clock, sources=(renamed, two, three)) as env:
        await env.service.sync_config_sources()
        listed = [(s.name, s.origin, s.enabled) for s in await store.list_sources(db)]
        # "Друге" stays removed although the config still lists it
        assert listed == [
            ("Перше (нова назва)", "config", True),
            ("Адмінське", "admin", True),
            ("Третє", "config", True),
        ]
    async with sources_env(db, clock, sources=(three,)) as env:
        await env.service.sync_config_sources()
        listed = [(s.name, s.enabled) for s in await store.list_sources(db)]
        assert listed == [("Перше (нова назва)", False), ("Адмінське", True), ("Третє", True)]
        due = [s.name for s in await store.due_sources(db, clock.now())]
        assert due == ["Адмінське", "Третє"]


# -- the real captures in ../shared/data/rss, served over HTTP ---------------------------------


@pytest.mark.shared_data
async def test_real_cp1251_russian_feed_is_recorded_not_briefed(
    db: Database, shared_data: Path
) -> None:
    from datetime import UTC, datetime

    clock = ManualClock(datetime(2020, 9, 29, 13, 0, tzinfo=UTC))
    body = (shared_data / "rss" / "pravda_rus_rss_2020-09-29_cp1251.xml").read_bytes()
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/rus/rss/", body, content_type="text/xml")  # no charset: the XML decl. rules
        sid = await env.add(news.url_for("/rus/rss/"), "УП рос.")
        report = await env.service.poll_all()
        assert report.outcomes[0].items == 19
        counts = await env.dispositions(sid)
        assert counts == {"not_briefed": 3, "baseline": 16}
        assert [a.language for a in env.briefs.made] == ["ru", "ru", "ru"]
        titles = {a.title for a in await source_articles(db, sid)}
        assert 'День сердца: инфаркты и инсульты значительно "помолодели"' in titles
        assert len(news.requests) == 1  # no article pages fetched for Russian items
        source = await env.source(sid)
        assert source.last_warning == "1 запис без посилання чи заголовка пропущено"


@pytest.mark.shared_data
async def test_real_unian_feed_first_poll(db: Database, shared_data: Path) -> None:
    from datetime import UTC, datetime

    clock = ManualClock(datetime(2020, 9, 28, 14, 0, tzinfo=UTC))
    body = (shared_data / "rss" / "unian_ukr_rss_2020-09-28.xml").read_bytes()
    async with FakeNews() as news, sources_env(db, clock) as env:
        # article links point at the fake (their pages 404 there: the feed text is used)
        news.set("/rss", body.replace(b"https://www.unian.ua", news.url.encode()))
        sid = await env.add(news.url_for("/rss"), "УНІАН")
        await env.service.poll_all()
        assert await env.dispositions(sid) == {"first_poll": 3, "baseline": 47}
        first = env.briefs.made[-1]
        assert first.title == (
            '"Зір вдалося зберегти": у Дніпрі лікарі рятують сапера, який підірвався на Донбасі'
        )
        assert first.text == "У лікарню військового доправили в суботу ґвинтокрилом."
        assert first.language == "uk" and env.pushed == []


async def test_a_failing_brief_marks_that_article_only(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        sid = await env.add(news.url_for("/feed.xml"))
        await env.service.poll_all()
        original = env.briefs.make

        async def flaky(article, counter_line):  # type: ignore[no-untyped-def]
            if "Новина 2" in article.title:
                raise RuntimeError("summariser bug")
            return await original(article, counter_line)

        env.briefs.make = flaky  # type: ignore[method-assign]
        news.set("/feed.xml", rss([Item(3, 1), Item(2, 2), Item(1)], clock.now()))
        report = await env.service.poll_all()
        assert report.pushed == 1
        recorded = {a.title: a.disposition for a in await source_articles(db, sid)}
        assert recorded["Новина 2: важлива подія дня"] == "failed"
        assert recorded["Новина 3: важлива подія дня"] == "pushed"
        source = await env.source(sid)
        assert source.last_error is None and source.consecutive_failures == 0
