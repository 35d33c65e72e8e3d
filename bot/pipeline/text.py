"""Stage 1: an article's text — the feed's full text, else its page, else the feed summary.

A page is fetched only when the feed's full text is shorter than ``min_full_text_chars``, and
never for an item in Russian or English that the offline summariser would not brief anyway.
The page's main text is extracted by trafilatura off the event loop.
"""

from __future__ import annotations

import asyncio
import logging

from bot.config import FetchConfig
from bot.sources.extract import extract_article
from bot.sources.feeds import FeedItem
from bot.sources.fetch import PAGE_ACCEPT, Fetcher, FetchError
from bot.uk import detect_language

__all__ = ["PAGE_MAX_BYTES", "ArticleTextReader"]

log = logging.getLogger(__name__)

PAGE_MAX_BYTES = 3_000_000


class ArticleTextReader:
    """``await reader.read(item, trusted_host=...)`` → the text to brief the article from."""

    def __init__(self, fetcher: Fetcher, config: FetchConfig, *, briefs_other_languages: bool):
        self._fetcher = fetcher
        self._min_full_text = config.min_full_text_chars
        # With an LLM summariser, Russian and English articles are briefed (in Ukrainian).
        self._other_languages = briefs_other_languages

    async def read(self, item: FeedItem, *, trusted_host: str | None = None) -> str:
        """The feed's full text when it is long enough, else the page's (trafilatura), else
        whatever the feed had (summary).  A page on ``trusted_host`` skips the private-address
        guard (see :mod:`bot.sources.trust`)."""
        if len(item.full_text) >= self._min_full_text:
            return item.full_text
        if self._skip_page(item):
            return item.full_text or item.summary
        try:
            page = await self._fetcher.fetch(
                item.link, accept=PAGE_ACCEPT, max_bytes=PAGE_MAX_BYTES, trusted_host=trusted_host
            )
        except FetchError as exc:
            log.info("article page %s not fetched: %s", item.link, exc)
            return item.full_text or item.summary
        html: str | bytes = page.body
        if page.charset:
            try:
                html = page.body.decode(page.charset, errors="replace")
            except LookupError:
                html = page.body
        extracted = await asyncio.to_thread(extract_article, html, page.url)
        candidates = [extracted.text if extracted else "", item.full_text, item.summary]
        return max(candidates, key=len)

    def _skip_page(self, item: FeedItem) -> bool:
        """A Russian- or English-language item will not be briefed by the extractive
        summariser: don't fetch its page just to throw it away."""
        if self._other_languages:
            return False
        return detect_language(f"{item.title}\n{item.summary}\n{item.full_text}") in ("ru", "en")
