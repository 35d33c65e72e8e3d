"""A full disk in the middle of a broadcast: the real bot pauses, then finishes by itself.

The database lives on a small tmpfs.  Once the broadcast is under way a filler file takes every
free byte (SQLite now answers SQLITE_FULL); later the filler is deleted.  Every subscriber must
get the broadcast exactly once — before issue 10 each unwritten outcome was sent again at once.
Needs ``mount -t tmpfs`` (root); skipped with the reason where mounting is refused.
"""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from e2e_harness import ADMIN_ID, BotProcess, ConfigWriter, StartBot

from bot.fakes import FakeTelegram
from bot.fakes.telegram import Limits
from storage import Database, chats

SUBSCRIBERS = list(range(300_000, 300_400))
CONCURRENCY = 8
TEXT = "Перевірка розсилки на повному диску"
DISK = "4m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, unmounted at teardown."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(mount_point)],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("no mount command on this machine")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(disk: Path) -> Path:
    """Take every free byte of ``disk`` with one file; returns it (delete it to free space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        size = 1 << 20
        while size:
            try:
                os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                size //= 2  # smaller and smaller, down to the last byte
    finally:
        os.close(fd)
    return filler


def _received(telegram: FakeTelegram) -> Counter[int]:
    return Counter(m.chat_id for m in telegram.sent if m.visible_text == TEXT)


async def _until_logged(bot: BotProcess, line: str, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Wait for ``line`` in the bot's log (another process: nothing to wait on but the file)."""
    async with asyncio.timeout(timeout):
        while line not in bot.log:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_a_broadcast_survives_a_full_disk_and_reaches_everyone_once(
    telegram: FakeTelegram,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    small_disk: Path,
) -> None:
    path = small_disk / "newsbot.db"
    db = await Database.open(path)
    try:
        now = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
        await chats.import_chats(db, ((c, "private", f"u{c}") for c in SUBSCRIBERS), now)
    finally:
        await db.close()
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

    telegram.user_message(ADMIN_ID, f"/broadcast {TEXT}")
    preview = await telegram.wait_for_message(ADMIN_ID, "Попередній перегляд", timeout=20)
    assert preview.reply_markup is not None
    send = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    telegram.callback(ADMIN_ID, ADMIN_ID, preview.message_id, send)
    await telegram.wait_until(lambda: len(_received(telegram)) >= 60, timeout=30)

    filler = _fill(small_disk)
    await _until_logged(bot, "delivery paused")
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
