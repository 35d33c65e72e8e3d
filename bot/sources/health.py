"""Source health as admins read it in /sources (pure formatting, Telegram HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from bot.telegram_text import pack
from bot.uk import count, format_kyiv_time
from storage.sources import SourceRecord

NO_SOURCES = "Джерел новин немає. Додати — /addsource URL [назва]."


def _records(n: int) -> str:
    return count(n, "запис", "записи", "записів")


def source_status(source: SourceRecord, now: datetime) -> tuple[str, str]:
    """(icon, one line of plain words) for one source."""
    if not source.enabled:
        return "⏸", "вимкнено (немає в конфігурації)"
    if source.last_error is not None:
        failures = count(source.consecutive_failures, "невдача", "невдачі", "невдач")
        line = f"помилка: {source.last_error} — {failures} поспіль"
        if source.next_poll_at is not None and source.next_poll_at > now:
            line += f"; наступна спроба {format_kyiv_time(source.next_poll_at)}"
        return "⚠️", line
    if source.last_success_at is None:
        return "🕓", "ще не опитувалося"
    line = f"оновлено {format_kyiv_time(source.last_success_at)}"
    if source.last_item_count is not None:
        line += f" · у стрічці {_records(source.last_item_count)}"
    if source.last_warning:
        line += f"\nзауваження: {source.last_warning}"
        return "🟡", line
    return "✅", line


def format_sources(sources: Sequence[SourceRecord], now: datetime) -> list[str]:
    """The /sources reply, split between sources into messages that fit Telegram's limit."""
    if not sources:
        return [NO_SOURCES]
    healthy = sum(1 for s in sources if s.enabled and s.last_error is None)
    header = f"<b>Джерела новин</b> — {len(sources)}, без помилок — {healthy}"
    blocks = []
    for s in sources:
        icon, status = source_status(s, now)
        host = urlsplit(s.url).hostname or s.url
        added = " · додано адміном" if s.origin == "admin" else ""
        blocks.append(
            f"{icon} <b>#{s.id} {escape(s.name)}</b> — "
            f'<a href="{escape(s.url)}">{escape(host)}</a>{added}\n{escape(status)}'
        )
    footer = "Вилучити — /delsource ID, додати — /addsource URL [назва]"
    return pack([header, *blocks, footer])
