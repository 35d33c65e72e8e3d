"""Typed, validated configuration: TOML file + ``NEWSBOT_<SECTION>_<KEY>`` environment overrides.

Every problem is reported as one :class:`ConfigError` whose message names the key and what is
wrong with it; the CLI prints that single line and exits with status 2.  The token is never part
of any message.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.subscribers.times import DigestTimes, QuietHours, TimeFormatError

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_LOSSES_URL = "https://russianwarship.rip/api/v2/statistics/latest"
DEFAULT_MINFIN_URL = "https://index.minfin.com.ua/ua/russian-invading/casualties/"
DEFAULT_OPS_LISTEN = "127.0.0.1:9108"
# Telegram's own rule for setWebhook's secret_token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


class ConfigError(Exception):
    """A configuration problem, phrased as one line for the operator."""


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    url: str
    top: bool = False  # an editor-curated feed («Головне»): its stories are top stories


DEFAULT_SOURCES: tuple[SourceConfig, ...] = (
    SourceConfig("ГОРДОН", "https://gordonua.com/ukr/xml/rss_category/top.html"),
    SourceConfig("Українська правда", "https://www.pravda.com.ua/rss/view_news/"),
    SourceConfig("Укрінформ", "https://www.ukrinform.ua/rss/block-lastnews"),
    SourceConfig("УНІАН", "https://rss.unian.net/site/news_ukr.rss"),
    SourceConfig("Суспільне", "https://suspilne.media/rss/all.rss"),
    SourceConfig("РБК-Україна", "https://www.rbc.ua/static/rss/all.ukr.rss.xml"),
    SourceConfig("NV", "https://nv.ua/ukr/rss/all.xml"),
)


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    admins: tuple[int, ...] = ()
    mode: str = "polling"  # "polling" or "webhook"
    webhook_url: str = ""  # the public https URL Telegram posts updates to (webhook mode)
    listen: str = "127.0.0.1:8443"  # where the webhook server listens (address:port)
    secret_token: str = field(default="", repr=False)  # X-Telegram-Bot-Api-Secret-Token


@dataclass(frozen=True, slots=True)
class StorageConfig:
    database: str = "newsbot.db"


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    poll_seconds: int = 300
    losses_seconds: int = 3600
    jitter_seconds: int = 30


def effective_jitter(schedule: ScheduleConfig) -> float:
    """The random delay actually applied to a poll: ``jitter_seconds``, but at most a tenth of
    ``poll_seconds`` (a 30 s jitter on a 2 s interval would hold every item back up to 30 s)."""
    return max(0.0, min(float(schedule.jitter_seconds), schedule.poll_seconds / 10))


@dataclass(frozen=True, slots=True)
class LossesConfig:
    url: str = DEFAULT_LOSSES_URL
    fallback_url: str = DEFAULT_MINFIN_URL
    backfill_days: int = 90
    timeout_seconds: float = 30.0  # one request's whole fetch (connect, reads, body)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    concurrency: int = 8
    max_body_bytes: int = 5_000_000
    max_pushes_per_poll: int = 10
    max_age_hours: int = 24
    allow_private_sources: bool = False
    user_agent: str = "newsbot/0.1 (+Telegram news bot)"
    browser_user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/124.0 Safari/537.36"
    )
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    source_timeout: float = 30.0  # one source's whole fetch (redirects and body included)
    max_redirects: int = 5
    first_poll_briefs: int = 3  # newest items briefed on a source's first poll; others recorded
    min_full_text_chars: int = 400  # a feed body shorter than this means: fetch the page


@dataclass(frozen=True, slots=True)
class BriefsConfig:
    summariser: str = "extractive"  # "extractive" or "llm"
    budget_chars: int = 450
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout_seconds: float = 30.0
    llm_concurrency: int = 2


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: int = 20
    allow_paid_broadcast: bool = False
    concurrency: int = 16
    max_attempts: int = 5
    limits_enabled: bool = True  # false only against a fake Telegram (benchmarks)
    progress_seconds: float = 5.0  # how often a broadcast's progress message is edited
    expire_hours: float = 6.0  # a story still unsent after this is news no longer: never sent


@dataclass(frozen=True, slots=True)
class StoriesConfig:
    window_hours: float = 12.0  # reports of one event within this window join one story
    top_min_sources: int = 3  # distinct sources that make a story top (fewer enabled: all)


@dataclass(frozen=True, slots=True)
class SubscribersConfig:
    default_mode: str = "top"  # a new subscriber's mode: "all", "top" or "digest"
    quiet_hours: str = "23:00-08:00"  # Kyiv time, may cross midnight; each chat opts in

    @property
    def quiet_window(self) -> QuietHours:
        return QuietHours.parse(self.quiet_hours)


@dataclass(frozen=True, slots=True)
class DigestConfig:
    times: tuple[str, ...] = ("09:00", "19:00")  # Kyiv times of the digests

    @property
    def schedule(self) -> DigestTimes:
        return DigestTimes.parse(self.times)


@dataclass(frozen=True, slots=True)
class OpsConfig:
    listen: str = DEFAULT_OPS_LISTEN  # /metrics and /healthz; "" turns the server off


@dataclass(frozen=True, slots=True)
class Config:
    telegram: TelegramConfig
    storage: StorageConfig = StorageConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    losses: LossesConfig = LossesConfig()
    fetch: FetchConfig = FetchConfig()
    briefs: BriefsConfig = BriefsConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    stories: StoriesConfig = StoriesConfig()
    subscribers: SubscribersConfig = SubscribersConfig()
    digest: DigestConfig = DigestConfig()
    ops: OpsConfig = OpsConfig()
    sources: tuple[SourceConfig, ...] = DEFAULT_SOURCES


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
_HIDDEN_KEYS = ("token", "llm_api_key", "secret_token")
_URL_KEYS = {("telegram", "api_url"), ("losses", "url"), ("losses", "fallback_url")}
_OPTIONAL_URL_KEYS = {("briefs", "llm_base_url"), ("telegram", "webhook_url")}
_LISTEN_KEYS = {("telegram", "listen"), ("ops", "listen")}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("briefs", "summariser"): ("extractive", "llm"),
    ("telegram", "mode"): ("polling", "webhook"),
    ("subscribers", "default_mode"): ("all", "top", "digest"),
}
_POSITIVE_KEYS = {
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


def check_http_url(value: str, *, key: str) -> str:
    """Return ``value`` if it is an absolute http(s) URL, else raise ConfigError naming ``key``."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{key}: {value!r} is not an http(s) URL")
    return value.rstrip("/") if key == "telegram.api_url" else value


def parse_listen(value: str, *, key: str) -> tuple[str, int]:
    """``"address:port"`` (``"[::]:8443"`` for IPv6) → (host, port); ConfigError names ``key``.

    The address is an IP address or a host name; port 0 lets the system pick a free port.
    """
    host, sep, port_text = value.rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ConfigError(f"{key}: expected address:port (e.g. 127.0.0.1:9108), got {value!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConfigError(f"{key}: {host!r} is not an IPv6 address") from None
    elif ":" in host:
        raise ConfigError(f"{key}: write an IPv6 address in brackets, e.g. [::1]:{port_text}")
    elif not (_is_ipv4(host) or _HOSTNAME.fullmatch(host)):
        raise ConfigError(f"{key}: {host!r} is not an IP address or host name")
    return host, int(port_text)


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


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
    if key == "secret_token" and value and not _SECRET_TOKEN.fullmatch(value):
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


def _build_sources(raw: Any) -> tuple[SourceConfig, ...]:
    if not isinstance(raw, list):
        raise ConfigError("sources: expected [[sources]] tables with name and url")
    out = []
    for i, item in enumerate(raw, 1):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a table with name and url")
        unknown = set(item) - {"name", "url", "top"}
        if unknown:
            known = "name, url, top"
            raise ConfigError(f"{where}.{sorted(unknown)[0]}: unknown key (known keys: {known})")
        url = item.get("url")
        if not isinstance(url, str):
            raise ConfigError(f"{where}.url: missing or not a string")
        check_http_url(url, key=f"{where}.url")
        name = item.get("name", urlsplit(url).hostname or url)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}.name: expected a non-empty string")
        top = item.get("top", False)
        if not isinstance(top, bool):
            raise ConfigError(f"{where}.top: expected true or false, got {top!r}")
        out.append(SourceConfig(name=name.strip(), url=url, top=top))
    return tuple(out)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    """Validate a parsed TOML document (plus environment overrides) into a :class:`Config`."""
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for name, value in merged.items():
        if name not in _SECTIONS and name != "sources":
            known = ", ".join([*sorted(_SECTIONS), "sources"])
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
    return Config(sources=sources, **sections)


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
