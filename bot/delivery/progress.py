"""Broadcast progress as the admin sees it (pure text; the engine edits the message)."""

from __future__ import annotations

from bot.uk import group_digits
from storage.deliveries import DeliveryCounts


def progress_text(counts: DeliveryCounts) -> str:
    """'Розсилка триває… Надіслано 1 200 з 3 000.'"""
    return (
        f"Розсилка триває…\nНадіслано {group_digits(counts.sent)} з {group_digits(counts.total)}."
    )


def summary_text(counts: DeliveryCounts) -> str:
    """The final edit: sent, blocked (or unreachable) and failed."""
    lines = [
        "Розсилку завершено.",
        f"Надіслано: {group_digits(counts.sent)} з {group_digits(counts.total)}",
        f"Заблокували бота або недоступні: {group_digits(counts.skipped)}",
        f"Не вдалося надіслати: {group_digits(counts.failed)}",
    ]
    return "\n".join(lines)
