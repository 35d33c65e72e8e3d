"""A story's message (pure): the best brief, its counter line, and who reported the story.

    <b>Title</b>

    Summary sentences.

    Counter line

    Про це пишуть: <a href="…">Українська правда</a>, <a href="…">Укрінформ</a>, УНІАН

A story with one source keeps its brief's own message («Джерело · Читати повністю»).  With two
or more, the message is composed from the best brief's stored parts (title and summary, already
typeset by :mod:`bot.briefs.render`) and ends with :func:`~bot.stories.present.sources_line`.

Budget: the visible text stays within :data:`~bot.briefs.render.CAPTION_LIMIT` UTF-16 units
(as Telegram counts it).  The sources line gets what the rest leaves; when that is less than
:data:`SOURCES_ROOM`, the summary gives up its last sentences first.  Each source's name is a
link to its report while the whole HTML, links included, stays within the same limit; names
beyond that are plain text, and sources past the visible budget are summed up («та ще 2
джерела»).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.briefs.render import CAPTION_LIMIT, escape, shorten
from bot.stories.present import sources_line
from bot.telegram_text import utf16_len

__all__ = ["SOURCES_ROOM", "MessageBrief", "distinct_sources", "story_message"]

SOURCES_ROOM = 60  # visible units the sources line may claim from the summary
_GAP = "\n\n"
_SENTENCE_END = re.compile(r"[.!?…]+[»\"”)]*(?= |$)")
_SPACES = re.compile(r"[ \t\r\n\f\v\u2028\u2029\x85]+")  # no-break spaces are kept


@dataclass(frozen=True, slots=True)
class MessageBrief:
    """The stored parts of the story's best brief."""

    title: str
    summary: str  # plain text, whole sentences ("" for a title-only brief)
    html: str  # the brief's own message, used as is for a one-source story


def distinct_sources(reports: Sequence[tuple[str, str]]) -> list[str]:
    """Source names in reporting order, each once (as the sources line counts them)."""
    return list(dict.fromkeys(" ".join(name.split()) for name, _ in reports if name.strip()))


def _sentences(summary: str) -> list[str]:
    out: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(summary):
        sentence = summary[start : end.end()].strip()
        if sentence:
            out.append(sentence)
        start = end.end()
    rest = summary[start:].strip()
    if rest:
        out.append(rest)
    return out


def _size(parts: Sequence[str]) -> int:
    """Visible units of ``parts`` joined by blank lines, with the gap before the sources line."""
    kept = [p for p in parts if p]
    return sum(utf16_len(p) for p in kept) + utf16_len(_GAP) * len(kept)


def story_message(
    best: MessageBrief,
    counter_line: str | None,
    reports: Sequence[tuple[str, str]],
    *,
    limit: int = CAPTION_LIMIT,
) -> str:
    """The story's Telegram HTML; ``reports`` are (source name, link) in reporting order."""
    if len(distinct_sources(reports)) < 2:
        return best.html
    title = _SPACES.sub(" ", best.title).strip()
    counter = _SPACES.sub(" ", counter_line or "").strip()
    sentences = _sentences(_SPACES.sub(" ", best.summary))
    wanted = utf16_len(sources_line(reports, budget=limit).text)
    need = min(wanted, SOURCES_ROOM)
    while sentences and limit - _size([title, " ".join(sentences), counter]) < need:
        sentences.pop()
    room = limit - _size([title, counter])
    if sentences:
        room = limit - _size([title, " ".join(sentences), counter])
    elif room < need:  # even without a summary: the title gives way
        title = shorten(title, max(1, utf16_len(title) - (need - room)))
        room = limit - _size([title, counter])
    head = [f"<b>{escape(title)}</b>" if title else ""]
    head += [escape(" ".join(sentences)), escape(counter)]
    head = [part for part in head if part]
    html_room = limit - utf16_len(_GAP.join(head)) - utf16_len(_GAP)
    line = sources_line(reports, budget=room, html_budget=html_room)
    for _ in range(2):  # sources_line counts code points: an emoji in a name is two units
        excess = utf16_len(_GAP.join([*head, line.html])) - limit
        if excess <= 0 or "<a " not in line.html:
            break
        html_room -= excess
        line = sources_line(reports, budget=room, html_budget=html_room)
    return _GAP.join([*head, line.html] if line.html else head)
