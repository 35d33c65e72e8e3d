"""Webhook mode: python-telegram-bot's own server, plus a count of the requests it refuses.

``Application.run_webhook`` serves the webhook with tornado and answers 403 to a request whose
``X-Telegram-Bot-Api-Secret-Token`` header is missing or wrong, before the update is parsed.
PTB offers no hook for that refusal and its tornado application logs no requests, but it
does log each refusal at DEBUG on the ``telegram.ext.Updater`` logger ("Request did not
include the secret token" / "Request had the wrong secret token: …").  :func:`count_refusals`
observes those records with a :class:`logging.Filter` on that logger: the logger is set to
DEBUG so the records exist, the filter counts the refusals and lets through only what the
configured log level would have let through.  A test posts to the real webhook with a wrong
and a missing secret and reads the counter, so a PTB release that rewords these lines fails
the suite instead of silently counting nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bot.config import TelegramConfig, parse_listen
from bot.ops.metrics import Metrics

__all__ = ["count_refusals", "webhook_arguments"]

UPDATER_LOGGER = "telegram.ext.Updater"
_REFUSALS = (
    ("Request did not include the secret token", "missing"),
    ("Request had the wrong secret token", "wrong"),
)

log = logging.getLogger(__name__)


def webhook_arguments(telegram: TelegramConfig) -> dict[str, Any]:
    """Keyword arguments for ``Application.run_webhook`` from the ``[telegram]`` section.

    The local path is the public URL's path (a proxy in front forwards it unchanged).
    Pending updates are kept (``drop_pending_updates=False``): Telegram holds them while the
    bot is down or switching modes, and PTB's ``setWebhook`` must not throw them away.
    """
    host, port = parse_listen(telegram.listen, key="telegram.listen")
    return {
        "listen": host,
        "port": port,
        "url_path": urlsplit(telegram.webhook_url).path.lstrip("/"),
        "webhook_url": telegram.webhook_url,
        "secret_token": telegram.secret_token,
        "drop_pending_updates": False,
    }


class _RefusalCounter(logging.Filter):
    def __init__(self, metrics: Metrics, passthrough_level: int) -> None:
        super().__init__()
        self._metrics = metrics
        self._level = passthrough_level
        self._refused = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            for prefix, reason in _REFUSALS:
                if record.msg.startswith(prefix):
                    self._count(reason)
                    break
        return record.levelno >= self._level

    def _count(self, reason: str) -> None:
        self._metrics.observe_webhook_refused(reason)
        self._refused += 1
        if self._refused & (self._refused - 1) == 0:  # 1, 2, 4, 8 …: a flood stays a few lines
            log.warning(
                "webhook: refused a request with a %s secret token (%d refused so far)",
                reason,
                self._refused,
            )


def count_refusals(metrics: Metrics) -> Callable[[], None]:
    """Start counting refused webhook requests in ``metrics``; returns the undo function."""
    logger = logging.getLogger(UPDATER_LOGGER)
    previous = logger.level
    counter = _RefusalCounter(metrics, logger.getEffectiveLevel())
    logger.addFilter(counter)
    logger.setLevel(logging.DEBUG)

    def undo() -> None:
        logger.removeFilter(counter)
        logger.setLevel(previous)

    return undo
