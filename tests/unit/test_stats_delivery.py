"""/stats shows what delivery could not do: paused on a full disk, expired, unanswered sends."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.fakes.telegram import check_telegram_html
from handlers.admin import Today, stats_html

NOW = datetime(2025, 3, 29, 9, 5, tzinfo=UTC)


def test_stats_counts_expired_and_unanswered_deliveries_and_a_pause() -> None:
    text = stats_html({}, Today(), 12_500, [], None, NOW, expired=120_000, unknown=3, paused=True)
    check_telegram_html(text)
    lines = text.replace("\u00a0", " ").splitlines()
    at = lines.index("У черзі на надсилання: 12 500")
    assert lines[at + 1] == "⚠️ Надсилання призупинено: база даних недоступна для запису"
    assert lines[at + 2] == (
        "Не доставлено: застарілі новини — 120 000, "
        "без відповіді Telegram (повторно не надсилали) — 3"
    )


def test_stats_says_nothing_of_them_when_all_is_well() -> None:
    text = stats_html({}, Today(), 0, [], None, NOW)
    assert "призупинено" not in text and "Не доставлено" not in text
