"""The delivery engine: drains the ledger under Telegram's limits and records every outcome.

Flow: ``enqueue_brief`` / ``enqueue_broadcast`` insert one ``pending`` row per active
subscriber (``INSERT … SELECT`` inside SQLite, one transaction) and wake the dispatcher.  The
dispatcher reads due rows in small batches, per kind, and shares the sends between the kinds
that wait (:mod:`bot.delivery.queue`: two briefs per broadcast message, so neither starves);
it runs at most ``concurrency`` sends at a time; each send waits for its turn in the shared
:class:`~bot.delivery.ratelimit.TelegramLimiter` (replies to commands go first there), and its
outcome is decided by :mod:`bot.delivery.policy` and written by
:class:`~bot.delivery.recorder.Recorder`.

Busy chats cost no slot.  A chat takes about one message a second (a group 20 a minute), so
a send to a chat that has just had one would sit on its slot until the chat's window opens;
a few busy chats (several briefs in one poll, groups) would fill every slot and stall
delivery to everyone else.  So the dispatcher only takes rows whose chat is ready *now*
(:meth:`~bot.delivery.ratelimit.TelegramLimiter.busy_chats`, plus the chats it is sending
to), at most one per chat at a time, and leaves the others in the ledger; it looks again
when a send finishes or the earliest busy chat's window opens.  A chat's rows are all
skipped together, so its messages of one kind keep their order.  What a slot may still wait
for is the overall budget or a 429 pause, which hold every chat alike.

What is guaranteed (README, "Guarantees"):

* While the process lives, no row is sent twice.  A row is sent again only after an outcome
  that says so (a retry after a 5xx or a network error) is written; an outcome that cannot be
  written stays in memory and pauses the dispatcher until it is (a full disk pauses delivery,
  it never repeats it).
* A send that timed out waiting for Telegram's answer may have been delivered: it ends as
  ``unknown`` and is not sent again.
* Crash (SIGKILL, power loss): a send keeps its concurrency slot until its outcome is
  committed, so at most ``concurrency`` rows are "sent but not yet recorded" at any instant.
  Those are still ``pending`` after the crash and are sent again on restart: **at most
  ``concurrency`` duplicates per crash** (16 by default) — at least once, not exactly once.
  Nothing is lost: every row not recorded as done is resumed by :meth:`DeliveryEngine.start`.
* A brief's rows still pending ``expire_hours`` after fan-out end as ``expired``, never sent.
  Broadcasts do not expire.

Every loop (dispatcher, progress reporter, expiry sweep, recorder) is supervised
(:mod:`bot.supervise`): an unexpected error is logged once and the loop restarts after a short
backoff; :meth:`DeliveryEngine.stop` never raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.config import DeliveryConfig
from bot.delivery.policy import Action, backoff_delay, decide
from bot.delivery.progress import ProgressReporter
from bot.delivery.queue import KindQueues
from bot.delivery.ratelimit import PRIORITY_LEDGER, Budget, TelegramLimiter
from bot.delivery.recorder import Recorder
from bot.delivery.transport import sender_for
from bot.supervise import Supervisor
from storage import Database, chats, deliveries
from storage.db import unavailable
from storage.deliveries import Outcome, PendingDelivery

log = logging.getLogger(__name__)

MAX_MIGRATIONS = 3
IDLE_RECHECK_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0
MIN_DEFER_SECONDS = 0.005  # the dispatcher's shortest nap while every due row's chat is busy
# Telegram normally answers in well under a second; a send that has had no answer in this
# long ends as 'unknown' (see policy.py), so the timeout is long enough to make that rare.
SEND_TIMEOUT_SECONDS = 30.0
EXPIRY_CHECK_SECONDS = 60.0
EXPIRY_BATCH = 1000  # rows per transaction: never a long write lock


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


class DeliveryEngine:
    """See the module docstring.  One per application; ``start`` / ``stop`` bracket its life."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        config: DeliveryConfig,
        limiter: TelegramLimiter | None = None,
        *,
        send_timeout: float = SEND_TIMEOUT_SECONDS,
    ) -> None:
        self._db, self._bot, self._clock, self._config = db, bot, clock, config
        self._send_timeout = send_timeout
        shared = bot.rate_limiter if isinstance(bot, ExtBot) else None
        if limiter is None:
            limiter = shared if isinstance(shared, TelegramLimiter) else limiter_for(config)
        self.limiter = limiter
        # When a bot itself calls our limiter, sends pass their priority through PTB's
        # rate_limit_args; otherwise the engine takes the limiter's slot around each call.
        self._main_through = shared is limiter
        # Mass sends go through a sibling bot on a sharded transport (see transport.py).
        self._sender, self._through_bot = sender_for(bot, limiter, config.concurrency)
        self._sender_ready = False
        self._slots = asyncio.Semaphore(config.concurrency)
        self._inflight: set[int] = set()
        self._inflight_chats: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._queues = KindQueues()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._refill = False
        self._progress_wake = asyncio.Event()
        self._reporter = ProgressReporter(db, bot, clock, limiter, through_bot=self._main_through)
        self._expiry_wake = asyncio.Event()
        self._recorder = Recorder(db, clock)
        self._dispatcher = Supervisor("delivery-dispatcher", self._dispatch_one)
        self._loops = (
            self._dispatcher,
            Supervisor("delivery-progress", self._report_once),
            Supervisor("delivery-expiry", self._expire_once),
        )
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the worker; pending rows left by a crash are resumed first thing."""
        if self._started:
            return
        self._started = True
        if self._sender is not self._bot:
            try:
                await self._sender.initialize()
                self._sender_ready = True
            except TelegramError as exc:
                log.warning("sharded sender unavailable (%s); sending through the app's bot", exc)
                self._sender, self._through_bot = self._bot, self._main_through
        self._recorder.start()
        for loop in self._loops:
            loop.start()
        self.wake()

    async def stop(self) -> None:
        """Stop taking rows; sends in flight get a short grace, then stay pending.

        Never raises: whatever a loop died of was logged when it happened, and shutdown must
        go on to close the HTTP client and the database.
        """
        self._started = False
        for loop in self._loops:
            await loop.stop()
        try:
            if self._tasks:
                _, late = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_SECONDS)
                for task in late:
                    task.cancel()
                if late:
                    await asyncio.wait(late)
        finally:
            await self._recorder.close()
            if self._sender_ready:
                self._sender_ready = False
                try:
                    await self._sender.shutdown()
                except Exception:
                    log.exception("closing the delivery sender failed")

    # -- the interface the app uses ------------------------------------------------------------

    async def enqueue_brief(self, brief_id: int) -> int:
        """One pending row per active subscriber; returns the number of rows created."""
        now = self._clock.now()
        expires = now + timedelta(hours=self._config.expire_hours)
        created = await deliveries.enqueue_brief(self._db, brief_id, now, expires)
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
    def alive(self) -> bool:
        """The dispatcher and the recorder run and are not crash-looping (for /healthz).

        A full disk does not make the engine dead: it is paused (:attr:`paused`) and resumes
        by itself; restarting the process would only risk re-sends.
        """
        return self._dispatcher.alive and self._recorder.loop.alive

    @property
    def paused(self) -> bool:
        """True while an outcome waits to be written (the dispatcher takes no new row)."""
        return not self._recorder.writable.is_set()

    @property
    def write_failures(self) -> int:
        """Outcome writes that failed so far (each is retried until it succeeds)."""
        return self._recorder.failed_writes

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

    async def _dispatch_one(self) -> None:
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

    def _usable(self, row: PendingDelivery) -> bool:
        # Read a moment ago: its chat may have become busy since (a command reply), or the
        # row may have reached its expiry.
        return (
            row.chat_id not in self._inflight_chats
            and not self.limiter.chat_wait(row.chat_id)
            and (row.expires_at is None or row.expires_at > self._clock.now())
        )

    async def _next_row(self) -> PendingDelivery:
        while True:
            # Paused while an outcome is unwritten.  No await between here and the return
            # below, so a row is never taken once the recorder has failed.
            await self._recorder.writable.wait()
            if self._refill or self._queues.ran_dry():
                self._refill = False
                self._queues.clear()
            if (row := self._queues.take(self._usable)) is not None:
                return row
            self._wake.clear()
            busy = self.limiter.busy_chats()
            now = self._clock.now()
            found = await deliveries.due_by_kind(
                self._db,
                now,
                2 * self._config.concurrency,
                exclude=frozenset(self._inflight),
                exclude_chats=self._inflight_chats.union(busy),
                kinds=self._queues.kinds,
            )
            if any(found.values()):
                self._idle.clear()
                self._queues.fill(found)
                continue
            # Rows left behind for busy chats keep the engine from declaring itself idle.
            deferred = bool(busy) and bool(
                await deliveries.due_deliveries(self._db, now, 1, exclude=frozenset(self._inflight))
            )
            self._progress_wake.set()  # maybe a broadcast just finished
            if not self._inflight and not deferred and not self._wake.is_set():
                self._idle.set()
            timeout = IDLE_RECHECK_SECONDS
            retry_at = await deliveries.next_retry_at(self._db, after=now)
            if retry_at is not None:
                wait = (retry_at - self._clock.now()).total_seconds()
                timeout = min(timeout, max(0.05, wait))
            if deferred:
                # Look again when the first busy chat's window opens (a finished send wakes
                # us sooner: its chat's rows may be the ones waiting).
                timeout = min(timeout, max(MIN_DEFER_SECONDS, min(busy.values())))
            await _wait(self._wake, timeout)

    async def _deliver(self, row: PendingDelivery) -> None:
        try:
            try:
                outcome = await self._attempt(row)
            except Exception as exc:  # a bug, or a write in the migration path failed
                outcome = self._unexpected(row, exc)
            # Holds the slot until written: a full disk pauses, it never repeats a send.
            await self._recorder.record(outcome)
            if outcome.kind == "retry":
                self.wake()  # the dispatcher recomputes when to look again
        finally:
            self._inflight.discard(row.id)
            self._inflight_chats.discard(row.chat_id)
            self._slots.release()
            # The dispatcher may be waiting on this chat (deferred rows) or about to declare
            # itself idle: either way it re-checks the ledger.
            self._wake.set()

    def _unexpected(self, row: PendingDelivery, exc: Exception) -> Outcome:
        """No send was confirmed: try the row again after a backoff, never at once."""
        delay = backoff_delay(row.attempts + 1)
        if unavailable(exc) is not None:
            log.warning("delivery %d: database not writable (%s); retry later", row.id, exc)
        else:
            log.error("delivery %d to %d: unexpected error", row.id, row.chat_id, exc_info=exc)
        retry_at = self._clock.now() + timedelta(seconds=delay)
        return Outcome(row.id, row.chat_id, "retry", error=repr(exc)[:300], not_before=retry_at)

    async def _attempt(self, row: PendingDelivery) -> Outcome:
        chat_id, attempts, migrations = row.chat_id, row.attempts, 0
        while True:
            try:
                message = await self._send(chat_id, row)
            except Exception as exc:
                verdict = decide(exc, attempts + 1, self._config.max_attempts)
                error = exc
            else:
                return Outcome(row.id, chat_id, "sent", message_id=message.message_id)
            if verdict.action is Action.WAIT:
                self.limiter.pause(verdict.delay)
                continue
            if verdict.action is Action.MIGRATE and verdict.new_chat_id is not None:
                migrations += 1
                if migrations > MAX_MIGRATIONS:
                    return Outcome(row.id, chat_id, "failed", error=verdict.reason)
                new_id = verdict.new_chat_id
                moved = await chats.migrate_chat(
                    self._db, chat_id, new_id, self._clock.now(), delivery_id=row.id
                )
                log.info("chat %d migrated to %d", chat_id, new_id)
                if not moved:  # the new chat has this message already (or wants no more)
                    reason = f"chat migrated to {new_id}, which has it already"
                    return Outcome(row.id, chat_id, "skipped", error=reason)
                chat_id = new_id
                continue
            attempts += 1
            if verdict.action is Action.BLOCK:
                return Outcome(row.id, chat_id, "blocked", error=verdict.reason)
            if verdict.action is Action.GONE:
                return Outcome(row.id, chat_id, "gone", error=verdict.reason)
            if verdict.action is Action.UNKNOWN:
                log.warning(
                    "delivery %d to %d: no answer from Telegram in %.0f s; not sent again "
                    "(it may have arrived)",
                    row.id,
                    chat_id,
                    self._send_timeout,
                )
                return Outcome(row.id, chat_id, "unknown", error=verdict.reason)
            if verdict.action is Action.RETRY:
                log.info("delivery %d: %s; retry in %.0f s", row.id, verdict.reason, verdict.delay)
                retry_at = self._clock.now() + timedelta(seconds=verdict.delay)
                return Outcome(row.id, chat_id, "retry", error=verdict.reason, not_before=retry_at)
            if isinstance(error, BadRequest):
                log.error(
                    "bug: Telegram rejected sendMessage for delivery %d to %d: %s",
                    row.id,
                    chat_id,
                    error.message,
                    exc_info=error,
                )
            else:
                log.warning("delivery %d to %d failed: %s", row.id, chat_id, verdict.reason)
            return Outcome(row.id, chat_id, "failed", error=verdict.reason)

    async def _send(self, chat_id: int, row: PendingDelivery) -> Message:
        if row.brief_html is not None:
            text = row.brief_html
        else:
            text = html.escape(row.broadcast_text or "", quote=False)
        kwargs: dict[str, Any] = {
            "parse_mode": "HTML",
            "read_timeout": self._send_timeout,
            "write_timeout": self._send_timeout,
        }
        if self._config.allow_paid_broadcast:
            kwargs["allow_paid_broadcast"] = True
        # Every ledger row has the same place in the limiter's queue: the kinds' shares are
        # decided above, by the dispatcher; replies to commands still go first.
        if self._through_bot:
            kwargs["rate_limit_args"] = {"priority": PRIORITY_LEDGER, "retry": False}
            return await self._sender.send_message(chat_id, text, **kwargs)
        async with self.limiter.slot(chat_id, PRIORITY_LEDGER):
            return await self._sender.send_message(chat_id, text, **kwargs)

    # -- expiry ----------------------------------------------------------------------------------

    async def _expire_once(self) -> None:
        await _wait(self._expiry_wake, EXPIRY_CHECK_SECONDS)
        self._expiry_wake.clear()
        if not self.paused:  # nothing can be written now; the next round will do it
            await self.expire_stale()

    async def expire_stale(self) -> int:
        """End every pending row past its expiry as ``expired``, in small transactions."""
        total = 0
        while True:
            n = await deliveries.expire_due(
                self._db, self._clock.now(), frozenset(self._inflight), EXPIRY_BATCH
            )
            total += n
            if n < EXPIRY_BATCH:
                break
        if total:
            log.info("%d delivery(ies) expired unsent: the news was too old", total)
            self.wake()
        return total

    # -- broadcast progress ----------------------------------------------------------------------

    async def _report_once(self) -> None:
        await _wait(self._progress_wake, self._config.progress_seconds)
        self._progress_wake.clear()
        await self.report_progress()

    async def report_progress(self) -> None:
        """Edit each running broadcast's progress message; finish those with nothing left."""
        await self._reporter.report()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for ``event`` at most ``seconds``.  Not ``asyncio.wait_for``: on Python 3.11 it can
    swallow a cancellation that arrives as the event fires, and stop() would then hang."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
