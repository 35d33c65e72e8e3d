"""Config sources are trusted: one on 127.0.0.1 (a local RSSHub, say) is polled without
``allow_private_sources``; the private-address guard still holds for /addsource, for
redirects and pages on other hosts; a config source refused anyway is logged once."""

from __future__ import annotations

import logging

import pytest

from bot.clock import ManualClock
from bot.config import SourceConfig
from bot.fakes import FakeNews
from storage import Database
from tests.integration.test_sources_handlers import running_bot
from tests.integration.test_sources_support import Item, fast_fetch, rss, sources_env

GUARDED = fast_fetch(allow_private_sources=False)


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "is refused" in r.getMessage()]


async def test_a_config_source_on_loopback_is_polled_with_its_pages(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news:
        page = "<html><body><article><p>" + "Довгий текст статті. " * 40 + "</p></article>"
        news.set("/a/1", page, content_type="text/html; charset=utf-8")
        item = Item(1, link=news.url_for("/a/1"), description="Коротко.")
        news.set("/rsshub/feed", rss([item], clock.now()))
        local = SourceConfig("Локальний RSSHub", news.url_for("/rsshub/feed"))
        async with sources_env(db, clock, GUARDED, sources=(local,)) as env:
            await env.service.sync_config_sources()
            report = await env.service.poll_all()
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.error, outcome.items) == ("parsed", None, 1)
    assert news.hits("/a/1") == 1  # the article page on the same host is trusted too


async def test_an_admin_source_on_the_same_address_is_still_refused(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news:
        news.set("/feed", rss([Item(1)], clock.now()))
        async with sources_env(db, clock, GUARDED) as env:
            trial, source_id = await env.service.add_source(news.url_for("/feed"))
    assert source_id is None
    assert trial.error is not None and "локальна адреса (loopback)" in trial.error
    assert news.hits("/feed") == 0


async def test_addsource_is_refused_beside_a_polled_config_source(clock: ManualClock) -> None:
    """The real bot, allow_private_sources = false: the config source on FakeNews is polled,
    /addsource of another feed on that same server is refused."""
    async with running_bot(clock, allow_private=False) as bot:
        (outcome,) = (await bot.sources.poll_all()).outcomes
        assert (outcome.status, outcome.error) == ("parsed", None)
        bot.news.set("/other.xml", rss([Item(1)], clock.now()))
        _, failed = await bot.say(f"/addsource {bot.news.url_for('/other.xml')}", replies=2)
        assert "локальна адреса (loopback), такі джерела заборонені" in failed.visible_text
        assert bot.news.hits("/other.xml") == 0


async def test_trust_does_not_follow_a_redirect_to_another_private_host(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """127.0.0.1 is trusted; a redirect from it to ``localhost`` (another name, also
    loopback) is not, and the refusal of this config source is logged once per run."""
    caplog.set_level(logging.INFO)
    async with FakeNews() as news:
        news.fault("/feed", "redirect", location=news.url.replace("127.0.0.1", "localhost"))
        local = SourceConfig("Локальне", news.url_for("/feed"))
        async with sources_env(db, clock, GUARDED, sources=(local,)) as env:
            await env.service.sync_config_sources()
            (first,) = (await env.service.poll_all()).outcomes
            await env.service.poll_source(first.source_id)
    assert first.error is not None and "localhost веде на" in first.error
    (line,) = _refusals(caplog)
    assert line.startswith(f"config source 'Локальне' ({local.url}) is refused: localhost веде")
    assert not [r for r in caplog.records if "failing" in r.getMessage()]


async def test_a_config_source_refused_for_another_reason_is_reported_once_at_start(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    broken = SourceConfig("Зламане", "http://127.0.0.1:99999/feed")  # no such port
    fine = SourceConfig("Справне", "https://news.example.ua/rss")
    async with sources_env(db, clock, GUARDED, sources=(broken, fine)) as env:
        await env.service.sync_config_sources()
        assert _refusals(caplog) == [
            "config source 'Зламане' (http://127.0.0.1:99999/feed) is refused: некоректна адреса"
        ]
        await env.service.poll_source(1)
        await env.service.poll_source(1)
    assert len(_refusals(caplog)) == 1
