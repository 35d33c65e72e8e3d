"""Broadcast progress as the admin sees it (pure text; the engine edits the message)."""

from __future__ import annotations

from bot import texts
from bot.uk import group_digits
from storage.deliveries import DeliveryCounts


def _sent(counts: DeliveryCounts) -> str:
    return texts.BROADCAST_SENT.format(
        sent=group_digits(counts.sent), total=group_digits(counts.total)
    )


def progress_text(counts: DeliveryCounts) -> str:
    """'Розсилка триває…\nНадіслано: 1 200 з 3 000' (punctuated as the summary is)."""
    return "\n".join([texts.BROADCAST_IN_PROGRESS, _sent(counts)])


def summary_text(counts: DeliveryCounts) -> str:
    """The final edit: sent, blocked (or unreachable) and failed."""
    lines = [
        texts.BROADCAST_DONE,
        _sent(counts),
        texts.BROADCAST_SKIPPED.format(skipped=group_digits(counts.skipped)),
        texts.BROADCAST_FAILED.format(failed=group_digits(counts.failed)),
    ]
    return "\n".join(lines)
