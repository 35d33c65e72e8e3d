"""Per-host state of the fetcher, bounded: one lock per host, the hosts that want a browser
User-Agent, and the cookies sites set.  Admins can add any number of sources and feeds link to
any number of hosts, so none may grow with them: the locks and hosts keep at most ``size``
hosts, least recently used first out (a lock only when nobody holds or waits for it); the
cookie jar keeps at most :data:`COOKIE_JAR_SIZE` cookies."""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.client import HTTPResponse
from http.cookiejar import CookieJar
from itertools import islice
from urllib.request import Request

HOST_CACHE_SIZE = 1024
COOKIE_JAR_SIZE = 512


@dataclass(slots=True)
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # tasks holding or waiting for the lock


class HostLocks:
    """``async with locks.hold(host):`` — one request at a time per host."""

    def __init__(self, size: int = HOST_CACHE_SIZE) -> None:
        self._size = max(1, size)
        self._slots: OrderedDict[str, _Slot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = _Slot()
        self._slots.move_to_end(host)
        slot.users += 1
        try:
            async with slot.lock:
                yield
        finally:
            slot.users -= 1
            self._trim()

    def _trim(self) -> None:
        """Forget the least recently used idle hosts beyond the bound.  Hosts in use stay
        (there are at most ``fetch.concurrency`` of them), so a lock is never replaced while
        someone relies on it."""
        excess = len(self._slots) - self._size
        if excess <= 0:
            return
        idle = list(islice((h for h, s in self._slots.items() if s.users == 0), excess))
        for host in idle:
            del self._slots[host]


class RecentHosts:
    """A set of hosts holding at most ``size``, the least recently added or seen dropped."""

    def __init__(self, size: int = HOST_CACHE_SIZE) -> None:
        self._size = max(1, size)
        self._hosts: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hosts)

    def __contains__(self, host: object) -> bool:
        if host not in self._hosts:
            return False
        assert isinstance(host, str)
        self._hosts.move_to_end(host)
        return True

    def add(self, host: str) -> None:
        self._hosts[host] = None
        self._hosts.move_to_end(host)
        while len(self._hosts) > self._size:
            self._hosts.popitem(last=False)


class BoundedCookieJar(CookieJar):
    """The HTTP client's cookie jar, holding at most ``size`` cookies.

    httpx keeps every cookie a response sets, for the life of the client.  The bot needs them
    for a redirect chain at most (a site that sets a cookie and redirects to check it), but
    sites set sessions, load-balancer pins and per-article "viewed" marks, so the jar grew
    with the hosts and the items fetched.  Past the bound the expired cookies go first, then
    all of them: a site that still wants its cookie sets it again.
    """

    def __init__(self, size: int = COOKIE_JAR_SIZE) -> None:
        super().__init__()
        self._size = max(1, size)

    def extract_cookies(self, response: HTTPResponse, request: Request) -> None:
        super().extract_cookies(response, request)
        if len(self) > self._size:
            self.clear_expired_cookies()
            if len(self) > self._size:
                self.clear()
