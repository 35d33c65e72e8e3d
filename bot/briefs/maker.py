"""A new article becomes a brief: the summariser picks the summary, :mod:`render` lays it out.

The default summariser is the offline extractive one.  With ``briefs.summariser = "llm"`` and
an endpoint configured, the LLM summarises instead; whatever it gets wrong falls back to the
extractive summary.  A Russian or English article is briefed only by the LLM (which writes
Ukrainian); without an LLM it is skipped — never sent in another language as if Ukrainian.

:meth:`BriefMaker.make` never raises for bad text: when no summary can be made the brief
carries the title alone and the reason is logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.briefs.extractive import ExtractiveSummariser, Summary
from bot.briefs.lemmas import Lemmatizer
from bot.briefs.llm import LlmError, LlmSummariser, LlmSummary
from bot.briefs.render import compose_brief, shorten
from bot.briefs.sentences import clean_text
from bot.config import BriefsConfig
from bot.uk import detect_language

__all__ = ["ArticleText", "Brief", "BriefMaker", "OnSummary"]

OnSummary = Callable[[str, float], None]  # (summariser, seconds) after each summary attempt

log = logging.getLogger(__name__)

_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_TITLE_FROM_TEXT = 120  # an article without a title gets its first sentence (or words) as one


@dataclass(frozen=True, slots=True)
class ArticleText:
    title: str
    text: str
    url: str
    source_name: str
    language: str = "uk"


@dataclass(frozen=True, slots=True)
class Brief:
    title: str
    summary: str  # the summary sentences alone, plain text ("" for a title-only brief)
    html: str  # the whole brief, Telegram HTML
    summariser: str  # "extractive", "llm" or "none" (title only)


def brief_language(article: ArticleText) -> str:
    """'uk', 'ru' or 'en': the article's language, with a closer look when it was unknown."""
    language = article.language
    if language in ("uk", "ru", "en"):
        return language
    sample = f"{article.title}\n{article.text}"
    detected = detect_language(sample)
    if detected != "unknown":
        return detected
    if _RU_ONLY.search(sample) and not _UK_ONLY.search(sample):
        return "ru"
    if _LATIN.search(sample) and not _CYRILLIC.search(sample):
        return "en"
    return "uk"


class BriefMaker:
    """Makes briefs; one per process (it owns the lazily loaded Ukrainian dictionary)."""

    def __init__(
        self,
        config: BriefsConfig,
        http: httpx.AsyncClient,
        *,
        extractive: ExtractiveSummariser | None = None,
        on_summary: OnSummary | None = None,
    ) -> None:
        self._config = config
        self._on_summary = on_summary
        self._extractive = extractive or ExtractiveSummariser(Lemmatizer())
        self._llm = LlmSummariser(config, http)
        self._use_llm = config.summariser == "llm"
        if config.summariser not in ("extractive", "llm"):
            log.warning(
                "briefs.summariser %r is neither 'extractive' nor 'llm': using the extractive one",
                config.summariser,
            )
        if self._use_llm and not self._llm.configured:
            log.warning(
                "briefs.summariser is 'llm' but briefs.llm_base_url or briefs.llm_model is "
                "missing: using the extractive summariser"
            )

    @property
    def llm_enabled(self) -> bool:
        return self._use_llm and self._llm.configured

    async def make(self, article: ArticleText, counter_line: str | None) -> Brief | None:
        """The brief for ``article``, or None when it must not be briefed.

        None means: the article is not in Ukrainian and no LLM could make a Ukrainian brief,
        or there is nothing at all to brief (no title and no text).
        """
        budget = self._config.budget_chars
        title = " ".join(clean_text(article.title).split())
        language = brief_language(article)
        where = article.url or article.source_name
        summariser = "none"
        sentences: tuple[str, ...] = ()
        if language != "uk":
            if not self.llm_enabled:
                log.info("not briefed (%s, no LLM configured): %s", language, where)
                return None
            result = await self._ask_llm(title, article.text, budget, where, need_title=True)
            if result is None:
                log.warning("not briefed (%s): no usable LLM summary: %s", language, where)
                return None
            title, sentences, summariser = result.title, result.sentences, "llm"
        else:
            if self.llm_enabled:
                result = await self._ask_llm(title, article.text, budget, where, need_title=False)
                if result is not None:
                    sentences, summariser = result.sentences, "llm"
            if not sentences:
                summary = await self._summarise(title, article.text, budget, where)
                sentences = summary.sentences
                summariser = "extractive" if sentences else "none"
                if summary.reason:
                    log.info("title-only brief (%s): %s", summary.reason, where)
        if not title:
            if sentences and len(sentences[0]) <= _TITLE_FROM_TEXT:
                title, sentences = sentences[0], sentences[1:]
            else:
                title = shorten(" ".join(clean_text(article.text).split()), _TITLE_FROM_TEXT)
            if not title:
                log.info("not briefed (no title and no text): %s", where)
                return None
        rendered = compose_brief(
            title, sentences, counter_line, article.source_name, article.url, budget=budget
        )
        summary_text = " ".join(rendered.sentences)
        return Brief(
            rendered.title, summary_text, rendered.html, summariser if summary_text else "none"
        )

    async def _ask_llm(
        self, title: str, text: str, budget: int, where: str, *, need_title: bool
    ) -> LlmSummary | None:
        """The LLM's validated summary, or None (the reason logged) — never an exception."""
        started = time.perf_counter()
        try:
            return await self._llm.summarise(title, text, budget, need_title=need_title)
        except LlmError as exc:
            log.warning("LLM summary rejected (%s): %s", exc, where)
        except Exception:  # a bug in the LLM path must not cost the brief
            log.exception("LLM summariser failed on %s", where)
        finally:
            self._timed("llm", started)
        return None

    async def _summarise(self, title: str, text: str, budget: int, where: str) -> Summary:
        started = time.perf_counter()
        try:
            return await asyncio.to_thread(self._extractive.summarise, title, text, budget)
        except Exception as exc:  # a bug must cost one summary, not the brief
            log.exception("extractive summariser failed on %s", where)
            return Summary((), f"summariser error: {type(exc).__name__}")
        finally:
            self._timed("extractive", started)

    def _timed(self, summariser: str, started: float) -> None:
        if self._on_summary is not None:
            self._on_summary(summariser, time.perf_counter() - started)
