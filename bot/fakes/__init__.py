"""Loopback fakes of the outside world, for the tests and ``newsbot demo``.

* :class:`FakeTelegram` — a Bot API server (python-telegram-bot talks to it over HTTP), with
  channels (:class:`FakeChannel`) the bot may or may not post in;
* :class:`FakeNews` — feeds, article pages and the loss-counter API, with fault modes.

Both listen on 127.0.0.1 on a free port only inside ``async with``; nothing runs at import.
"""

from bot.fakes.news import AUTO, FakeNews, Fault, RecordedRequest, http_date
from bot.fakes.telegram import (
    Call,
    FakeChannel,
    FakeTelegram,
    Limits,
    RateLimitHit,
    SentMessage,
    TelegramHTMLError,
    Upload,
    check_telegram_html,
    parse_telegram_html,
    utf16_len,
)

__all__ = [
    "AUTO",
    "Call",
    "FakeChannel",
    "FakeNews",
    "FakeTelegram",
    "Fault",
    "Limits",
    "RateLimitHit",
    "RecordedRequest",
    "SentMessage",
    "TelegramHTMLError",
    "Upload",
    "check_telegram_html",
    "http_date",
    "parse_telegram_html",
    "utf16_len",
]
