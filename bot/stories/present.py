"""What a story's message shows (pure): its best brief and the «Про це пишуть: …» line.

:func:`best_brief` picks the most complete Ukrainian summary among the story's articles;
:func:`sources_line` lists the sources that reported the story, each linked to its report,
within a budget of visible characters (UTF-16 code units, as Telegram counts).  A one-source
story keeps the brief's own «Джерело · Читати повністю» line; this one is for two or more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot import texts
from bot.briefs.render import escape, visible_length
from bot.uk import counted, detect_language, has_russian_letters

__all__ = ["SOURCES_PREFIX", "BriefCandidate", "SourcesLine", "best_brief", "sources_line"]

SOURCES_PREFIX = texts.SOURCES_PREFIX
_SEPARATOR = ", "
_SENTENCE = re.compile(r"[.!?…]+[»\"”)]*(?:\s|$)")


@dataclass(frozen=True, slots=True)
class BriefCandidate:
    """One article's brief: the title and the summary sentences as plain text."""

    article_id: int | str
    title: str
    summary: str  # "" for a title-only brief


def _ukrainian(candidate: BriefCandidate) -> bool:
    sample = f"{candidate.title}\n{candidate.summary}"
    language = detect_language(sample)
    return language == "uk" or (language == "unknown" and not has_russian_letters(sample))


def _completeness(candidate: BriefCandidate) -> tuple[int, int]:
    summary = candidate.summary.strip()
    return len(_SENTENCE.findall(summary)), visible_length(summary)


def best_brief(candidates: Sequence[BriefCandidate]) -> BriefCandidate | None:
    """The Ukrainian brief with the most summary sentences (then the longest summary; the
    earlier article on a tie), or None when no brief is in Ukrainian."""
    best: BriefCandidate | None = None
    best_key = (-1, -1)
    for candidate in candidates:
        if not _ukrainian(candidate):
            continue
        key = _completeness(candidate)
        if key > best_key:
            best, best_key = candidate, key
    return best


@dataclass(frozen=True, slots=True)
class SourcesLine:
    html: str  # Telegram HTML ("" when not even one source fits)
    text: str  # the visible text
    shown: tuple[str, ...]  # source names listed
    hidden: int  # sources summed up as «та ще N джерел»


def _is_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _more(count: int) -> str:
    return texts.MORE_SOURCES.format(sources=counted(count, texts.SOURCE))


def sources_line(
    reports: Sequence[tuple[str, str]], budget: int, *, html_budget: int | None = None
) -> SourcesLine:
    """«Про це пишуть: A, B, C» for ``reports`` = (source name, link) in reporting order.

    Each source is listed once (its first report's link).  Names that would take the visible
    text past ``budget`` are summed up as «та ще N джерел»; each shown name is a link while the
    HTML stays within ``html_budget`` (None: no limit), later names plain beyond it.
    """
    first: dict[str, str] = {}
    for raw_name, url in reports:
        name = " ".join(raw_name.split())
        if name and name not in first:
            first[name] = url.strip()
    names = list(first)
    shown: list[str] = []
    for count in range(len(names), 0, -1):
        rest = len(names) - count
        text = SOURCES_PREFIX + _SEPARATOR.join(names[:count]) + (_more(rest) if rest else "")
        if visible_length(text) <= budget:
            shown = names[:count]
            break
    if not shown:
        return SourcesLine("", "", (), len(names))
    hidden = len(names) - len(shown)
    tail = _more(hidden) if hidden else ""
    text = SOURCES_PREFIX + _SEPARATOR.join(shown) + tail
    parts = [escape(name) for name in shown]
    size = len(escape(text))
    for i, name in enumerate(shown):
        url = first[name]
        if not _is_link(url):
            continue
        anchor = f'<a href="{escape(url).replace(chr(34), "&quot;")}">{parts[i]}</a>'
        if html_budget is not None and size + len(anchor) - len(parts[i]) > html_budget:
            break
        size += len(anchor) - len(parts[i])
        parts[i] = anchor
    html = escape(SOURCES_PREFIX) + _SEPARATOR.join(parts) + escape(tail)
    return SourcesLine(html, text, tuple(shown), hidden)
