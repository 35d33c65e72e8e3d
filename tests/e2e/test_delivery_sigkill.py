"""Crash safety: SIGKILL the real bot in the middle of a broadcast, restart it, lose nothing.

Rows in flight at the kill may be sent twice; the engine bounds that by its concurrency.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

from e2e_harness import ConfigWriter, StartBot
from pipeline_support import import_subscribers, start_broadcast

from bot.fakes import FakeTelegram
from bot.fakes.telegram import Limits

SUBSCRIBERS = list(range(200_000, 200_400))
CONCURRENCY = 8
TEXT = "Перевірка розсилки: <усім> & кожному"


def _received(telegram: FakeTelegram) -> Counter[int]:
    return Counter(m.chat_id for m in telegram.sent if m.visible_text == TEXT)


async def test_sigkill_mid_broadcast_then_restart_delivers_to_everyone(
    telegram: FakeTelegram, bot_config: ConfigWriter, start_bot: StartBot, tmp_path: Path
) -> None:
    await import_subscribers(tmp_path / "newsbot.db", SUBSCRIBERS)
    telegram.limits = Limits(overall_per_s=1000, per_chat_per_s=20)
    config = bot_config(
        delivery={
            "overall_per_second": 150,
            "allow_paid_broadcast": True,
            "per_chat_per_second": 20,
            "concurrency": CONCURRENCY,
            "progress_seconds": 0.5,
        }
    )
    env = {"PTB_TIMEDELTA": "1"}
    first = await start_bot(config, **env)

    preview = await start_broadcast(telegram, TEXT)
    await telegram.wait_until(lambda: len(_received(telegram)) >= 120, timeout=30)
    await first.kill()
    at_kill = _received(telegram)
    assert len(at_kill) < len(SUBSCRIBERS), "the broadcast finished before the kill"

    second = await start_bot(config, **env)
    await telegram.wait_until(lambda: len(_received(telegram)) == len(SUBSCRIBERS), timeout=60)
    await telegram.wait_until(lambda: "Розсилку завершено" in preview.visible_text, timeout=20)
    assert await second.stop() == 0

    received = _received(telegram)
    assert set(received) == set(SUBSCRIBERS)  # nobody lost
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= CONCURRENCY, f"{duplicates} duplicates > concurrency {CONCURRENCY}"
    assert "Надіслано: 400 з 400" in preview.visible_text.replace("\u00a0", " ")
    with closing(sqlite3.connect(tmp_path / "newsbot.db")) as conn:
        rows = conn.execute(
            "SELECT status, COUNT(*), COUNT(message_id) FROM deliveries GROUP BY status"
        ).fetchall()
    assert rows == [("sent", 400, 400)]
