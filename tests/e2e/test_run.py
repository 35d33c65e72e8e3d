"""``newsbot run`` end to end: start, answer in Ukrainian, stop cleanly, never log the token."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from e2e_harness import TOKEN, ConfigWriter, StartBot

from bot.fakes import FakeTelegram

USER = 5551


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
async def test_start_gets_a_ukrainian_reply_and_a_signal_stops_cleanly(
    telegram: FakeTelegram,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
    stop_signal: signal.Signals,
) -> None:
    bot = await start_bot(bot_config())

    menu = {c["command"]: c["description"] for c in telegram.commands}
    assert {"start", "latest", "losses", "help", "stop"} <= set(menu)
    assert menu["losses"] == "Втрати російських окупантів"

    telegram.user_message(USER, "/start")
    reply = await telegram.wait_for_message(USER, timeout=20)
    assert "Вітаю" in reply.visible_text
    assert "/stop" in reply.visible_text

    assert await bot.stop(stop_signal) == 0
    with closing(sqlite3.connect(tmp_path / "newsbot.db")) as conn:
        row = conn.execute("SELECT status, type FROM chats WHERE id = ?", (USER,)).fetchone()
        assert row == ("active", "private")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "newsbot stopped" in bot.log
    assert TOKEN not in bot.log
