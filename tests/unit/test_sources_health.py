"""/sources text (pure formatting)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.fakes import check_telegram_html
from bot.sources.health import format_sources, source_status
from bot.telegram_text import MAX_TEXT, utf16_len
from storage.sources import SourceRecord

NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
BASE = SourceRecord(
    id=1,
    name="ГОРДОН <top>",
    url="https://gordonua.com/ukr/xml/rss_category/top.html?a=1&b=2",
    origin="config",
    enabled=True,
    deleted_at=None,
    etag=None,
    last_modified=None,
    body_sha=None,
    first_success_at=None,
    last_success_at=None,
    last_polled_at=None,
    last_item_count=None,
    last_error=None,
    last_error_at=None,
    last_warning=None,
    consecutive_failures=0,
    next_poll_at=None,
    created_at=NOW,
)


def test_states() -> None:
    assert source_status(BASE, NOW) == ("🕓", "ще не опитувалося")
    ok = replace(BASE, last_success_at=NOW, last_item_count=21)
    assert source_status(ok, NOW) == ("✅", "оновлено 29 березня 2025, 11:30 · у стрічці 21 запис")
    odd = replace(ok, last_warning="1 запис з повторюваним guid пропущено")
    assert source_status(odd, NOW)[0] == "🟡"
    failing = replace(
        ok,
        last_error="сервер відповів помилкою 503 (сервіс недоступний)",
        consecutive_failures=5,
        next_poll_at=NOW + timedelta(hours=1),
    )
    assert source_status(failing, NOW) == (
        "⚠️",
        "помилка: сервер відповів помилкою 503 (сервіс недоступний) — 5 невдач поспіль; "
        "наступна спроба 29 березня 2025, 12:30",
    )
    assert source_status(replace(ok, enabled=False), NOW) == (
        "⏸",
        "вимкнено (немає в конфігурації)",
    )


def test_message_is_valid_telegram_html() -> None:
    (text,) = format_sources([replace(BASE, origin="admin")], NOW)
    check_telegram_html(text)
    assert "ГОРДОН &lt;top&gt;" in text and "?a=1&amp;b=2" in text
    assert "додано адміном" in text


def test_long_lists_are_split() -> None:
    many = [replace(BASE, id=i, name=f"Джерело {i}" * 5) for i in range(1, 80)]
    messages = format_sources(many, NOW)
    assert len(messages) > 1
    assert all(utf16_len(m) <= MAX_TEXT for m in messages)
    joined = "\n\n".join(messages)
    assert all(f"#{i} " in joined for i in range(1, 80))
    for m in messages:
        check_telegram_html(m)


def test_emoji_names_are_counted_as_telegram_counts_them() -> None:
    """Each flag is 2 code points but 4 UTF-16 units: split by len() at 3 800 characters,
    these messages were ~5 500 units long and Telegram refused them."""
    names = ["🇺🇦" * 25 + f" {i}" for i in range(1, 60)]
    many = [replace(BASE, id=i, name=name) for i, name in enumerate(names, 1)]
    messages = format_sources(many, NOW)
    assert all(utf16_len(m) <= MAX_TEXT for m in messages)
    joined = "\n\n".join(messages)
    assert all(f"#{i} " in joined for i in range(1, 60))
