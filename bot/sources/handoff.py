"""Where the sources hand over: a new article to be briefed, and what the sources lend back.

:mod:`bot.sources` fetches, parses and decides which items are new; it never briefs, groups or
delivers anything itself.  Each article the policy chose to brief becomes an
:class:`ArticleJob` for an :class:`ArticleSink` (the pipeline, :mod:`bot.pipeline`, passed in
by the composition root).  The sink also finishes the articles a stopped process left
``pending``; for that it asks the sources which source an article came from
(:class:`SourceDirectory`), because only the sources know which are deleted or busy, and which
host of theirs is trusted.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.sources.feeds import FeedItem

__all__ = [
    "ArticleJob",
    "ArticleSink",
    "SourceDirectory",
    "SourceRef",
    "resume_text",
    "resumed_item",
]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """What the pipeline needs to know of an article's source."""

    id: int
    name: str
    trusted_host: str | None = None  # pages on this host skip the private-address guard


@dataclass(frozen=True, slots=True)
class ArticleJob:
    """A recorded article (``pending``) to take through the pipeline."""

    article_id: int
    source: SourceRef
    item: FeedItem  # the feed's texts: the article is briefed from these (or its page)
    push: bool  # the policy's decision: deliver it, or only brief it (a first poll)


class SourceDirectory(Protocol):
    async def source_for_article(self, source_id: int) -> SourceRef | None:
        """The source, or None when it was removed (its pending articles are abandoned)."""
        ...

    def busy_sources(self) -> Collection[int]:
        """Sources being polled right now: their pending articles are work in progress."""
        ...


class ArticleSink(Protocol):
    async def process(self, job: ArticleJob) -> str:
        """Take one article through; returns its final disposition (never raises for it)."""
        ...

    async def resume_pending(self, sources: SourceDirectory) -> dict[str, int]:
        """Finish the articles left ``pending``; the count of each final disposition."""
        ...


def resume_text(item: FeedItem) -> str:
    """What a resumed article is briefed from (the feed's texts), stored while it is pending."""
    return json.dumps(
        {"guid": item.guid, "summary": item.summary, "full_text": item.full_text},
        ensure_ascii=False,
    )


def resumed_item(url: str, title: str, published: datetime | None, stored: str | None) -> FeedItem:
    """The feed item of a pending article, from its record and :func:`resume_text`."""
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return FeedItem(
        guid=data.get("guid"),
        link=url,
        title=title,
        summary=str(data.get("summary") or ""),
        full_text=str(data.get("full_text") or ""),
        published=published,
    )
