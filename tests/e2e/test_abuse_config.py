"""Configs with wrong types, end to end: ``newsbot run`` exits 2 with one line naming the key,
and — the angle the unit tests in tests/unit/test_config.py cannot show — it never starts:
no call reaches the (running) fake Telegram server, no database file is created, no token is
echoed.  Covers every section, environment overrides, and the [[sources]] array.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import TOKEN, ConfigWriter

from bot.fakes import FakeTelegram

CASES: list[tuple[str, dict[str, Any], dict[str, str], str]] = [
    ("token-as-number", {"telegram": {"token": 987654}}, {}, "telegram.token"),
    ("admins-as-string", {"telegram": {"admins": "1001"}}, {}, "telegram.admins"),
    ("admins-of-strings", {"telegram": {"admins": ["адмін"]}}, {}, "telegram.admins"),
    ("database-as-list", {"storage": {"database": ["a.db"]}}, {}, "storage.database"),
    ("poll-as-float", {"schedule": {"poll_seconds": 1.5}}, {}, "schedule.poll_seconds"),
    ("poll-negative", {"schedule": {"poll_seconds": -5}}, {}, "schedule.poll_seconds"),
    ("jitter-as-bool", {"schedule": {"jitter_seconds": True}}, {}, "schedule.jitter_seconds"),
    ("losses-url-number", {"losses": {"url": 42}}, {}, "losses.url"),
    ("private-as-string", {"fetch": {"allow_private_sources": "yes"}}, {}, "allow_private"),
    ("timeout-as-string", {"fetch": {"read_timeout": "20s"}}, {}, "fetch.read_timeout"),
    ("budget-zero", {"briefs": {"budget_chars": 0}}, {}, "briefs.budget_chars"),
    ("rate-as-string", {"delivery": {"overall_per_second": "30"}}, {}, "overall_per_second"),
    ("env-int", {}, {"NEWSBOT_DELIVERY_CONCURRENCY": "багато"}, "delivery.concurrency"),
    ("env-bool", {}, {"NEWSBOT_FETCH_ALLOW_PRIVATE_SOURCES": "maybe"}, "allow_private"),
    ("env-admins", {}, {"NEWSBOT_TELEGRAM_ADMINS": '["x"]'}, "telegram.admins"),
    ("env-unknown", {}, {"NEWSBOT_SCHEDULE_POLL": "5"}, "NEWSBOT_SCHEDULE_POLL"),
]


async def _run(config: Path, env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**clean, **env},
        cwd=config.parent,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize(("case", "sections", "env", "key"), CASES, ids=[c[0] for c in CASES])
async def test_a_wrong_type_stops_newsbot_before_it_talks_to_anyone(
    telegram: FakeTelegram,
    bot_config: ConfigWriter,
    tmp_path: Path,
    case: str,
    sections: dict[str, Any],
    env: dict[str, str],
    key: str,
) -> None:
    config = bot_config(**sections)
    code, out, err = await _run(config, env)
    assert code == 2, (case, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("newsbot: config error: ") and key in lines[0], lines[0]
    assert "Traceback" not in err
    assert TOKEN not in out + err and "987654" not in out + err
    assert telegram.calls == []  # not even getMe
    assert not (tmp_path / "newsbot.db").exists()


async def test_a_wrongly_shaped_sources_array_stops_newsbot(
    telegram: FakeTelegram, bot_config: ConfigWriter, tmp_path: Path
) -> None:
    good = bot_config(sources=[("Добре", "http://127.0.0.1:9/rss")])
    text = good.read_text("utf-8")
    variants = {
        "url-number": text.replace('url = "http://127.0.0.1:9/rss"', "url = 127"),
        "name-empty": text.replace('name = "Добре"', 'name = "  "'),
        "sources-table": text.replace("[[sources]]", "[sources]"),
        "extra-key": text.replace('name = "Добре"', 'name = "Добре"\ncolour = "red"'),
    }
    for name, body in variants.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(body, "utf-8")
        code, _, err = await _run(path, {})
        assert code == 2, (name, err)
        assert err.count("\n") == 1 and "sources" in err, (name, err)
        assert TOKEN not in err
    assert telegram.calls == []
