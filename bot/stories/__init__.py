"""Stories: the same event from several sources becomes one story; how much it matters.

Pure and in memory; storage and delivery call it.  The flow for one new article:

1. ``features = FeatureExtractor(lemmatizer).extract(title, text)`` (CPU: via
   ``asyncio.to_thread``); store ``features.to_json()`` beside the article.
2. ``match = index.match(features, now)`` → the story it joins, or None: create a story.
3. ``index.add(story_id, article_id, features, source_name, now)``.
4. ``importance(reports, now, window=…, top_sources=…, enabled_sources=…)`` → score, is_top and
   a one-line ``explain()`` for the log; ``best_brief`` and ``sources_line`` for the message.

At start, rebuild the :class:`StoryIndex` with ``index.add(...)`` for each stored article of
the stories first seen within the window, oldest first, features from
``ArticleFeatures.from_json``.
"""

from bot.stories.features import ArticleFeatures, FeatureExtractor
from bot.stories.importance import (
    BREAKING_MARKERS,
    DEFAULT_TOP_MIN_SOURCES,
    Importance,
    Report,
    breaking_marker,
    importance,
)
from bot.stories.matcher import DEFAULT_WINDOW, Match, StoryEntry, StoryIndex
from bot.stories.present import BriefCandidate, SourcesLine, best_brief, sources_line

__all__ = [
    "BREAKING_MARKERS",
    "DEFAULT_TOP_MIN_SOURCES",
    "DEFAULT_WINDOW",
    "ArticleFeatures",
    "BriefCandidate",
    "FeatureExtractor",
    "Importance",
    "Match",
    "Report",
    "SourcesLine",
    "StoryEntry",
    "StoryIndex",
    "best_brief",
    "breaking_marker",
    "importance",
    "sources_line",
]
