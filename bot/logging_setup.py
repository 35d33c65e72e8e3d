"""Logging with secrets redacted.

PTB and httpx put the bot token in request URLs; every record passes through
:class:`RedactingFilter` before it is written, and httpx's per-request INFO lines are silenced.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO


class RedactingFilter(logging.Filter):
    """Replace each secret in the rendered message (and exception text) with ``<redacted>``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


def setup_logging(
    secrets: Iterable[str] = (), *, level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Configure the root logger once for the process; returns the installed handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "telegram.Bot"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "maximum number of running instances reached" when a poll overruns its interval: the
    # sources service already skips an overlapping cycle and says so itself.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # trafilatura logs ERROR for every page it cannot parse; the poller reports that itself.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    return handler
