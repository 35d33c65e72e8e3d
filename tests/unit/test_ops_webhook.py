"""Counting refused webhook requests by observing PTB's own log records."""

from __future__ import annotations

import logging

import pytest

from bot.ops.metrics import Metrics
from bot.ops.webhook import UPDATER_LOGGER, count_refusals


def _refused(metrics: Metrics, reason: str) -> float:
    value = metrics.registry.get_sample_value("newsbot_webhook_refused_total", {"reason": reason})
    return value or 0.0


@pytest.fixture
def updater_logger() -> logging.Logger:
    logger = logging.getLogger(UPDATER_LOGGER)
    assert logger.level == logging.NOTSET
    return logger


def test_refusals_are_counted_and_debug_lines_stay_hidden(
    updater_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics()
    caplog.set_level(logging.INFO)  # the app's level: INFO
    undo = count_refusals(metrics)
    try:
        updater_logger.debug("Request did not include the secret token")
        updater_logger.debug("Request had the wrong secret token: %s", "guess")
        updater_logger.debug("Request had the wrong secret token: %s", "guess2")
        updater_logger.debug("Webhook received data: %s", "{}")
        updater_logger.info("an info line passes")
    finally:
        undo()
    assert _refused(metrics, "missing") == 1
    assert _refused(metrics, "wrong") == 2
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert (UPDATER_LOGGER, "an info line passes") in logged
    assert not any("guess" in message for _, message in logged)  # DEBUG stays hidden
    warnings = [m for name, m in logged if name == "bot.ops.webhook"]
    assert warnings == [
        "webhook: refused a request with a missing secret token (1 refused so far)",
        "webhook: refused a request with a wrong secret token (2 refused so far)",
    ]
    assert updater_logger.level == logging.NOTSET and not updater_logger.filters


def test_undo_stops_counting(updater_logger: logging.Logger) -> None:
    metrics = Metrics()
    count_refusals(metrics)()
    updater_logger.debug("Request did not include the secret token")
    assert _refused(metrics, "missing") == 0
