"""Source health as admins read it in /sources (pure formatting, Telegram HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from bot import texts
from bot.telegram_text import pack
from bot.uk import counted, format_kyiv_time
from storage.sources import SourceRecord


def source_status(source: SourceRecord, now: datetime) -> tuple[str, str]:
    """(icon, one line of plain words) for one source."""
    if not source.enabled:
        return "⏸", texts.SOURCE_DISABLED
    if source.last_error is not None:
        failures = counted(source.consecutive_failures, texts.FAILURE)
        line = texts.SOURCE_FAILING.format(error=source.last_error, failures=failures)
        if source.next_poll_at is not None and source.next_poll_at > now:
            line += texts.SOURCE_NEXT_TRY.format(time=format_kyiv_time(source.next_poll_at))
        return "⚠️", line
    if source.last_success_at is None:
        return "🕓", texts.SOURCE_NEVER_POLLED
    line = texts.SOURCE_UPDATED.format(time=format_kyiv_time(source.last_success_at))
    if source.last_item_count is not None:
        line += texts.SOURCE_ITEMS.format(items=counted(source.last_item_count, texts.RECORD))
    if source.last_warning:
        line += texts.SOURCE_WARNING.format(warning=source.last_warning)
        return "🟡", line
    return "✅", line


def format_sources(sources: Sequence[SourceRecord], now: datetime) -> list[str]:
    """The /sources reply, split between sources into messages that fit Telegram's limit."""
    if not sources:
        return [texts.SOURCES_EMPTY]
    healthy = sum(1 for s in sources if s.enabled and s.last_error is None)
    header = texts.SOURCES_HEADER_HTML.format(total=len(sources), healthy=healthy)
    blocks = []
    for s in sources:
        icon, status = source_status(s, now)
        host = urlsplit(s.url).hostname or s.url
        added = texts.SOURCE_ADDED_BY_ADMIN if s.origin == "admin" else ""
        blocks.append(
            f"{icon} <b>#{s.id} {escape(s.name)}</b> — "
            f'<a href="{escape(s.url)}">{escape(host)}</a>{added}\n{escape(status)}'
        )
    return pack([header, *blocks, texts.SOURCES_FOOTER])
