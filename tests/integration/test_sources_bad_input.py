"""Bad input: each case gives a clear error (or warning) for that source only, and the healthy
source beside it is polled, briefed and pushed as usual.

Every case runs two fake servers: the bad source on one, a healthy source on the other (the
fetcher allows one request at a time per host, so sharing a host would serialise them by
design).  ``test_a_stuck_source_does_not_delay_the_others`` shows the healthy source's push
happening while a stuck one is still being waited for — without timing anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bot.clock import ManualClock
from bot.fakes import FakeNews
from storage import Database
from storage.articles import source_articles
from storage.sources import SourceRecord
from tests.integration.test_sources_support import Env, Item, fast_fetch, rss, sources_env

Setup = Callable[[FakeNews, ManualClock], str]  # configures the bad server, returns its path


@dataclass
class Outcome:
    env: Env
    bad: SourceRecord
    good_pushed: int


@asynccontextmanager
async def beside_a_healthy_source(
    db: Database, clock: ManualClock, setup: Setup
) -> AsyncIterator[Outcome]:
    async with FakeNews() as good, FakeNews() as bad, sources_env(db, clock) as env:
        good.set("/feed.xml", rss([Item(1)], clock.now()))
        good_id = await env.add(good.url_for("/feed.xml"), "good")
        await env.service.poll_all()  # the healthy source's first poll: records, pushes nothing
        good.set("/feed.xml", rss([Item(2, minutes_ago=1), Item(1)], clock.now()))
        bad_id = await env.add(bad.url_for(setup(bad, clock)), "bad")

        report = await env.service.poll_all()
        by_id = {o.source_id: o for o in report.outcomes}
        assert by_id[good_id].status == "parsed"
        good_record = await env.source(good_id)
        assert good_record.last_error is None and good_record.consecutive_failures == 0
        yield Outcome(env, await env.source(bad_id), by_id[good_id].pushed)


def served(body: str | bytes, **kwargs: object) -> Setup:
    def setup(news: FakeNews, clock: ManualClock) -> str:
        news.set("/bad.xml", body, **kwargs)  # type: ignore[arg-type]
        return "/bad.xml"

    return setup


def faulty(mode: str, **kwargs: object) -> Setup:
    def setup(news: FakeNews, clock: ManualClock) -> str:
        news.set("/bad.xml", rss([Item(7)], clock.now()))
        news.fault("/bad.xml", mode, **kwargs)  # type: ignore[arg-type]
        return "/bad.xml"

    return setup


async def expect_error(
    db: Database, clock: ManualClock, setup: Setup, fragment: str
) -> SourceRecord:
    async with beside_a_healthy_source(db, clock, setup) as out:
        assert out.good_pushed == 1
        assert out.bad.last_error is not None and fragment in out.bad.last_error, out.bad
        assert out.bad.consecutive_failures == 1
        assert out.bad.first_success_at is None
        assert await source_articles(db, out.bad.id) == []
        return out.bad


async def test_malformed_xml(db: Database, clock: ManualClock) -> None:
    body = "<?xml version='1.0'?><rss version='2.0'><channel><title>x</ti"
    await expect_error(db, clock, served(body), "пошкоджений XML")


async def test_html_page_instead_of_a_feed(db: Database, clock: ManualClock) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Новини</title></head><body><p>Привіт</p></body></html>"
    )
    await expect_error(
        db, clock, served(page, content_type="text/html"), "HTML-сторінка, а не стрічка"
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [(404, "404 (сторінку не знайдено)"), (410, "410"), (500, "500 (внутрішня помилка сервера)")],
)
async def test_http_error_status(db: Database, clock: ManualClock, status: int, words: str) -> None:
    await expect_error(
        db, clock, faulty("status", status=status), f"сервер відповів помилкою {words}"
    )


async def test_timeout_when_the_server_never_answers(db: Database, clock: ManualClock) -> None:
    await expect_error(db, clock, faulty("hang"), "сервер замовк більш ніж на 0.4 с")


async def test_slow_drip_body_is_cut_at_the_overall_deadline(
    db: Database, clock: ManualClock
) -> None:
    # 16 bytes every 0.05 s never trips the 0.4 s read timeout; the 1 s overall limit does
    await expect_error(
        db,
        clock,
        faulty("slow", chunk_size=16, interval=0.05),
        "джерело не відповіло повністю за 1 с",
    )


@pytest.mark.parametrize("mode", ["hang", "slow"])
async def test_a_stuck_source_does_not_delay_the_others(
    db: Database, clock: ManualClock, mode: str
) -> None:
    """With real-size timeouts the stuck source is still in flight when the healthy source has
    been fetched, briefed and pushed; closing its server then ends the cycle."""
    patient = fast_fetch(read_timeout=30.0, source_timeout=60.0)
    async with FakeNews() as good, sources_env(db, clock, fetch=patient) as env:
        bad = await FakeNews().start()
        try:
            good.set("/feed.xml", rss([Item(1)], clock.now()))
            good_id = await env.add(good.url_for("/feed.xml"), "good")
            await env.service.poll_all()
            good.set("/feed.xml", rss([Item(2, minutes_ago=1), Item(1)], clock.now()))
            bad.set("/bad.xml", rss([Item(7)], clock.now()))
            bad.fault("/bad.xml", mode, chunk_size=1, interval=5.0)
            bad_id = await env.add(bad.url_for("/bad.xml"), "bad")

            cycle = asyncio.create_task(env.service.poll_all())
            await env.pushed_event.wait()
            assert len(env.pushed) == 1
            stuck = await env.source(bad_id)
            assert stuck.last_polled_at is None and not cycle.done()
        finally:
            await bad.close()
        report = await cycle
        by_id = {o.source_id: o for o in report.outcomes}
        assert by_id[good_id].pushed == 1
        assert by_id[bad_id].status == "error"
        assert by_id[bad_id].error is not None
        assert by_id[bad_id].error.startswith("з'єднання обірвалося")


async def test_20_mb_body_with_content_length_is_refused(db: Database, clock: ManualClock) -> None:
    await expect_error(db, clock, faulty("huge"), "відповідь більша за 5 МБ, не завантажено")


async def test_20_mb_streamed_body_is_aborted(db: Database, clock: ManualClock) -> None:
    await expect_error(
        db,
        clock,
        faulty("huge", declare_length=False),
        "відповідь більша за 5 МБ, завантаження перервано",
    )


async def test_redirect_loop(db: Database, clock: ManualClock) -> None:
    def setup(news: FakeNews, clock: ManualClock) -> str:
        news.fault("/a.xml", "redirect", location="/b.xml")
        news.fault("/b.xml", "redirect", location="/a.xml")
        return "/a.xml"

    await expect_error(db, clock, setup, "переадресації зациклилися")


async def test_redirect_chain_longer_than_five(db: Database, clock: ManualClock) -> None:
    def setup(news: FakeNews, clock: ManualClock) -> str:
        for i in range(7):
            news.fault(f"/r{i}.xml", "redirect", status=301, location=f"/r{i + 1}.xml")
        news.set("/r7.xml", rss([Item(1)], clock.now()))
        return "/r0.xml"

    await expect_error(db, clock, setup, "забагато переадресацій (більше ніж 5)")


async def test_short_redirect_chain_is_followed(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.fault("/old.xml", "redirect", status=301, location="/mid.xml")
        news.fault("/mid.xml", "redirect", status=308, location=news.url_for("/feed.xml"))
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        sid = await env.add(news.url_for("/old.xml"))
        report = await env.service.poll_all()
        assert report.outcomes[0].status == "parsed"
        (article,) = await source_articles(db, sid)
        assert article.title == "Новина 1: важлива подія дня"


async def test_connection_reset(db: Database, clock: ManualClock) -> None:
    await expect_error(db, clock, faulty("reset"), "з'єднання обірвалося")


async def test_connection_refused(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as closed:
        url = closed.url_for("/feed.xml")
    async with sources_env(db, clock) as env:
        sid = await env.add(url)
        report = await env.service.poll_all()
        assert report.outcomes[0].status == "error"
        record = await env.source(sid)
        assert record.last_error is not None
        assert record.last_error.startswith("не вдалося з'єднатися з сервером")


async def test_empty_feed(db: Database, clock: ManualClock) -> None:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    await expect_error(db, clock, served(body), "стрічка не містить жодного запису")


async def test_empty_body(db: Database, clock: ManualClock) -> None:
    await expect_error(db, clock, served(b""), "порожню відповідь")


# -- item-level problems: the feed is accepted, the odd items repaired or left out ------------


async def expect_warning(
    db: Database, clock: ManualClock, body: str, fragment: str
) -> tuple[SourceRecord, list[str]]:
    async with beside_a_healthy_source(db, clock, served(body)) as out:
        assert out.good_pushed == 1
        assert out.bad.last_error is None and out.bad.consecutive_failures == 0
        assert out.bad.last_warning is not None and fragment in out.bad.last_warning
        titles = [a.title for a in await source_articles(db, out.bad.id)]
        return out.bad, sorted(titles)


async def test_duplicate_guids_within_one_feed(db: Database, clock: ManualClock) -> None:
    body = rss([Item(1, guid="same"), Item(2, guid="same"), Item(3)], clock.now())
    _, titles = await expect_warning(db, clock, body, "1 запис з повторюваним guid пропущено")
    assert titles == ["Новина 1: важлива подія дня", "Новина 3: важлива подія дня"]


async def test_items_missing_title_link_or_date(db: Database, clock: ManualClock) -> None:
    body = rss(
        [
            Item(1, title="", description="Без заголовка: у Полтаві відкрили новий сквер."),
            Item(2, link=""),
            Item(3, title="", link="", description=""),
            Item(4, minutes_ago=None),
        ],
        clock.now(),
    ).replace('<guid isPermaLink="false">id-2</guid>', "")
    record, titles = await expect_warning(
        db, clock, body, "2 записи без посилання чи заголовка пропущено"
    )
    assert titles == [
        "Без заголовка: у Полтаві відкрили новий сквер.",
        "Новина 4: важлива подія дня",
    ]
    assert record.last_item_count == 2


async def test_future_dates_are_dropped_not_trusted(db: Database, clock: ManualClock) -> None:
    body = rss([Item(1, minutes_ago=-3 * 24 * 60), Item(2)], clock.now())
    record, _ = await expect_warning(db, clock, body, "1 запис з датою в майбутньому")
    published = {a.title: a.published_at for a in await source_articles(db, record.id)}
    assert published["Новина 1: важлива подія дня"] is None
    assert published["Новина 2: важлива подія дня"] is not None


async def test_invalid_item_urls(db: Database, clock: ManualClock) -> None:
    body = rss(
        [
            Item(1, link="javascript:alert(1)"),
            Item(2, link="b2VjML1MLnE"),
            Item(3, link="http://"),
            Item(4),
        ],
        clock.now(),
    )
    _, titles = await expect_warning(
        db, clock, body, "3 записи без посилання чи заголовка пропущено"
    )
    assert titles == ["Новина 4: важлива подія дня"]


# -- transport features ------------------------------------------------------------------------


async def test_gzip_body(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        news.fault("/feed.xml", "gzip")
        await env.add(news.url_for("/feed.xml"))
        report = await env.service.poll_all()
        assert report.outcomes[0].status == "parsed" and report.outcomes[0].items == 1
        assert "gzip" in news.requests[-1].headers["accept-encoding"]


async def test_browser_user_agent_after_a_403(db: Database, clock: ManualClock) -> None:
    async with FakeNews() as news, sources_env(db, clock) as env:
        news.set("/feed.xml", rss([Item(1)], clock.now()))
        news.fault("/feed.xml", "forbid_ua", substring="newsbot")
        await env.add(news.url_for("/feed.xml"))
        report = await env.service.poll_all()
        assert report.outcomes[0].status == "parsed"
        agents = [r.headers["user-agent"] for r in news.requests]
        assert "newsbot" in agents[0] and agents[1].startswith("Mozilla/5.0")
        await env.service.poll_all()  # the host is remembered: straight to the browser UA
        assert news.requests[-1].headers["user-agent"].startswith("Mozilla/5.0")
        assert len(news.requests) == 3
