"""/latest [N]: the N most recent stories, newest first, each with how many sources reported
it, packed into as few messages as fit (counted in UTF-16 code units, as Telegram counts them:
see :mod:`bot.telegram_text`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import LinkPreviewOptions, Update
from telegram.ext import CommandHandler

from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.telegram_text import pack
from bot.uk import count
from storage.stories import Story, latest_stories

DEFAULT_COUNT = 5
MAX_COUNT = 10
_DIGITS = re.compile(r"[0-9]+")
NO_NEWS = "Новин ще немає: я щойно почав стежити за джерелами. Зазирніть трохи згодом."
BAD_COUNT = "Вкажіть число від 1 до 10, наприклад: /latest 3"


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


def story_block(story: Story) -> str:
    """One story of the list: its message, then how many sources reported it."""
    sources = count(story.source_count, "джерело", "джерела", "джерел")
    return f"{story.html}\n<i>{sources}</i>"


async def latest(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    if message is None:
        return
    n = parse_count(list(context.args or []))
    if n is None:
        await message.reply_text(BAD_COUNT)
        return
    stories = await latest_stories(context.services.db, n)
    if not stories:
        await message.reply_text(NO_NEWS)
        return
    previews = LinkPreviewOptions(is_disabled=len(stories) > 1)
    for text in pack([story_block(s) for s in stories]):
        await message.reply_text(text, link_preview_options=previews)


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("latest", latest))
