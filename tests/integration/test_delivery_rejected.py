"""A 400 is a bug, not an outage: never retried, logged with the method and the reason.

python-telegram-bot derives ``BadRequest`` from ``NetworkError``; before issue 10 the limiter
retried a reply with bad HTML (it went out three times) and the error handler logged it as
"Telegram could not be reached", without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import cast

import pytest
from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot

from bot.app import _on_error
from bot.context import NewsContext
from bot.delivery.engine import limiter_for
from bot.delivery.ratelimit import rejected_method
from bot.fakes.telegram import FakeTelegram, Limits
from tests.integration.delivery_support import FAST


@pytest.fixture
async def bot() -> AsyncIterator[tuple[FakeTelegram, ExtBot[None]]]:
    async with FakeTelegram(limits=Limits(enabled=False)) as tg:
        bot: ExtBot[None] = ExtBot(tg.token, base_url=tg.base_url, rate_limiter=limiter_for(FAST))
        await bot.initialize()
        try:
            yield tg, bot
        finally:
            await bot.shutdown()


async def test_a_reply_with_bad_html_goes_out_once(bot: tuple[FakeTelegram, ExtBot[None]]) -> None:
    tg, ext = bot
    with pytest.raises(BadRequest, match="parse entities") as caught:
        await ext.send_message(5, "<b>не закрито", parse_mode="HTML")  # the fake's real 400
    assert len(tg.calls_of("sendMessage")) == 1
    assert rejected_method(caught.value) == "sendMessage"
    # A method outside the message limits is annotated too.
    tg.fail_next("setMyCommands", 400, description="Bad Request: BOT_COMMAND_INVALID")
    with pytest.raises(BadRequest) as caught:
        await ext.set_my_commands([("x", "y")])
    assert rejected_method(caught.value) == "setMyCommands"


async def test_a_reply_lost_to_a_5xx_is_still_sent_again(
    bot: tuple[FakeTelegram, ExtBot[None]],
) -> None:
    tg, ext = bot
    tg.fail_next("sendMessage", 502)
    await ext.send_message(5, "привіт")
    assert len(tg.calls_of("sendMessage")) == 2 and len(tg.sent) == 1


def _context(error: Exception) -> NewsContext:
    return cast(NewsContext, SimpleNamespace(error=error))


async def test_the_error_handler_logs_a_400_as_a_bug_with_the_method(
    bot: tuple[FakeTelegram, ExtBot[None]], caplog: pytest.LogCaptureFixture
) -> None:
    _, ext = bot
    with pytest.raises(BadRequest) as caught:
        await ext.send_message(5, "<i>не закрито", parse_mode="HTML")
    await _on_error(None, _context(caught.value))
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    message = record.getMessage()
    assert message.startswith("background job: bug: Telegram rejected sendMessage:")
    assert "parse entities" in message.lower()
    assert "could not be reached" not in message


async def test_the_error_handler_still_calls_an_outage_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _on_error(None, _context(NetworkError("Bad Gateway")))
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage() == "background job: Telegram could not be reached (Bad Gateway)"
