"""The pipeline: a new article → its text → a brief → its story → importance → the ledger.

:mod:`bot.sources` decides which feed items are new and records them; each one chosen to be
briefed arrives here as an :class:`~bot.sources.handoff.ArticleJob`.  The stages, each passed
in so that it can be tested on its own without the network:

1. :class:`~bot.pipeline.text.ArticleTextReader` — the feed's full text, or the page;
2. the brief maker (:class:`~bot.briefs.maker.BriefMaker`) — title, summary, counter line;
3. the story desk — the story the article joins or opens, its importance and message;
4. the hand-over to delivery — the story's fan-out to the chats that want it.

:class:`~bot.pipeline.flow.ArticlePipeline` runs them and resumes crashed articles.
"""

from bot.pipeline.flow import ArticlePipeline
from bot.pipeline.text import ArticleTextReader

__all__ = ["ArticlePipeline", "ArticleTextReader"]
