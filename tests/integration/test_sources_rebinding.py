"""DNS rebinding: the fetcher connects to exactly the addresses it checked.

Every request here goes to an ``httpx.MockTransport`` (an in-process fake transport): the
public-looking addresses a fake resolver answers are recorded, never connected to, so nothing
leaves the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from bot.fakes import FakeNews
from bot.sources.fetch import BlockedAddressError, Fetcher, FetchError
from tests.integration.test_sources_support import fast_fetch

PUBLIC = "93.184.216.34"
PUBLIC_2 = "93.184.216.35"


class Resolver:
    """Answers from a script per host: each call takes the next answer (the last repeats),
    which is how a rebinding DNS behaves (public first, private later)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self._answers = {host: iter(seq) for host, seq in answers.items()}
        self._last: dict[str, list[str]] = {}
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        answers: Iterator[list[str]] = self._answers[host]
        self._last[host] = next(answers, self._last.get(host, []))
        return self._last[host]


class Recorder:
    """The fake transport's handler: records each request, answers from ``routes``."""

    def __init__(self, routes: dict[str, httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.routes = routes or {}
        self.refuse: set[str] = set()  # IPs whose "connection" fails

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host in self.refuse:
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        key = f"{request.headers['host']}{request.url.path}"
        return self.routes.get(key, httpx.Response(200, text="<rss/>"))


@asynccontextmanager
async def _fetcher(
    recorder: Recorder, resolver: Resolver, *, allow_private: bool = False
) -> AsyncIterator[Fetcher]:
    """A Fetcher over an in-process transport (``recorder``); its client closed on exit."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
        yield Fetcher(http, fast_fetch(allow_private_sources=allow_private), resolver=resolver)


async def test_https_request_goes_to_the_checked_address_with_host_and_sni() -> None:
    resolver = Resolver({"news.example": [[PUBLIC], ["127.0.0.1"]]})  # rebinds after 1st answer
    recorder = Recorder()
    async with _fetcher(recorder, resolver) as fetcher:
        result = await fetcher.fetch("https://news.example/rss?x=1")
    assert resolver.calls == [("news.example", 443)]  # resolved once: for the check
    (request,) = recorder.requests
    assert request.url.host == PUBLIC
    assert str(request.url) == f"https://{PUBLIC}/rss?x=1"
    assert request.headers["host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"
    assert request.headers["connection"] == "close"  # no pooled reuse across names on one IP
    assert result.url == "https://news.example/rss?x=1"  # callers see the name, not the IP
    assert result.body == b"<rss/>"


async def test_plain_http_keeps_the_port_in_host_and_sends_no_sni() -> None:
    resolver = Resolver({"news.example": [[PUBLIC]]})
    recorder = Recorder()
    async with _fetcher(recorder, resolver) as fetcher:
        await fetcher.fetch("http://news.example:8080/feed")
    (request,) = recorder.requests
    assert (request.url.host, request.url.port) == (PUBLIC, 8080)
    assert request.headers["host"] == "news.example:8080"
    assert "sni_hostname" not in request.extensions
    assert resolver.calls == [("news.example", 8080)]


async def test_a_rebinding_answer_is_never_connected_to() -> None:
    """Within the DNS cache's lifetime the second fetch reuses the checked answer; a fresh
    Fetcher asks again, is told 127.0.0.1 and refuses before connecting."""
    resolver = Resolver({"news.example": [[PUBLIC], ["127.0.0.1"]]})
    recorder = Recorder()
    async with _fetcher(recorder, resolver) as fetcher:
        await fetcher.fetch("https://news.example/a")
        await fetcher.fetch("https://news.example/b")
        fresh = Fetcher(fetcher._http, fast_fetch(allow_private_sources=False), resolver=resolver)
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1"):
            await fresh.fetch("https://news.example/c")
    assert [r.url.host for r in recorder.requests] == [PUBLIC, PUBLIC]
    assert [r.url.path for r in recorder.requests] == ["/a", "/b"]


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["10.1.2.3"],
        ["169.254.169.254"],
        ["::1"],
        ["fe80::1"],
        [PUBLIC, "10.0.0.7"],  # one private address among public ones is enough to refuse
        ["2002:7f00:1::"],  # 6to4 wrapping 127.0.0.1
        ["2001:0:5db8:d822::80ff:fffe"],  # Teredo whose client is 127.0.0.1
    ],
)
async def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(
    answer: list[str],
) -> None:
    resolver = Resolver({"news.example": [answer]})
    recorder = Recorder()
    async with _fetcher(recorder, resolver) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch("https://news.example/rss")
    assert recorder.requests == []


async def test_each_redirect_hop_is_checked_and_pinned() -> None:
    resolver = Resolver({"news.example": [[PUBLIC]], "cdn.example": [[PUBLIC_2]]})
    recorder = Recorder(
        {
            "news.example/rss": httpx.Response(
                301, headers={"Location": "https://cdn.example/feed.xml"}
            ),
        }
    )
    async with _fetcher(recorder, resolver) as fetcher:
        result = await fetcher.fetch("https://news.example/rss")
    assert [(r.url.host, r.headers["host"]) for r in recorder.requests] == [
        (PUBLIC, "news.example"),
        (PUBLIC_2, "cdn.example"),
    ]
    assert recorder.requests[1].extensions["sni_hostname"] == "cdn.example"
    assert result.url == "https://cdn.example/feed.xml"


async def test_a_redirect_to_a_name_resolving_privately_is_refused() -> None:
    resolver = Resolver({"news.example": [[PUBLIC]], "inside.example": [["10.0.0.5"]]})
    recorder = Recorder(
        {"news.example/rss": httpx.Response(302, headers={"Location": "http://inside.example/"})}
    )
    async with _fetcher(recorder, resolver) as fetcher:
        with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.5"):
            await fetcher.fetch("https://news.example/rss")
    assert [r.headers["host"] for r in recorder.requests] == ["news.example"]


async def test_next_checked_address_is_tried_when_connecting_fails() -> None:
    resolver = Resolver({"news.example": [[PUBLIC, "2606:4700::6810:85e5"]]})
    recorder = Recorder()
    recorder.refuse.add(PUBLIC)
    async with _fetcher(recorder, resolver) as fetcher:
        await fetcher.fetch("https://news.example/rss")
    (request,) = recorder.requests
    assert str(request.url) == "https://[2606:4700::6810:85e5]/rss"
    assert request.headers["host"] == "news.example"


async def test_connect_failure_on_every_address_is_a_fetch_error() -> None:
    resolver = Resolver({"news.example": [[PUBLIC, PUBLIC_2]]})
    recorder = Recorder()
    recorder.refuse.update({PUBLIC, PUBLIC_2})
    async with _fetcher(recorder, resolver) as fetcher:
        with pytest.raises(FetchError, match="не вдалося з'єднатися"):
            await fetcher.fetch("https://news.example/rss")


async def test_unknown_name_is_a_plain_error() -> None:
    resolver = Resolver({"news.example": [[]]})
    recorder = Recorder()
    async with _fetcher(recorder, resolver) as fetcher:
        with pytest.raises(FetchError, match="не знайдено"):
            await fetcher.fetch("https://news.example/rss")
    assert recorder.requests == []


async def test_allow_private_sources_path_is_unchanged() -> None:
    """Loopback tests rely on it: no resolving, no pinning, the URL as given."""
    resolver = Resolver({})
    recorder = Recorder()
    async with _fetcher(recorder, resolver, allow_private=True) as fetcher:
        await fetcher.fetch("https://news.example/rss")
    assert resolver.calls == []
    (request,) = recorder.requests
    assert request.url.host == "news.example"
    assert "sni_hostname" not in request.extensions
    assert request.headers["connection"] == "keep-alive"  # httpx default


async def test_over_a_real_socket_the_unresolvable_name_reaches_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """End to end on loopback: ``news.invalid`` exists in no DNS, so the answer can only have
    come from connecting to the address the injected resolver gave and the check passed (the
    check is told to accept loopback here, and only here)."""
    monkeypatch.setattr("bot.sources.fetch.blocked_reason", lambda address: None)
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/feed.xml", "<rss/>", content_type="application/rss+xml")
        port = httpx.URL(news.url).port
        assert port is not None
        resolver = Resolver({"news.invalid": [["127.0.0.1"]]})
        fetcher = Fetcher(http, fast_fetch(allow_private_sources=False), resolver=resolver)
        result = await fetcher.fetch(f"http://news.invalid:{port}/feed.xml")
    assert result.body == b"<rss/>"
    assert result.url == f"http://news.invalid:{port}/feed.xml"
    assert news.hits("/feed.xml") == 1
    assert resolver.calls == [("news.invalid", port)]
