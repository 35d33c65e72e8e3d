"""The brief as Telegram HTML (pure): bold title, summary, loss-counter line, source link.

    <b>Title</b>

    Summary sentence one. Summary sentence two.

    Counter line

    ГОРДОН · <a href="https://…">Читати повністю</a>

Title and summary are typeset as a Ukrainian editor would (:func:`bot.briefs.typography.typeset`:
«…» quotes, « — » dashes, ’ apostrophes, no-break digit groups), then all text from outside is
escaped exactly once.  The visible text (what Telegram counts, in
UTF-16 code units) stays within :data:`CAPTION_LIMIT` so the brief also fits a photo caption:
when it would not, the summary loses its last sentences first, then the title is shortened at a
word boundary.  Sentences are never cut; tags are only ever emitted whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.briefs.typography import typeset

__all__ = [
    "CAPTION_LIMIT",
    "Rendered",
    "compose_brief",
    "escape",
    "render_brief",
    "shorten",
    "summary_within",
    "visible_length",
]

CAPTION_LIMIT = 1024
_MAX_COUNTER = 300  # a counter line or source name this long is already a bug upstream
_MAX_SOURCE = 100
_READ_MORE = "Читати повністю"
_READ_MORE_SEP = " · "
_ELLIPSIS = "…"
_SPACES = re.compile(r"[ \t\r\n\f\v\u2028\u2029\x85]+")  # no-break spaces are kept


def escape(text: str) -> str:
    """Escape for Telegram HTML: only &, <, > (and " in attributes) — named entities it knows."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the visible (unescaped) text."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` UTF-16 units, with an ellipsis."""
    if visible_length(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1]
    while visible_length(cut) > limit - 1:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—–-") + _ELLIPSIS


def summary_within(sentences: Sequence[str], budget: int) -> list[str]:
    """The leading sentences whose joined length (with spaces) is at most ``budget``."""
    out: list[str] = []
    length = 0
    for sentence in sentences:
        extra = len(sentence) + (1 if out else 0)
        if length + extra > budget:
            break
        out.append(sentence)
        length += extra
    return out


def _is_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _typeset_sentences(sentences: list[str]) -> list[str]:
    """Each sentence typeset, as parts of one text (a quotation may span two sentences);
    :func:`typeset` keeps lengths, so the text splits back where it was joined."""
    text = typeset(" ".join(sentences))
    out = []
    start = 0
    for sentence in sentences:
        out.append(text[start : start + len(sentence)])
        start += len(sentence) + 1
    return out


@dataclass(frozen=True, slots=True)
class Rendered:
    """The brief's HTML and the title and summary sentences that made it in."""

    html: str
    title: str
    sentences: tuple[str, ...]


def render_brief(
    title: str,
    sentences: Sequence[str],
    counter_line: str | None,
    source_name: str,
    url: str,
    *,
    budget: int = 450,
    limit: int = CAPTION_LIMIT,
) -> str:
    """The brief as Telegram HTML (see :func:`compose_brief`)."""
    return compose_brief(
        title, sentences, counter_line, source_name, url, budget=budget, limit=limit
    ).html


def compose_brief(
    title: str,
    sentences: Sequence[str],
    counter_line: str | None,
    source_name: str,
    url: str,
    *,
    budget: int = 450,
    limit: int = CAPTION_LIMIT,
) -> Rendered:
    """The brief as Telegram HTML whose visible text is at most ``limit`` UTF-16 units.

    ``sentences`` are whole sentences; the summary keeps as many leading ones as fit
    ``budget`` characters (and then the overall ``limit``).  ``counter_line`` is plain text.
    """
    title = typeset(_one_line(title))
    lines = _typeset_sentences([_one_line(s) for s in sentences if s.strip()])
    summary = summary_within(lines, budget)
    counter = shorten(_one_line(counter_line or ""), _MAX_COUNTER)
    source = shorten(_one_line(source_name) or (urlsplit(url).hostname or ""), _MAX_SOURCE)
    link = url.strip()
    linked = _is_link(link)
    source_line = f"{source}{_READ_MORE_SEP}{_READ_MORE}" if linked and source else source
    tail = [source_line] if source_line else []
    if counter:
        tail.insert(0, counter)

    def size(title_text: str, summary_sentences: list[str]) -> int:
        parts = [p for p in (title_text, " ".join(summary_sentences), *tail) if p]
        return sum(visible_length(p) for p in parts) + 2 * (len(parts) - 1)

    while summary and size(title, summary) > limit:
        summary.pop()
    if size(title, summary) > limit:
        title = shorten(title, limit - size("", summary) - 2)

    html_parts: list[str] = []
    if title:
        html_parts.append(f"<b>{escape(title)}</b>")
    if summary:
        html_parts.append(escape(" ".join(summary)))
    if counter:
        html_parts.append(escape(counter))
    if source_line:
        if linked and source:
            anchor = f'<a href="{_escape_attr(link)}">{_READ_MORE}</a>'
            html_parts.append(f"{escape(source)}{_READ_MORE_SEP}{anchor}")
        else:
            html_parts.append(escape(source))
    return Rendered("\n\n".join(html_parts), title, tuple(summary))
