"""``newsbot demo --script``: the offline pipeline shows what a subscriber receives."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from bot.clock import KYIV
from bot.demo import DEMO_TOKEN
from bot.demo_losses import continued, load_history
from bot.uk import group_digits, signed_increase

NBSP = "\u00a0"


def _todays_counter() -> str:
    """The counter line the demo shows today: the shipped history, continued to today."""
    days = continued(load_history(), datetime.now(KYIV).date())
    today, yesterday = days[-1].stats, days[-2].stats
    personnel = today["personnel_units"]
    increase = signed_increase(personnel - yesterday["personnel_units"])
    return f"Втрати ворога: {group_digits(personnel)} осіб ({increase}) · "


def test_demo_script_shows_welcome_pushed_brief_losses_and_latest(tmp_path: Path) -> None:
    script = tmp_path / "commands.txt"
    script.write_text(
        "/losses\n/latest 3\n/nonsense\n/losses 29.03.2025\n/losses 25.02.2022\n/losses графік\n",
        "utf-8",
    )
    counters = {_todays_counter()}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    counters.add(_todays_counter())  # the run may have crossed midnight
    out = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Вітаю" in out  # the welcome
    pushed = out.index("Сили ППО вночі знешкодили 58 ударних дронів", out.index("» /start"))
    assert "Минулої ночі сили протиповітряної оборони" in out[pushed:]
    assert any(counter in out[pushed : out.index("» /losses")] for counter in counters)
    losses = out.index("» /losses")
    assert "Загальні бойові втрати противника з 24.02.2022 по" in out[losses:]
    assert "Дані уточнюються." in out[losses:]

    latest = out[out.index("» /latest 3") : out.index("» /nonsense")]
    assert "Уряд розширив програму перенавчання ветеранів" in latest
    assert latest.count("Втрати ворога") == 1  # once, after the list
    last_source = latest.rindex("Демо-новини · Читати повністю")
    assert latest.index("Втрати ворога") > last_source
    assert "/help" in out[out.index("» /nonsense") :]

    day = out[out.index("» /losses 29.03.2025") : out.index("» /losses 25.02.2022")]
    assert f"Особовий склад — близько 912{NBSP}490 (+1{NBSP}740) осіб" in day
    assert f"Танки — 10{NBSP}478 (+23)" in day and "1130-й день війни." in day
    first = out[out.index("» /losses 25.02.2022") : out.index("» /losses графік")]
    assert "з 24.02.2022 по 25.02.2022 орієнтовно склали:" in first
    assert f"Особовий склад — близько 2{NBSP}800 осіб" in first and "2-й день війни." in first
    chart = out[out.index("» /losses графік") :]
    assert "[зображення," in chart and "За 30 днів до" in chart

    assert DEMO_TOKEN not in out + result.stderr
    assert "Traceback" not in result.stderr
