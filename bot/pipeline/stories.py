"""Stage 3: the story desk — which story a new brief belongs to, how much it matters, and the
story's message; stored with the brief in one transaction.

For each brief: the matcher's features and the brief's lemmas are computed in a thread (CPU);
then, under one lock (the :class:`~bot.stories.matcher.StoryIndex` is not thread-safe, and the
answer "which story?" must not change between asking and recording it), the index is asked,
the story's importance (:func:`~bot.stories.importance.importance`) and message
(:func:`~bot.stories.message.story_message`) are computed from its stored briefs plus the new
one, everything is stored (:func:`storage.stories.file_brief`), and only then the index learns
of the article — a failed write leaves the index as it was.

Each story event is one log line saying why: a new story, a report joining one, a story
becoming top.  At start, :meth:`StoryDesk.start` rebuilds the index from the briefs of the
stories first seen within the window, with their stored features.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.briefs.lemmas import Lemmatizer
from bot.clock import Clock
from bot.config import StoriesConfig
from bot.ops.metrics import Metrics
from bot.stories import (
    ArticleFeatures,
    BriefCandidate,
    FeatureExtractor,
    Importance,
    Match,
    Report,
    StoryIndex,
    best_brief,
    importance,
)
from bot.stories.message import MessageBrief, distinct_sources, story_message
from storage import Database, sources, stories
from storage.stories import FiledBrief, NewBrief, StoryMember, StoryState

__all__ = ["BriefedArticle", "Filing", "StoryDesk"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BriefedArticle:
    """A new article with its brief, ready to be filed in a story."""

    article_id: int
    source: str
    feed_title: str
    url: str
    text: str  # the article text the brief was made from (the features come from it too)
    title: str  # the brief's
    summary: str
    html: str
    summariser: str
    counter_line: str | None


@dataclass(frozen=True, slots=True)
class Filing:
    """Where a brief went, and what its story is now."""

    story_id: int
    brief_id: int
    created: bool
    is_top: bool
    became_top: bool  # top now, not before this report (a new top story too)
    pushed_before: bool  # the story had been handed to delivery already
    importance: Importance


def _lemma_list(lemmatizer: Lemmatizer, title: str, summary: str) -> list[str]:
    return sorted(set(lemmatizer.lemmas(f"{title}\n{summary}")))


class StoryDesk:
    """Files briefs in stories; one per application (it owns the in-memory story index)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: StoriesConfig,
        *,
        lemmatizer: Lemmatizer | None = None,
        top_sources: Collection[str] = (),
        metrics: Metrics | None = None,
    ) -> None:
        self._db, self._clock, self._metrics = db, clock, metrics
        self._window = timedelta(hours=config.window_hours)
        self._top_min = config.top_min_sources
        self._top_sources = frozenset(top_sources)
        self._lemmatizer = lemmatizer or Lemmatizer()
        self._extractor = FeatureExtractor(self._lemmatizer)
        self.index = StoryIndex(window=self._window)
        self._lock = asyncio.Lock()

    # -- start ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Rebuild the index from the stories first seen within the window (stored features;
        briefs from before stories get theirs computed once, from title and summary)."""
        now = self._clock.now()
        members = await stories.window_members(self._db, now - self._window)
        loaded = [(m, _stored_features(m)) for m in members]
        missing = [m for m, f in loaded if f is None]
        if missing:
            computed = await asyncio.to_thread(
                lambda: {m.brief_id: self._extractor.extract(m.title, m.summary) for m in missing}
            )
            await stories.set_features(
                self._db,
                [(b, json.dumps(f.to_json(), ensure_ascii=False)) for b, f in computed.items()],
            )
            loaded = [(m, f or computed[m.brief_id]) for m, f in loaded]
        async with self._lock:
            for member, features in loaded:
                assert features is not None
                self.index.add(member.story_id, member.brief_id, features, member.source, member.at)
        log.info(
            "story index: %d stories, %d reports from the last %s (%d features computed)",
            len(self.index),
            self.index.articles(),
            self._window,
            len(missing),
        )

    # -- filing --------------------------------------------------------------------------------

    async def file(self, article: BriefedArticle) -> Filing:
        """Store the brief in its story (a new one or the one it joins); see the module doc."""
        features, lemmas = await asyncio.to_thread(self._analyse, article)
        features_json = json.dumps(features.to_json(), ensure_ascii=False)
        async with self._lock:
            now = self._clock.now()
            match = self.index.match(features, now)
            members = await stories.story_members(self._db, int(match.story_id)) if match else []
            reports = [*members, _as_member(article, now)]
            verdict = importance(
                [Report(m.source, m.feed_title, m.at) for m in reports],
                now,
                window=self._window,
                top_sources=self._top_sources,
                top_min_sources=self._top_min,
                enabled_sources=await sources.count_enabled(self._db),
            )
            best = _best(reports)
            state = StoryState(
                title=best.title,
                html=story_message(
                    MessageBrief(best.title, best.summary, best.html),
                    article.counter_line,
                    [(m.source, m.url) for m in reports],
                ),
                source_count=len(distinct_sources([(m.source, m.url) for m in reports])),
                importance=verdict.score,
                is_top=verdict.is_top,
                explain=verdict.explain(),
                best_is_new=best is reports[-1],
                best_brief_id=None if best is reports[-1] else best.brief_id,
                lemmas=lemmas if best is reports[-1] else None,
            )
            new = NewBrief(
                article.article_id,
                article.title,
                article.summary,
                article.html,
                article.summariser,
                features_json,
            )
            story_id = int(match.story_id) if match else None
            filed = await stories.file_brief(self._db, new, story_id, state, now)
            self.index.add(filed.story_id, filed.brief_id, features, article.source, now)
        self._report(article, filed, verdict, match)
        return Filing(
            filed.story_id,
            filed.brief_id,
            filed.created,
            filed.is_top,
            filed.became_top,
            filed.pushed_before,
            verdict,
        )

    def _analyse(self, article: BriefedArticle) -> tuple[ArticleFeatures, list[str]]:
        features = self._extractor.extract(article.feed_title or article.title, article.text)
        return features, _lemma_list(self._lemmatizer, article.title, article.summary)

    def _report(
        self, article: BriefedArticle, filed: FiledBrief, verdict: Importance, match: Match | None
    ) -> None:
        """One log line per story event, with the importance and its reasons."""
        title = article.title if len(article.title) <= 80 else article.title[:79] + "…"
        story, source = filed.story_id, article.source
        if filed.created:
            kind = "new top story" if verdict.is_top else "new story"
            event = f'{kind} {story} from {source}: "{title}"'
        else:
            like = f"like brief {match.article_id}: {match.pair.explain()}" if match else ""
            verb = "became top when {} joined" if filed.became_top else "joined by {}"
            event = f'story {story} {verb.format(source)}: "{title}" ({like})'
        log.info("%s — %s", event, verdict.explain())
        if self._metrics is not None:
            if filed.created:
                self._metrics.observe_story(top=verdict.is_top)
            elif filed.became_top:
                self._metrics.observe_top_story()


def _stored_features(member: StoryMember) -> ArticleFeatures | None:
    if not member.features:
        return None
    try:
        return ArticleFeatures.from_json(json.loads(member.features))
    except ValueError:  # an older extraction, or damaged: computed again
        return None


def _as_member(article: BriefedArticle, now: datetime) -> StoryMember:
    return StoryMember(
        story_id=0,
        brief_id=0,
        article_id=article.article_id,
        title=article.title,
        summary=article.summary,
        html=article.html,
        feed_title=article.feed_title,
        url=article.url,
        source=article.source,
        at=now,
        features=None,
    )


def _best(reports: list[StoryMember]) -> StoryMember:
    """The report with the most complete Ukrainian summary (else the story's first one)."""
    chosen = best_brief([BriefCandidate(i, m.title, m.summary) for i, m in enumerate(reports)])
    return reports[int(chosen.article_id)] if chosen is not None else reports[0]
