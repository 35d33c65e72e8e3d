"""Admin commands for the news sources: /sources, /addsource URL [назва], /delsource ID."""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.sources.health import format_sources
from bot.sources.identity import canonical_url
from bot.telegram_text import truncate
from bot.uk import counted
from handlers.guards import admin_only
from storage.sources import find_source_by_url

SHOWN_URL = 300  # UTF-16 units of a URL repeated in a reply (the reply must fit 4096)


@admin_only
async def list_sources(update: Update, context: NewsContext) -> None:
    services = context.services
    records = await services.sources.list_sources()
    message = update.effective_message
    assert message is not None
    for text in format_sources(records, services.clock.now()):
        await message.reply_text(text, disable_web_page_preview=True)


@admin_only
async def add_source(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if not args:
        await message.reply_text(texts.ADD_SOURCE_USAGE, parse_mode=None)
        return
    url, name = args[0], " ".join(args[1:]).strip() or None
    if canonical_url(url) is None:
        await message.reply_text(texts.NOT_HTTP, parse_mode=None)
        return
    existing = await find_source_by_url(context.services.db, url)
    if existing is not None and existing.deleted_at is None and existing.enabled:
        exists = texts.SOURCE_EXISTS.format(id=existing.id, name=escape(existing.name))
        await message.reply_text(exists)
        return
    shown = escape(truncate(url, SHOWN_URL))
    checking = texts.SOURCE_CHECKING.format(url=shown)
    await message.reply_text(checking, disable_web_page_preview=True)
    trial, source_id = await context.services.sources.add_source(url, name)
    if source_id is None:
        reason = escape(trial.error or texts.UNKNOWN_ERROR)
        await message.reply_text(texts.SOURCE_NOT_ADDED.format(reason=reason))
        return
    text = texts.SOURCE_ADDED.format(id=source_id, items=counted(trial.items, texts.RECORD))
    if trial.warning:
        text += texts.SOURCE_ADDED_WARNING.format(warning=escape(trial.warning))
    await message.reply_text(text)


@admin_only
async def delete_source(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    raw = args[0].removeprefix("#") if len(args) == 1 else ""
    if not _ASCII_DIGITS.fullmatch(raw):  # not str.isdigit(): that accepts "²" and "①"
        await message.reply_text(texts.DEL_SOURCE_USAGE, parse_mode=None)
        return
    source_id = int(raw)
    removed = (
        await context.services.sources.delete_source(source_id) if source_id <= _MAX_ID else None
    )
    if removed is None:
        await message.reply_text(texts.SOURCE_MISSING.format(id=raw))
        return
    await message.reply_text(texts.SOURCE_DELETED.format(id=removed.id, name=escape(removed.name)))


_ASCII_DIGITS = re.compile(r"[0-9]+")
_MAX_ID = 2**63 - 1  # SQLite's largest INTEGER


def register(app: NewsApplication, config: Config) -> None:
    """Add this module's handlers to ``app``."""
    app.add_handler(CommandHandler("sources", list_sources))
    app.add_handler(CommandHandler("addsource", add_source))
    app.add_handler(CommandHandler("delsource", delete_source))
