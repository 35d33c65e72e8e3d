"""Checks of single config values (URLs, listen addresses, channel names) and the error
they raise; :mod:`bot.config` applies them key by key."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

# Telegram's own rule for setWebhook's secret_token.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


# Telegram's rule for public usernames: 5-32 characters, letters, digits and _, a letter first.
_CHANNEL_NAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]")


class ConfigError(Exception):
    """A configuration problem, phrased as one line for the operator."""


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


def channel_chat(value: Any, where: str) -> int | str:
    """``"@name"`` (Telegram's rule for public usernames) or a channel's negative numeric id
    (an integer, or a string of one)."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            raise ConfigError(
                f"{where}.chat: a channel's id is negative (e.g. -1001234567890), got {value}"
            )
        return value
    if isinstance(value, str):
        if _CHANNEL_NAME.fullmatch(value):
            return value
        raise ConfigError(
            f'{where}.chat: expected "@name" (5-32 letters, digits or _, starting with a '
            f"letter) or the channel's numeric id, got {value!r}"
        )
    if value is None:
        raise ConfigError(f'{where}.chat: missing ("@name" or the channel\'s numeric id)')
    raise ConfigError(f'{where}.chat: expected "@name" or the channel\'s numeric id, got {value!r}')
