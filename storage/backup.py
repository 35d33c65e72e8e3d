"""Online backup: a consistent copy of the database while the bot keeps writing to it.

SQLite's backup API copies the database page by page, ``pages_per_step`` pages per step, and
holds the source's read lock only during a step (in WAL mode a reader never blocks the bot's
writes anyway).  When another connection — the running bot — writes between two steps, SQLite
restarts the copy from the first page so that the result is consistent.  A bot that writes
every few milliseconds (a broadcast records outcomes continuously) could keep restarting a
stepped copy forever, so after ``max_restarts`` restarts the copy is finished in one step: one
read transaction that sees a single snapshot while the bot goes on writing to the WAL.

The copy is written to a temporary file beside the target, checked with ``PRAGMA
quick_check``, switched to the rollback journal (a single self-contained file) and then
renamed into place, so a failed or interrupted backup never leaves a half-written file at the
target path.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BackupError", "BackupResult", "backup_database"]

PAGES_PER_STEP = 1024  # 4 MiB per step at SQLite's default page size
STEP_PAUSE = 0.005  # seconds between steps: the bot's writes get the lock in between
MAX_RESTARTS = 3


class BackupError(Exception):
    """The backup cannot be made; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    bytes: int
    pages: int
    restarts: int  # times the bot's writes restarted the stepped copy
    one_step: bool  # finished in one step after too many restarts
    seconds: float


class _Restarted(Exception):
    pass


def _check_paths(source: Path, target: Path, *, force: bool) -> None:
    if not source.is_file():
        raise BackupError(f"database {str(source)!r} not found")
    if target.exists() and not target.is_file():
        raise BackupError(f"{str(target)!r} exists and is not a file")
    if target.exists() and not force:
        raise BackupError(f"{str(target)!r} already exists (use --force to overwrite it)")
    if target.resolve() == source.resolve():
        raise BackupError("the backup target is the database itself")
    directory = target.parent
    if not directory.is_dir():
        raise BackupError(f"directory {str(directory)!r} does not exist")


def _copy(
    src: sqlite3.Connection,
    dst: sqlite3.Connection,
    pages_per_step: int,
    pause: float,
    max_restarts: int,
) -> tuple[int, bool]:
    """Stepped copy; (restarts, finished in one step)."""
    restarts = 0
    remaining_before: int | None = None

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal remaining_before, restarts
        if remaining_before is not None and remaining > remaining_before:
            restarts += 1
            if restarts > max_restarts:
                raise _Restarted
        remaining_before = remaining
        if remaining and pause > 0:
            # sqlite3's own ``sleep`` applies only after SQLITE_BUSY; pause between steps here.
            time.sleep(pause)

    try:
        src.backup(dst, pages=pages_per_step, progress=progress)
    except _Restarted:
        src.backup(dst, pages=-1)
        return restarts - 1, True
    return restarts, False


def backup_database(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    pages_per_step: int = PAGES_PER_STEP,
    pause: float = STEP_PAUSE,
    max_restarts: int = MAX_RESTARTS,
    busy_timeout_ms: int = 10_000,
) -> BackupResult:
    """Copy the database at ``source`` to ``target`` (see the module docstring).

    Blocking: call it from a thread (``asyncio.to_thread``) inside an event loop.
    Raises :class:`BackupError` with a one-line reason.
    """
    src_path, dst_path = Path(source), Path(target)
    _check_paths(src_path, dst_path, force=force)
    started = time.monotonic()
    temp = dst_path.with_name(f".{dst_path.name}.{os.getpid()}.partial")
    try:  # create the file first: the one honest test of "can I write there" (root included)
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as exc:
        raise BackupError(
            f"cannot write in {str(dst_path.parent)!r}: {exc.strerror or exc}"
        ) from None
    try:
        # mode=rw: never create a database where there was none.
        src = sqlite3.connect(
            f"{src_path.resolve().as_uri()}?mode=rw", uri=True, timeout=busy_timeout_ms / 1000
        )
        with contextlib.closing(src):
            _check_source(src, src_path)
            with contextlib.closing(sqlite3.connect(temp)) as dst:
                restarts, one_step = _copy(src, dst, pages_per_step, pause, max_restarts)
                pages = _finish_copy(dst)
        os.replace(temp, dst_path)
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {str(dst_path)!r}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    return BackupResult(
        dst_path,
        dst_path.stat().st_size,
        pages,
        restarts,
        one_step,
        time.monotonic() - started,
    )


def _check_source(src: sqlite3.Connection, path: Path) -> None:
    try:
        version = src.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{str(path)!r} is not a usable SQLite database: {exc}") from None
    if not version:
        raise BackupError(f"{str(path)!r} is not a newsbot database (schema version 0)")


def _finish_copy(dst: sqlite3.Connection) -> int:
    """Check the copy, make it one self-contained file; returns its page count."""
    problem = dst.execute("PRAGMA quick_check").fetchone()[0]
    if problem != "ok":
        raise BackupError(f"the copy failed its integrity check: {problem}")
    dst.execute("PRAGMA journal_mode = DELETE")
    return int(dst.execute("PRAGMA page_count").fetchone()[0])
