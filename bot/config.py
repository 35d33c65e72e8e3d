"""Typed, validated configuration: TOML file + ``NEWSBOT_<SECTION>_<KEY>`` environment overrides.

Every problem is reported as one :class:`ConfigError` whose message names the key and what is
wrong with it; the CLI prints that single line and exits with status 2.  The token is never part
of any message.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config_checks import (
    SECRET_TOKEN,
    ConfigError,
    channel_chat,
    check_http_url,
    parse_listen,
)
from bot.config_sections import (
    DEFAULT_API_URL,
    DEFAULT_CHANNEL_MODE,
    DEFAULT_LOSSES_URL,
    DEFAULT_MINFIN_URL,
    DEFAULT_OPS_LISTEN,
    DEFAULT_SOURCES,
    BriefsConfig,
    ChannelConfig,
    Config,
    DeliveryConfig,
    DigestConfig,
    FetchConfig,
    LossesConfig,
    OpsConfig,
    ScheduleConfig,
    SourceConfig,
    StorageConfig,
    StoriesConfig,
    SubscribersConfig,
    TelegramConfig,
    effective_jitter,
)
from bot.subscribers.times import DigestTimes, QuietHours, TimeFormatError

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_CHANNEL_MODE",
    "DEFAULT_LOSSES_URL",
    "DEFAULT_MINFIN_URL",
    "DEFAULT_OPS_LISTEN",
    "DEFAULT_SOURCES",
    "BriefsConfig",
    "ChannelConfig",
    "Config",
    "ConfigError",
    "DeliveryConfig",
    "DigestConfig",
    "FetchConfig",
    "LossesConfig",
    "OpsConfig",
    "ScheduleConfig",
    "SourceConfig",
    "StorageConfig",
    "StoriesConfig",
    "SubscribersConfig",
    "TelegramConfig",
    "check_http_url",
    "effective_jitter",
    "load_config",
    "parse_config",
    "parse_listen",
]

_MODES = ("all", "top", "digest")  # a subscriber's or a channel's mode
_SECTIONS: dict[str, type[Any]] = {
    "telegram": TelegramConfig,
    "storage": StorageConfig,
    "schedule": ScheduleConfig,
    "losses": LossesConfig,
    "fetch": FetchConfig,
    "briefs": BriefsConfig,
    "delivery": DeliveryConfig,
    "stories": StoriesConfig,
    "subscribers": SubscribersConfig,
    "digest": DigestConfig,
    "ops": OpsConfig,
}
_TABLES = ("sources", "channels")  # arrays of tables: [[sources]], [[channels]]
_HIDDEN_KEYS = ("token", "llm_api_key", "secret_token")
_URL_KEYS = {("telegram", "api_url"), ("losses", "url"), ("losses", "fallback_url")}
_OPTIONAL_URL_KEYS = {("briefs", "llm_base_url"), ("telegram", "webhook_url")}
_LISTEN_KEYS = {("telegram", "listen"), ("ops", "listen")}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("briefs", "summariser"): ("extractive", "llm"),
    ("telegram", "mode"): ("polling", "webhook"),
    ("subscribers", "default_mode"): _MODES,
}
_POSITIVE_KEYS = {
    ("storage", "keep_days"),
    ("schedule", "poll_seconds"),
    ("schedule", "losses_seconds"),
    ("losses", "backfill_days"),
    ("losses", "timeout_seconds"),
    ("fetch", "concurrency"),
    ("fetch", "max_body_bytes"),
    ("fetch", "max_pushes_per_poll"),
    ("fetch", "connect_timeout"),
    ("fetch", "read_timeout"),
    ("fetch", "source_timeout"),
    ("briefs", "budget_chars"),
    ("briefs", "llm_timeout_seconds"),
    ("briefs", "llm_concurrency"),
    ("delivery", "overall_per_second"),
    ("delivery", "per_chat_per_second"),
    ("delivery", "group_per_minute"),
    ("delivery", "concurrency"),
    ("delivery", "max_attempts"),
    ("delivery", "progress_seconds"),
    ("stories", "window_hours"),
    ("stories", "top_min_sources"),
    ("delivery", "expire_hours"),
}


def _type_name(expected: Any) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        expected, str(expected)
    )


def _coerce(section: str, key: str, value: Any, expected: Any) -> Any:
    """Check one TOML value against the field's annotated type."""
    name = f"{section}.{key}"
    if expected == "tuple[int, ...]":
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(f"{name}: expected a list of integer user ids, got {value!r}")
        return tuple(value)
    if expected == "tuple[str, ...]":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{name}: expected a list of strings, got {value!r}")
        value = tuple(value)
        _check_times(section, key, value)
        return value
    py = {"int": int, "float": float, "bool": bool, "str": str}[expected]
    ok = (
        isinstance(value, py) and not (py is int and isinstance(value, bool))
        if py is not float
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    if not ok:
        shown = "<hidden>" if key in _HIDDEN_KEYS else repr(value)
        raise ConfigError(f"{name}: expected {_type_name(py)}, got {shown}")
    if py is float:
        value = float(value)
    if (section, key) in _POSITIVE_KEYS and value <= 0:
        raise ConfigError(f"{name}: must be greater than 0, got {value!r}")
    if (section, key) in _URL_KEYS or ((section, key) in _OPTIONAL_URL_KEYS and value):
        value = check_http_url(value, key=name)
    if (section, key) in _LISTEN_KEYS and (value or section != "ops"):
        parse_listen(value, key=name)
    if key == "secret_token" and value and not SECRET_TOKEN.fullmatch(value):
        raise ConfigError(
            f"{name}: 1-256 characters, only letters A-Z a-z, digits, _ and - (Telegram's rule)"
        )
    _check_times(section, key, value)
    choices = _CHOICES.get((section, key))
    if choices and value not in choices:
        raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _check_times(section: str, key: str, value: Any) -> None:
    """Kyiv times of day: the quiet-hours window and the digest times."""
    try:
        if (section, key) == ("subscribers", "quiet_hours"):
            QuietHours.parse(value)
        elif (section, key) == ("digest", "times"):
            DigestTimes.parse(value)
    except TimeFormatError as exc:
        raise ConfigError(f"{section}.{key}: {exc}") from None


def _env_value(raw: str, expected: str) -> Any:
    """Interpret an environment override according to the field type."""
    if expected == "str":
        return raw
    if expected == "bool":
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _build_section(section: str, cls: type[Any], raw: Mapping[str, Any]) -> Any:
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            allowed = ", ".join(sorted(known))
            raise ConfigError(f"{section}.{key}: unknown key (known keys: {allowed})")
        kwargs[key] = _coerce(section, key, value, known[key].type)
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required key is missing
        missing = [f.name for f in fields(cls) if f.name not in kwargs]
        raise ConfigError(f"{section}.{missing[0]}: missing (required)") from exc


def _tables(raw: Any, name: str, known: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """``[[name]]`` tables as ``(where, table)``, ``where`` like ``channels[2]``; unknown keys
    are refused naming the key."""
    if not isinstance(raw, list):
        raise ConfigError(f"{name}: expected [[{name}]] tables with {' and '.join(known[:2])}")
    out = []
    for i, item in enumerate(raw, 1):
        where = f"{name}[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a table with {' and '.join(known[:2])}")
        unknown = set(item) - set(known)
        if unknown:
            allowed = ", ".join(known)
            raise ConfigError(f"{where}.{sorted(unknown)[0]}: unknown key (known keys: {allowed})")
        out.append((where, item))
    return out


def _flag(item: Mapping[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def _build_sources(raw: Any) -> tuple[SourceConfig, ...]:
    out = []
    for where, item in _tables(raw, "sources", ("name", "url", "top")):
        url = item.get("url")
        if not isinstance(url, str):
            raise ConfigError(f"{where}.url: missing or not a string")
        check_http_url(url, key=f"{where}.url")
        name = item.get("name", urlsplit(url).hostname or url)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}.name: expected a non-empty string")
        out.append(SourceConfig(name=name.strip(), url=url, top=_flag(item, "top", where)))
    return tuple(out)


def _build_channels(raw: Any) -> tuple[ChannelConfig, ...]:
    out: list[ChannelConfig] = []
    seen: dict[str, str] = {}
    for where, item in _tables(raw, "channels", ("chat", "mode", "losses_daily")):
        chat = channel_chat(item.get("chat"), where)
        mode = item.get("mode", DEFAULT_CHANNEL_MODE)
        if mode not in _MODES:
            choices = ", ".join(_MODES)
            raise ConfigError(f"{where}.mode: expected one of {choices}, got {mode!r}")
        key = chat.lower() if isinstance(chat, str) else str(chat)
        if key in seen:
            raise ConfigError(f"{where}.chat: {chat} is the same channel as {seen[key]}")
        seen[key] = where
        losses = _flag(item, "losses_daily", where)
        out.append(ChannelConfig(chat=chat, mode=mode, losses_daily=losses))
    return tuple(out)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    """Validate a parsed TOML document (plus environment overrides) into a :class:`Config`."""
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for name, value in merged.items():
        if name not in _SECTIONS and name not in _TABLES:
            known = ", ".join([*sorted(_SECTIONS), *_TABLES])
            raise ConfigError(f"[{name}]: unknown section (known sections: {known})")
        if name in _SECTIONS and not isinstance(value, dict):
            raise ConfigError(f"[{name}]: expected a table")
    for var, raw in sorted((env or {}).items()):
        if not var.startswith("NEWSBOT_"):
            continue
        rest = var.removeprefix("NEWSBOT_").lower()
        section = next((s for s in _SECTIONS if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(f"{var}: does not name a known [section]_key")
        key = rest.removeprefix(section + "_")
        section_fields = {f.name: f for f in fields(_SECTIONS[section])}
        if key not in section_fields:
            raise ConfigError(f"{var}: unknown key {section}.{key}")
        value = _env_value(raw, str(section_fields[key].type))
        merged.setdefault(section, {})[key] = value
    if "token" not in merged.get("telegram", {}):
        raise ConfigError(
            "telegram.token: missing (set it in [telegram] or in NEWSBOT_TELEGRAM_TOKEN)"
        )
    token = merged["telegram"]["token"]
    if not isinstance(token, str) or not token.strip():
        raise ConfigError("telegram.token: expected a non-empty string")
    sections = {
        name: _build_section(name, cls, merged.get(name, {})) for name, cls in _SECTIONS.items()
    }
    _check_webhook(sections["telegram"])
    sources = _build_sources(merged["sources"]) if "sources" in merged else DEFAULT_SOURCES
    channels = _build_channels(merged["channels"]) if "channels" in merged else ()
    return Config(sources=sources, channels=channels, **sections)


def _check_webhook(telegram: TelegramConfig) -> None:
    """Webhook mode needs the public URL and the secret Telegram sends with every update."""
    if telegram.mode != "webhook":
        return
    if not telegram.webhook_url:
        raise ConfigError("telegram.webhook_url: missing (required when telegram.mode = webhook)")
    if not telegram.secret_token:
        raise ConfigError(
            "telegram.secret_token: missing (required when telegram.mode = webhook; "
            "1-256 characters of A-Z a-z 0-9 _ -)"
        )
    if telegram.api_url == DEFAULT_API_URL and not telegram.webhook_url.startswith("https://"):
        raise ConfigError(
            f"telegram.webhook_url: Telegram accepts only https:// webhook URLs, "
            f"got {telegram.webhook_url!r}"
        )


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the TOML file at ``path``; ``env`` defaults to ``os.environ``."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(p)!r}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"config file {str(p)!r}: cannot be read ({reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(p)!r}: not valid TOML ({exc})") from None
    return parse_config(data, os.environ if env is None else env)
