"""HTTP fetching for feeds and article pages, over the one shared ``httpx.AsyncClient``.

Rules (from the sources issue): connect 5 s, read 20 s, 30 s per fetch overall; at most 5
redirects, each hop checked; the body streamed and cut off beyond ``max_body_bytes`` (counted
after gzip decoding, which is done piece by piece, so a small bomb can neither slip through
nor fill the memory: see :mod:`bot.http_body`); a User-Agent naming the bot, and a
browser-like one for hosts that answer 403 to it; conditional GET with stored validators; at
most ``concurrency`` requests at once and one at a time per host.  Per-host state (locks, DNS
answers, browser hosts) is bounded (:mod:`bot.sources.hosts`).

Address checks (:mod:`bot.sources.addresses`) apply to every hop unless
``allow_private_sources`` is set, or the hop is on the ``trusted_host`` the caller names: the
host of a source the operator wrote in the config (it may well be a local RSSHub).

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
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.config import FetchConfig
from bot.http_body import ACCEPT_ENCODING, BodyDecodeError, BodyTooLarge, read_body
from bot.sources.addresses import DnsCache, Resolver, blocked_reason, system_resolver
from bot.sources.hosts import HOST_CACHE_SIZE, HostLocks, RecentHosts

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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


def host_of(url: str) -> str | None:
    """The lower-case host name of ``url`` (no port), or None if it has none."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


class Fetcher:
    """Polite, bounded HTTP GETs for the sources; one per application (it owns the limits)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: FetchConfig,
        *,
        resolver: Resolver | None = None,
        host_cache_size: int = HOST_CACHE_SIZE,
    ) -> None:
        self._http = http
        self._config = config
        self._resolver = resolver or system_resolver
        self._slots = asyncio.Semaphore(max(1, config.concurrency))
        self._host_locks = HostLocks(host_cache_size)
        self._browser_hosts = RecentHosts(host_cache_size)  # answered 403 to our own UA
        self._dns = DnsCache(host_cache_size)
        self._timeout = httpx.Timeout(
            connect=config.connect_timeout,
            read=config.read_timeout,
            write=config.read_timeout,
            pool=config.source_timeout,
        )

    # -- address checks ----------------------------------------------------------------------

    async def check_url(self, url: str, *, trusted_host: str | None = None) -> list[str] | None:
        """Raise unless ``url`` is http(s) and (unless allowed) resolves to public addresses.

        Returns the checked addresses, which are the only ones a fetch then connects to (see
        :meth:`_request`), or None when private sources are allowed or ``url`` is on
        ``trusted_host`` (no check, no pinning).
        """
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise InvalidUrlError("некоректна адреса") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidUrlError("потрібна адреса http:// або https://")
        if self._config.allow_private_sources or (
            trusted_host is not None and parts.hostname == trusted_host.lower()
        ):
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
        cached = self._dns.get(host, port)
        if cached is not None:
            return cached
        try:
            addresses = list(await self._resolver(host, port))
        except (socket.gaierror, UnicodeError):
            raise FetchError(f"домен {host} не знайдено") from None
        self._dns.put(host, port, addresses)
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
        trusted_host: str | None = None,
    ) -> FetchResult:
        """GET ``url`` under every rule above; raise :class:`FetchError` on any failure.

        Hops on ``trusted_host`` skip the private-address check (config sources only).
        """
        total = self._config.source_timeout
        try:
            async with asyncio.timeout(total):
                return await self._follow(url, etag, last_modified, accept, max_bytes, trusted_host)
        except TimeoutError:
            raise FetchTimeoutError(f"джерело не відповіло повністю за {total:g} с") from None

    async def _follow(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        max_bytes: int | None,
        trusted_host: str | None,
    ) -> FetchResult:
        seen: set[str] = set()
        current = url
        for _hop in range(self._config.max_redirects + 1):
            addresses = await self.check_url(current, trusted_host=trusted_host)
            seen.add(current)
            headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
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
        async with self._slots, self._host_locks.hold(host):
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
        except (httpx.DecodingError, BodyDecodeError):
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
        try:
            return await read_body(response, limit)
        except BodyTooLarge as exc:
            done = "не завантажено" if exc.declared else "завантаження перервано"
            raise TooLargeError(f"відповідь більша за {_megabytes(limit)}, {done}") from None

    def _result(self, url: str, response: httpx.Response, body: bytes) -> FetchResult:
        return FetchResult(
            url=url,
            status=response.status_code,
            body=body,
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


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
