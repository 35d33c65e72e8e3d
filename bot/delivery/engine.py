"""The delivery engine: drains the ledger under Telegram's limits and records every outcome.

Flow: ``enqueue_story`` / ``enqueue_broadcast`` insert one ``pending`` row per active
subscriber that wants it (``INSERT … SELECT`` inside SQLite, one transaction) and wake the
dispatcher.  The dispatcher reads due rows in small batches, per kind, and shares the sends
between the kinds that wait (:mod:`bot.delivery.queue`: two stories per broadcast message, so
neither starves); it runs at most ``concurrency`` sends at a time; each send waits for its
turn in the shared
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

What is guaranteed (README, "Guarantees"): while the process lives no row is sent twice — an
outcome that cannot be written (full disk) stays in memory and pauses the dispatcher, it never
frees the row.  A send keeps its concurrency slot until its outcome is committed, so after a
crash at most ``concurrency`` rows were "sent but not yet recorded": they are sent again on
restart (**at least once** there, not exactly once); nothing is lost.  A send that timed out
waiting for Telegram's answer may have arrived: it ends ``unknown`` and is not repeated.  A
story's rows still pending ``expire_hours`` after fan-out end ``expired``, never sent.

Every loop (dispatcher, progress reporter, expiry sweep, recorder) is supervised
(:mod:`bot.supervise`): an unexpected error is logged once and the loop restarts after a short
backoff; :meth:`DeliveryEngine.stop` never raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.config import DeliveryConfig
from bot.delivery.progress import ProgressReporter
from bot.delivery.queue import KindQueues
from bot.delivery.ratelimit import Budget, TelegramLimiter
from bot.delivery.recorder import Recorder
from bot.delivery.sending import RowSender
from bot.delivery.transport import sender_for
from bot.subscribers.times import QuietHours
from bot.supervise import Supervisor
from storage import Database, deliveries
from storage.deliveries import PendingDelivery

log = logging.getLogger(__name__)

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
        quiet_hours: QuietHours | None = None,
    ) -> None:
        self._db, self._bot, self._clock, self._config = db, bot, clock, config
        shared = bot.rate_limiter if isinstance(bot, ExtBot) else None
        if limiter is None:
            limiter = shared if isinstance(shared, TelegramLimiter) else limiter_for(config)
        self.limiter = limiter
        # When a bot itself calls our limiter, sends pass their priority through PTB's
        # rate_limit_args; otherwise the engine takes the limiter's slot around each call.
        self._main_through = shared is limiter
        # Mass sends go through a sibling bot on a sharded transport (see transport.py).
        self._sender, through_bot = sender_for(bot, limiter, config.concurrency)
        self._sender_ready = False
        self._rows = RowSender(db, clock, config, limiter, send_timeout, quiet_hours)
        self._rows.use(self._sender, through_bot=through_bot)
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
                self._sender = self._bot
                self._rows.use(self._bot, through_bot=self._main_through)
        self._recorder.start()
        for loop in self._loops:
            loop.start()
        self._expiry_wake.set()  # rows that expired while the bot was down go first
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

    async def enqueue_story(self, story_id: int, top: bool = False) -> int:
        """One pending row per active subscriber who wants the story (mode 'all'; with
        ``top`` also 'top') and has no row for it yet; returns the number of rows created."""
        now = self._clock.now()
        expires = now + timedelta(hours=self._config.expire_hours)
        created = await deliveries.fan_out_story(
            self._db, story_id, now, top=top, expires_at=expires
        )
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
                outcome = await self._rows.send(row)
            except Exception as exc:  # a bug, or a write in the migration path failed
                outcome = self._rows.unexpected(row, exc)
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
