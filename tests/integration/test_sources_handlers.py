"""/sources, /addsource and /delsource through the real application against loopback fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import (
    Config,
    DeliveryConfig,
    FetchConfig,
    LossesConfig,
    OpsConfig,
    ScheduleConfig,
    SourceConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.context import NewsApplication
from bot.fakes import FakeNews, FakeTelegram, Limits, SentMessage
from bot.sources.service import SourceService
from tests.integration.test_sources_support import Item, rss

ADMIN = 1001
USER = 2002


@dataclass
class Bot:
    tg: FakeTelegram
    news: FakeNews
    app: NewsApplication

    @property
    def sources(self) -> SourceService:
        services = self.app.bot_data.services
        assert services is not None
        return services.sources

    async def say(self, text: str, *, user: int = ADMIN, replies: int = 1) -> list[SentMessage]:
        start = len(self.tg.sent)
        self.tg.user_message(user, text, user_id=user)

        def mine() -> list[SentMessage]:
            return [m for m in self.tg.sent[start:] if m.chat_id == user]

        await self.tg.wait_until(lambda: len(mine()) >= replies)
        return mine()


@asynccontextmanager
async def running_bot(
    clock: ManualClock, *, allow_private: bool = True, schedule: ScheduleConfig | None = None
) -> AsyncIterator[Bot]:
    # Replies to one admin come in quick succession here; pacing them is not under test.
    async with FakeTelegram(limits=Limits(enabled=False)) as tg, FakeNews() as news:
        news.fault("/losses", "status", status=503)
        news.set("/config.xml", rss([Item(1), Item(2)], clock.now()))
        config = Config(
            telegram=TelegramConfig(token=tg.token, api_url=tg.api_url, admins=(ADMIN,)),
            ops=OpsConfig(listen=""),  # no fixed port in tests
            storage=StorageConfig(database=":memory:"),
            delivery=DeliveryConfig(per_chat_per_second=1000.0, overall_per_second=1000.0),
            schedule=schedule or ScheduleConfig(poll_seconds=3600),
            losses=LossesConfig(url=news.url_for("/losses"), fallback_url=news.url_for("/losses")),
            fetch=FetchConfig(
                allow_private_sources=allow_private, read_timeout=1.0, source_timeout=2.0
            ),
            sources=(SourceConfig("Конфіг", news.url_for("/config.xml")),),
        )
        app = build_application(config, clock=clock)
        async with running(app):
            yield Bot(tg, news, app)


@pytest.fixture
async def bot(clock: ManualClock) -> AsyncIterator[Bot]:
    async with running_bot(clock) as b:
        yield b


async def test_only_admins(bot: Bot) -> None:
    for command in ("/sources", "/addsource https://e.ua/rss", "/delsource 1"):
        (reply,) = await bot.say(command, user=USER)
        assert reply.text == "Ця команда доступна лише адміністраторам бота."


async def test_sources_lists_health(bot: Bot) -> None:
    await bot.sources.poll_all()
    (reply,) = await bot.say("/sources")
    visible = reply.visible_text.replace("\u00a0", " ")
    assert visible.startswith("Джерела новин — 1, без помилок — 1")
    assert "✅ #1 Конфіг — 127.0.0.1" in visible
    assert "оновлено 29 березня 2025, 11:30 · у стрічці 2 записи" in visible
    assert visible.endswith("Вилучити — /delsource ID, додати — /addsource URL [назва]")


async def test_sources_shows_errors_in_plain_words(bot: Bot) -> None:
    bot.news.fault("/config.xml", "status", status=500)
    await bot.sources.poll_all()
    (reply,) = await bot.say("/sources")
    visible = reply.visible_text.replace("\u00a0", " ")
    assert (
        "⚠️ #1 Конфіг — 127.0.0.1\nпомилка: сервер відповів помилкою 500 "
        "(внутрішня помилка сервера) — 1 невдача поспіль; наступна спроба "
        "29 березня 2025, 12:00"
    ) in visible


async def test_addsource_test_fetches_and_adds(bot: Bot, clock: ManualClock) -> None:
    bot.news.set("/new.xml", rss([Item(1), Item(2), Item(3)], clock.now()))
    checking, done = await bot.say(
        f"/addsource {bot.news.url_for('/new.xml')} Моє джерело", replies=2
    )
    assert checking.visible_text.startswith("Перевіряю стрічку http://127.0.0.1:")
    assert done.visible_text == (
        "Додано джерело #2: у стрічці 3 записи. Під час першого опитування їх буде записано "
        "без розсилки, а все нове надходитиме підписникам."
    )
    listed = {s.id: (s.name, s.origin) for s in await bot.sources.list_sources()}
    assert listed[2] == ("Моє джерело", "admin")

    (again,) = await bot.say(f"/addsource {bot.news.url_for('/new.xml')}")
    assert again.visible_text == "Це джерело вже є: #2 «Моє джерело»."


async def test_addsource_reports_why_it_failed(bot: Bot) -> None:
    bot.news.fault("/missing.xml", "status", status=404)
    _, failed = await bot.say(f"/addsource {bot.news.url_for('/missing.xml')}", replies=2)
    assert failed.visible_text == (
        "Не вдалося додати джерело: сервер відповів помилкою 404 (сторінку не знайдено)."
    )
    page = "<!DOCTYPE html><html><body><p>Просто сторінка</p></body></html>"
    bot.news.set("/page", page, content_type="text/html; charset=utf-8")
    _, failed = await bot.say(f"/addsource {bot.news.url_for('/page')}", replies=2)
    assert failed.visible_text == (
        "Не вдалося додати джерело: за адресою HTML-сторінка, а не стрічка RSS/Atom."
    )
    assert len(await bot.sources.list_sources()) == 1


async def test_addsource_usage_and_scheme(bot: Bot) -> None:
    (usage,) = await bot.say("/addsource")
    assert usage.visible_text.startswith("Як додати джерело: /addsource URL [назва]")
    (scheme,) = await bot.say("/addsource ftp://e.ua/rss")
    assert scheme.visible_text == "Потрібна адреса стрічки, що починається з http:// або https://."


async def test_addsource_refuses_private_addresses(clock: ManualClock) -> None:
    async with running_bot(clock, allow_private=False) as bot:
        bot.news.set("/new.xml", rss([Item(1)], clock.now()))
        _, failed = await bot.say(f"/addsource {bot.news.url_for('/new.xml')}", replies=2)
        assert failed.visible_text == (
            "Не вдалося додати джерело: 127.0.0.1 веде на 127.0.0.1: локальна адреса "
            "(loopback), такі джерела заборонені."
        )
        assert bot.news.hits("/new.xml") == 0


async def test_delsource(bot: Bot) -> None:
    (usage,) = await bot.say("/delsource abc")
    assert usage.visible_text.startswith("Як вилучити джерело: /delsource ID")
    (missing,) = await bot.say("/delsource 99")
    assert missing.visible_text == "Джерела #99 немає. Список — /sources."
    (done,) = await bot.say("/delsource #1")
    assert done.visible_text == (
        "Джерело #1 «Конфіг» вилучено: його більше не опитуватиму, а вже надіслані новини "
        "лишаються в історії."
    )
    assert await bot.sources.list_sources() == []
    (empty,) = await bot.say("/sources")
    assert empty.visible_text == "Джерел новин немає. Додати — /addsource URL [назва]."
