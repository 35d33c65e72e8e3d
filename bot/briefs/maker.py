"""STUB (foundation): replaced by the briefs work. Keeps the interface the app relies on."""

from __future__ import annotations

import html
from dataclasses import dataclass

import httpx

from bot.config import BriefsConfig


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
    summary: str
    html: str
    summariser: str


class BriefMaker:
    def __init__(self, config: BriefsConfig, http: httpx.AsyncClient) -> None:
        self._config, self._http = config, http

    async def make(self, article: ArticleText, counter_line: str | None) -> Brief | None:
        """The brief for ``article``, or None when it must not be briefed (e.g. not Ukrainian)."""
        body = f"<b>{html.escape(article.title)}</b>"
        return Brief(article.title, "", body, "stub")
