"""Starting while Telegram is away: wait for it with backoff; a token it rejects is fatal.

``newsbot run`` asks ``getMe`` before handing over to python-telegram-bot.  While Telegram
cannot be reached (no network yet, DNS down, a 5xx), it tries again after 2 s, 4 s, 8 s … at
most 60 s apart, one log line per attempt and no traceback, and goes on as soon as Telegram
answers: a container started before its network does not crash-loop.  A 401/404 to ``getMe``
means the token is wrong — waiting cannot fix that, so :class:`TokenRejected` ends the wait
and the CLI exits with status 2, as for any configuration error.

python-telegram-bot logs a start-up failure of its own (``Failed run number 0 of 0.
Aborting.``) with a traceback; :func:`quiet_startup_failures` turns those into nothing, since
the CLI reports the failure in one line and waits for Telegram again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot import texts
from bot.config import TelegramConfig

log = logging.getLogger(__name__)

TOKEN_REJECTED = texts.TOKEN_REJECTED
FIRST_DELAY = 2.0
MAX_DELAY = 60.0


class TokenRejected(Exception):
    """Telegram answered 401/404: the token is wrong or revoked."""


def next_delay(delay: float) -> float:
    """The backoff: doubling, at most :data:`MAX_DELAY`."""
    return min(delay * 2, MAX_DELAY)


async def wait_for_telegram(
    probe: Callable[[], Awaitable[object]],
    *,
    first_delay: float = FIRST_DELAY,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> int:
    """Call ``probe`` (getMe) until it succeeds; return the number of attempts.

    Raises :class:`TokenRejected` when Telegram rejects the token.
    """
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            await probe()
        except InvalidToken:
            raise TokenRejected(TOKEN_REJECTED) from None
        except TelegramError as exc:
            wait = max(delay, _retry_after(exc))
            log.warning(
                "Telegram is not reachable yet (attempt %d: %s); next try in %g s",
                attempt,
                exc.message,
                wait,
            )
            await sleep(wait)
            delay = next_delay(delay)
            continue
        if attempt > 1:
            log.info("Telegram answered on attempt %d", attempt)
        return attempt


def _retry_after(exc: TelegramError) -> float:
    """A 429's own wait in seconds (PTB gives a timedelta, or an int without PTB_TIMEDELTA)."""
    if not isinstance(exc, RetryAfter):
        return 0.0
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def wait_until_reachable(config: TelegramConfig) -> int:
    """:func:`wait_for_telegram` with a getMe of its own (the application's bot is not
    initialised yet); returns the number of attempts."""
    request = HTTPXRequest(connect_timeout=5.0, read_timeout=10.0)
    bot = Bot(config.token, base_url=f"{config.api_url}/bot", request=request)
    await request.initialize()
    try:
        return await wait_for_telegram(bot.get_me)
    finally:
        await request.shutdown()


class _DropStartupTracebacks(logging.Filter):
    """Drops PTB's "Failed run number … Aborting." record: the CLI says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and "Aborting" in str(record.msg))


def quiet_startup_failures() -> None:
    """Install the filter on PTB's ``telegram.ext`` logger (once; called by the CLI)."""
    ext = logging.getLogger("telegram.ext")
    if not any(isinstance(f, _DropStartupTracebacks) for f in ext.filters):
        ext.addFilter(_DropStartupTracebacks())
