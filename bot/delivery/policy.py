"""The error policy: what to do with one message after Telegram (or the network) said no.

Every decision about a failed send lives here, as a pure function of the exception and the
attempt count.  The tree, as python-telegram-bot maps Telegram's answers:

* ``RetryAfter`` (429 with ``retry_after``) → :attr:`Action.WAIT`: pause all sends for
  ``retry_after`` seconds and send the same message again; never dropped, never counted as an
  attempt.
* ``ChatMigrated`` (400 with ``migrate_to_chat_id``: a group became a supergroup) →
  :attr:`Action.MIGRATE`: the chat's id is updated everywhere and the message is resent.
* ``Forbidden`` (403: bot was blocked by the user, user is deactivated, bot was kicked,
  bot is not a member …) → :attr:`Action.BLOCK`: the chat is marked ``blocked`` and its
  pending messages are skipped.
* ``BadRequest`` "chat not found" → :attr:`Action.GONE`: the chat is marked ``gone``, its
  pending messages skipped.
* any other ``BadRequest`` (the message itself is wrong: too long, bad HTML) →
  :attr:`Action.FAIL` at once; retrying cannot help, and it is a bug worth a traceback.
  (``BadRequest`` subclasses ``NetworkError`` in PTB, so it is tested first.)
* ``TimedOut`` while waiting for the answer → :attr:`Action.UNKNOWN`: the request reached
  Telegram, which may have delivered the message, so it is never sent again (a copy twice is
  worse than a copy maybe missing).  A timeout while *connecting* sent nothing: retried.
* ``NetworkError`` / 5xx (PTB maps those to ``NetworkError``) and anything else →
  :attr:`Action.RETRY` after an exponential backoff, until ``max_attempts``; then
  :attr:`Action.FAIL` with the reason stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import httpx
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from bot.delivery.ratelimit import retry_after_seconds

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
MAX_REASON = 300


class Action(enum.Enum):
    WAIT = "wait"
    MIGRATE = "migrate"
    BLOCK = "block"
    GONE = "gone"
    RETRY = "retry"
    FAIL = "fail"
    UNKNOWN = "unknown"  # the request may have been carried out: do not repeat it


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    reason: str
    delay: float = 0.0  # seconds: the 429 pause or the backoff before the next attempt
    new_chat_id: int | None = None


def backoff_delay(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: 2, 4, 8 … capped at five minutes."""
    return float(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** max(0, attempts - 1)))


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text[:MAX_REASON]


def nothing_sent(exc: TimedOut) -> bool:
    """True when the timeout came before the request left (connecting, or waiting for a
    connection from the pool): Telegram cannot have seen it."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


def decide(exc: BaseException, attempts: int, max_attempts: int) -> Verdict:
    """The verdict for a send that raised ``exc``; ``attempts`` counts this one (≥ 1)."""
    if isinstance(exc, RetryAfter):
        return Verdict(Action.WAIT, _reason(exc), delay=retry_after_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return Verdict(Action.MIGRATE, _reason(exc), new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return Verdict(Action.BLOCK, _reason(exc))
    if isinstance(exc, BadRequest):
        if "chat not found" in exc.message.lower():
            return Verdict(Action.GONE, _reason(exc))
        return Verdict(Action.FAIL, _reason(exc))
    if isinstance(exc, TimedOut) and not nothing_sent(exc):
        return Verdict(Action.UNKNOWN, _reason(exc))
    if attempts >= max_attempts:
        return Verdict(Action.FAIL, f"{_reason(exc)} (after {attempts} attempts)")
    return Verdict(Action.RETRY, _reason(exc), delay=backoff_delay(attempts))
