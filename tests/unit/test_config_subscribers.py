"""[subscribers] and [digest]: defaults, environment overrides, and one clear line per mistake."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, load_config, parse_config
from bot.subscribers.times import QuietHours

TOKEN = "123456:ABC"


def _config(**sections: Any) -> Any:
    return parse_config({"telegram": {"token": TOKEN}, **sections}, env={})


def test_defaults() -> None:
    config = _config()
    assert config.subscribers.default_mode == "top"
    assert config.subscribers.quiet_window == QuietHours(time(23), time(8))
    assert config.digest.times == ("09:00", "19:00")
    assert config.digest.schedule.times == (time(9), time(19))


def test_the_example_config_says_the_defaults() -> None:
    example = load_config(Path(__file__).parents[2] / "config.example.toml", env={})
    assert example.subscribers == _config().subscribers
    assert example.digest == _config().digest


def test_environment_overrides() -> None:
    env = {
        "NEWSBOT_SUBSCRIBERS_DEFAULT_MODE": "digest",
        "NEWSBOT_SUBSCRIBERS_QUIET_HOURS": "22:30-07:00",
        "NEWSBOT_DIGEST_TIMES": '["08:00", "13:00", "20:00"]',
    }
    config = parse_config({"telegram": {"token": TOKEN}}, env=env)
    assert config.subscribers.default_mode == "digest"
    assert config.subscribers.quiet_window == QuietHours(time(22, 30), time(7))
    assert config.digest.times == ("08:00", "13:00", "20:00")


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"subscribers": {"default_mode": "everything"}},
         "subscribers.default_mode: expected one of all, top, digest"),
        ({"subscribers": {"quiet_hours": "23-8"}},
         "subscribers.quiet_hours: expected a window as HH:MM-HH:MM"),
        ({"subscribers": {"quiet_hours": "08:00-08:00"}},
         "subscribers.quiet_hours: the window '08:00-08:00' starts and ends"),
        ({"subscribers": {"quiet_hours": 23}}, "subscribers.quiet_hours: expected a string"),
        ({"digest": {"times": []}}, "digest.times: expected at least one time"),
        ({"digest": {"times": "09:00"}}, "digest.times: expected a list of strings"),
        ({"digest": {"times": ["09:00", "25:00"]}}, "digest.times: expected a time as HH:MM"),
        ({"digest": {"times": ["09:00", "9:00"]}}, "digest.times: a time is listed twice"),
        ({"digest": {"hours": ["09:00"]}}, "digest.hours: unknown key (known keys: times)"),
    ],
)  # fmt: skip
def test_mistakes_name_the_key(sections: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(**sections)
    assert str(caught.value).startswith(message), caught.value
