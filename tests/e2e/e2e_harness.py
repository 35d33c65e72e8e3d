"""End-to-end harness: the real ``newsbot run`` in a subprocess, talking only to loopback fakes.

Fixtures (re-exported by conftest.py):
* ``telegram`` — a running :class:`FakeTelegram`;
* ``news`` — a running :class:`FakeNews` (feeds, pages, loss-counter API);
* ``bot_config`` — writes a TOML config pointing at those fakes (keyword overrides per section);
* ``start_bot`` — starts ``newsbot [-v] run --config PATH`` and waits until it long-polls (or,
  with ``ready_method="setWebhook"``, until it sets its webhook); every process still running at
  teardown is killed.  Its stderr (all logs) is kept for inspection.

The ops server (/metrics, /healthz) listens on a free loopback port; ``BotProcess.ops_url``
reads it from the bot's log.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.fakes import FakeNews, FakeTelegram

TOKEN = "987654:E2E-secret-token"
ADMIN_ID = 1001


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, username="newsbot_test_bot") as tg:
        yield tg


@pytest.fixture
async def news() -> AsyncIterator[FakeNews]:
    async with FakeNews() as server:
        yield server


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


ConfigWriter = Callable[..., Path]


@pytest.fixture
def bot_config(tmp_path: Path, telegram: FakeTelegram, news: FakeNews) -> ConfigWriter:
    """``bot_config(sources=[(name, url)], channels=[{...}], schedule={...}, ...) -> Path`` of a
    TOML file."""

    def write(
        *,
        sources: list[tuple[str, str]] | None = None,
        channels: list[dict[str, Any]] | None = None,
        name: str = "config.toml",
        **sections: Any,
    ) -> Path:
        base: dict[str, dict[str, Any]] = {
            "telegram": {"token": TOKEN, "api_url": telegram.api_url, "admins": [ADMIN_ID]},
            "storage": {"database": str(tmp_path / "newsbot.db")},
            "schedule": {"poll_seconds": 3600, "losses_seconds": 3600, "jitter_seconds": 0},
            "losses": {
                "url": news.url_for("/api/v2/statistics/latest"),
                "fallback_url": news.url_for("/minfin/casualties/"),
            },
            "fetch": {"allow_private_sources": True},
            "ops": {"listen": "127.0.0.1:0"},
            # Most tests are about the way every story goes (fetch, brief, ledger, sends): their
            # subscribers want everything.  The default mode itself is tested where it matters.
            "subscribers": {"default_mode": "all"},
        }
        for section, values in sections.items():
            base.setdefault(section, {}).update(values)
        lines: list[str] = []
        for section, values in base.items():
            lines.append(f"[{section}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
            lines.append("")
        if sources is None or not sources:
            lines.insert(0, "sources = []")
        else:
            for source_name, url in sources:
                lines += ["[[sources]]", f"name = {_toml_value(source_name)}"]
                lines += [f"url = {_toml_value(url)}", ""]
        for channel in channels or ():
            lines.append("[[channels]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in channel.items()]
            lines.append("")
        path = tmp_path / name
        path.write_text("\n".join(lines), "utf-8")
        return path

    return write


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    async def wait_for_log(
        self,
        wanted: str | Callable[[str], bool],
        timeout: float,  # noqa: ASYNC109 - like FakeTelegram.wait_for
    ) -> None:
        """Wait until the bot's log has ``wanted`` (a line's text, or a test of the whole log),
        failing early if the bot exits.  The log is a file the bot writes, so it is read again
        every 50 ms (the fake Telegram's wait_until wakes only on its own traffic, which may be
        a 10 s long poll away)."""
        holds = wanted if callable(wanted) else (lambda log: wanted in log)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not holds(self.log):
            assert self.proc.returncode is None, f"newsbot exited:\n{self.log}"
            assert loop.time() < deadline, (
                f"{wanted!r} not in the log after {timeout} s:\n{self.log}"
            )
            await asyncio.sleep(0.05)

    @property
    def ops_url(self) -> str:
        """``http://127.0.0.1:PORT`` of this run's ops server, as its log announced it."""
        found = re.findall(r"ops server listening on (http://\S+)", self.log)
        if not found:
            raise AssertionError(f"the ops server did not start:\n{self.log}")
        return str(found[-1])

    async def stop(
        self,
        stop_signal: signal.Signals = signal.SIGTERM,
        timeout: float = 20.0,  # noqa: ASYNC109
    ) -> int:
        """SIGTERM (or Ctrl+C's SIGINT), as an operator or a container runtime would send it;
        returns the exit code."""
        if self.proc.returncode is None:
            self.proc.send_signal(stop_signal)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, as in a crash or an OOM kill."""
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()


StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def start_bot(tmp_path: Path, telegram: FakeTelegram) -> AsyncIterator[StartBot]:
    started: list[BotProcess] = []

    async def start(
        config: Path,
        *options: str,
        ready_timeout: float = 30.0,
        ready_method: str = "getUpdates",
        **env: str,
    ) -> BotProcess:
        """``newsbot [options] run --config config``; ``options`` e.g. ``"-v"``.

        Ready when the bot first calls ``ready_method`` (``setWebhook`` in webhook mode).
        """
        polls_before = len(telegram.calls_of(ready_method))
        log_path = tmp_path / f"bot-{len(started) + 1}.log"
        clean_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        with log_path.open("wb") as log_file:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *options,
                "run",
                "--config",
                str(config),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                env={**clean_env, **env},
                cwd=tmp_path,
            )
        process = BotProcess(proc, log_path)
        started.append(process)
        waiter = asyncio.ensure_future(proc.wait())
        ready = asyncio.ensure_future(
            telegram.wait_until(
                lambda: len(telegram.calls_of(ready_method)) > polls_before, ready_timeout
            )
        )
        done, _ = await asyncio.wait({waiter, ready}, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done:
            ready.cancel()
            raise AssertionError(f"newsbot exited with {proc.returncode}:\n{process.log}")
        waiter.cancel()
        ready.result()
        return process

    yield start
    for process in started:
        await process.kill()
