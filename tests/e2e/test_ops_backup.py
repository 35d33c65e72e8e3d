"""``newsbot backup`` while the real bot is in the middle of a broadcast: the copy opens, passes
``PRAGMA integrity_check`` and holds a consistent moment of the ledger."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path

from e2e_harness import ConfigWriter, StartBot
from pipeline_support import import_subscribers, start_broadcast

from bot.fakes import FakeTelegram
from bot.fakes.telegram import Limits

SUBSCRIBERS = list(range(300_000, 301_500))
TEXT = "Перевірка резервної копії під час розсилки"


def _received(telegram: FakeTelegram) -> int:
    return len(Counter(m.chat_id for m in telegram.sent if m.visible_text == TEXT))


async def test_backup_taken_during_a_broadcast_is_consistent(
    telegram: FakeTelegram, bot_config: ConfigWriter, start_bot: StartBot, tmp_path: Path
) -> None:
    await import_subscribers(tmp_path / "newsbot.db", SUBSCRIBERS)
    telegram.limits = Limits(overall_per_s=1000, per_chat_per_s=20)
    config = bot_config(
        delivery={
            "overall_per_second": 200,
            "allow_paid_broadcast": True,
            "per_chat_per_second": 20,
            "progress_seconds": 0.5,
        }
    )
    bot = await start_bot(config)
    await start_broadcast(telegram, TEXT)
    await telegram.wait_until(lambda: _received(telegram) >= 100, timeout=30)

    copy = tmp_path / "backup" / "newsbot-copy.db"
    copy.parent.mkdir()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "backup",
        "--config",
        str(config),
        str(copy),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    sent_at_backup_end = _received(telegram)
    assert proc.returncode == 0, err.decode()
    assert f"written to {copy}" in out.decode()
    assert sent_at_backup_end < len(SUBSCRIBERS), "the broadcast finished before the backup"

    await telegram.wait_until(lambda: _received(telegram) == len(SUBSCRIBERS), timeout=60)
    assert await bot.stop() == 0

    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        subscribers = conn.execute("SELECT COUNT(*) FROM chats WHERE status = 'active'")
        assert subscribers.fetchone()[0] >= len(SUBSCRIBERS)
        rows = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM deliveries WHERE kind = 'broadcast' GROUP BY status"
            ).fetchall()
        )
        # A moment in the middle: every subscriber has a row; some were sent, some were not.
        assert sum(rows.values()) == len(SUBSCRIBERS)
        assert 0 < rows.get("sent", 0) < len(SUBSCRIBERS)
        assert rows.get("pending", 0) > 0
        sent_ids = conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND message_id IS NULL"
        ).fetchone()[0]
        assert sent_ids == 0  # a row is sent only with Telegram's message id: never torn
