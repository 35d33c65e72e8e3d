"""storage.backup: consistent copies while another connection writes, and one clear line for
every way a backup cannot be made."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from storage import Database
from storage.backup import BackupError, backup_database


def _make_db(path: Path, rows: int = 2000) -> None:
    asyncio.run(_fill(path, rows))


async def _fill(path: Path, rows: int) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO chats (id, type, title, joined_at, updated_at)"
                " VALUES (?, 'private', ?, '2025-03-29', '2025-03-29')",
                ((i, f"читач {i} " + "x" * 200) for i in range(1, rows + 1)),
            )
    finally:
        await db.close()


def _check(path: Path) -> tuple[str, int, int, str]:
    with closing(sqlite3.connect(path)) as conn:
        return (
            conn.execute("PRAGMA integrity_check").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM chats").fetchone()[0],
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA journal_mode").fetchone()[0],
        )


def test_backup_while_another_connection_keeps_writing(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    _make_db(source)
    stop, writing = threading.Event(), threading.Event()

    def writer() -> None:  # the running bot, as SQLite sees it: another connection writing
        with closing(sqlite3.connect(source, isolation_level=None, timeout=10)) as conn:
            n = 100_000
            while not stop.is_set():
                conn.execute(
                    "INSERT INTO chats (id, type, title, joined_at, updated_at)"
                    " VALUES (?, 'private', 'новий', '2025-03-29', '2025-03-29')",
                    (n,),
                )
                n += 1
                if n - 100_000 == 50:
                    writing.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        # One page per step: the writer restarts the stepped copy until it finishes in one step.
        result = backup_database(source, tmp_path / "copy.db", pages_per_step=1, pause=0.001)
    finally:
        stop.set()
        thread.join()
    assert result.one_step and result.restarts == 3
    integrity, chats, version, journal = _check(tmp_path / "copy.db")
    assert integrity == "ok" and version > 0 and journal == "delete"
    assert chats >= 2000
    assert result.bytes == (tmp_path / "copy.db").stat().st_size
    assert not list(tmp_path.glob(".copy.db.*"))  # no partial file left behind


def test_a_quiet_database_is_copied_in_steps(tmp_path: Path) -> None:
    _make_db(tmp_path / "quiet.db")
    result = backup_database(tmp_path / "quiet.db", tmp_path / "copy.db", pages_per_step=8)
    assert (result.restarts, result.one_step) == (0, False)
    assert _check(tmp_path / "copy.db")[:2] == ("ok", 2000)
    assert result.pages * 4096 >= result.bytes > 0


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    _make_db(tmp_path / "n.db", rows=1)
    (tmp_path / "exists.db").write_bytes(b"old")
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite at all" * 100)
    (tmp_path / "empty.db").touch()
    cases = [
        (tmp_path / "missing.db", tmp_path / "a.db", "not found"),
        (tmp_path / "n.db", tmp_path / "exists.db", "already exists (use --force"),
        (tmp_path / "n.db", tmp_path / "no-dir" / "a.db", "does not exist"),
        (tmp_path / "n.db", tmp_path / "n.db", "already exists"),
        (tmp_path / "n.db", tmp_path, "is not a file"),
        (tmp_path / "junk.db", tmp_path / "b.db", "not a usable SQLite database"),
        (tmp_path / "empty.db", tmp_path / "c.db", "not a newsbot database"),
    ]
    for source, target, words in cases:
        with pytest.raises(BackupError, match=words.replace("(", r"\(")):
            backup_database(source, target)
    assert (tmp_path / "exists.db").read_bytes() == b"old"
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "c.db").exists()

    result = backup_database(tmp_path / "n.db", tmp_path / "exists.db", force=True)
    assert _check(result.path)[:2] == ("ok", 1)


def test_an_unwritable_target_directory_is_refused(tmp_path: Path) -> None:
    _make_db(tmp_path / "n.db", rows=1)
    with pytest.raises(BackupError, match="cannot write in"):
        backup_database(tmp_path / "n.db", Path("/proc/newsbot-backup.db"))


def test_cli_prints_where_and_how_big_or_one_error_line(tmp_path: Path) -> None:
    _make_db(tmp_path / "bot.db", rows=10)
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\ntoken = "1:x"\n[storage]\ndatabase = "{tmp_path / "bot.db"}"\n')
    command = [sys.executable, "-m", "bot", "backup", "--config", str(config)]
    ok = subprocess.run(
        [*command, str(tmp_path / "b.db")], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    size = (tmp_path / "b.db").stat().st_size
    assert f"written to {tmp_path / 'b.db'}: {size} bytes" in ok.stdout
    again = subprocess.run(
        [*command, str(tmp_path / "b.db")], capture_output=True, text=True, check=False
    )
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0
    assert "already exists (use --force" in again.stderr
    forced = subprocess.run(
        [*command, "--force", str(tmp_path / "b.db")], capture_output=True, text=True, check=False
    )
    assert forced.returncode == 0, forced.stderr
