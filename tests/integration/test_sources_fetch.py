"""The fetcher on its own: address guard, limits, validators."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bot.fakes import FakeNews
from bot.sources.fetch import (
    BlockedAddressError,
    Fetcher,
    FetchError,
    InvalidUrlError,
    blocked_reason,
)
from tests.integration.test_sources_support import fast_fetch


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "локальна адреса (loopback)"),
        ("::1", "локальна адреса (loopback)"),
        ("10.1.2.3", "адреса приватної мережі"),
        ("192.168.0.10", "адреса приватної мережі"),
        ("172.16.5.4", "адреса приватної мережі"),
        ("169.254.169.254", "link-local адреса"),
        ("fe80::1", "link-local адреса"),
        ("::ffff:127.0.0.1", "локальна адреса (loopback)"),
        ("0.0.0.0", "адреса приватної мережі"),
        ("100.64.0.1", "службова адреса"),
        ("224.0.0.1", "службова адреса"),
        ("93.184.216.34", None),
        ("2606:4700::6810:85e5", None),
        # 6to4 (2002::/16) carries an IPv4 in bits 16-47
        ("2002:7f00:1::", "адреса 6to4 з вкладеною 127.0.0.1: локальна адреса (loopback)"),
        ("2002:a9fe:a9fe::1", "адреса 6to4 з вкладеною 169.254.169.254: link-local адреса"),
        ("2002:c0a8:0101::", "адреса 6to4 з вкладеною 192.168.1.1: адреса приватної мережі"),
        ("2002:5db8:d822::1", None),  # 93.184.216.34 inside: a public 6to4 address
        # Teredo (2001::/32): server in bits 32-63, client = the last 32 bits inverted
        (
            "2001:0:5db8:d822::80ff:fffe",
            "тунельна адреса Teredo (клієнт 127.0.0.1: локальна адреса (loopback))",
        ),
        (
            "2001:0:0a00:0001::a247:27dd",
            "тунельна адреса Teredo (сервер 10.0.0.1: адреса приватної мережі)",
        ),
        ("2001:0:5db8:d822::a247:27dd", "тунельна адреса Teredo"),  # both public: refused too
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(address) == reason


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1:8080/feed", BlockedAddressError),
        ("http://localhost/feed", BlockedAddressError),  # after name resolution (/etc/hosts)
        ("http://[::1]/feed", BlockedAddressError),
        ("http://169.254.169.254/latest/meta-data", BlockedAddressError),
        ("http://10.0.0.1/rss", BlockedAddressError),
        ("ftp://example.org/feed", InvalidUrlError),
        ("file:///etc/passwd", InvalidUrlError),
        ("http:///nohost", InvalidUrlError),
        ("http://e.ua:99999/", InvalidUrlError),
    ],
)
async def test_private_and_invalid_addresses_are_refused(url: str, error: type) -> None:
    async with httpx.AsyncClient() as http:
        fetcher = Fetcher(http, fast_fetch(allow_private_sources=False))
        with pytest.raises(error):
            await fetcher.check_url(url)
        with pytest.raises(error):
            await fetcher.fetch(url)


async def test_blocked_message_names_the_address() -> None:
    async with httpx.AsyncClient() as http:
        fetcher = Fetcher(http, fast_fetch(allow_private_sources=False))
        with pytest.raises(BlockedAddressError) as caught:
            await fetcher.check_url("http://127.0.0.1/")
    assert str(caught.value) == (
        "127.0.0.1 веде на 127.0.0.1: локальна адреса (loopback), такі джерела заборонені"
    )


async def test_allow_private_sources_lets_loopback_through() -> None:
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/x", "hello", content_type="text/plain")
        result = await Fetcher(http, fast_fetch()).fetch(news.url_for("/x"))
    assert (result.status, result.body, result.charset) == (200, b"hello", None)


async def _fail_time(fetcher: Fetcher, url: str) -> float:
    """Fetch ``url``, which must fail; return the monotonic time at which the failure surfaced
    (before any other task could run: releasing the locks does not yield)."""
    with pytest.raises(FetchError):
        await fetcher.fetch(url)
    return time.monotonic()


async def test_fetcher_serialises_requests_to_one_host() -> None:
    async with FakeNews() as news, httpx.AsyncClient() as http:
        fetcher = Fetcher(http, fast_fetch())
        news.fault("/hang", "hang")
        news.set("/ok", "ok", content_type="text/plain")
        slow = asyncio.create_task(_fail_time(fetcher, news.url_for("/hang")))
        await news.wait_for_hits("/hang")
        assert (await fetcher.fetch(news.url_for("/ok"))).body == b"ok"
        ok_request = news.requests[-1]
        assert ok_request.path == "/ok" and ok_request.at >= await slow


async def test_fetcher_runs_hosts_in_parallel() -> None:
    async with FakeNews() as one, FakeNews() as two, httpx.AsyncClient() as http:
        fetcher = Fetcher(http, fast_fetch())
        one.fault("/hang", "hang")
        two.set("/ok", "ok", content_type="text/plain")
        slow = asyncio.create_task(fetcher.fetch(one.url_for("/hang")))
        await one.wait_for_hits("/hang")
        assert (await fetcher.fetch(two.url_for("/ok"))).body == b"ok"
        assert not slow.done()  # the other host is still being waited for
        with pytest.raises(FetchError):
            await slow


async def test_global_limit_queues_requests() -> None:
    async with FakeNews() as one, FakeNews() as two, httpx.AsyncClient() as http:
        fetcher = Fetcher(http, fast_fetch(concurrency=1))
        one.fault("/hang", "hang")
        two.set("/ok", "ok", content_type="text/plain")
        slow = asyncio.create_task(_fail_time(fetcher, one.url_for("/hang")))
        await one.wait_for_hits("/hang")
        assert (await fetcher.fetch(two.url_for("/ok"))).body == b"ok"
        assert two.requests[-1].at >= await slow
