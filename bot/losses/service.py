"""The loss counter: fetch, validate and keep the daily history; serve it to briefs and /losses.

Sources: the russianwarship.rip API (primary) and the Minfin page (fallback), used when the
API has failed at two refreshes in a row — or at once while we have no snapshot at all — and
also while the API answers but its newest report is older than 36 h (a "stale primary"; the
newer of the two reports is kept).
A payload is stored only if it fits its stored neighbours (see
:func:`bot.losses.model.check_against`); otherwise it is logged and the last good snapshot
stays.  Nothing here raises to the scheduler: a failed refresh is logged and retried at the
next one.

Whoever wants to know when the day's report arrives (the channels' daily post,
:mod:`bot.losses.daily`) gives :meth:`LossService.on_today` a callback: it is called once a
report dated today (Kyiv) is stored, new or with changed figures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime, timedelta

import httpx

from bot.clock import Clock
from bot.config import LossesConfig
from bot.losses import api, minfin
from bot.losses.chart import AVERAGE_DAYS, DailySeries, daily_series, render_personnel_chart
from bot.losses.format import counter_line, is_stale
from bot.losses.model import WAR_START, BadPayload, Snapshot, check_against
from bot.losses.terms import CategoryTitles, terms_url
from bot.uk import kyiv_today
from storage import Database, StorageUnavailable
from storage import losses as store

log = logging.getLogger(__name__)

CHART_DAYS = 30
MAX_SINGLE_DAY_REQUESTS = 14  # backfill: days the range query missed, fetched one by one


def to_record(s: Snapshot) -> store.LossRecord:
    return store.LossRecord(s.day, s.war_day, s.stats, s.increase, s.source, s.fetched_at)


def from_record(r: store.LossRecord) -> Snapshot:
    return Snapshot(
        day=r.day,
        stats=r.stats,
        increase=r.increase,
        source=r.source,
        fetched_at=r.fetched_at,
        war_day=r.war_day,
    )


class LossService:
    def __init__(
        self, db: Database, http: httpx.AsyncClient, clock: Clock, config: LossesConfig
    ) -> None:
        self._db, self._http, self._clock, self._config = db, http, clock, config
        self._api = api.WarshipApi(http, config.url, deadline=config.timeout_seconds)
        self._latest: Snapshot | None = None
        self._api_failures = 0  # consecutive refreshes at which the API failed
        self._primary_stale = False  # the API answers, but with a report older than 36 h
        self._titles = CategoryTitles(http, terms_url(config.url), deadline=config.timeout_seconds)
        self._store_lock = asyncio.Lock()  # neighbour check + write happen as one step
        self._chart: tuple[DailySeries, bytes] | None = None  # the last PNG and its data
        self._today_listeners: list[Callable[[Snapshot], Awaitable[object]]] = []
        self.last_error: str | None = None

    def on_today(self, listener: Callable[[Snapshot], Awaitable[object]]) -> None:
        """Call ``listener`` with each report dated today (Kyiv) once it is stored."""
        self._today_listeners.append(listener)

    # -- lifecycle and jobs -------------------------------------------------------------------

    async def start(self) -> None:
        """Load the newest stored snapshot (no network)."""
        record = await store.newest_record(self._db)
        self._latest = from_record(record) if record else None

    async def refresh(self) -> None:
        """Fetch the latest report (primary, then fallback if due) and store it; never raises."""
        try:
            await self._refresh()
        except Exception:  # a bug must not stop the scheduled job
            log.exception("loss counter refresh failed")

    async def _refresh(self) -> None:
        now = self._clock.now()
        try:
            primary = await self._api.latest(now)
            if await self._accept(primary):
                self._api_failures = 0
                await self._check_primary_age(primary, now)
                await self._update_titles(now)
                return
            problem = "russianwarship.rip: payload contradicts the stored history"
        except (api.SourceUnavailable, BadPayload) as exc:
            problem = f"russianwarship.rip: {exc}"
        self._api_failures += 1
        self.last_error = problem
        log.warning("loss counter: %s (failure %d in a row)", problem, self._api_failures)
        if self._api_failures < 2 and self._latest is not None:
            return
        try:
            snapshot = await self._fetch_minfin(now)
        except (api.SourceUnavailable, BadPayload) as exc:
            self.last_error = f"{problem}; minfin: {exc}"
            log.warning("loss counter fallback failed too: %s", exc)
            return
        await self._accept(snapshot)
        await self._update_titles(now)

    async def _check_primary_age(self, primary: Snapshot, now: datetime) -> None:
        """A primary whose newest report is older than 36 h is a soft failure.

        It still answers, so the hard-failure count stays at zero, but the fallback is asked at
        every refresh and its report kept when it is newer.  The state is logged when it changes.
        """
        stale = is_stale(primary, now)
        if stale != self._primary_stale:
            self._primary_stale = stale
            if stale:
                log.warning(
                    "loss counter: russianwarship.rip answers, but its newest report is from %s "
                    "(older than 36 h); asking the fallback too",
                    primary.day.isoformat(),
                )
            else:
                log.info(
                    "loss counter: russianwarship.rip is current again (%s)",
                    primary.day.isoformat(),
                )
        if not stale:
            self.last_error = None
            return
        problem = f"russianwarship.rip: the newest report is from {primary.day.isoformat()}"
        try:
            snapshot = await self._fetch_minfin(now)
        except (api.SourceUnavailable, BadPayload) as exc:
            self.last_error = f"{problem}; minfin: {exc}"
            log.debug("loss counter: fallback for a stale primary failed: %s", exc)
            return
        self.last_error = problem
        latest = self._latest
        newer = latest is None or snapshot.day > latest.day  # keep whichever report is newer
        if newer and await self._accept(snapshot):
            log.info(
                "loss counter: the fallback's report for %s is newer, using it",
                snapshot.day.isoformat(),
            )

    async def _update_titles(self, now: datetime) -> None:
        if self._latest is not None:
            await self._titles.for_keys(self._latest.stats, now)

    async def _fetch_minfin(self, now: datetime) -> Snapshot:
        body = await api.fetch_body(
            self._http,
            self._config.fallback_url,
            accept="text/html",
            deadline=self._config.timeout_seconds,
        )
        page = minfin.decode_page(body)
        return await asyncio.to_thread(minfin.parse_minfin, page, fetched_at=now)

    async def backfill(self) -> None:
        """Fill in the last ``backfill_days`` days of history; idempotent; never raises."""
        try:
            await self._backfill()
        except Exception:
            log.exception("loss counter backfill failed")

    async def _backfill(self) -> None:
        now = self._clock.now()
        last = kyiv_today(now)
        if self._latest is not None:
            last = min(last, self._latest.day)  # today's report may not be out yet
        first = max(last - timedelta(days=self._config.backfill_days - 1), WAR_START)
        stored = await store.stored_days(self._db, first, last)
        missing = {first + timedelta(days=i) for i in range((last - first).days + 1)} - stored
        if not missing:
            return
        try:
            records = await self._api.between(min(missing), max(missing), now)
        except (api.SourceUnavailable, BadPayload) as exc:
            log.warning("loss counter backfill: range query failed: %s", exc)
            records = []
        added = 0
        for snapshot in sorted(records, key=lambda s: s.day):
            if snapshot.day in missing and await self._accept(snapshot):
                missing.discard(snapshot.day)
                added += 1
        unavailable: list[date] = []
        for day in sorted(missing, reverse=True)[:MAX_SINGLE_DAY_REQUESTS]:
            try:
                if await self._accept(await self._api.for_day(day, now)):
                    added += 1
            except BadPayload as exc:
                log.info("loss counter backfill: %s rejected: %s", day, exc)
            except api.SourceUnavailable as exc:
                unavailable.append(day)
                if not exc.answered:  # the server is unreachable: asking day by day is futile
                    log.info("loss counter backfill: stopped, %s", exc)
                    break
        if unavailable:
            log.info(
                "loss counter backfill: %d day(s) not available, newest %s",
                len(unavailable),
                unavailable[0],
            )
        log.info("loss counter backfill: %d day(s) added", added)

    # -- storing ------------------------------------------------------------------------------

    async def _accept(self, snapshot: Snapshot) -> bool:
        """Store ``snapshot`` if it fits the history; False (logged) if it was rejected."""
        stored = await self._store(snapshot)
        if stored is None:
            return False
        if stored and snapshot.day == kyiv_today(self._clock.now()):
            for listener in self._today_listeners:
                try:
                    await listener(snapshot)
                except StorageUnavailable as exc:  # tried again after the next refresh
                    log.warning("loss counter: today's report not handed on yet: %s", exc)
                except Exception:  # the report is stored; its listeners must not undo that
                    log.exception("loss counter: handling today's report failed")
        return True

    async def _store(self, snapshot: Snapshot) -> bool | None:
        """None: rejected (logged); else whether anything was written (new or changed)."""
        async with self._store_lock:
            existing = await store.get_record(self._db, snapshot.day)
            if (
                existing is not None
                and existing.source == api.SOURCE
                and snapshot.source != api.SOURCE
            ):
                return False  # the primary's report for that day stays
            before, after = await store.neighbours(self._db, snapshot.day)
            previous = from_record(before) if before else None
            snapshot = snapshot.with_increase_from(previous)
            problem = check_against(snapshot, previous, from_record(after) if after else None)
            if problem is not None:
                log.warning(
                    "loss counter: rejected the %s report for %s: %s",
                    snapshot.source,
                    snapshot.day.isoformat(),
                    problem,
                )
                return None
            written = await store.save_record(self._db, to_record(snapshot))
            if self._latest is None or snapshot.day >= self._latest.day:
                self._latest = snapshot
            return written

    # -- reading ------------------------------------------------------------------------------

    def latest_snapshot(self) -> Snapshot | None:
        return self._latest

    async def category_titles(self, snapshot: Snapshot) -> Mapping[str, str]:
        """Titles for ``snapshot``'s categories without built-in wording (may ask the API)."""
        return await self._titles.for_keys(snapshot.stats, self._clock.now())

    def counter_line(self, now: datetime) -> str | None:
        """The compact counter line for briefs (plain text), or None with no snapshot."""
        return counter_line(self._latest, now)

    async def snapshot_for(self, day: date) -> Snapshot | None:
        """The report for ``day``: from history, else asked of the API (and then kept)."""
        record = await store.get_record(self._db, day)
        if record is not None:
            return from_record(record)
        now = self._clock.now()
        if not WAR_START < day <= kyiv_today(now):
            return None
        try:
            snapshot = await self._api.for_day(day, now)
        except (api.SourceUnavailable, BadPayload) as exc:
            log.info("loss counter: no report for %s: %s", day, exc)
            return None
        return snapshot if await self._accept(snapshot) else None

    async def history(self, first: date, last: date) -> list[Snapshot]:
        """Stored reports from ``first`` to ``last``, oldest first."""
        return [from_record(r) for r in await store.records_between(self._db, first, last)]

    async def chart_png(self, days: int = CHART_DAYS, last: date | None = None) -> bytes | None:
        """The personnel chart for the ``days`` days up to ``last`` (default: the newest
        report), rendered off the loop; None with fewer than two reports to draw."""
        if last is None:
            if self._latest is None:
                return None
            last = self._latest.day
        first = last - timedelta(days=days + AVERAGE_DAYS - 1)
        history = await self.history(first, last)
        if len(history) < 2:
            return None
        series = daily_series(history, last, days)
        if self._chart is not None and self._chart[0] == series:
            return self._chart[1]  # same figures: every press of the button reuses one PNG
        png = await asyncio.to_thread(render_personnel_chart, series)
        self._chart = (series, png)
        return png
