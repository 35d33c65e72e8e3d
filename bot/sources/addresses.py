"""Which addresses the fetcher may connect to (the SSRF guard), and a bounded DNS cache.

An address is refused when it is loopback, link-local, private, multicast, reserved or
otherwise not globally routable — and also when it is an IPv6 address that merely wraps
such an IPv4 address: IPv4-mapped (``::ffff:127.0.0.1``), 6to4 (``2002::/16``, the IPv4 in
bits 16–47) and Teredo (``2001::/32``).  Teredo is refused outright: a news site is never
served from a Teredo tunnel, and its embedded addresses (the server in bits 32–63, the
client as the bit-inverted last 32 bits) are named in the reason when one of them is blocked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> addresses`` in the order to try them; raises :class:`socket.gaierror`."""

DNS_TTL = 60.0


async def system_resolver(host: str, port: int) -> list[str]:
    """The event loop's ``getaddrinfo`` (in a thread): IPv4 first, duplicates dropped."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)  # stable: keeps the resolver's order


def _ipv4_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.is_loopback:
        return "локальна адреса (loopback)"
    if ip.is_link_local:
        return "link-local адреса"
    if ip.is_private:
        return "адреса приватної мережі"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "службова адреса"
    return None


def blocked_reason(address: str) -> str | None:
    """Why an IP address must not be fetched from, or None if it is a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "нерозпізнана IP-адреса"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _ipv4_reason(ip.ipv4_mapped)
        if ip.teredo is not None:
            server, client = ip.teredo
            for role, inner in (("сервер", server), ("клієнт", client)):
                reason = _ipv4_reason(inner)
                if reason is not None:
                    return f"тунельна адреса Teredo ({role} {inner}: {reason})"
            return "тунельна адреса Teredo"
        if ip.sixtofour is not None:
            reason = _ipv4_reason(ip.sixtofour)
            if reason is not None:
                return f"адреса 6to4 з вкладеною {ip.sixtofour}: {reason}"
    return _ipv4_reason(ip)


class DnsCache:
    """Resolved addresses per (host, port) for :data:`DNS_TTL` seconds, at most ``size``
    entries (the least recently used go first), so thousands of hosts cannot grow it."""

    def __init__(self, size: int, *, ttl: float = DNS_TTL) -> None:
        self._size = max(1, size)
        self._ttl = ttl
        self._entries: OrderedDict[tuple[str, int], tuple[float, list[str]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, host: str, port: int) -> list[str] | None:
        key = (host, port)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] >= self._ttl:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, host: str, port: int, addresses: list[str]) -> None:
        self._entries[(host, port)] = (time.monotonic(), addresses)
        self._entries.move_to_end((host, port))
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
