"""Commands from many different chats leave no per-chat state behind in the application.

The soak benchmark (benchmarks/soak.py) measures the bot's memory over time; this test pins
what must never grow with the number of chats that ever wrote to the bot: PTB's chat_data and
user_data (the bot keeps its state in SQLite, never there) and the per-chat update queues.
"""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import (
    Config,
    DeliveryConfig,
    LossesConfig,
    OpsConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.fakes.telegram import FakeTelegram, Limits
from bot.updates import PerChatUpdateProcessor

DEAD = "http://127.0.0.1:9/unreachable"
CHATS = 200


async def test_many_chats_leave_no_per_chat_state(tmp_path: Path, clock: ManualClock) -> None:
    async with FakeTelegram(limits=Limits(enabled=False)) as tg:
        config = Config(
            telegram=TelegramConfig(token=tg.token, api_url=tg.api_url),
            ops=OpsConfig(listen=""),
            storage=StorageConfig(database=str(tmp_path / "bot.db")),
            losses=LossesConfig(url=DEAD, fallback_url=DEAD),
            delivery=DeliveryConfig(limits_enabled=False),
            sources=(),
        )
        app = build_application(config, clock=clock)
        async with running(app, poll_timeout=0.2):
            for n in range(CHATS):
                tg.user_message(500_000 + n, ("/start", "/help", "/latest")[n % 3])
            await tg.wait_until(lambda: len({m.chat_id for m in tg.sent}) >= CHATS, timeout=60)
            processor = app.update_processor
            assert isinstance(processor, PerChatUpdateProcessor)
            await tg.wait_until(lambda: processor.chats == 0, timeout=10)
            assert len(app.chat_data) == 0
            assert len(app.user_data) == 0
