"""``newsbot demo --script``: the offline pipeline shows what a subscriber receives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.demo import DEMO_TOKEN


def test_demo_script_shows_welcome_pushed_brief_losses_and_latest(tmp_path: Path) -> None:
    script = tmp_path / "commands.txt"
    script.write_text("/losses\n/latest 3\n/nonsense\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    out = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Вітаю" in out  # the welcome
    pushed = out.index("Сили ППО вночі знешкодили 58 ударних дронів", out.index("» /start"))
    assert "Втрати ворога: 1\u00a0013\u00a0570 особового складу" in out[pushed:]
    losses = out.index("» /losses")
    assert "Втрати російських окупантів" in out[losses:]
    latest = out.index("» /latest 3")
    assert "Уряд розширив програму перенавчання ветеранів" in out[latest:]
    assert "/help" in out[out.index("» /nonsense") :]
    assert DEMO_TOKEN not in out + result.stderr
    assert "Traceback" not in result.stderr
