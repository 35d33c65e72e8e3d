"""The digest message (pure): «Головне за …», the stories most important first — each a linked
title with how many sources reported it — and the counter line.

    <b>Головне за 29 березня, 09:00–19:00</b>

    1. <a href="…">Title</a> — 4 джерела
    2. <a href="…">Title</a> — 1 джерело

    Втрати ворога: …

The visible text stays within Telegram's 4 096 UTF-16 units (:mod:`bot.telegram_text`): a very
long title is shortened, and stories that still do not fit are left out from the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot import texts
from bot.briefs.render import escape, shorten
from bot.clock import KYIV
from bot.telegram_text import MAX_TEXT, utf16_len
from bot.uk import MONTHS_GENITIVE, counted
from storage.digests import DigestStory

__all__ = ["MAX_TITLE", "DigestRenderer", "digest_period", "render_digest"]

MAX_TITLE = 200  # visible units of one story's title in a digest
_GAP = "\n\n"
_TAGS = re.compile(r"<[^>]*>")  # the title template's own markup (the period has none)


def digest_period(since: datetime, until: datetime) -> str:
    """The span a digest covers, Kyiv time: «29 березня, 09:00–19:00», «28–29 березня,
    19:00–09:00», «31 березня – 1 квітня, 19:00–09:00»."""
    start, end = since.astimezone(KYIV), until.astimezone(KYIV)
    hours = f"{start:%H:%M}–{end:%H:%M}"
    if start.date() == end.date():
        days = f"{end.day} {MONTHS_GENITIVE[end.month - 1]}"
    elif (start.month, start.year) == (end.month, end.year):
        days = f"{start.day}–{end.day} {MONTHS_GENITIVE[end.month - 1]}"
    else:
        days = (
            f"{start.day} {MONTHS_GENITIVE[start.month - 1]} – "
            f"{end.day} {MONTHS_GENITIVE[end.month - 1]}"
        )
    return f"{days}, {hours}"


def _item(number: int, story: DigestStory) -> tuple[str, int]:
    """One line (HTML) and its visible length."""
    title = shorten(" ".join(story.title.split()), MAX_TITLE)
    linked = escape(title)
    if story.url:
        href = escape(story.url).replace('"', "&quot;")
        linked = f'<a href="{href}">{linked}</a>'
    sources = counted(story.source_count, texts.SOURCE)
    line = texts.DIGEST_ITEM_HTML.format(number=number, title=linked, sources=sources)
    visible = texts.DIGEST_ITEM_HTML.format(number=number, title=title, sources=sources)
    return line, utf16_len(visible)


class DigestRenderer:
    """Renders the digest's messages for one span: the common one and each variant.  The
    title, the counter line and each story's line are made once, so a digest with many
    variants costs little more than one."""

    def __init__(
        self, since: datetime, until: datetime, counter_line: str | None, *, limit: int = MAX_TEXT
    ) -> None:
        self._head = texts.DIGEST_TITLE_HTML.format(period=digest_period(since, until))
        self._tail = escape(counter_line) if counter_line else ""
        used = utf16_len(_TAGS.sub("", self._head)) + utf16_len(_GAP)
        used += utf16_len(_GAP + counter_line) if counter_line else 0
        self._room = limit - used
        self._items: dict[tuple[int, int], tuple[str, int]] = {}

    def __call__(self, stories: Sequence[DigestStory]) -> str:
        """The message listing ``stories`` (already in order) — as many as fit."""
        lines: list[str] = []
        used = 0
        for number, story in enumerate(stories, 1):
            key = (number, story.id)
            if key not in self._items:
                self._items[key] = _item(number, story)
            line, visible = self._items[key]
            extra = visible + (1 if lines else 0)
            if used + extra > self._room:
                break
            lines.append(line)
            used += extra
        parts = [self._head, "\n".join(lines)]
        if self._tail:
            parts.append(self._tail)
        return _GAP.join(parts)


def render_digest(
    stories: Sequence[DigestStory],
    since: datetime,
    until: datetime,
    counter_line: str | None,
    *,
    limit: int = MAX_TEXT,
) -> str:
    """The digest of ``stories`` (already in order) for the span ``since``–``until``."""
    return DigestRenderer(since, until, counter_line, limit=limit)(stories)
