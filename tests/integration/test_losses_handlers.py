"""/losses and its "Графік" button, through the real application against loopback fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import Config, LossesConfig, OpsConfig, StorageConfig, TelegramConfig
from bot.context import NewsApplication
from bot.fakes.news import FakeNews
from bot.fakes.telegram import FakeTelegram, SentMessage
from bot.losses.model import war_day
from bot.losses.service import LossService

DATA = Path(__file__).resolve().parent.parent / "data" / "losses"
API = "/api/v2/statistics"
CHAT = 5001


def record(day: date) -> dict[str, Any]:
    n = (day - date(2025, 3, 29)).days
    return {
        "date": day.isoformat(),
        "day": war_day(day),
        "stats": {"personnel_units": 912_490 + 1_500 * n, "tanks": 10_478 + 5 * n},
        "increase": {"personnel_units": 1_500 + 20 * (n % 5), "tanks": 5},
    }


@dataclass
class Bot:
    tg: FakeTelegram
    news: FakeNews
    app: NewsApplication

    @property
    def losses(self) -> LossService:
        services = self.app.bot_data.services
        assert services is not None
        return services.losses

    async def say(self, text: str) -> SentMessage:
        start = len(self.tg.sent)
        self.tg.user_message(CHAT, text)
        return await self.tg.wait_for(lambda m: m.chat_id == CHAT, start=start)


@pytest.fixture
async def bot(clock: ManualClock) -> AsyncIterator[Bot]:
    async with FakeTelegram() as tg, FakeNews() as news:
        news.fault(f"{API}/latest", "status", status=503)  # until a test sets a report
        news.fault("/minfin", "status", status=503)
        config = Config(
            telegram=TelegramConfig(token=tg.token, api_url=tg.api_url),
            ops=OpsConfig(listen=""),  # no fixed port in tests
            storage=StorageConfig(database=":memory:"),
            losses=LossesConfig(
                url=news.url_for(f"{API}/latest"), fallback_url=news.url_for("/minfin")
            ),
            sources=(),
        )
        app = build_application(config, clock=clock)
        async with running(app):
            yield Bot(tg, news, app)


async def _with_history(bot: Bot) -> None:
    day = date(2025, 3, 29)
    bot.news.clear_fault(f"{API}/latest")
    bot.news.set_json(f"{API}/latest", {"data": record(day)})
    days = [day - timedelta(days=i) for i in range(1, 40)]
    bot.news.set_json(API, {"data": {"records": [record(d) for d in days]}})
    await bot.losses.refresh()
    await bot.losses.backfill()


async def test_losses_without_data_says_it_is_unavailable(bot: Bot) -> None:
    reply = await bot.say("/losses")
    assert reply.text == "Дані про втрати ворога тимчасово недоступні. Спробуйте трохи згодом."


async def test_losses_table_with_the_chart_button(bot: Bot) -> None:
    await _with_history(bot)
    reply = await bot.say("/losses")
    assert reply.parse_mode == "HTML"
    visible = reply.visible_text.replace("\u00a0", " ")
    assert visible.startswith(
        "Загальні бойові втрати противника з 24.02.2022 по 29.03.2025 орієнтовно склали:\n"
    )
    assert "Особовий склад — близько 912 490 (+1 500) осіб" in visible
    assert "1130-й день війни." in visible
    assert visible.endswith("Дані уточнюються.\nДані Генштабу ЗСУ, за russianwarship.rip")
    assert "Танки — 10 478 (+5)" in visible
    assert reply.reply_markup == {
        "inline_keyboard": [[{"text": "Графік", "callback_data": "losses:chart"}]]
    }

    start = len(bot.tg.sent)
    bot.tg.callback(CHAT, CHAT, reply.message_id, "losses:chart")
    photo = await bot.tg.wait_for(lambda m: m.chat_id == CHAT and m.photo, start=start)
    assert photo.photo_size > 10_000
    assert photo.visible_text.startswith("Втрати особового складу ворога за добу\nЗа 30 днів")
    assert bot.tg.calls_of("answerCallbackQuery")


async def test_losses_for_a_past_date(bot: Bot) -> None:
    await _with_history(bot)
    reply = await bot.say("/losses 28.03.2025")
    visible = reply.visible_text.replace("\u00a0", " ")
    assert "з 24.02.2022 по 28.03.2025 орієнтовно склали:" in visible
    assert "1129-й день війни." in visible
    assert "Особовий склад — близько 910 990" in visible
    assert "новіших даних" not in visible
    assert reply.reply_markup is None

    same = await bot.say("/losses 2025-03-28")
    assert same.text == reply.text


@pytest.mark.parametrize("word", ["графік", "chart"])  # the help says графік; chart stays
async def test_losses_chart_command(bot: Bot, word: str) -> None:
    await _with_history(bot)
    start = len(bot.tg.sent)
    bot.tg.user_message(CHAT, f"/losses {word}")
    photo = await bot.tg.wait_for(lambda m: m.chat_id == CHAT and m.photo, start=start)
    assert "середнє за 7 днів" in photo.visible_text


async def test_chart_without_enough_history(bot: Bot) -> None:
    bot.news.clear_fault(f"{API}/latest")
    bot.news.set_json(f"{API}/latest", {"data": record(date(2025, 3, 29))})
    await bot.losses.refresh()
    reply = await bot.say("/losses графік")
    assert reply.text == "Для графіка поки замало даних. Спробуйте трохи згодом."


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/losses 01.01.2030", "Ця дата ще не настала."),
        ("/losses 20.02.2022", "Генштаб публікує втрати ворога з 25 лютого 2022 року."),
        ("/losses 31.02.2025", "Не розумію дату «31.02.2025»."),
        ("/losses <b>&", "Не розумію дату «<b>&»."),  # escaped once: shown as typed
        ("/losses 01.05.2024", "Немає даних про втрати за 1 травня 2024."),
    ],
)
async def test_losses_replies_in_plain_ukrainian(bot: Bot, command: str, expected: str) -> None:
    reply = await bot.say(command)
    assert reply.visible_text.startswith(expected)


async def test_a_bad_date_is_answered_with_the_ukrainian_form(bot: Bot) -> None:
    reply = await bot.say("/losses вчора")
    assert reply.visible_text == (
        "Не розумію дату «вчора». Напишіть її так: /losses 29.03.2025; графік — /losses графік."
    )


async def test_losses_names_a_new_category_with_the_api_ukrainian_title(bot: Bot) -> None:
    day = date(2025, 3, 29)
    rec = record(day)
    rec["stats"]["ground_robotic_systems"] = 41
    bot.news.clear_fault(f"{API}/latest")
    bot.news.set_json(f"{API}/latest", {"data": rec})
    bot.news.set_json(
        "/api/v2/terms/uk",
        {"data": {"ground_robotic_systems": {"title": "Наземні робототехнічні комплекси"}}},
    )
    await bot.losses.refresh()
    reply = await bot.say("/losses")
    visible = reply.visible_text.replace("\u00a0", " ")
    assert "Наземні робототехнічні комплекси — 41" in visible
    assert "Танки — 10 478" in visible  # known categories keep the General Staff's wording
    assert bot.news.hits("/api/v2/terms/uk") == 1
