"""The pipeline: a new article → its text → a brief → ledger; and the resume of crashed ones.

:meth:`ArticlePipeline.process` takes one recorded (``pending``) article through the stages and
writes its final disposition; :meth:`ArticlePipeline.resume_pending` does the same for the
articles a stopped process left ``pending``.  Every stage is passed in, so the flow is tested
with fakes and a real database, without the network.

Crash safety: an article is ``pending`` (with the policy's decision and its feed text) from
before its brief is made until its final disposition is written.  A resumed article whose
brief was already stored is not briefed again: its brief is handed over again, which the
ledger makes harmless (one row per brief × chat).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.briefs.maker import ArticleText
from bot.clock import Clock
from bot.pipeline.text import ArticleTextReader
from bot.sources.handoff import ArticleJob, SourceDirectory, SourceRef, resumed_item
from bot.uk import detect_language
from storage import Database, articles
from storage.articles import PendingArticle
from storage.briefs import add_brief

__all__ = ["ArticlePipeline", "BriefLike", "Briefs", "CounterLine", "Handover"]

log = logging.getLogger(__name__)


class BriefLike(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def html(self) -> str: ...
    @property
    def summariser(self) -> str: ...


class Briefs(Protocol):
    async def make(self, article: ArticleText, counter_line: str | None) -> BriefLike | None: ...


class CounterLine(Protocol):
    def counter_line(self, now: datetime) -> str | None: ...


Handover = Callable[[int], Awaitable[object]]


class ArticlePipeline:
    """Takes articles through text → brief → hand-over; see the module docstring."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        text: ArticleTextReader,
        briefs: Briefs,
        losses: CounterLine,
        handover: Handover,
        *,
        max_age: timedelta,
    ) -> None:
        self._db, self._clock = db, clock
        self._text, self._briefs, self._losses = text, briefs, losses
        self._handover = handover
        self._max_age = max_age
        self._resume_lock = asyncio.Lock()

    async def process(self, job: ArticleJob) -> str:
        """Make, store and (if ``job.push``) hand over the brief of one article; returns its
        final disposition, also written to the article."""
        item, article_id = job.item, job.article_id
        try:
            text = await self._text.read(item, trusted_host=job.source.trusted_host)
            if not text.strip() and not item.title:
                disposition = "no_text"
            else:
                language = detect_language(f"{item.title}\n{text}")
                now = self._clock.now()
                brief = await self._briefs.make(
                    ArticleText(item.title, text, item.link, job.source.name, language),
                    self._losses.counter_line(now),
                )
                if brief is None:
                    disposition = "not_briefed"
                else:
                    brief_id = await add_brief(
                        self._db,
                        article_id,
                        title=brief.title,
                        summary=brief.summary,
                        html=brief.html,
                        summariser=brief.summariser,
                        now=now,
                    )
                    if job.push:
                        await self._handover(brief_id)
                        disposition = "pushed"
                    else:
                        disposition = "first_poll"
                await articles.set_disposition(self._db, article_id, disposition, language=language)
                return disposition
        except Exception:
            log.exception("briefing %s from %r failed", item.link, job.source.name)
            disposition = "failed"
        await articles.set_disposition(self._db, article_id, disposition)
        return disposition

    async def resume_pending(self, sources: SourceDirectory) -> dict[str, int]:
        """Finish the articles a stopped process left ``pending``; returns the count of each
        final disposition (``abandoned`` for those past the ``max_age`` window, or whose
        source was removed).

        Articles of a source being polled at the moment are left alone: they are that poll's
        own work in progress, not leftovers.
        """
        async with self._resume_lock:
            return await self._resume_pending(sources)

    async def _resume_pending(self, sources: SourceDirectory) -> dict[str, int]:
        done: dict[str, int] = {}
        abandoned = await articles.abandon_stale_pending(
            self._db, self._clock.now() - self._max_age
        )
        if abandoned:
            done["abandoned"] = abandoned
            log.warning(
                "%d article(s) left pending for over %s: not resumed", abandoned, self._max_age
            )
        owners: dict[int, SourceRef | None] = {}
        for article in await articles.pending_articles(self._db):
            if article.source_id in sources.busy_sources():
                continue
            if article.source_id not in owners:
                owners[article.source_id] = await sources.source_for_article(article.source_id)
            owner = owners[article.source_id]
            if owner is None:  # its source was removed meanwhile
                final = "abandoned"
                await articles.set_disposition(self._db, article.id, final)
            else:
                final = await self._resume_one(owner, article)
            done[final] = done.get(final, 0) + 1
        if done:
            log.info("articles left pending by an earlier run, now: %s", done)
        return done

    async def _resume_one(self, source: SourceRef, article: PendingArticle) -> str:
        push = article.decision == "push"  # unknown (pre-migration rows): never push
        if article.brief_id is None:
            item = resumed_item(
                article.url, article.title, article.published_at, article.resume_text
            )
            job = ArticleJob(article.id, source, item, push)
            return await self.process(job)
        # The brief was stored; the process stopped before (or while) handing it over.
        try:
            if push:
                await self._handover(article.brief_id)
            final = "pushed" if push else "first_poll"
        except Exception:
            log.exception("handing over brief #%d failed", article.brief_id)
            final = "failed"
        await articles.set_disposition(self._db, article.id, final)
        return final
