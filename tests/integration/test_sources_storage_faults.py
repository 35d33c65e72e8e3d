"""Polls while the database cannot be written: one plain log line when the writes start failing
and one when they work again — not a traceback per source and poll (issue 10) — and the items
that came meanwhile are recorded and pushed once the database takes writes again.

Two faults: a write lock another process holds past the busy timeout (runs everywhere) and a
real full disk (the database on a small tmpfs taken up by a filler file; needs ``mount``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager, closing
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.fakes import FakeNews
from storage import Database
from tests.integration.test_sources_support import Item, rss, sources_env
from tests.small_disk import fill, mounted_tmpfs

Fault = tuple[Callable[[], None], Callable[[], None]]  # start it, end it


@asynccontextmanager
async def _database(where: str, tmp_path: Path) -> AsyncIterator[tuple[Database, Fault]]:
    with ExitStack() as stack:
        if where == "disk full":
            disk = stack.enter_context(mounted_tmpfs(tmp_path / "disk", "4m"))
            path = disk / "newsbot.db"
        else:
            path = tmp_path / "newsbot.db"
        db = await Database.open(path)
        other = stack.enter_context(closing(sqlite3.connect(path, isolation_level=None)))
        fillers: list[Path] = []

        def start() -> None:
            if where == "disk full":
                other.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every write needs space
                fillers.append(fill(path.parent))
            else:
                other.execute("BEGIN IMMEDIATE")  # another process holds the write lock

        def end() -> None:
            if fillers:
                os.unlink(fillers.pop())
            else:
                other.execute("ROLLBACK")

        try:
            await db.conn.execute("PRAGMA busy_timeout = 50")
            yield db, (start, end)
        finally:
            await db.close()


@pytest.mark.parametrize("where", ["lock held", "disk full"])
async def test_polls_on_an_unwritable_database_log_one_line_each_way(
    where: str, tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        _database(where, tmp_path) as (db, (start, end)),
        FakeNews() as news,
        sources_env(db, clock) as env,
    ):
        news.set("/a.xml", rss([Item(1)], clock.now()))
        news.set("/b.xml", rss([Item(50)], clock.now()))
        await env.add(news.url_for("/a.xml"))
        await env.add(news.url_for("/b.xml"))  # answers 304 from now on
        await env.service.poll_all()
        caplog.set_level(logging.INFO)
        start()
        for n in range(2, 5):  # a new item a poll on one feed; the other one unchanged
            clock.advance(timedelta(minutes=5))
            news.set("/a.xml", rss([Item(n, minutes_ago=1), Item(1)], clock.now()))
            report = await env.service.poll_all()
            assert {o.status for o in report.outcomes} == {"error"}
        assert env.pushed == []
        end()
        clock.advance(timedelta(minutes=5))
        report = await env.service.poll_all()

        assert sorted(o.status for o in report.outcomes) == ["not_modified", "parsed"]
        assert len(env.pushed) == 1  # the feed's newest item, once the poll could record it
        service_lines = [r for r in caplog.records if r.name == "bot.sources.service"]
        assert [(r.levelname, r.exc_info) for r in service_lines] == [
            ("WARNING", None),
            ("INFO", None),
        ]
        paused, resumed = (r.getMessage() for r in service_lines)
        assert paused.startswith("polls not recorded: the database is not writable (")
        assert resumed == "polls recorded again: the database is writable"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
