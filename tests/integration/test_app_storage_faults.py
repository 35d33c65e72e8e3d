"""Commands while the database cannot be written: one Ukrainian line, never silence.

The real application against the fake Telegram; the database is made read-only in the middle
(``PRAGMA query_only``: SQLite answers every write with SQLITE_READONLY, as on a read-only
volume).  Commands that need a write answer «Тимчасова технічна проблема…»; /latest and
/losses keep working from what is stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import Config, LossesConfig, StorageConfig, TelegramConfig
from bot.fakes.news import FakeNews
from bot.fakes.telegram import FakeTelegram, SentMessage
from bot.services import Services
from bot.texts import STORAGE_TROUBLE
from storage import articles, sources, stories

ADMIN = 1001
USER = 5001


@dataclass
class Running:
    tg: FakeTelegram
    services: Services

    async def say(self, chat: int, text: str) -> SentMessage:
        start = len(self.tg.sent)
        self.tg.user_message(chat, text)
        return await self.tg.wait_for(lambda m: m.chat_id == chat, start=start)


@pytest.fixture
async def bot(clock: ManualClock) -> AsyncIterator[Running]:
    async with FakeTelegram() as tg, FakeNews() as news:
        news.fault("/latest", "status", status=503)
        news.fault("/minfin", "status", status=503)
        config = Config(
            telegram=TelegramConfig(token=tg.token, api_url=tg.api_url, admins=(ADMIN,)),
            storage=StorageConfig(database=":memory:"),
            losses=LossesConfig(url=news.url_for("/latest"), fallback_url=news.url_for("/minfin")),
            sources=(),
        )
        app = build_application(config, clock=clock)
        async with running(app) as services:
            yield Running(tg, services)


async def _one_brief(services: Services, clock: ManualClock) -> None:
    db, now = services.db, clock.now()
    source_id = await sources.add_source(db, "Джерело", "https://e.example/rss", "config", now)
    new = articles.NewArticle(
        identity="guid:1",
        url="https://e.example/1",
        title="Сили оборони відбили атаки",
        published_at=now,
        content_hash="h1",
        disposition="first_poll",
    )
    (article_id,) = await articles.add_articles(db, source_id, [new], now)
    await stories.add_story(
        db,
        article_id,
        title="Сили оборони відбили атаки",
        summary="Коротко.",
        html="<b>Сили оборони відбили атаки</b>\nКоротко.",
        summariser="t",
        now=now,
    )


async def test_commands_that_write_apologise_while_reads_keep_working(
    bot: Running, clock: ManualClock
) -> None:
    await _one_brief(bot.services, clock)
    assert "Вітаю" in (await bot.say(USER, "/start")).text  # type: ignore[operator]
    preview = await bot.say(ADMIN, "/broadcast Перевірка")
    assert preview.reply_markup is not None
    send = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await bot.services.db.conn.execute("PRAGMA query_only = ON")

    bot.tg.callback(ADMIN, ADMIN, preview.message_id, send)  # "Надіслати всім"
    await bot.tg.wait_until(lambda: bool(bot.tg.calls_of("answerCallbackQuery")))
    (answer,) = bot.tg.calls_of("answerCallbackQuery")
    assert answer.params["text"] == STORAGE_TROUBLE and answer.params["show_alert"] is True

    assert (await bot.say(USER, "/stop")).text == STORAGE_TROUBLE
    assert (await bot.say(USER + 1, "/start")).text == STORAGE_TROUBLE
    assert (await bot.say(ADMIN, "/broadcast Завтра оновлення")).text == STORAGE_TROUBLE
    latest = await bot.say(USER, "/latest")
    assert "Сили оборони відбили атаки" in latest.visible_text
    losses = await bot.say(USER, "/losses")
    assert losses.text is not None and losses.text.startswith("Дані про втрати ворога")
    assert "призупинено" not in (await bot.say(ADMIN, "/stats")).visible_text

    await bot.services.db.conn.execute("PRAGMA query_only = OFF")
    assert "Вітаю" in (await bot.say(USER + 1, "/start")).text  # type: ignore[operator]
