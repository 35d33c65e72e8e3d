"""HTTP fetching for feeds and article pages, over the one shared ``httpx.AsyncClient``.

Rules (from the sources issue): connect 5 s, read 20 s, 30 s per fetch overall; at most 5
redirects, each hop checked; the body streamed and cut off beyond ``max_body_bytes`` (after
gzip decoding, so a small bomb cannot slip through); a User-Agent naming the bot, and a
browser-like one for hosts that answer 403 to it; conditional GET with stored validators; at
most ``concurrency`` requests at once and one at a time per host.

Errors form one small tree, each carrying a plain-words Ukrainian reason (it is what admins
read in /sources)::

    FetchError
     ├── BlockedAddressError   private, loopback, link-local … address (SSRF guard)
     ├── InvalidUrlError       not an absolute http(s) URL
     ├── HttpStatusError       4xx/5xx (``status``)
     ├── TooLargeError         body over the cap
     ├── TooManyRedirectsError redirect loop or chain longer than allowed
     └── FetchTimeoutError     no answer in time (connect, read or overall)
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.config import FetchConfig

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DNS_TTL = 60.0

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> addresses`` in the order to try them; raises :class:`socket.gaierror`."""


async def system_resolver(host: str, port: int) -> list[str]:
    """The event loop's ``getaddrinfo`` (in a thread): IPv4 first, duplicates dropped."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)  # stable: keeps the resolver's order


class FetchError(Exception):
    """A fetch failed; ``str(error)`` is the reason in plain Ukrainian."""


class BlockedAddressError(FetchError):
    pass


class InvalidUrlError(FetchError):
    pass


class HttpStatusError(FetchError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TooLargeError(FetchError):
    pass


class TooManyRedirectsError(FetchError):
    pass


class FetchTimeoutError(FetchError):
    pass


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int  # 200-class or 304
    body: bytes  # empty for 304
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> str | None:
        if not self.content_type:
            return None
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip().strip("\"'")
        return None


_STATUS_WORDS = {
    400: "некоректний запит",
    401: "потрібна авторизація",
    403: "доступ заборонено",
    404: "сторінку не знайдено",
    410: "сторінку вилучено",
    429: "забагато запитів",
    500: "внутрішня помилка сервера",
    502: "помилка шлюзу",
    503: "сервіс недоступний",
    504: "шлюз не дочекався відповіді",
}


def status_message(status: int) -> str:
    """'сервер відповів помилкою 404 (сторінку не знайдено)'."""
    words = _STATUS_WORDS.get(status)
    return f"сервер відповів помилкою {status}" + (f" ({words})" if words else "")


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:g} МБ"


def blocked_reason(address: str) -> str | None:
    """Why an IP address must not be fetched from, or None if it is a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "нерозпізнана IP-адреса"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "локальна адреса (loopback)"
    if ip.is_link_local:
        return "link-local адреса"
    if ip.is_private:
        return "адреса приватної мережі"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "службова адреса"
    return None


class Fetcher:
    """Polite, bounded HTTP GETs for the sources; one per application (it owns the limits)."""

    def __init__(
        self, http: httpx.AsyncClient, config: FetchConfig, *, resolver: Resolver | None = None
    ) -> None:
        self._http = http
        self._config = config
        self._resolver = resolver or system_resolver
        self._slots = asyncio.Semaphore(max(1, config.concurrency))
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._browser_hosts: set[str] = set()  # hosts that answered 403 to our own UA
        self._dns: dict[tuple[str, int], tuple[float, list[str]]] = {}
        self._timeout = httpx.Timeout(
            connect=config.connect_timeout,
            read=config.read_timeout,
            write=config.read_timeout,
            pool=config.source_timeout,
        )

    # -- address checks ----------------------------------------------------------------------

    async def check_url(self, url: str) -> list[str] | None:
        """Raise unless ``url`` is http(s) and (unless allowed) resolves to public addresses.

        Returns the checked addresses, which are the only ones a fetch then connects to (see
        :meth:`_request`), or None when private sources are allowed (no check, no pinning).
        """
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise InvalidUrlError("некоректна адреса") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidUrlError("потрібна адреса http:// або https://")
        if self._config.allow_private_sources:
            return None
        addresses = await self._resolve(parts.hostname, port)
        if not addresses:
            raise FetchError(f"домен {parts.hostname} не знайдено")
        for address in addresses:
            reason = blocked_reason(address)
            if reason is not None:
                raise BlockedAddressError(
                    f"{parts.hostname} веде на {address}: {reason}, такі джерела заборонені"
                )
        return addresses

    async def _resolve(self, host: str, port: int) -> list[str]:
        key = (host, port)
        cached = self._dns.get(key)
        if cached is not None and time.monotonic() - cached[0] < _DNS_TTL:
            return cached[1]
        try:
            addresses = list(await self._resolver(host, port))
        except (socket.gaierror, UnicodeError):
            raise FetchError(f"домен {host} не знайдено") from None
        self._dns[key] = (time.monotonic(), addresses)
        return addresses

    # -- fetching ----------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` under every rule above; raise :class:`FetchError` on any failure."""
        total = self._config.source_timeout
        try:
            async with asyncio.timeout(total):
                return await self._follow(url, etag, last_modified, accept, max_bytes)
        except TimeoutError:
            raise FetchTimeoutError(f"джерело не відповіло повністю за {total:g} с") from None

    async def _follow(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        max_bytes: int | None,
    ) -> FetchResult:
        seen: set[str] = set()
        current = url
        for _hop in range(self._config.max_redirects + 1):
            addresses = await self.check_url(current)
            seen.add(current)
            headers = {"Accept": accept}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            result, location = await self._one(current, headers, max_bytes, addresses)
            if result is not None:
                return result
            assert location is not None
            current = urljoin(current, location)
            if current in seen:
                raise TooManyRedirectsError("переадресації зациклилися")
        raise TooManyRedirectsError(
            f"забагато переадресацій (більше ніж {self._config.max_redirects})"
        )

    async def _one(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int | None,
        addresses: list[str] | None,
    ) -> tuple[FetchResult | None, str | None]:
        """One request (403 retried once with a browser UA); (result, None) or (None, location)."""
        host = urlsplit(url).netloc.lower()
        async with self._slots, self._host_lock(host):
            browser = host in self._browser_hosts
            for attempt in range(2):
                agent = self._config.browser_user_agent if browser else self._config.user_agent
                request_headers = {**headers, "User-Agent": agent}
                async with self._request(url, request_headers, addresses) as response:
                    status = response.status_code
                    if status == 403 and not browser and attempt == 0:
                        browser = True
                        continue
                    if browser and status != 403:
                        self._browser_hosts.add(host)
                    if status in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise HttpStatusError(
                                f"сервер відповів {status} без адреси переадресації", status
                            )
                        return None, location
                    if status == 304:
                        return self._result(url, response, b""), None
                    if status >= 400 or status < 200:
                        raise HttpStatusError(status_message(status), status)
                    body = await self._read(response, max_bytes or self._config.max_body_bytes)
                    return self._result(url, response, body), None
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.asynccontextmanager
    async def _request(
        self, url: str, headers: dict[str, str], addresses: list[str] | None
    ) -> AsyncIterator[httpx.Response]:
        """``client.stream`` with httpx's errors turned into :class:`FetchError`.

        With ``addresses`` (the ones :meth:`check_url` resolved and checked) the request goes
        to those IPs, never to a name httpx would resolve again: a hostile DNS cannot answer a
        public address to the check and a private one to the connection (DNS rebinding).  The
        original name travels in the Host header and, for https, as the TLS SNI name that the
        certificate is verified against.  Addresses are tried in order while connecting fails.
        """
        try:
            targets = (
                [(url, headers, {})] if addresses is None else _pinned(url, headers, addresses)
            )
            async with contextlib.AsyncExitStack() as stack:
                for index, (target, target_headers, extensions) in enumerate(targets):
                    try:
                        response = await stack.enter_async_context(
                            self._http.stream(
                                "GET",
                                target,
                                headers=target_headers,
                                follow_redirects=False,
                                timeout=self._timeout,
                                extensions=extensions,
                            )
                        )
                    except httpx.ConnectError:
                        if index == len(targets) - 1:
                            raise
                        continue
                    yield response
                    break
        except httpx.ConnectTimeout:
            raise FetchTimeoutError(
                f"не вдалося з'єднатися за {self._config.connect_timeout:g} с"
            ) from None
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout):
            raise FetchTimeoutError(
                f"сервер замовк більш ніж на {self._config.read_timeout:g} с"
            ) from None
        except httpx.ConnectError as exc:
            raise FetchError(f"не вдалося з'єднатися з сервером ({_short(exc)})") from None
        except httpx.DecodingError:
            raise FetchError("не вдалося розпакувати відповідь сервера") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise FetchError(f"з'єднання обірвалося ({_short(exc)})") from None
        except httpx.UnsupportedProtocol:
            raise InvalidUrlError("потрібна адреса http:// або https://") from None
        except httpx.InvalidURL:
            raise InvalidUrlError("некоректна адреса") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"помилка HTTP ({_short(exc)})") from None

    async def _read(self, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise TooLargeError(f"відповідь більша за {_megabytes(limit)}, не завантажено")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise TooLargeError(
                    f"відповідь більша за {_megabytes(limit)}, завантаження перервано"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _result(self, url: str, response: httpx.Response, body: bytes) -> FetchResult:
        return FetchResult(
            url=url,
            status=response.status_code,
            body=body,
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    def _host_lock(self, host: str) -> asyncio.Lock:
        lock = self._host_locks.get(host)
        if lock is None:
            lock = self._host_locks[host] = asyncio.Lock()
        return lock


def _pinned(
    url: str, headers: dict[str, str], addresses: list[str]
) -> list[tuple[str, dict[str, str], dict[str, object]]]:
    """``url`` re-aimed at each checked address, with the name kept for Host and SNI.

    https requests also say ``Connection: close``: httpcore pools connections by (scheme, IP,
    port), so a kept-alive connection whose certificate was checked for one name could
    otherwise carry a later request for another name served from the same IP.
    """
    parsed = httpx.URL(url)
    name = parsed.raw_host.decode("ascii")
    host_header = parsed.netloc.decode("ascii")
    out: list[tuple[str, dict[str, str], dict[str, object]]] = []
    for address in addresses:
        target = str(parsed.copy_with(host=address.split("%", 1)[0]))
        pinned_headers = {**headers, "Host": host_header}
        extensions: dict[str, object] = {}
        if parsed.scheme == "https":
            extensions["sni_hostname"] = name
            pinned_headers["Connection"] = "close"
        out.append((target, pinned_headers, extensions))
    return out


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"
