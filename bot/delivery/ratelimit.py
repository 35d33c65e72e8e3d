"""Telegram's flood limits as one shared, priority-aware limiter.

Three limits apply to every message the bot sends (sendMessage, sendPhoto, editMessageText):

* overall: ``overall_per_second`` (30 by default; up to 1000 with ``allow_paid_broadcast``);
* per chat: ``per_chat_per_second`` (about 1 message a second);
* per group (negative chat ids): ``group_per_minute`` (20 a minute) on top of the per-chat one.

Each limit is a *sliding window* ("at most n sends in any window of n / rate seconds"), not a
leaky bucket that bursts and refills: a bucket that bursts its capacity can exceed Telegram's
window and earn a 429.  Waiters for the overall budget are served by priority (command replies
0, ledger sends 1), FIFO within a priority, so a reply to /latest never queues behind a
broadcast; the delivery engine shares the ledger's part between briefs and broadcasts itself.
A chat is served one message at a time (its messages keep their order), and a 429 pauses
every send until ``retry_after`` has passed.

The same object is PTB's rate limiter (:class:`telegram.ext.BaseRateLimiter`), so replies that
handlers send with ``message.reply_text`` share the budget with the delivery worker.  The
worker passes ``rate_limit_args={"priority": ..., "retry": False}`` and handles errors itself;
everything else (command replies) is retried here after a 429, never dropped, and once or
twice after a 5xx or a dropped connection.  A 400 (``BadRequest``, which PTB derives from
``NetworkError``) is never retried: the request itself is wrong, and it is re-raised with the
Bot API method noted on it (:func:`rejected_method`) so the error handler can name it.

Time is the event loop's monotonic clock; the windows themselves (:class:`SlidingWindow`) are
pure and take ``now`` as an argument.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

PRIORITY_REPLY = 0
PRIORITY_BRIEF = 1
PRIORITY_BROADCAST = 2
PRIORITY_LEDGER = PRIORITY_BRIEF  # every delivery-ledger send, whatever its kind

FREE_OVERALL = 30.0  # what Telegram allows without allow_paid_broadcast
PAID_OVERALL = 1000.0

#: Bot API methods that count towards the message limits.
LIMITED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "editmessagetext",
        "editmessagecaption",
        "sendmediagroup",
        "senddocument",
        "copymessage",
        "forwardmessage",
    }
)
MAX_REPLY_RETRIES = 5
MAX_NETWORK_RETRIES = 2  # a reply after a 5xx or a dropped connection
NETWORK_RETRY_DELAY = 0.5  # seconds, times the failure count
_METHOD_NOTE = "Bot API method: "


def note_method(exc: BaseException, endpoint: str) -> None:
    """Remember on ``exc`` which Bot API method it answered (see :func:`rejected_method`)."""
    if rejected_method(exc) is None:
        exc.add_note(f"{_METHOD_NOTE}{endpoint}")


def rejected_method(exc: BaseException) -> str | None:
    """The Bot API method noted on ``exc`` by the limiter, if any."""
    for note in getattr(exc, "__notes__", ()):
        if note.startswith(_METHOD_NOTE):
            return str(note.removeprefix(_METHOD_NOTE))
    return None


class SlidingWindow:
    """At most ``count`` events in any window of ``count / rate`` seconds (pure; no clock)."""

    __slots__ = ("count", "span", "times")

    def __init__(self, rate: float, period: float = 1.0) -> None:
        per_second = rate / period
        self.count = max(1, round(rate))
        self.span = self.count / per_second
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0.0 when it fits now)."""
        times = self.times
        while times and times[0] <= now - self.span:
            times.popleft()
        if len(times) < self.count:
            return 0.0
        return times[0] + self.span - now

    def record(self, now: float) -> None:
        self.times.append(now)

    def idle_since(self, now: float) -> bool:
        """True when no recorded event is still inside the window (the window can be dropped)."""
        return not self.times or self.times[-1] <= now - self.span


@dataclass(frozen=True, slots=True)
class Budget:
    """The limits in force, derived from the delivery config."""

    overall_per_second: float = FREE_OVERALL
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    enabled: bool = True

    @classmethod
    def from_config(
        cls,
        overall_per_second: float,
        per_chat_per_second: float,
        group_per_minute: float,
        allow_paid_broadcast: bool,
        enabled: bool = True,
    ) -> Budget:
        """Cap the overall rate at what Telegram allows (30/s, or 1000/s when paid)."""
        cap = PAID_OVERALL if allow_paid_broadcast else FREE_OVERALL
        if overall_per_second > cap:
            log.warning(
                "delivery.overall_per_second=%s exceeds Telegram's %s/s%s; using %s",
                overall_per_second,
                cap,
                "" if allow_paid_broadcast else " (set allow_paid_broadcast for more)",
                cap,
            )
        return cls(min(overall_per_second, cap), per_chat_per_second, group_per_minute, enabled)


class _ChatState:
    __slots__ = ("group", "lock", "users", "window")

    def __init__(self, budget: Budget, group: bool) -> None:
        self.lock = asyncio.Lock()
        self.users = 0
        self.window = SlidingWindow(budget.per_chat_per_second)
        self.group = SlidingWindow(budget.group_per_minute, 60.0) if group else None

    def wait(self, now: float) -> float:
        wait = self.window.wait(now)
        if self.group is not None:
            wait = max(wait, self.group.wait(now))
        return wait

    def record(self, now: float) -> None:
        self.window.record(now)
        if self.group is not None:
            self.group.record(now)

    def idle(self, now: float) -> bool:
        return (
            self.users == 0
            and self.window.idle_since(now)
            and (self.group is None or self.group.idle_since(now))
        )


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB's int/timedelta deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramLimiter(BaseRateLimiter[Any]):
    """Overall, per-chat and per-group sliding windows with priorities (see module doc).

    ``rate_limit_args`` is a dict (``priority``, ``retry``); the class is declared over
    ``Any`` so the application keeps its ``ExtBot[None]`` type (``bot.context``).
    """

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._overall = SlidingWindow(self.budget.overall_per_second)
        self._chats: dict[int, _ChatState] = {}
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._paused_until = 0.0
        self._granted = 0

    # -- PTB's hook ------------------------------------------------------------------------------

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close; several bots may share this limiter, so waiters are left alone."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if endpoint.lower() not in LIMITED_METHODS or not isinstance(chat_id, int):
            try:
                return await callback(*args, **kwargs)
            except BadRequest as exc:
                note_method(exc, endpoint)
                raise
        options = rate_limit_args or {}
        priority = int(options.get("priority", PRIORITY_REPLY))
        retry = bool(options.get("retry", True))
        attempt = failures = 0
        while True:
            async with self.slot(chat_id, priority):
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self.pause(retry_after_seconds(exc))
                    attempt += 1
                    if not retry or attempt > MAX_REPLY_RETRIES:
                        raise
                    log.warning("429 on %s to %s; retrying after the pause", endpoint, chat_id)
                    continue
                except BadRequest as exc:  # a NetworkError in PTB, but sending again cannot help
                    note_method(exc, endpoint)
                    raise
                except NetworkError as exc:
                    # A reply lost to a 5xx or a dropped connection is sent again (the engine
                    # passes retry=False and applies its own policy).  Not after a timeout:
                    # Telegram may have delivered that one, and a reply twice is worse.
                    failures += 1
                    if not retry or isinstance(exc, TimedOut) or failures > MAX_NETWORK_RETRIES:
                        raise
                    log.warning("%s to %s failed (%s); retrying", endpoint, chat_id, exc)
            await asyncio.sleep(NETWORK_RETRY_DELAY * failures)  # outside the chat's slot

    # -- the limiter -----------------------------------------------------------------------------

    def slot(self, chat_id: int, priority: int) -> _Slot:
        """``async with limiter.slot(chat, prio):`` — send inside; the chat is held meanwhile."""
        return _Slot(self, chat_id, priority)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing is sent until ``seconds`` from now."""
        until = asyncio.get_running_loop().time() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            log.warning("flood control: pausing all sends for %.1f s", seconds)

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until a send to ``chat_id`` would get its chat's turn; 0.0 when it would now.

        ``math.inf`` while a send to the chat is under way (the chat is served one message at a
        time).  The overall budget and a 429 pause are not counted: they hold every chat alike.
        """
        state = self._chats.get(chat_id)
        if state is None:
            return 0.0
        if state.users:
            return math.inf
        if not self.budget.enabled:
            return 0.0
        return max(0.0, state.wait(asyncio.get_running_loop().time()))

    def busy_chats(self) -> dict[int, float]:
        """Every chat a send to which would wait now → :meth:`chat_wait` (never 0.0).

        The delivery engine leaves these chats' rows in the ledger instead of letting a send
        sit on a concurrency slot while it waits.  Only chats with live windows are kept
        (:meth:`_sweep`), so this stays small.
        """
        busy: dict[int, float] = {}
        for chat_id in self._chats:
            if (wait := self.chat_wait(chat_id)) > 0:
                busy[chat_id] = wait
        return busy

    @property
    def waiting(self) -> int:
        """Sends queued for the overall budget (for tests and /stats)."""
        return len(self._queue)

    async def _enter(self, chat_id: int, priority: int) -> _ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _ChatState(self.budget, group=chat_id < 0)
        state.users += 1
        try:
            await state.lock.acquire()
        except BaseException:
            state.users -= 1
            raise
        try:
            loop = asyncio.get_running_loop()
            if not self.budget.enabled:
                # Waiting for a moment in time, not for an event: a sleep is the right tool.
                while (wait := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
            else:
                while (wait := state.wait(loop.time())) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
                await self._overall_turn(priority)
                state.record(loop.time())
            self._granted += 1
        except BaseException:
            self._leave(chat_id, state)
            raise
        return state

    def _leave(self, chat_id: int, state: _ChatState) -> None:
        state.lock.release()
        state.users -= 1
        if self._granted % 512 == 0:
            self._sweep()
        elif state.users == 0 and not self.budget.enabled:
            self._chats.pop(chat_id, None)

    def _sweep(self) -> None:
        """Forget chats whose windows are empty, so memory stays flat over 100 000 chats."""
        now = asyncio.get_running_loop().time()
        for chat_id in [c for c, s in self._chats.items() if s.idle(now)]:
            del self._chats[chat_id]

    async def _overall_turn(self, priority: int) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (priority, next(self._seq), fut))
        self._pump()
        # A cancelled waiter cancels ``fut`` too; _pump skips finished futures.
        await fut

    def _pump(self) -> None:
        """Grant the overall budget to the best waiters while it has room; else set a timer."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = asyncio.get_running_loop()
        queue = self._queue
        while queue:
            now = loop.time()
            wait = max(self._paused_until - now, self._overall.wait(now))
            if wait > 0:
                self._timer = loop.call_at(now + wait, self._pump)
                return
            _, _, fut = heapq.heappop(queue)
            if fut.done():
                continue
            self._overall.record(now)
            fut.set_result(None)


class _Slot:
    __slots__ = ("_chat_id", "_limiter", "_priority", "_state")

    def __init__(self, limiter: TelegramLimiter, chat_id: int, priority: int) -> None:
        self._limiter, self._chat_id, self._priority = limiter, chat_id, priority
        self._state: _ChatState | None = None

    async def __aenter__(self) -> None:
        self._state = await self._limiter._enter(self._chat_id, self._priority)

    async def __aexit__(self, *exc_info: object) -> None:
        if self._state is not None:
            self._limiter._leave(self._chat_id, self._state)
            self._state = None
