"""The pipeline: a new article → its text → a brief → its story → the ledger; and the resume
of crashed ones.

:meth:`ArticlePipeline.process` takes one recorded (``pending``) article through the stages and
writes its final disposition; :meth:`ArticlePipeline.resume_pending` does the same for the
articles a stopped process left ``pending``.  Every stage is passed in, so the flow is tested
with fakes and a real database, without the network.

Hand-over: the story of an article the policy said to push is handed to delivery (``top``
says whether chats that want only top stories get it too).  So is a story that an article of
a first poll made top, if the story had been handed over before: the chats that want top
stories get it at the moment it becomes top.  The ledger holds one row per story × chat, so
handing a story over again never sends it twice.

Crash safety: an article is ``pending`` (with the policy's decision and its feed text) from
before its brief is made until its final disposition is written; the brief and its story are
stored in one transaction.  A resumed article whose brief was already stored is not briefed
again: its story is handed over again, which the ledger makes harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.briefs.maker import ArticleText
from bot.clock import Clock
from bot.pipeline.stories import BriefedArticle, StoryDesk
from bot.pipeline.text import ArticleTextReader
from bot.sources.handoff import ArticleJob, SourceDirectory, SourceRef, resumed_item
from bot.uk import detect_language
from storage import Database, articles, stories
from storage.articles import PendingArticle

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


Handover = Callable[[int, bool], Awaitable[object]]  # (story id, top): fan the story out


class ArticlePipeline:
    """Takes articles through text → brief → story → hand-over; see the module docstring."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        text: ArticleTextReader,
        briefs: Briefs,
        losses: CounterLine,
        desk: StoryDesk,
        handover: Handover,
        *,
        max_age: timedelta,
    ) -> None:
        self._db, self._clock = db, clock
        self._text, self._briefs, self._losses = text, briefs, losses
        self._desk, self._handover = desk, handover
        self._max_age = max_age
        self._resume_lock = asyncio.Lock()

    async def process(self, job: ArticleJob) -> str:
        """Brief one article, file it in its story and (if ``job.push``) hand the story over;
        returns the article's final disposition, also written to the article."""
        item, article_id = job.item, job.article_id
        try:
            text = await self._text.read(item, trusted_host=job.source.trusted_host)
            if not text.strip() and not item.title:
                disposition = "no_text"
            else:
                language = detect_language(f"{item.title}\n{text}")
                counter = self._losses.counter_line(self._clock.now())
                brief = await self._briefs.make(
                    ArticleText(item.title, text, item.link, job.source.name, language), counter
                )
                if brief is None:
                    disposition = "not_briefed"
                else:
                    filing = await self._desk.file(
                        BriefedArticle(
                            article_id,
                            job.source.name,
                            item.title,
                            item.link,
                            text,
                            brief.title,
                            brief.summary,
                            brief.html,
                            brief.summariser,
                            counter,
                        )
                    )
                    top_now = filing.became_top and filing.pushed_before
                    if job.push or top_now:
                        await self._handover(filing.story_id, filing.is_top)
                    disposition = "pushed" if job.push else "first_poll"
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
        if article.brief_id is None or article.story_id is None:
            item = resumed_item(
                article.url, article.title, article.published_at, article.resume_text
            )
            job = ArticleJob(article.id, source, item, push)
            return await self.process(job)
        # The brief and its story were stored; the process stopped before (or while) handing
        # the story over.  Handing it over again sends nothing twice.
        try:
            story = await stories.get_story(self._db, article.story_id)
            if story is not None and (push or (story.is_top and story.pushed_at is not None)):
                await self._handover(story.id, story.is_top)
            final = "pushed" if push else "first_poll"
        except Exception:
            log.exception("handing over story #%d failed", article.story_id)
            final = "failed"
        await articles.set_disposition(self._db, article.id, final)
        return final
