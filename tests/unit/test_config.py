"""Config: defaults from a token alone, env overrides, and one clear line for each mistake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_SOURCES,
    ConfigError,
    ScheduleConfig,
    StoriesConfig,
    effective_jitter,
    load_config,
    parse_config,
)

TOKEN = "123456:SECRET-token-value"


def test_token_only_gives_working_defaults() -> None:
    config = parse_config({"telegram": {"token": TOKEN}}, env={})
    assert config.telegram.api_url == "https://api.telegram.org"
    assert config.storage.database == "newsbot.db"
    assert config.sources == DEFAULT_SOURCES
    assert {s.name for s in config.sources} >= {"ГОРДОН", "Українська правда", "Суспільне"}
    assert config.losses.url.startswith("https://russianwarship.rip/api/v2/")
    assert TOKEN not in repr(config)


@pytest.mark.parametrize(
    ("poll", "jitter", "effective"),
    [
        (300, 30, 30.0),  # the defaults: well under a tenth
        (2, 30, 0.2),  # a 30 s jitter on a 2 s interval would delay every item by up to 30 s
        (60, 30, 6.0),
        (600, 0, 0.0),
        (10, -5, 0.0),
    ],
)
def test_poll_jitter_is_at_most_a_tenth_of_the_interval(
    poll: int, jitter: int, effective: float
) -> None:
    schedule = ScheduleConfig(poll_seconds=poll, jitter_seconds=jitter)
    assert effective_jitter(schedule) == pytest.approx(effective)


def test_losses_timeout_defaults_to_thirty_seconds() -> None:
    config = parse_config({"telegram": {"token": TOKEN}}, env={})
    assert config.losses.timeout_seconds == 30.0
    env = {"NEWSBOT_LOSSES_TIMEOUT_SECONDS": "2.5"}
    assert parse_config({"telegram": {"token": TOKEN}}, env=env).losses.timeout_seconds == 2.5


def test_full_example_config_parses() -> None:
    config = load_config(Path(__file__).parents[2] / "config.example.toml", env={})
    assert config.telegram.admins == (1001,)
    assert config.schedule.poll_seconds == 300
    assert len(config.sources) == 7


def test_env_overrides_any_key() -> None:
    env = {
        "NEWSBOT_TELEGRAM_TOKEN": TOKEN,
        "NEWSBOT_TELEGRAM_ADMINS": "[7, 8]",
        "NEWSBOT_SCHEDULE_POLL_SECONDS": "60",
        "NEWSBOT_FETCH_ALLOW_PRIVATE_SOURCES": "true",
        "NEWSBOT_TELEGRAM_API_URL": "http://127.0.0.1:8081/",
        "HOME": "/root",
    }
    config = parse_config({"telegram": {"token": "from-file"}}, env=env)
    assert config.telegram.token == TOKEN
    assert config.telegram.admins == (7, 8)
    assert config.schedule.poll_seconds == 60
    assert config.fetch.allow_private_sources is True
    assert config.telegram.api_url == "http://127.0.0.1:8081"


def test_sources_table_replaces_defaults_and_empty_list_means_none() -> None:
    one = parse_config(
        {"telegram": {"token": TOKEN}, "sources": [{"name": "Тест", "url": "https://e.x/rss"}]},
        env={},
    )
    assert [s.name for s in one.sources] == ["Тест"]
    assert parse_config({"telegram": {"token": TOKEN}, "sources": []}, env={}).sources == ()


def test_a_source_can_be_marked_top() -> None:
    config = parse_config(
        {
            "telegram": {"token": TOKEN},
            "sources": [
                {"name": "Головне", "url": "https://e.x/top", "top": True},
                {"name": "Усі", "url": "https://e.x/all"},
            ],
        },
        env={},
    )
    assert [(s.name, s.top) for s in config.sources] == [("Головне", True), ("Усі", False)]
    assert not any(s.top for s in DEFAULT_SOURCES)


def test_stories_section_defaults_and_overrides() -> None:
    assert parse_config({"telegram": {"token": TOKEN}}).stories == StoriesConfig(12.0, 3)
    config = parse_config(
        {"telegram": {"token": TOKEN}, "stories": {"window_hours": 6}},
        env={"NEWSBOT_STORIES_TOP_MIN_SOURCES": "2"},
    )
    assert config.stories == StoriesConfig(window_hours=6.0, top_min_sources=2)
    assert isinstance(config.stories.window_hours, float)


@pytest.mark.parametrize(
    ("data", "env", "expected"),
    [
        ({}, {}, "telegram.token: missing"),
        ({"telegram": {"token": ""}}, {}, "telegram.token: expected a non-empty string"),
        ({"telegram": {"token": TOKEN, "admins": "1001"}}, {}, "telegram.admins: expected a list"),
        (
            {"telegram": {"token": TOKEN}, "schedule": {"poll_seconds": "often"}},
            {},
            "schedule.poll_seconds: expected an integer, got 'often'",
        ),
        (
            {"telegram": {"token": TOKEN}, "schedule": {"poll_seconds": 0}},
            {},
            "schedule.poll_seconds: must be greater than 0",
        ),
        (
            {"telegram": {"token": TOKEN}, "losses": {"timeout_seconds": 0}},
            {},
            "losses.timeout_seconds: must be greater than 0",
        ),
        (
            {"telegram": {"token": TOKEN, "colour": "red"}},
            {},
            "telegram.colour: unknown key",
        ),
        ({"telegram": {"token": TOKEN}, "webhook": {}}, {}, "[webhook]: unknown section"),
        (
            {"telegram": {"token": TOKEN, "api_url": "ftp://x"}},
            {},
            "telegram.api_url: 'ftp://x' is not an http(s) URL",
        ),
        (
            {"telegram": {"token": TOKEN}, "losses": {"url": "not a url"}},
            {},
            "losses.url: 'not a url' is not an http(s) URL",
        ),
        (
            {"telegram": {"token": TOKEN}, "sources": [{"name": "X", "url": "javascript:1"}]},
            {},
            "sources[1].url: 'javascript:1' is not an http(s) URL",
        ),
        (
            {"telegram": {"token": TOKEN}, "sources": [{"url": "https://e.x", "top": "yes"}]},
            {},
            "sources[1].top: expected true or false, got 'yes'",
        ),
        (
            {"telegram": {"token": TOKEN}, "sources": [{"url": "https://e.x", "hot": True}]},
            {},
            "sources[1].hot: unknown key (known keys: name, url, top)",
        ),
        (
            {"telegram": {"token": TOKEN}},
            {"NEWSBOT_SCHEDULE_POLL_SECONDS": "soon"},
            "schedule.poll_seconds: expected an integer, got 'soon'",
        ),
        ({"telegram": {"token": TOKEN}}, {"NEWSBOT_NOPE_X": "1"}, "NEWSBOT_NOPE_X: does not"),
        (
            {"telegram": {"token": TOKEN}, "briefs": {"summariser": "gpt"}},
            {},
            "briefs.summariser: expected one of extractive, llm, got 'gpt'",
        ),
        (
            {"telegram": {"token": TOKEN}, "stories": {"window_hours": 0}},
            {},
            "stories.window_hours: must be greater than 0, got 0.0",
        ),
        (
            {"telegram": {"token": TOKEN}, "stories": {"top_min_sources": 2.5}},
            {},
            "stories.top_min_sources: expected an integer, got 2.5",
        ),
        (
            {"telegram": {"token": TOKEN}},
            {"NEWSBOT_STORIES_TOP_MIN_SOURCES": "0"},
            "stories.top_min_sources: must be greater than 0, got 0",
        ),
        (
            {"telegram": {"token": TOKEN}, "stories": {"window": 6}},
            {},
            "stories.window: unknown key (known keys: top_min_sources, window_hours)",
        ),
        (
            {"telegram": {"token": TOKEN}, "briefs": {"llm_base_url": "localhost:8000"}},
            {},
            "briefs.llm_base_url: 'localhost:8000' is not an http(s) URL",
        ),
    ],
)
def test_bad_config_names_the_key(data: dict, env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, env=env)
    assert expected in str(info.value)
    assert TOKEN not in str(info.value)


def test_wrong_type_for_token_does_not_echo_it() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"telegram": {"token": 123456789}}, env={})
    assert "123456789" not in str(info.value)


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "not found"),
        (b"[telegram\ntoken = 1", "not valid TOML"),
        (b"\xff\xfe\x00bad", "cannot be read"),
        (b'[telegram]\ntoken = "' + TOKEN.encode() + b'"\nadmins = ["me"]\n', "telegram.admins"),
        (b'[telegram]\ntoken = "' + TOKEN.encode() + b'"\n[schedule]\npoll = 5\n', "schedule.poll"),
        (b'[storage]\ndatabase = "x.db"\n', "telegram.token: missing"),
        (b'[telegram]\ntoken = "' + TOKEN.encode() + b'"\napi_url = "localhost"\n', "api_url"),
    ],
)
def test_cli_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "config.toml"
    if content is not None:
        path.write_bytes(content)
    result = _run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsbot: config error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_cli_unreadable_config(tmp_path: Path) -> None:
    path = tmp_path / "dir.toml"
    path.mkdir()
    result = _run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "cannot be read" in result.stderr


@pytest.mark.parametrize("command", ["run", "demo", "preview", "backup"])
def test_each_command_has_help(tmp_path: Path, command: str) -> None:
    result = _run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: newsbot " + command in result.stdout


def test_delivery_expire_hours_defaults_to_six_and_must_be_positive() -> None:
    assert parse_config({"telegram": {"token": TOKEN}}, env={}).delivery.expire_hours == 6.0
    config = parse_config({"telegram": {"token": TOKEN}, "delivery": {"expire_hours": 1.5}}, {})
    assert config.delivery.expire_hours == 1.5
    for bad in (0, -2):
        with pytest.raises(ConfigError, match=r"delivery\.expire_hours: must be greater than 0"):
            parse_config({"telegram": {"token": TOKEN}, "delivery": {"expire_hours": bad}}, {})
    with pytest.raises(ConfigError, match=r"delivery\.expire_hours: expected a number"):
        parse_config({"telegram": {"token": TOKEN}, "delivery": {"expire_hours": "6h"}}, {})
