"""[[channels]]: chat, mode and losses_daily — defaults, validation naming channels[N].key,
and the CLI's one line with exit status 2."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.config import ChannelConfig, ConfigError, parse_config

TOKEN = "123456:SECRET-token-value"


def _config(*channels: dict[str, Any]) -> dict[str, Any]:
    return {"telegram": {"token": TOKEN}, "channels": list(channels)}


def test_no_channels_by_default() -> None:
    assert parse_config({"telegram": {"token": TOKEN}}, env={}).channels == ()


def test_channels_by_name_and_by_id_with_defaults() -> None:
    config = parse_config(
        _config(
            {"chat": "@novyny_ua", "mode": "all", "losses_daily": True},
            {"chat": -1001234567890},
            {"chat": "-1009876543210", "mode": "digest"},
        ),
        env={},
    )
    assert config.channels == (
        ChannelConfig("@novyny_ua", "all", True),
        ChannelConfig(-1001234567890, "top", False),
        ChannelConfig(-1009876543210, "digest", False),
    )
    assert [c.name for c in config.channels] == ["@novyny_ua", "-1001234567890", "-1009876543210"]


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        ([{"mode": "all"}], "channels[1].chat: missing"),
        ([{"chat": "novyny"}], 'channels[1].chat: expected "@name"'),
        ([{"chat": "@no"}], 'channels[1].chat: expected "@name"'),
        ([{"chat": "@1novyny"}], 'channels[1].chat: expected "@name"'),
        ([{"chat": "@novyny_"}], 'channels[1].chat: expected "@name"'),
        ([{"chat": 12345}], "channels[1].chat: a channel's id is negative"),
        ([{"chat": True}], "channels[1].chat: expected"),
        ([{"chat": "@novyny", "mode": "some"}], "channels[1].mode: expected one of all, top"),
        ([{"chat": "@novyny", "losses_daily": "yes"}], "channels[1].losses_daily: expected true"),
        ([{"chat": "@novyny", "colour": "red"}], "channels[1].colour: unknown key"),
        (
            [{"chat": "@novyny"}, {"chat": "@Novyny"}],
            "channels[2].chat: @Novyny is the same channel as channels[1]",
        ),
        ([{"chat": -100123}, {"chat": "-100123"}], "channels[2].chat: -100123 is the same"),
        (["@novyny"], "channels[1]: expected a table"),
    ],
)
def test_a_bad_channel_names_its_key(channels: list[Any], expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_config(*channels), env={})
    assert str(err.value).startswith(expected), str(err.value)
    assert "\n" not in str(err.value)


def test_channels_must_be_tables() -> None:
    with pytest.raises(ConfigError, match=r"^channels: expected \[\[channels\]\] tables"):
        parse_config({"telegram": {"token": TOKEN}, "channels": {"chat": "@novyny"}}, env={})


def test_cli_bad_channel_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n\n[[channels]]\nchat = "@novyny"\nmode = "loud"\n',
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "newsbot: config error: channels[1].mode: expected one of all, top, digest, got 'loud'"
    ]


def test_the_example_configs_channel_parses_when_uncommented() -> None:
    root = Path(__file__).resolve().parents[2]
    text = (root / "config.example.toml").read_text("utf-8")
    block = text[text.index("# [[channels]]\n") :].split("\n\n", 1)[0]
    uncommented = "\n".join(line.removeprefix("# ") for line in block.splitlines())
    data = tomllib.loads(f'[telegram]\ntoken = "{TOKEN}"\n\n{uncommented}\n')
    (channel,) = parse_config(data, env={}).channels
    assert channel == ChannelConfig("@novyny_kanal", "top", losses_daily=False)
