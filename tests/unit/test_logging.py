"""Secrets never reach the log, whatever logger or exception carries them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import setup_logging

TOKEN = "123456:AAH-very-secret"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    setup_logging([TOKEN, ""], stream=out)
    yield out
    root.handlers[:], root.level = saved[0], saved[1]


def test_token_is_redacted_in_messages_args_and_tracebacks(stream: io.StringIO) -> None:
    log = logging.getLogger("telegram.ext.Updater")
    log.warning("POST https://api.telegram.org/bot%s/getUpdates failed", TOKEN)
    log.info(f"plain {TOKEN}")
    try:
        raise RuntimeError(f"https://x/bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("request failed")
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count("<redacted>") == 3


def test_httpx_request_lines_are_silenced(stream: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s", TOKEN)
    assert stream.getvalue() == ""
