"""The application's HTTP client does not keep every cookie every site ever set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import build_application, open_services
from bot.clock import ManualClock
from bot.config import Config, FetchConfig, OpsConfig, StorageConfig, TelegramConfig
from bot.fakes import FakeNews
from bot.ops.metrics import Metrics
from bot.services import Services
from bot.sources.hosts import COOKIE_JAR_SIZE

PAGES = COOKIE_JAR_SIZE + 100


@asynccontextmanager
async def services_for(
    news: FakeNews, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[Services]:
    """The services as the composition root builds them (nothing started)."""
    config = Config(
        telegram=TelegramConfig(token="1:x", api_url=news.url),
        storage=StorageConfig(database=str(tmp_path / "bot.db")),
        fetch=FetchConfig(allow_private_sources=True),
        ops=OpsConfig(listen=""),
        sources=(),
    )
    app = build_application(config, clock=clock)
    services = await open_services(config, app, clock, Metrics())
    try:
        yield services
    finally:
        await services.close()


async def test_cookies_set_by_pages_stay_within_the_bound(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with FakeNews() as news, services_for(news, tmp_path, clock) as services:
        for n in range(PAGES):  # a per-article "viewed" mark, as some news sites set
            news.set(
                f"/a/{n}",
                "<html><body><p>Новина</p></body></html>",
                content_type="text/html; charset=utf-8",
                headers={"Set-Cookie": f"viewed_{n}=1; Path=/; Max-Age=86400"},
            )
        for n in range(PAGES):
            await services.sources.fetcher.fetch(news.url_for(f"/a/{n}"))
        assert 0 < len(services.http.cookies.jar) <= COOKIE_JAR_SIZE  # before: all 612 kept


async def test_a_cookie_set_on_a_redirect_is_sent_on_the_next_hop(
    tmp_path: Path, clock: ManualClock
) -> None:
    """What cookies are for here: a site that sets one and redirects to check it."""
    async with FakeNews() as news, services_for(news, tmp_path, clock) as services:
        news.set(
            "/gate", b"", status=302, headers={"Set-Cookie": "ok=1; Path=/", "Location": "/in"}
        )
        news.set("/in", "<html><body>in</body></html>", content_type="text/html")
        await services.sources.fetcher.fetch(news.url_for("/gate"))
        assert news.requests[-1].path == "/in"
        assert news.requests[-1].headers.get("cookie") == "ok=1"
