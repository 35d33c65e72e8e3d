"""The delivery engine: drains the ledger under Telegram's limits and records every outcome.

Flow: ``enqueue_story`` / ``enqueue_broadcast`` insert one ``pending`` row per active
subscriber that wants it (``INSERT … SELECT`` inside SQLite, one transaction) and wake the
dispatcher.  The
dispatcher reads due rows in small batches (best priority first) and runs at most
``concurrency`` sends at a time; each send waits for its turn in the shared
:class:`~bot.delivery.ratelimit.TelegramLimiter`, and its outcome is decided by
:mod:`bot.delivery.policy`.

Busy chats cost no slot.  A chat takes about one message a second (a group 20 a minute), so
a send to a chat that has just had one would sit on its slot until the chat's window opens;
a few busy chats (several briefs in one poll, groups) would fill every slot and stall
delivery to everyone else.  So the dispatcher only takes rows whose chat is ready *now*
(:meth:`~bot.delivery.ratelimit.TelegramLimiter.busy_chats`, plus the chats it is sending
to), at most one per chat at a time, and leaves the others in the ledger; it looks again
when a send finishes or the earliest busy chat's window opens.  A chat's rows are all
skipped together, so its messages keep their order; priorities order the rest.  What a slot
may still wait for is the overall budget or a 429 pause, which hold every chat alike.

Crash safety.  A row becomes ``sent`` only after Telegram answered OK, in the same
transaction that stores Telegram's ``message_id``.  Outcomes are written by group commit: a
send keeps its concurrency slot until its outcome is committed, so at any instant at most
``concurrency`` rows are "sent but not yet recorded" or "being sent".  After a crash those
rows are still ``pending`` and are sent again on restart: **at most ``concurrency``
duplicates per crash** (16 by default).  Nothing is lost: every row not recorded as done is
resumed by :meth:`DeliveryEngine.start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections import deque
from datetime import timedelta
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.config import DeliveryConfig
from bot.delivery.policy import Action, decide
from bot.delivery.progress import progress_text, summary_text
from bot.delivery.ratelimit import PRIORITY_REPLY, Budget, TelegramLimiter
from bot.delivery.transport import ShardedRequest
from bot.subscribers.times import QuietHours
from storage import Database, broadcasts, chats, deliveries
from storage.deliveries import Outcome, PendingDelivery

log = logging.getLogger(__name__)

MAX_MIGRATIONS = 3
IDLE_RECHECK_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0
MIN_DEFER_SECONDS = 0.005  # the dispatcher's shortest nap while every due row's chat is busy


def limiter_for(config: DeliveryConfig) -> TelegramLimiter:
    """The limiter for ``config``: give it to ``ApplicationBuilder().rate_limiter(...)``."""
    return TelegramLimiter(
        Budget.from_config(
            config.overall_per_second,
            config.per_chat_per_second,
            config.group_per_minute,
            config.allow_paid_broadcast,
            enabled=config.limits_enabled,
        )
    )


class _Recorder:
    """Group commit: outcomes that arrive while a commit runs go into the next one."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db, self._clock = db, clock
        self._queue: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self.commits = 0

    async def record(self, outcome: Outcome) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, fut))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="delivery-recorder")
        await fut

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await deliveries.record_outcomes(self._db, [o for o, _ in batch], self._clock.now())
            except Exception as exc:  # the rows stay pending and are retried later
                log.exception("cannot record %d delivery outcome(s)", len(batch))
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
            else:
                self.commits += 1
                for _, fut in batch:
                    if not fut.done():
                        fut.set_result(None)

    async def drain(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


class DeliveryEngine:
    """See the module docstring.  One per application; ``start`` / ``stop`` bracket its life."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        config: DeliveryConfig,
        limiter: TelegramLimiter | None = None,
        quiet_hours: QuietHours | None = None,
    ) -> None:
        self._db, self._bot, self._clock, self._config = db, bot, clock, config
        self._quiet_hours = quiet_hours  # chats with quiet hours on get silent sends in it
        shared = bot.rate_limiter if isinstance(bot, ExtBot) else None
        if limiter is None:
            limiter = shared if isinstance(shared, TelegramLimiter) else limiter_for(config)
        self.limiter = limiter
        # When a bot itself calls our limiter, sends pass their priority through PTB's
        # rate_limit_args; otherwise the engine takes the limiter's slot around each call.
        self._main_through = shared is limiter
        # Mass sends go through a sibling bot on a sharded transport (see transport.py).
        self._sender, self._through_bot = _sender_for(bot, limiter, config.concurrency)
        self._sender_ready = False
        self._slots = asyncio.Semaphore(config.concurrency)
        self._inflight: set[int] = set()
        self._inflight_chats: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._buffer: deque[PendingDelivery] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._refill = False
        self._progress_wake = asyncio.Event()
        self._progress_shown: dict[int, str] = {}
        self._recorder = _Recorder(db, clock)
        self._dispatcher: asyncio.Task[None] | None = None
        self._progress: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the worker; pending rows left by a crash are resumed first thing."""
        if self._dispatcher is not None:
            return
        if self._sender is not self._bot:
            try:
                await self._sender.initialize()
                self._sender_ready = True
            except TelegramError as exc:
                log.warning("sharded sender unavailable (%s); sending through the app's bot", exc)
                self._sender, self._through_bot = self._bot, self._main_through
        self._dispatcher = asyncio.create_task(self._dispatch(), name="delivery-dispatcher")
        self._progress = asyncio.create_task(self._report_loop(), name="delivery-progress")
        self.wake()

    async def stop(self) -> None:
        """Stop taking rows; sends in flight get a short grace, then stay pending."""
        for task in (self._dispatcher, self._progress):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._dispatcher = self._progress = None
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        await self._recorder.drain()
        if self._sender_ready:
            await self._sender.shutdown()
            self._sender_ready = False

    # -- the interface the app uses ------------------------------------------------------------

    async def enqueue_story(self, story_id: int, top: bool = False) -> int:
        """One pending row per active subscriber who wants the story (mode 'all'; with
        ``top`` also 'top') and has no row for it yet; returns the number of rows created."""
        created = await deliveries.fan_out_story(self._db, story_id, self._clock.now(), top=top)
        self.wake()
        return created

    async def enqueue_broadcast(self, broadcast_id: int) -> int:
        """One pending row per active subscriber for an admin broadcast (now ``sending``)."""
        created = await deliveries.enqueue_broadcast(self._db, broadcast_id, self._clock.now())
        self.wake()
        self._progress_wake.set()
        return created

    async def start_broadcast(
        self, broadcast_id: int, progress_chat_id: int, progress_message_id: int
    ) -> int | None:
        """The admin pressed "Надіслати всім": draft → sending with its rows, atomically.

        ``progress_*`` name the message the engine edits with the progress and the summary.
        Returns the number of recipients, or None if the broadcast was no longer a draft.
        """
        created = await deliveries.start_broadcast(
            self._db, broadcast_id, progress_chat_id, progress_message_id, self._clock.now()
        )
        if created is not None:
            self.wake()
            self._progress_wake.set()
        return created

    def wake(self) -> None:
        """New rows, or a backoff may have expired: look at the ledger again now."""
        self._refill = True
        self._idle.clear()
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    @property
    def in_flight_chats(self) -> frozenset[int]:
        """The chats a ledger row is being sent to right now (at most one row each)."""
        return frozenset(self._inflight_chats)

    async def idle(self) -> None:
        """Wait until nothing is being sent and no row is due (for tests and benchmarks)."""
        await self._idle.wait()

    # -- dispatching -----------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                row = await self._next_row()
            except BaseException:
                self._slots.release()
                raise
            self._inflight.add(row.id)
            self._inflight_chats.add(row.chat_id)
            task = asyncio.create_task(self._deliver(row), name=f"delivery-{row.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _next_row(self) -> PendingDelivery:
        while True:
            if self._refill:
                self._refill = False
                self._buffer.clear()
            while self._buffer:
                row = self._buffer.popleft()
                # Read a moment ago: its chat may have become busy since (a command reply).
                if row.chat_id not in self._inflight_chats and not self.limiter.chat_wait(
                    row.chat_id
                ):
                    return row
            self._wake.clear()
            busy = self.limiter.busy_chats()
            try:
                rows = await deliveries.due_deliveries(
                    self._db,
                    self._clock.now(),
                    2 * self._config.concurrency,
                    exclude=frozenset(self._inflight),
                    exclude_chats=self._inflight_chats.union(busy),
                )
                # Rows left behind for busy chats keep the engine from declaring itself idle.
                deferred = (
                    bool(busy)
                    and not rows
                    and bool(
                        await deliveries.due_deliveries(
                            self._db, self._clock.now(), 1, exclude=frozenset(self._inflight)
                        )
                    )
                )
            except Exception:
                log.exception("cannot read the delivery ledger")
                rows, deferred = [], False
            if rows:
                self._idle.clear()
                self._buffer.extend(_one_per_chat(rows))
                continue
            self._progress_wake.set()  # maybe a broadcast just finished
            if not self._inflight and not deferred and not self._wake.is_set():
                self._idle.set()
            timeout = IDLE_RECHECK_SECONDS
            retry_at = await deliveries.next_retry_at(self._db)
            if retry_at is not None:
                wait = (retry_at - self._clock.now()).total_seconds()
                timeout = min(timeout, max(0.05, wait))
            if deferred:
                # Look again when the first busy chat's window opens (a finished send wakes
                # us sooner: its chat's rows may be the ones waiting).
                timeout = min(timeout, max(MIN_DEFER_SECONDS, min(busy.values())))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _deliver(self, row: PendingDelivery) -> None:
        try:
            outcome = await self._attempt(row)
            await self._recorder.record(outcome)
            if outcome.kind == "retry":
                self.wake()  # the dispatcher recomputes when to look again
        except Exception:
            log.exception("delivery %d to %d: unexpected error; left pending", row.id, row.chat_id)
        finally:
            self._inflight.discard(row.id)
            self._inflight_chats.discard(row.chat_id)
            self._slots.release()
            # The dispatcher may be waiting on this chat (deferred rows) or about to declare
            # itself idle: either way it re-checks the ledger.
            self._wake.set()

    async def _attempt(self, row: PendingDelivery) -> Outcome:
        chat_id, attempts, migrations = row.chat_id, row.attempts, 0
        while True:
            try:
                message = await self._send(chat_id, row)
            except Exception as exc:
                verdict = decide(exc, attempts + 1, self._config.max_attempts)
            else:
                return Outcome(row.id, chat_id, "sent", message_id=message.message_id)
            if verdict.action is Action.WAIT:
                self.limiter.pause(verdict.delay)
                continue
            if verdict.action is Action.MIGRATE and verdict.new_chat_id is not None:
                migrations += 1
                if migrations <= MAX_MIGRATIONS:
                    new_id = verdict.new_chat_id
                    moved = await chats.migrate_chat(self._db, chat_id, new_id, self._clock.now())
                    log.info("chat %d migrated to %d", chat_id, new_id)
                    if not moved:
                        return Outcome(row.id, chat_id, "failed", error=verdict.reason)
                    chat_id = new_id
                    continue
                return Outcome(row.id, chat_id, "failed", error=verdict.reason)
            attempts += 1
            if verdict.action is Action.BLOCK:
                return Outcome(row.id, chat_id, "blocked", error=verdict.reason)
            if verdict.action is Action.GONE:
                return Outcome(row.id, chat_id, "gone", error=verdict.reason)
            if verdict.action is Action.RETRY:
                log.info("delivery %d: %s; retry in %.0f s", row.id, verdict.reason, verdict.delay)
                retry_at = self._clock.now() + timedelta(seconds=verdict.delay)
                return Outcome(row.id, chat_id, "retry", error=verdict.reason, not_before=retry_at)
            log.warning("delivery %d to %d failed: %s", row.id, chat_id, verdict.reason)
            return Outcome(row.id, chat_id, "failed", error=verdict.reason)

    async def _send(self, chat_id: int, row: PendingDelivery) -> Message:
        if row.story_html is not None:
            text = row.story_html
        else:
            text = html.escape(row.broadcast_text or "", quote=False)
        kwargs: dict[str, Any] = {"parse_mode": "HTML"}
        if row.quiet and self._quiet_hours and self._quiet_hours.contains(self._clock.now()):
            kwargs["disable_notification"] = True  # arrives without a sound
        if self._config.allow_paid_broadcast:
            kwargs["allow_paid_broadcast"] = True
        if self._through_bot:
            kwargs["rate_limit_args"] = {"priority": row.priority, "retry": False}
            return await self._sender.send_message(chat_id, text, **kwargs)
        async with self.limiter.slot(chat_id, row.priority):
            return await self._sender.send_message(chat_id, text, **kwargs)

    # -- broadcast progress ----------------------------------------------------------------------

    async def _report_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress_wake.wait(), self._config.progress_seconds)
            self._progress_wake.clear()
            try:
                await self.report_progress()
            except Exception:
                log.exception("cannot report broadcast progress")

    async def report_progress(self) -> None:
        """Edit each running broadcast's progress message; finish those with nothing left."""
        for bc in await broadcasts.sending_broadcasts(self._db):
            counts = await deliveries.broadcast_counts(self._db, bc.id)
            done = counts.pending == 0
            if done:
                await broadcasts.finish_broadcast(self._db, bc.id, self._clock.now())
                log.info("broadcast %d done: %s", bc.id, counts)
            text = summary_text(counts) if done else progress_text(counts)
            if bc.progress_chat_id is None or bc.progress_message_id is None:
                continue
            if self._progress_shown.get(bc.id) == text:
                continue
            await self._edit(bc.progress_chat_id, bc.progress_message_id, text)
            if done:
                self._progress_shown.pop(bc.id, None)
            else:
                self._progress_shown[bc.id] = text

    async def _edit(self, chat_id: int, message_id: int, text: str) -> None:
        kwargs: dict[str, Any] = {}
        if self._main_through:
            kwargs["rate_limit_args"] = {"priority": PRIORITY_REPLY}
        try:
            if self._main_through:
                await self._bot.edit_message_text(text, chat_id, message_id, **kwargs)
            else:
                async with self.limiter.slot(chat_id, PRIORITY_REPLY):
                    await self._bot.edit_message_text(text, chat_id, message_id)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("cannot edit progress message: %s", exc.message)
        except TelegramError as exc:
            log.warning("cannot edit progress message: %s", exc.message)


def _one_per_chat(rows: list[PendingDelivery]) -> list[PendingDelivery]:
    """The first row of each chat (in ledger order); the chat's next rows wait their turn."""
    seen: set[int] = set()
    out = []
    for row in rows:
        if row.chat_id not in seen:
            seen.add(row.chat_id)
            out.append(row)
    return out


def _sender_for(bot: Bot, limiter: TelegramLimiter, shards: int) -> tuple[Bot, bool]:
    """A sibling of ``bot`` (same token and API root) on a :class:`ShardedRequest`.

    Returns the bot to send with and whether it calls ``limiter`` itself.
    """
    base_url = bot.base_url.removesuffix(bot.token)
    request = ShardedRequest(shards)
    if isinstance(bot, ExtBot):
        sibling: Bot = ExtBot(bot.token, base_url=base_url, request=request, rate_limiter=limiter)
        return sibling, True
    return Bot(bot.token, base_url=base_url, request=request), False
