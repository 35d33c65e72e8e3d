"""Config keys of webhook mode and the ops server: defaults, validation, one line at exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, parse_config, parse_listen
from bot.ops.webhook import webhook_arguments

TOKEN = "123456:SECRET-token-value"
SECRET = "s3cret_Token-value"
HOOK = {
    "mode": "webhook",
    "webhook_url": "https://bot.example.org/tg/hook",
    "listen": "0.0.0.0:8443",
    "secret_token": SECRET,
}


def _telegram(**keys: Any) -> dict[str, Any]:
    return {"telegram": {"token": TOKEN, **keys}}


def test_defaults_poll_and_serve_ops_on_loopback() -> None:
    config = parse_config(_telegram(), env={})
    assert config.telegram.mode == "polling"
    assert config.ops.listen == "127.0.0.1:9108"
    assert SECRET not in repr(parse_config(_telegram(**HOOK), env={}))


def test_webhook_mode_and_its_arguments_for_ptb() -> None:
    config = parse_config(_telegram(**HOOK), env={})
    assert webhook_arguments(config.telegram) == {
        "listen": "0.0.0.0",
        "port": 8443,
        "url_path": "tg/hook",
        "webhook_url": "https://bot.example.org/tg/hook",
        "secret_token": SECRET,
        "drop_pending_updates": False,
    }


def test_env_overrides_the_new_keys_and_empty_listen_disables_ops() -> None:
    env = {
        "NEWSBOT_OPS_LISTEN": "",
        "NEWSBOT_TELEGRAM_MODE": "webhook",
        "NEWSBOT_TELEGRAM_WEBHOOK_URL": "https://h.example/x",
        "NEWSBOT_TELEGRAM_SECRET_TOKEN": SECRET,
    }
    config = parse_config(_telegram(), env=env)
    assert config.ops.listen == ""
    assert (config.telegram.mode, config.telegram.secret_token) == ("webhook", SECRET)


@pytest.mark.parametrize(
    ("telegram", "ops", "expected"),
    [
        ({"mode": "hook"}, None, "telegram.mode: expected one of polling, webhook, got 'hook'"),
        (
            {**HOOK, "secret_token": ""},
            None,
            "telegram.secret_token: missing (required when telegram.mode = webhook",
        ),
        (
            {k: v for k, v in HOOK.items() if k != "secret_token"},
            None,
            "telegram.secret_token: missing",
        ),
        ({**HOOK, "webhook_url": ""}, None, "telegram.webhook_url: missing (required when"),
        ({**HOOK, "webhook_url": "bot.example.org"}, None, "is not an http(s) URL"),
        ({**HOOK, "webhook_url": "http://bot.example.org/"}, None, "only https:// webhook URLs"),
        ({**HOOK, "secret_token": "has space"}, None, "telegram.secret_token: 1-256 characters"),
        ({**HOOK, "secret_token": "x" * 257}, None, "telegram.secret_token: 1-256 characters"),
        (
            {**HOOK, "secret_token": 5},
            None,
            "telegram.secret_token: expected a string, got <hidden>",
        ),
        ({**HOOK, "listen": "8443"}, None, "telegram.listen: expected address:port"),
        ({**HOOK, "listen": "0.0.0.0:70000"}, None, "telegram.listen: expected address:port"),
        ({}, {"listen": "localhost"}, "ops.listen: expected address:port"),
        ({}, {"listen": "::1:9108"}, "ops.listen: write an IPv6 address in brackets"),
        ({}, {"listen": "[nope]:9108"}, "ops.listen: 'nope' is not an IPv6 address"),
        ({}, {"listen": "bad host:9108"}, "ops.listen: 'bad host' is not an IP address"),
        ({}, {"port": 9108}, "ops.port: unknown key (known keys: listen)"),
    ],
)
def test_bad_values_name_the_key(
    telegram: dict[str, Any], ops: dict[str, Any] | None, expected: str
) -> None:
    data: dict[str, Any] = _telegram(**telegram)
    if ops is not None:
        data["ops"] = ops
    with pytest.raises(ConfigError) as info:
        parse_config(data, env={})
    assert expected in str(info.value)
    assert SECRET not in str(info.value)


def test_a_local_bot_api_server_may_take_an_http_webhook() -> None:
    telegram = {**HOOK, "webhook_url": "http://127.0.0.1:8443/hook"}
    config = parse_config(_telegram(api_url="http://127.0.0.1:8081", **telegram), env={})
    assert config.telegram.webhook_url == "http://127.0.0.1:8443/hook"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:9108", ("127.0.0.1", 9108)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        ("[::]:8443", ("::", 8443)),
        ("localhost:80", ("localhost", 80)),
        ("ops.internal:9108", ("ops.internal", 9108)),
    ],
)
def test_listen_addresses(value: str, expected: tuple[str, int]) -> None:
    assert parse_listen(value, key="ops.listen") == expected


def test_cli_webhook_without_secret_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\nmode = "webhook"\n'
        'webhook_url = "https://bot.example.org/hook"\n',
        "utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsbot: config error: telegram.secret_token: missing (required when "
        "telegram.mode = webhook; 1-256 characters of A-Z a-z 0-9 _ -)"
    ]
