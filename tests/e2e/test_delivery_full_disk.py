"""A full disk in the middle of a broadcast: the real bot pauses, then finishes by itself.

The database lives on a small tmpfs.  Once the broadcast is under way a filler file takes every
free byte (SQLite now answers SQLITE_FULL); later the filler is deleted.  Every subscriber must
get the broadcast exactly once — before issue 10 each unwritten outcome was sent again at once.
Needs ``mount -t tmpfs`` (root); skipped with the reason where mounting is refused.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from e2e_harness import ConfigWriter, StartBot
from pipeline_support import import_subscribers, start_broadcast

from bot.fakes import FakeTelegram
from bot.fakes.telegram import Limits
from tests.small_disk import fill, mounted_tmpfs

SUBSCRIBERS = list(range(300_000, 300_400))
CONCURRENCY = 8
TEXT = "Перевірка розсилки на повному диску"
DISK = "4m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, unmounted at teardown."""
    with mounted_tmpfs(tmp_path / "disk", DISK) as disk:
        yield disk


def _received(telegram: FakeTelegram) -> Counter[int]:
    return Counter(m.chat_id for m in telegram.sent if m.visible_text == TEXT)


async def test_a_broadcast_survives_a_full_disk_and_reaches_everyone_once(
    telegram: FakeTelegram,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    small_disk: Path,
) -> None:
    path = small_disk / "newsbot.db"
    await import_subscribers(path, SUBSCRIBERS)
    telegram.limits = Limits(overall_per_s=1000, per_chat_per_s=20)
    config = bot_config(
        storage={"database": str(path)},
        delivery={
            "overall_per_second": 60,  # about 7 s for everyone: time to fill the disk midway
            "allow_paid_broadcast": True,
            "per_chat_per_second": 20,
            "concurrency": CONCURRENCY,
            "progress_seconds": 0.5,
        },
    )
    bot = await start_bot(config, PTB_TIMEDELTA="1")

    preview = await start_broadcast(telegram, TEXT)
    await telegram.wait_until(lambda: len(_received(telegram)) >= 60, timeout=30)

    filler = fill(small_disk)
    await bot.wait_for_log("delivery paused", 30)
    at_pause = len(telegram.sent)
    assert len(_received(telegram)) < len(SUBSCRIBERS), "the broadcast finished before the fault"
    # The disk stays full: only the sends already in flight may still arrive, never a repeat.
    with pytest.raises(TimeoutError):
        await telegram.wait_until(lambda: len(telegram.sent) > at_pause + CONCURRENCY, 3.0)
    assert max(_received(telegram).values()) == 1

    os.unlink(filler)  # space again: the bot resumes by itself
    await telegram.wait_until(lambda: len(_received(telegram)) == len(SUBSCRIBERS), timeout=60)
    await telegram.wait_until(lambda: "Розсилку завершено" in preview.visible_text, timeout=20)
    assert await bot.stop() == 0

    assert _received(telegram) == Counter(SUBSCRIBERS)  # everyone, exactly once
    assert "Надіслано: 400 з 400" in preview.visible_text.replace("\u00a0", " ")
    log = bot.log
    assert log.count("delivery paused") == 1 and log.count("delivery resumed") == 1
    assert log.count("database not writable:") == 1
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall()
    assert rows == [("sent", 400)]
