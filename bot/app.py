"""The composition root: the one place that builds the application and wires its parts.

Nothing here runs at import.  ``newsbot run``, ``newsbot demo`` and the end-to-end tests all
call :func:`build_application`; they differ only in the config (and clock) they pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from signal import SIGINT, SIGTERM
from typing import Any

import httpx
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ApplicationBuilder, Defaults

import handlers
from bot import texts
from bot.briefs.extractive import ExtractiveSummariser
from bot.briefs.lemmas import Lemmatizer
from bot.briefs.maker import BriefMaker
from bot.channels.service import RECHECK_SECONDS, ChannelService
from bot.clock import KYIV, Clock, SystemClock
from bot.config import Config, effective_jitter
from bot.context import CONTEXT_TYPES, NewsApplication, NewsContext
from bot.delivery.engine import DeliveryEngine, limiter_for
from bot.delivery.ratelimit import rejected_method
from bot.losses.daily import DailyLossPost
from bot.losses.service import LossService
from bot.ops.collect import read_storage_gauges
from bot.ops.health import HealthChecker
from bot.ops.metrics import Metrics, StorageGauges
from bot.ops.server import OpsServer
from bot.ops.webhook import count_refusals, webhook_arguments
from bot.pipeline import ArticlePipeline, ArticleTextReader
from bot.pipeline.stories import StoryDesk
from bot.retention import AFTER_START_SECONDS, DAILY_AT, Retention, prune_job
from bot.services import Services
from bot.sources.fetch import Fetcher
from bot.sources.hosts import BoundedCookieJar
from bot.sources.service import SourceService
from bot.subscribers.digest_service import DigestService
from bot.supervise import supervised_job
from bot.updates import PerChatUpdateProcessor
from storage import Database, StorageUnavailable

log = logging.getLogger(__name__)


async def open_services(
    config: Config, app: NewsApplication, clock: Clock, metrics: Metrics
) -> Services:
    """Open the database and network client and build the domain services on top of them."""
    db = await Database.open(config.storage.database)
    http = httpx.AsyncClient(
        headers={"User-Agent": config.fetch.user_agent},
        timeout=httpx.Timeout(20.0, connect=5.0),
        follow_redirects=True,
        max_redirects=5,
        limits=httpx.Limits(max_connections=config.fetch.concurrency * 2),
        cookies=BoundedCookieJar(),
    )
    losses = LossService(db, http, clock, config.losses)
    lemmatizer = Lemmatizer()  # one dictionary and cache for the summaries and the stories
    briefs = BriefMaker(
        config.briefs,
        http,
        extractive=ExtractiveSummariser(lemmatizer),
        on_summary=metrics.observe_summary,
    )

    def wake_delivery() -> None:
        delivery.wake()

    daily_losses = DailyLossPost(
        db, clock, losses, wake_delivery, expire_hours=config.delivery.expire_hours
    )
    losses.on_today(daily_losses.report_stored)
    delivery = DeliveryEngine(
        db,
        app.bot,
        clock,
        config.delivery,
        quiet_hours=config.subscribers.quiet_window,
        metrics=metrics,
        photos=daily_losses,
    )
    fetcher = Fetcher(http, config.fetch)
    text = ArticleTextReader(
        fetcher, config.fetch, briefs_other_languages=config.briefs.summariser == "llm"
    )
    desk = StoryDesk(
        db,
        clock,
        config.stories,
        lemmatizer=lemmatizer,
        top_sources=[s.name for s in config.sources if s.top],
        metrics=metrics,
    )
    pipeline = ArticlePipeline(
        db,
        clock,
        text,
        briefs,
        losses,
        desk,
        delivery.enqueue_story,
        max_age=dt.timedelta(hours=config.fetch.max_age_hours),
    )
    sources = SourceService(db, fetcher, clock, config, pipeline, metrics=metrics)
    digests = DigestService(db, clock, config.digest.schedule, losses, delivery.wake)
    return Services(
        config,
        clock,
        db,
        http,
        losses,
        briefs,
        sources,
        delivery,
        metrics,
        desk,
        digests,
        lemmatizer,
        ChannelService(db, app.bot, clock, config.channels),
        daily_losses,
    )


def _ops_server(services: Services, started_at: dt.datetime) -> OpsServer | None:
    """The /metrics and /healthz server, unless ``[ops] listen`` is empty."""
    config = services.config
    if not config.ops.listen:
        return None
    path = config.storage.database
    health = HealthChecker(
        services.db,
        services.delivery,
        services.clock,
        poll_seconds=config.schedule.poll_seconds,
        database_path=path,
        started_at=started_at,
    )

    async def read_storage() -> StorageGauges:
        return await read_storage_gauges(services.db, services.clock, path)

    return OpsServer(config.ops.listen, services.metrics, health, read_storage)


async def _check_channels_at_start(services: Services) -> None:
    """Check every configured channel before delivery starts (and stop those no longer
    configured, when there are none); a failure stops nothing."""
    try:
        await services.channels.check_all()
    except StorageUnavailable as exc:
        log.warning("channels not checked, the database is not writable (%s); again in 10 min", exc)
    except Exception:
        log.exception("checking the channels failed; they are checked again in 10 min")


async def _set_command_menu(app: NewsApplication, config: Config) -> None:
    """The command menu in Ukrainian; admins get the admin commands in their own chats."""
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in handlers.USER_COMMANDS])
    admin_menu = [BotCommand(c, d) for c, d in (*handlers.USER_COMMANDS, *handlers.ADMIN_COMMANDS)]
    for admin in config.telegram.admins:
        try:
            await app.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # the admin has not started the bot yet
            log.info("admin menu for %s not set: %s", admin, exc.message)


def _schedule_jobs(app: NewsApplication, services: Services) -> None:
    jq = app.job_queue
    if jq is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    schedule = services.config.schedule
    once: dict[str, Any] = {"max_instances": 1, "coalesce": True}

    # Each job logs a failure once, not once a run (bot.supervise); its timetable restarts it.
    async def _poll(_: object) -> None:
        await services.sources.poll_all()

    async def _refresh_losses(_: object) -> None:
        await services.losses.refresh()
        if services.config.channels:
            # Today's report queued the channels' post when it was stored; this catches a
            # post the bot stopped (or could not write) before queueing: once a day still.
            await services.daily_losses.run_due()

    async def _backfill_losses(_: object) -> None:
        await services.losses.backfill()

    poll = supervised_job("poll-sources", _poll)
    refresh_losses = supervised_job("refresh-losses", _refresh_losses)
    backfill_losses = supervised_job("backfill-losses", _backfill_losses)

    jq.run_repeating(
        poll,
        interval=schedule.poll_seconds,
        first=1.0,
        name="poll-sources",
        job_kwargs={**once, "jitter": effective_jitter(schedule)},
    )
    jq.run_repeating(
        refresh_losses,
        interval=schedule.losses_seconds,
        first=0.5,
        name="refresh-losses",
        job_kwargs=once,
    )
    # The General Staff publishes once a day in the morning, Kyiv time.
    jq.run_daily(
        refresh_losses, time=dt.time(9, 10, tzinfo=KYIV), name="losses-morning", job_kwargs=once
    )
    jq.run_once(backfill_losses, when=5.0, name="backfill-losses", job_kwargs=once)

    async def _digest(_: object) -> None:
        await services.digests.run_due()

    digest = supervised_job("digest", _digest)
    # Each digest time, Kyiv time; and once after start, for one missed while the bot was down.
    for moment in services.digests.times.times:
        jq.run_daily(
            digest,
            time=moment.replace(tzinfo=KYIV),
            name=f"digest-{moment:%H%M}",
            job_kwargs=once,
        )
    jq.run_once(digest, when=2.0, name="digest-catch-up", job_kwargs=once)

    config = services.config
    window = dt.timedelta(hours=config.stories.window_hours)
    # Daily at a quiet hour, and once shortly after start (a bot restarted every night too).
    prune = prune_job(Retention(services.db, services.clock, config.storage.keep_days, window))
    daily = DAILY_AT.replace(tzinfo=KYIV)
    jq.run_daily(prune, time=daily, name="prune-daily", job_kwargs=once)
    jq.run_once(prune, when=AFTER_START_SECONDS, name="prune-after-start", job_kwargs=once)

    if not services.config.channels:
        return

    async def _check_channels(_: object) -> None:
        await services.channels.check_all()

    check_channels = supervised_job("check-channels", _check_channels)
    jq.run_repeating(
        check_channels,
        interval=RECHECK_SECONDS,
        first=RECHECK_SECONDS,
        name="check-channels",
        job_kwargs=once,
    )


async def _on_error(update: object, context: NewsContext) -> None:
    """One line for the expected trouble; a traceback for bugs (a 400 is one).

    A command that needed a write while the database is not writable (disk full, read-only)
    gets one line in Ukrainian instead of silence.
    """
    error = context.error
    where = f"update {update.update_id}" if isinstance(update, Update) else "background job"
    if isinstance(error, BadRequest):  # before NetworkError: PTB derives it from that
        method = rejected_method(error) or "a request"
        log.error("%s: bug: Telegram rejected %s: %s", where, method, error.message, exc_info=error)
    elif isinstance(error, NetworkError | TimedOut | RetryAfter):
        log.warning("%s: Telegram could not be reached (%s)", where, error)
    elif isinstance(error, TelegramError):
        log.warning("%s: Telegram refused a request (%s)", where, error.message)
    elif isinstance(error, StorageUnavailable):
        log.warning("%s: not done, the database is not writable (%s)", where, error)
        if isinstance(update, Update):
            await _apologise(update)
    else:
        log.error("%s failed", where, exc_info=error)


async def _apologise(update: Update) -> None:
    """Tell the user the command could not be done now (best effort)."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.STORAGE_TROUBLE, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(texts.STORAGE_TROUBLE)
    except TelegramError as exc:
        log.warning("cannot tell the user about the database trouble: %s", exc)


@asynccontextmanager
async def running(app: NewsApplication, *, poll_timeout: float = 1.0) -> AsyncIterator[Services]:
    """What ``run_polling`` does, inside the caller's event loop (``newsbot demo`` and tests
    run the fakes on the same loop); yields the services, shuts everything down on exit."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        services = app.bot_data.services
        assert services is not None and app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=dt.timedelta(seconds=poll_timeout)
        )
        await app.start()
        yield services
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


def run_until_stopped(app: NewsApplication, config: Config) -> None:
    """Long polling or the webhook, as ``telegram.mode`` says, until SIGINT or SIGTERM.

    Either way pending updates are kept: PTB calls deleteWebhook before polling and
    setWebhook before serving the webhook, both with ``drop_pending_updates=False``, so
    switching modes loses no update.
    """
    signals = (SIGINT, SIGTERM)
    if config.telegram.mode == "webhook":
        app.run_webhook(stop_signals=signals, **webhook_arguments(config.telegram))
    else:
        app.run_polling(stop_signals=signals, drop_pending_updates=False)


def build_application(config: Config, *, clock: Clock | None = None) -> NewsApplication:
    """Build the bot: PTB application, handlers, and lifecycle hooks that open/close services."""
    clock = clock or SystemClock()
    metrics = Metrics()
    undo: list[Callable[[], None]] = []

    async def post_init(app: NewsApplication) -> None:
        started_at = clock.now()
        services = await open_services(config, app, clock, metrics)
        app.bot_data.services = services
        await services.sources.sync_config_sources()
        await services.stories.start()
        await services.losses.start()
        await _check_channels_at_start(services)
        await services.delivery.start()
        services.ops = _ops_server(services, started_at)
        if services.ops is not None:
            await services.ops.start()
        if config.telegram.mode == "webhook":
            undo.append(count_refusals(metrics))
        await _set_command_menu(app, config)
        _schedule_jobs(app, services)
        me = app.bot.username
        log.info("newsbot started as @%s with %d source(s)", me, len(config.sources))

    async def post_shutdown(app: NewsApplication) -> None:
        services = app.bot_data.services
        app.bot_data.services = None
        while undo:
            undo.pop()()
        if services is not None:
            await services.close()
        log.info("newsbot stopped")

    api = config.telegram.api_url
    app: NewsApplication = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode="HTML", tzinfo=KYIV))
        .concurrent_updates(PerChatUpdateProcessor(64))
        .rate_limiter(limiter_for(config.delivery, metrics))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    handlers.register_all(app, config)
    app.add_error_handler(_on_error)
    return app
