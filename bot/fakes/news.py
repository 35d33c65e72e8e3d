"""A fake HTTP server for news feeds, article pages and the loss-counter API.

``async with FakeNews() as news:`` listens on 127.0.0.1 (a free port); ``news.url`` is its
root. Content is set per path with :meth:`FakeNews.set`; every answer carries an ETag (a
hash of the body unless told otherwise) and optionally Last-Modified, and a matching
If-None-Match / If-Modified-Since gets 304. Faults per path (:meth:`FakeNews.fault`):

* ``"status"``    answer ``status`` (500 by default) with a short text body;
* ``"slow"``      send the headers, then drip the body ``chunk_size`` bytes every ``interval`` s;
* ``"hang"``      read the request and never answer (until the server closes);
* ``"huge"``      a body of ``size`` bytes (20 MiB by default), generated while streaming;
* ``"redirect"``  ``status`` (302 by default) to ``location``; two paths pointing at each
  other make a loop;
* ``"gzip"``      the body gzip-compressed, with ``Content-Encoding: gzip``;
* ``"reset"``     close the connection abruptly (TCP RST) instead of answering;
* ``"forbid_ua"`` 403 when the User-Agent contains ``substring`` (case-insensitive),
  the normal answer otherwise.

Every request is recorded (:attr:`FakeNews.requests`) and counted (:meth:`FakeNews.hits`).
Nothing is started at import.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from enum import Enum
from typing import Any, Literal

from bot.fakes._http import Abort, LoopbackFake, LoopbackServer, Request, Response

__all__ = ["AUTO", "FakeNews", "Fault", "FaultMode", "RecordedRequest", "http_date"]

FaultMode = Literal["status", "slow", "hang", "huge", "redirect", "gzip", "reset", "forbid_ua"]
_FAULT_MODES = frozenset(
    ("status", "slow", "hang", "huge", "redirect", "gzip", "reset", "forbid_ua")
)
_STREAM_CHUNK = 64 * 1024


class _Auto(Enum):
    AUTO = "auto"


AUTO = _Auto.AUTO
"""Default for ``etag``: a hash of the body."""


def http_date(timestamp: float | None = None) -> str:
    """An RFC 7231 date (for ``last_modified``), e.g. ``Wed, 21 Oct 2015 07:28:00 GMT``."""
    return formatdate(timestamp, usegmt=True)


@dataclass(frozen=True, slots=True)
class Fault:
    """How a path misbehaves; see the module docstring for the modes."""

    mode: FaultMode
    status: int | None = None
    interval: float = 0.5
    chunk_size: int = 64
    size: int = 20 * 1024 * 1024
    location: str = "/"
    substring: str = "python-httpx"
    declare_length: bool = True  # "huge": send Content-Length (else chunked)

    def __post_init__(self) -> None:
        if self.mode not in _FAULT_MODES:
            raise ValueError(f"unknown fault mode {self.mode!r}")


@dataclass(slots=True)
class _Route:
    body: bytes
    status: int
    content_type: str
    headers: list[tuple[str, str]]
    etag: str | None
    last_modified: str | None
    fault: Fault | None = None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str  # without the query
    target: str  # as requested, query included
    headers: Mapping[str, str]  # lower-cased names
    at: float


@dataclass(slots=True)
class _Waiters:
    futures: list[asyncio.Future[None]] = field(default_factory=list)

    def notify(self) -> None:
        futures, self.futures = self.futures, []
        for fut in futures:
            if not fut.done():
                fut.set_result(None)


class FakeNews(LoopbackFake):
    """Loopback HTTP server with settable content and fault modes, per path."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = LoopbackServer(self._handle, host=host, port=port)
        self._routes: dict[str, _Route] = {}
        self._hits: Counter[str] = Counter()
        self._waiters = _Waiters()
        self.requests: list[RecordedRequest] = []

    # -- addresses (start/close/async with: LoopbackFake) ------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self._server.url

    def url_for(self, path: str) -> str:
        return f"{self.url}{path}"

    # -- content -----------------------------------------------------------------------------

    def set(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "application/rss+xml; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        etag: str | _Auto | None = AUTO,
        last_modified: str | None = None,
        fault: Fault | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (a path, optionally with a query); return its URL.

        ``etag=None`` sends no ETag; ``last_modified`` is an HTTP date (see :func:`http_date`).
        """
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if etag is AUTO:
            etag = f'"{hashlib.sha256(data).hexdigest()[:20]}"'
        self._routes[path] = _Route(
            body=data,
            status=status,
            content_type=content_type,
            headers=list((headers or {}).items()),
            etag=etag,
            last_modified=last_modified,
            fault=fault,
        )
        return self.url_for(path) if self._server.running else path

    def set_json(self, path: str, obj: Any, *, status: int = 200) -> str:
        """Serve ``obj`` as JSON (for the loss-counter API)."""
        return self.set(
            path,
            json.dumps(obj, ensure_ascii=False),
            status=status,
            content_type="application/json",
        )

    def remove(self, path: str) -> None:
        """Forget ``path``: it answers 404 from now on."""
        self._routes.pop(path, None)

    def fault(
        self,
        path: str,
        mode: FaultMode,
        *,
        status: int | None = None,
        interval: float = 0.5,
        chunk_size: int = 64,
        size: int = 20 * 1024 * 1024,
        location: str = "/",
        substring: str = "python-httpx",
        declare_length: bool = True,
    ) -> None:
        """Make ``path`` misbehave (a path with no content gets an empty 200 body)."""
        route = self._routes.get(path)
        if route is None:
            self.set(path, b"", etag=None)
            route = self._routes[path]
        route.fault = Fault(
            mode,
            status=status,
            interval=interval,
            chunk_size=chunk_size,
            size=size,
            location=location,
            substring=substring,
            declare_length=declare_length,
        )

    def clear_fault(self, path: str) -> None:
        route = self._routes.get(path)
        if route is not None:
            route.fault = None

    # -- inspecting --------------------------------------------------------------------------

    def hits(self, path: str) -> int:
        """Requests for ``path`` (given with a query: that exact target only)."""
        return self._hits[path]

    async def wait_for_hits(
        self,
        path: str,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors FakeTelegram.wait_for
    ) -> None:
        """Wait until ``hits(path) >= count``; woken by each request, no polling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._hits[path] < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"FakeNews: {path} got {self._hits[path]} of {count} request(s) in "
                    f"{timeout} s; last paths: {[r.target for r in self.requests[-5:]]}"
                )
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.futures.append(fut)
            try:
                await asyncio.wait((fut,), timeout=remaining)
            finally:
                if not fut.done():
                    fut.cancel()

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        self.requests.append(
            RecordedRequest(
                request.method, request.path, request.target, request.headers, time.monotonic()
            )
        )
        self._hits[request.path] += 1
        if request.target != request.path:
            self._hits[request.target] += 1
        self._waiters.notify()

        route = self._routes.get(request.target) or self._routes.get(request.path)
        if route is None:
            return _text(404, "Not Found")
        fault = route.fault
        if fault is None:
            return _answer(request, route)
        mode = fault.mode
        if mode == "status":
            status = fault.status or 500
            return _text(status, f"fault: status {status}")
        if mode == "hang":
            await asyncio.get_running_loop().create_future()  # until the server closes
        if mode == "reset":
            raise Abort
        if mode == "redirect":
            return Response(
                fault.status or 302,
                [("Location", fault.location), ("Content-Type", "text/plain")],
                b"redirect",
            )
        if mode == "forbid_ua":
            agent = request.header("user-agent").lower()
            if fault.substring.lower() in agent:
                return _text(fault.status or 403, "Forbidden")
            return _answer(request, route)
        if mode == "gzip":
            return _answer(request, route, gzip_body=True)
        if mode == "huge":
            headers = [("Content-Type", route.content_type)]
            if fault.declare_length:
                headers.append(("Content-Length", str(fault.size)))
            return Response(200, headers, stream=_huge(route.body, fault.size))
        # "slow"
        headers = [
            ("Content-Type", route.content_type),
            ("Content-Length", str(len(route.body))),
        ]
        return Response(
            route.status,
            headers,
            stream=_drip(route.body, max(1, fault.chunk_size), fault.interval),
        )


def _text(status: int, text: str) -> Response:
    return Response(status, [("Content-Type", "text/plain; charset=utf-8")], text.encode())


def _answer(request: Request, route: _Route, *, gzip_body: bool = False) -> Response:
    headers: list[tuple[str, str]] = [("Content-Type", route.content_type)]
    if route.etag is not None:
        headers.append(("ETag", route.etag))
    if route.last_modified is not None:
        headers.append(("Last-Modified", route.last_modified))
    headers.extend(route.headers)
    if route.status == 200 and request.method in ("GET", "HEAD") and _not_modified(request, route):
        return Response(304, [(k, v) for k, v in headers if k in ("ETag", "Last-Modified")])
    body = route.body
    if gzip_body:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
        headers.append(("Vary", "Accept-Encoding"))
    return Response(route.status, headers, body)


def _not_modified(request: Request, route: _Route) -> bool:
    if_none_match = request.header("if-none-match")
    if if_none_match:
        if route.etag is None:
            return False
        ours = route.etag.removeprefix("W/")
        for tag in if_none_match.split(","):
            tag = tag.strip()  # noqa: PLW2901
            if tag == "*" or tag.removeprefix("W/") == ours:
                return True
        return False
    since = request.header("if-modified-since")
    if since and route.last_modified is not None:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


async def _drip(body: bytes, chunk_size: int, interval: float) -> AsyncIterator[bytes]:
    for start in range(0, len(body), chunk_size):
        await asyncio.sleep(interval)
        yield body[start : start + chunk_size]


async def _huge(prefix: bytes, size: int) -> AsyncIterator[bytes]:
    filler = (b"<!-- " + b"x" * 80 + b" -->\n") * (_STREAM_CHUNK // 91 + 1)
    filler = filler[:_STREAM_CHUNK]
    head = prefix[:size]
    if head:
        yield head
    remaining = size - len(head)
    while remaining > 0:
        chunk = filler if remaining >= len(filler) else filler[:remaining]
        remaining -= len(chunk)
        yield chunk
        await asyncio.sleep(0)
