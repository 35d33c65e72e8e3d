"""Broadcast progress and summary texts."""

from __future__ import annotations

from bot.delivery.progress import progress_text, summary_text
from storage.deliveries import DeliveryCounts


def test_progress_reads_naturally_with_grouped_numbers() -> None:
    text = progress_text(DeliveryCounts(pending=1800, sent=1200))
    assert text == "Розсилка триває…\nНадіслано: 1\u00a0200 з 3\u00a0000"


def test_progress_and_summary_say_the_sent_count_alike() -> None:
    counts = DeliveryCounts(pending=0, sent=0, skipped=1)
    assert progress_text(counts).splitlines()[1] == "Надіслано: 0 з 1"
    assert summary_text(counts).splitlines()[1] == "Надіслано: 0 з 1"


def test_summary_counts_sent_blocked_and_failed() -> None:
    text = summary_text(DeliveryCounts(sent=2950, skipped=40, failed=10))
    assert text.splitlines() == [
        "Розсилку завершено.",
        "Надіслано: 2\u00a0950 з 3\u00a0000",
        "Заблокували бота або недоступні: 40",
        "Не вдалося надіслати: 10",
    ]
