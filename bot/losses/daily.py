"""The channels' daily loss-counter post: the day's report and the 30-day chart, once a day.

When the morning General Staff report for today (Kyiv) is stored (:meth:`LossService.on_today`
calls :meth:`DailyLossPost.report_stored`), every active channel with ``losses_daily = true``
gets one ledger row of kind ``losses`` for that day (:func:`storage.channels.fan_out_losses`).
The same is tried after every refresh of the counter — hourly, at 09:10 Kyiv and right after
start (:meth:`DailyLossPost.run_due`) — in case the bot stopped, or could not write, between
storing the report and queueing the post.  The ledger's unique
(kind, ref, chat) index makes it once a day per channel whatever runs it, restarts included;
a day whose report never came has no post, and yesterday's report is never posted today.

The post is made when the first row is sent and kept for the others (:meth:`photo_post`): the
chart is rendered once a day, not once a channel, and uploaded once (the engine then sends
Telegram's file id).  Its caption is :func:`bot.losses.format.daily_post_html`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, timedelta

from bot.clock import Clock
from bot.delivery.photos import PhotoPost
from bot.losses.format import daily_post_html
from bot.losses.model import Snapshot
from bot.losses.service import CHART_DAYS, LossService
from bot.uk import kyiv_today
from storage import Database
from storage import channels as store

__all__ = ["DailyLossPost"]

log = logging.getLogger(__name__)

KEPT_POSTS = 2  # today's and, around midnight, yesterday's


class DailyLossPost:
    """See the module docstring.  ``wake`` tells delivery that rows are waiting."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        losses: LossService,
        wake: Callable[[], None],
        *,
        expire_hours: float,
    ) -> None:
        self._db, self._clock, self._losses, self._wake = db, clock, losses, wake
        self._expire = timedelta(hours=expire_hours)
        self._posts: dict[int, PhotoPost] = {}
        self._making = asyncio.Lock()

    async def report_stored(self, snapshot: Snapshot) -> None:
        """Today's report was stored: queue today's post (a no-op for a report of another
        day, and for channels that have today's post already)."""
        if snapshot.day == kyiv_today(self._clock.now()):
            await self.post(snapshot.day)

    async def run_due(self) -> int:
        """Queue today's post if today's report is stored; returns the rows created."""
        today = kyiv_today(self._clock.now())
        if not await self._losses.history(today, today):
            log.debug("daily loss post: no report for %s yet", today.isoformat())
            return 0
        return await self.post(today)

    async def post(self, day: date) -> int:
        """One ``losses`` row for ``day`` per channel that wants it and has none yet."""
        now = self._clock.now()
        created = await store.fan_out_losses(self._db, day, now, expires_at=now + self._expire)
        if created:
            log.info("daily loss post for %s queued for %d channel(s)", day.isoformat(), created)
            self._wake()
        else:
            log.debug("daily loss post for %s: queued already, or no channel wants it", day)
        return created

    async def photo_post(self, kind: str, ref: int) -> PhotoPost | None:
        """The post of a ``losses`` row: made on first use, then kept (see the module)."""
        if kind != store.KIND_LOSSES:
            return None
        async with self._making:
            post = self._posts.get(ref)
            if post is None:
                post = await self._make(store.ref_day(ref))
                if post is None:
                    return None
                self._posts[ref] = post
                for old in sorted(self._posts)[:-KEPT_POSTS]:
                    del self._posts[old]
            return post

    async def _make(self, day: date) -> PhotoPost | None:
        found = await self._losses.history(day, day)
        if not found:
            log.warning("daily loss post: no report for %s to post", day.isoformat())
            return None
        snapshot = found[0]
        png = await self._losses.chart_png(CHART_DAYS, last=day)
        titles = await self._losses.category_titles(snapshot)
        caption = daily_post_html(snapshot, self._clock.now(), CHART_DAYS, titles)
        log.info(
            "daily loss post for %s made: %s",
            day.isoformat(),
            f"chart of {len(png)} bytes" if png else "no chart (too little history), text only",
        )
        return PhotoPost(png, caption)
