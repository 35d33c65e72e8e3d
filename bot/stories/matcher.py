"""The stories of the last ``window`` hours and the decision which one a new article joins.

:class:`StoryIndex` holds, in memory, every story first seen within the window and its
articles' features.  :meth:`StoryIndex.match` answers "which story is this article?" (or None:
it opens a new one) without changing anything; :meth:`StoryIndex.add` records the answer.  The
bot rebuilds the index at start by calling :meth:`add` for the stored articles of the window in
time order, with their stored features (:meth:`ArticleFeatures.from_json`) — no lemmatisation.

Candidates come from an inverted index (cross-language key → stories); the best
:data:`CANDIDATES` by shared weight are scored exactly (:func:`~bot.stories.similarity.compare`
against every article of the story).  An article joins the best story whose best pair reaches
the threshold, provided at most half of that story's articles veto it (names or numbers
disagree; merging two events is the worse error) — one report whose title names the
official who spoke does not keep the next outlet's report of the same event out.

A story accepts articles for ``window`` after it was first seen, then leaves the index.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.stories.features import ArticleFeatures
from bot.stories.similarity import (
    THRESHOLD,
    DocumentFrequencies,
    PairScore,
    Prepared,
    SkeletonCache,
    compare,
)

__all__ = ["CANDIDATES", "DEFAULT_WINDOW", "Match", "StoryEntry", "StoryId", "StoryIndex"]

StoryId = int | str
DEFAULT_WINDOW = timedelta(hours=12)
CANDIDATES = 16  # stories scored exactly per new article (the others share too little)
_COMMON_MIN = 30
_WORTH_SCORING = 0.25


@dataclass(slots=True)
class _Member:
    article_id: StoryId
    source: str
    at: datetime
    prepared: Prepared


@dataclass(slots=True)
class StoryEntry:
    """A story in the index: its articles (in arrival order) and distinct sources."""

    story_id: StoryId
    first_seen: datetime
    last_seen: datetime
    members: list[_Member] = field(default_factory=list)

    @property
    def article_ids(self) -> list[StoryId]:
        return [m.article_id for m in self.members]

    @property
    def sources(self) -> list[str]:
        """Distinct sources in the order they first reported the story."""
        return list(dict.fromkeys(m.source for m in self.members))


@dataclass(frozen=True, slots=True)
class Match:
    """The story an article belongs to, the article of it that matched best, and why."""

    story_id: StoryId
    article_id: StoryId
    pair: PairScore

    def explain(self) -> str:
        pair = self.pair.explain()
        return f"joins story {self.story_id} (like article {self.article_id}: {pair})"


class StoryIndex:
    """Stories first seen within ``window`` of the newest article; see the module docstring."""

    def __init__(
        self,
        window: timedelta = DEFAULT_WINDOW,
        threshold: float = THRESHOLD,
        candidates: int = CANDIDATES,
    ) -> None:
        self.window = window
        self.threshold = threshold
        self._candidates = candidates
        self._stories: dict[StoryId, StoryEntry] = {}
        self._postings: defaultdict[str, set[StoryId]] = defaultdict(set)
        self._frequencies = DocumentFrequencies()
        self._skeletons = SkeletonCache()
        self._articles = 0
        self._latest: datetime | None = None
        self._ages: list[tuple[datetime, int, StoryId]] = []  # heap: (first seen, order, id)
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._stories)

    def __iter__(self) -> Iterator[StoryEntry]:
        return iter(self._stories.values())

    def story(self, story_id: StoryId) -> StoryEntry | None:
        return self._stories.get(story_id)

    def articles(self) -> int:
        return self._articles

    def match(self, features: ArticleFeatures, at: datetime) -> Match | None:
        """The story this article joins, or None when it opens a new one (changes nothing)."""
        return self._match(Prepared(features, self._skeletons), at)

    def _match(self, article: Prepared, at: datetime) -> Match | None:
        idf = self._frequencies.idf()
        best: Match | None = None
        for story_id in self._candidate_ids(article):
            story = self._stories[story_id]
            if abs(at - story.first_seen) > self.window:
                continue
            pairs = [(compare(article, m.prepared, idf), m) for m in story.members]
            agree = [(pair, m) for pair, m in pairs if pair.veto is None]
            if len(agree) * 2 < len(pairs) or not agree:
                continue  # most of the story's reports name other people, places or numbers
            pair, member = max(agree, key=lambda p: p[0].score)
            if pair.score >= self.threshold and (best is None or pair.score > best.pair.score):
                best = Match(story_id, member.article_id, pair)
        return best

    def add(
        self,
        story_id: StoryId,
        article_id: StoryId,
        features: ArticleFeatures,
        source: str,
        at: datetime,
    ) -> StoryEntry:
        """Record an article as part of ``story_id`` (a new story when the id is unknown)."""
        return self._add(story_id, article_id, Prepared(features, self._skeletons), source, at)

    def _add(
        self, story_id: StoryId, article_id: StoryId, article: Prepared, source: str, at: datetime
    ) -> StoryEntry:
        if self._latest is None or at > self._latest:
            self._latest = at
            self.expire(at)
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = StoryEntry(story_id, at, at)
            heapq.heappush(self._ages, (at, next(self._order), story_id))
        elif at < story.first_seen:
            story.first_seen = at
            heapq.heappush(self._ages, (at, next(self._order), story_id))
        story.last_seen = max(story.last_seen, at)
        story.members.append(_Member(article_id, source, at, article))
        self._frequencies.add(article, story_id)
        self._articles += 1
        for key in _index_keys(article):
            self._postings[key].add(story_id)
        return story

    def assign(
        self, article_id: StoryId, features: ArticleFeatures, source: str, at: datetime
    ) -> tuple[StoryEntry, Match | None]:
        """:meth:`match` then :meth:`add`; a new story takes the article's id as its own (for
        callers whose stories are named by their first article, like ``newsbot cluster``; the
        bot names stories itself: :meth:`match`, create the story, :meth:`add`)."""
        article = Prepared(features, self._skeletons)
        found = self._match(article, at)
        story_id = found.story_id if found else article_id
        if found is None and article_id in self._stories:
            raise ValueError(f"article id {article_id!r} already names a story")
        return self._add(story_id, article_id, article, source, at), found

    def expire(self, now: datetime) -> list[StoryId]:
        """Drop the stories first seen more than ``window`` before ``now``; their ids."""
        old: list[StoryId] = []
        while self._ages and now - self._ages[0][0] > self.window:
            first_seen, _, story_id = heapq.heappop(self._ages)
            story = self._stories.get(story_id)
            if story is not None and story.first_seen == first_seen:
                old.append(story_id)
        for story_id in old:
            story = self._stories.pop(story_id)
            self._frequencies.remove_story(story_id)
            self._articles -= len(story.members)
            for member in story.members:
                for key in _index_keys(member.prepared):
                    ids = self._postings.get(key)
                    if ids is not None:
                        ids.discard(story_id)
                        if not ids:
                            del self._postings[key]
        return old

    def _candidate_ids(self, article: Prepared) -> list[StoryId]:
        """The stories sharing the most weight of title, lede and name keys with the article;
        keys found in more than a tenth of the stories are too common to tell them apart, and
        a story sharing less than a quarter of the best one's weight is not worth scoring."""
        idf = self._frequencies.idf()
        common = max(_COMMON_MIN, len(self._stories) // 10)
        shared: defaultdict[StoryId, float] = defaultdict(float)
        for key in _index_keys(article):
            ids = self._postings.get(key)
            if ids and len(ids) <= common:
                w = idf.cross(key)
                for story_id in ids:
                    shared[story_id] += w
        best = heapq.nlargest(self._candidates, shared.items(), key=lambda item: item[1])
        return [story_id for story_id, weight in best if weight >= best[0][1] * _WORTH_SCORING]


def _index_keys(article: Prepared) -> frozenset[str]:
    view = article.cross()
    return view.head | view.names
