"""The error policy maps each Telegram answer to one action."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.policy import Action, backoff_delay, decide


def test_429_waits_retry_after_and_is_never_dropped() -> None:
    verdict = decide(RetryAfter(timedelta(seconds=7)), attempts=99, max_attempts=5)
    assert verdict.action is Action.WAIT and verdict.delay == 7


@pytest.mark.parametrize(
    "message",
    [
        "Forbidden: bot was blocked by the user",
        "Forbidden: user is deactivated",
        "Forbidden: bot was kicked from the group chat",
    ],
)
def test_403_blocks_the_chat(message: str) -> None:
    verdict = decide(Forbidden(message), 1, 5)
    assert verdict.action is Action.BLOCK and message in verdict.reason


def test_chat_not_found_marks_the_chat_gone() -> None:
    assert decide(BadRequest("Bad Request: chat not found"), 1, 5).action is Action.GONE


def test_migration_carries_the_new_id() -> None:
    verdict = decide(ChatMigrated(-1001234), 1, 5)
    assert verdict.action is Action.MIGRATE and verdict.new_chat_id == -1001234


def test_other_bad_requests_fail_at_once() -> None:
    verdict = decide(BadRequest("Bad Request: can't parse entities"), 1, 5)
    assert verdict.action is Action.FAIL and "parse entities" in verdict.reason


def _timed_out(cause: Exception) -> TimedOut:
    """A TimedOut as PTB raises it: ``raise TimedOut from <httpx timeout>``."""
    exc = TimedOut()
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    "exc",
    [
        NetworkError("Bad Gateway"),
        _timed_out(httpx.ConnectTimeout("connect")),  # nothing left: safe to send again
        _timed_out(httpx.PoolTimeout("pool")),
        OSError("reset"),
    ],
)
def test_network_and_server_errors_back_off_then_fail(exc: Exception) -> None:
    first = decide(exc, 1, 3)
    assert first.action is Action.RETRY and first.delay == 2
    assert decide(exc, 2, 3).delay == 4
    last = decide(exc, 3, 3)
    assert last.action is Action.FAIL and "after 3 attempts" in last.reason


@pytest.mark.parametrize(
    "exc",
    [TimedOut(), _timed_out(httpx.ReadTimeout("read")), _timed_out(httpx.WriteTimeout("write"))],
)
def test_a_send_without_an_answer_is_never_repeated(exc: TimedOut) -> None:
    """Telegram may have delivered it: a copy twice is worse than a copy maybe missing."""
    for attempt in (1, 5):
        verdict = decide(exc, attempt, 5)
        assert verdict.action is Action.UNKNOWN and "TimedOut" in verdict.reason


def test_a_bad_request_is_never_taken_for_a_network_error() -> None:
    """PTB derives BadRequest from NetworkError; the policy must not retry it."""
    exc = BadRequest("Bad Request: can't parse entities: unclosed start tag")
    assert isinstance(exc, NetworkError)
    assert decide(exc, 1, 5).action is Action.FAIL


def test_backoff_is_capped() -> None:
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff_delay(30) == 300
