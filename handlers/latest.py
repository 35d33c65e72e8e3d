"""/latest [N]: the N most recent stories, newest first, each with how many sources reported
it, then the loss counter once, packed into as few messages as fit (counted in UTF-16 code
units, as Telegram counts them: see :mod:`bot.telegram_text`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from telegram import LinkPreviewOptions, Update
from telegram.ext import CommandHandler

from bot import texts
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.losses.format import is_counter_line
from bot.telegram_text import pack
from bot.uk import counted
from storage.stories import latest_stories

DEFAULT_COUNT = 5
MAX_COUNT = 10
_DIGITS = re.compile(r"[0-9]+")
_PARAGRAPH = "\n\n"


def parse_count(args: Sequence[str]) -> int | None:
    """``/latest`` → 5, ``/latest 3`` → 3, above 10 → 10; None when it is not a number ≥ 1.

    Only ASCII digits count: ``str.isdigit`` also accepts "²" or "①", which ``int`` refuses.
    """
    if not args:
        return DEFAULT_COUNT
    if len(args) > 1 or not _DIGITS.fullmatch(args[0]):
        return None
    digits = args[0].lstrip("0")
    if not digits:
        return None
    if len(digits) > 2:  # anything from 100 up (and no int() of a 5 000-digit string)
        return MAX_COUNT
    return min(int(digits), MAX_COUNT)


def without_counter(brief_html: str) -> str:
    """A stored brief (or story message) without the counter line it was sent with.

    A brief's paragraphs are title, summary, counter, source (see
    :func:`bot.briefs.render.compose_brief`), a story's end with the counter and the sources
    line (:func:`bot.stories.message.story_message`); the counter is one of the last two,
    never the title.
    """
    paragraphs = brief_html.split(_PARAGRAPH)
    for index in range(len(paragraphs) - 1, max(len(paragraphs) - 3, 0), -1):
        if is_counter_line(paragraphs[index]):
            del paragraphs[index]
            break
    return _PARAGRAPH.join(paragraphs)


def latest_messages(stories: Sequence[tuple[str, int]], counter_line: str | None) -> list[str]:
    """The /latest reply for ``stories`` = (message HTML, number of sources): each message
    without its counter line and with its source count, then today's counter line once,
    after the list."""
    blocks = [
        without_counter(html) + texts.LATEST_SOURCES_HTML.format(sources=counted(n, texts.SOURCE))
        for html, n in stories
    ]
    if counter_line:
        blocks.append(escape(counter_line, quote=False))
    return pack(blocks)


async def latest(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    if message is None:
        return
    n = parse_count(list(context.args or []))
    if n is None:
        await message.reply_text(texts.BAD_COUNT)
        return
    s = context.services
    stories = await latest_stories(s.db, n)
    if not stories:
        await message.reply_text(texts.NO_NEWS)
        return
    previews = LinkPreviewOptions(is_disabled=len(stories) > 1)
    counter = s.losses.counter_line(s.clock.now())
    for text in latest_messages([(story.html, story.source_count) for story in stories], counter):
        await message.reply_text(text, link_preview_options=previews)


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("latest", latest))
