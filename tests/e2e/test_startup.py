"""``newsbot run`` while Telegram is away or refuses the token, end to end.

* Telegram (the fake) comes up a few seconds after the bot: the bot keeps asking getMe with
  backoff, one log line per attempt, then serves; no traceback.
* Telegram goes away between getMe and the start of polling: one line, and it waits again.
* Telegram answers 401 or 404 to getMe: one line, exit status 2.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from e2e_harness import TOKEN, BotProcess, ConfigWriter, StartBot

from bot.fakes import FakeTelegram
from bot.startup import TOKEN_REJECTED

USER = 6101


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def _spawn(config: Path) -> AsyncIterator[BotProcess]:
    """``newsbot run`` in a subprocess, not waiting for anything; killed on exit."""
    log_path = config.parent / "bot.log"
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    with log_path.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "run", "--config", str(config)),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            env=clean_env,
            cwd=config.parent,
        )
    bot = BotProcess(proc, log_path)
    try:
        yield bot
    finally:
        await bot.kill()


def _attempt_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Telegram is not reachable yet" in line]


async def test_the_bot_waits_for_telegram_then_serves(
    bot_config: ConfigWriter, tmp_path: Path
) -> None:
    port = _free_port()
    config = bot_config(telegram={"api_url": f"http://127.0.0.1:{port}"})
    async with _spawn(config) as bot:
        await bot.wait_for_log(lambda log: len(_attempt_lines(log)) >= 2, timeout=30)
        async with FakeTelegram(token=TOKEN, port=port) as telegram:
            await telegram.wait_until(lambda: bool(telegram.calls_of("getUpdates")), 30)
            telegram.user_message(USER, "/start")
            reply = await telegram.wait_for_message(USER, timeout=20)
            assert "Вітаю" in reply.visible_text
            assert await bot.stop() == 0
    log = bot.log
    assert "Traceback" not in log
    first, second = _attempt_lines(log)[:2]
    assert "(attempt 1: " in first and first.endswith("next try in 2 s")
    assert "(attempt 2: " in second and second.endswith("next try in 4 s")
    assert "Telegram answered on attempt" in log
    assert TOKEN not in log


async def test_telegram_lost_between_getme_and_polling_is_waited_for_again(
    telegram: FakeTelegram, bot_config: ConfigWriter, start_bot: StartBot
) -> None:
    telegram.fail_next("deleteWebhook", status=502)  # polling's bootstrap, after getMe
    bot = await start_bot(bot_config())
    telegram.user_message(USER, "/start")
    await telegram.wait_for_message(USER, timeout=20)
    assert await bot.stop() == 0
    log = bot.log
    assert "Traceback" not in log
    (line,) = [x for x in log.splitlines() if "could not be reached while starting" in x]
    assert "Bad Gateway" in line
    assert len(telegram.calls_of("deleteWebhook")) == 2


@pytest.mark.parametrize("status", [401, 404])
async def test_a_rejected_token_is_one_line_and_exit_2(
    telegram: FakeTelegram, bot_config: ConfigWriter, tmp_path: Path, status: int
) -> None:
    telegram.fail_next("getMe", status=status, count=5)
    async with _spawn(bot_config()) as bot:
        code = await asyncio.wait_for(bot.proc.wait(), 30)
    assert code == 2, bot.log
    lines = bot.log.strip().splitlines()
    assert lines == [TOKEN_REJECTED]
    assert [c.method for c in telegram.calls] == ["getMe"]
    assert not (tmp_path / "newsbot.db").exists()


async def test_a_wrong_token_is_rejected_by_telegram(
    telegram: FakeTelegram, bot_config: ConfigWriter
) -> None:
    """The fake answers 401 to a token it does not know, as Telegram does."""
    config = bot_config(telegram={"token": "111:not-the-bots-token"})
    async with _spawn(config) as bot:
        code = await asyncio.wait_for(bot.proc.wait(), 30)
    assert (code, bot.log.strip()) == (2, TOKEN_REJECTED)
    assert "not-the-bots-token" not in bot.log


async def test_sigterm_while_waiting_for_telegram_stops_cleanly(
    bot_config: ConfigWriter,
) -> None:
    config = bot_config(telegram={"api_url": f"http://127.0.0.1:{_free_port()}"})
    async with _spawn(config) as bot:
        await bot.wait_for_log(lambda log: bool(_attempt_lines(log)), timeout=30)
        assert await bot.stop(signal.SIGTERM, timeout=10) == 0
    assert "Traceback" not in bot.log
    assert "stopped while waiting for Telegram" in bot.log
