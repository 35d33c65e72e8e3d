"""Bounded fetching: a gzip bomb is cut off within the cap (peak memory measured), the
loss-counter fetch has an overall deadline, and per-host state stays bounded."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import Awaitable
from typing import TypeVar

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import LossesConfig
from bot.fakes import FakeNews
from bot.losses.api import SourceUnavailable, fetch_body
from bot.losses.service import LossService
from bot.sources.fetch import Fetcher, FetchError, TooLargeError
from storage import Database
from tests.integration.test_sources_support import fast_fetch

T = TypeVar("T")
CAP = 5_000_000  # fetch.max_body_bytes's default
MB = 1_000_000


def gzip_bomb(decoded_size: int) -> bytes:
    """``decoded_size`` zero bytes gzip-compressed, built a megabyte at a time (~1 000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    parts = [packer.compress(block) for _ in range(decoded_size // MB)]
    return b"".join([*parts, packer.flush()])


async def peak_during(work: Awaitable[T]) -> tuple[T | BaseException, int]:
    """Run ``work``; return its result (or exception) and the peak of traced memory above the
    level at the start, in bytes.  Callers warm up first (a small fetch): the first request
    of a process imports httpcore's network backend, ~1.6 MB that is no fetch's doing."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        try:
            result: T | BaseException = await work
        except Exception as exc:
            result = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - before


async def warm_up(fetcher: Fetcher, news: FakeNews) -> None:
    news.set("/warm-up", b"<rss/>")
    await fetcher.fetch(news.url_for("/warm-up"))


async def test_a_gzip_bomb_is_refused_within_the_cap_plus_a_megabyte() -> None:
    """67 MB of zeros in ~65 KB of gzip: httpx alone decodes a whole 64 KiB network chunk at
    once (67 MB); decoded piece by piece, the fetch stops at the cap."""
    bomb = gzip_bomb(67 * MB)
    assert len(bomb) < 100_000
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
        fetcher = Fetcher(http, fast_fetch(max_body_bytes=CAP, source_timeout=10.0))
        await warm_up(fetcher, news)
        result, peak = await peak_during(fetcher.fetch(news.url_for("/bomb.xml")))
    assert isinstance(result, TooLargeError)
    assert str(result) == "відповідь більша за 5 МБ, завантаження перервано"
    assert peak < CAP + MB, f"peak {peak / MB:.1f} MB"


async def test_a_compressed_body_just_under_the_cap_is_read_whole_within_bounds() -> None:
    text = b"<rss><channel><title>x</title></channel></rss>" + b" " * (CAP - 100)
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/big.xml", gzip.compress(text), headers={"Content-Encoding": "gzip"})
        fetcher = Fetcher(http, fast_fetch(max_body_bytes=CAP, source_timeout=10.0))
        await warm_up(fetcher, news)
        result, peak = await peak_during(fetcher.fetch(news.url_for("/big.xml")))
    assert not isinstance(result, BaseException)
    assert result.body == text
    assert peak < CAP + MB, f"peak {peak / MB:.1f} MB"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(b"<rss>" * 30_000)),
        ("x-gzip", gzip.compress(b"<rss>" * 10_000) + gzip.compress(b"<rss>" * 20_000)),
        ("deflate", zlib.compress(b"<rss>" * 30_000)),  # zlib-wrapped, as the RFC says
        ("deflate", zlib.compress(b"<rss>" * 30_000)[2:-4]),  # raw, as some servers send it
        ("gzip, identity", gzip.compress(b"<rss>" * 30_000)),
    ],
    ids=["gzip", "two-gzip-members", "zlib-deflate", "raw-deflate", "gzip-identity"],
)
async def test_every_coding_we_ask_for_decodes(encoding: str, body: bytes) -> None:
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/f.xml", body, headers={"Content-Encoding": encoding})
        result = await Fetcher(http, fast_fetch()).fetch(news.url_for("/f.xml"))
    assert result.body == b"<rss>" * 30_000
    assert news.requests[-1].headers["accept-encoding"] == "gzip, deflate"


async def test_an_unasked_coding_or_corrupt_data_is_a_plain_error() -> None:
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/br.xml", b"\x1b\x00", headers={"Content-Encoding": "br"})
        news.set("/bad.xml", b"\x1f\x8b\x08garbage", headers={"Content-Encoding": "gzip"})
        fetcher = Fetcher(http, fast_fetch())
        for path in ("/br.xml", "/bad.xml"):
            with pytest.raises(FetchError, match="не вдалося розпакувати відповідь сервера"):
                await fetcher.fetch(news.url_for(path))


async def test_the_loss_counter_refuses_a_gzip_bomb_too() -> None:
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/latest", gzip_bomb(20 * MB), headers={"Content-Encoding": "gzip"})
        await warm_up(Fetcher(http, fast_fetch()), news)
        result, peak = await peak_during(
            fetch_body(http, news.url_for("/latest"), accept="application/json")
        )
    assert isinstance(result, SourceUnavailable)
    assert "too large" in str(result)
    assert peak < 5 * MB + MB, f"peak {peak / MB:.1f} MB"


# -- the loss counter's deadline ----------------------------------------------------------------


@pytest.mark.parametrize("fault", ["hang", "slow"])
async def test_the_loss_counter_fetch_has_an_overall_deadline(fault: str) -> None:
    """A server that never answers, or drips a byte every 0.1 s (each read well inside the
    client's 20 s read timeout), holds a refresh no longer than the deadline."""
    async with FakeNews() as news, httpx.AsyncClient(timeout=20.0) as http:
        news.set_json("/latest", {"data": {"date": "2025-03-29"}})
        news.fault("/latest", fault, chunk_size=1, interval=0.1)  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(SourceUnavailable) as caught:
            await fetch_body(http, news.url_for("/latest"), accept="*/*", deadline=0.5)
        elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 2.0
    assert "did not answer in full within 0.5 s" in str(caught.value)
    assert caught.value.answered is False


async def test_a_refresh_gives_up_at_the_configured_deadline(
    db: Database, clock: ManualClock
) -> None:
    async with FakeNews() as news, httpx.AsyncClient(timeout=20.0) as http:
        news.fault("/latest", "hang")
        news.fault("/minfin", "slow", chunk_size=1, interval=0.1)
        config = LossesConfig(
            url=news.url_for("/latest"), fallback_url=news.url_for("/minfin"), timeout_seconds=0.3
        )
        service = LossService(db, http, clock, config)
        await service.start()
        started = time.monotonic()
        await service.refresh()  # no report yet: the fallback is asked at once
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert service.last_error is not None
    assert "did not answer in full within 0.3 s" in service.last_error
    assert service.latest_snapshot() is None


# -- bounded per-host state ---------------------------------------------------------------------


async def test_ten_thousand_hosts_do_not_grow_the_dns_cache_past_its_bound() -> None:
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34"]

    async with httpx.AsyncClient() as http:
        fetcher = Fetcher(
            http, fast_fetch(allow_private_sources=False), resolver=resolver, host_cache_size=256
        )
        for i in range(10_000):
            await fetcher.check_url(f"https://h{i}.example/rss")
        assert len(fetcher._dns) == 256
        await fetcher.check_url("https://h9999.example/rss")  # recent: still cached
        await fetcher.check_url("https://h0.example/rss")  # long evicted: asked again
    assert asked.count("h9999.example") == 1
    assert asked.count("h0.example") == 2


async def test_fetches_to_many_hosts_keep_host_state_bounded() -> None:
    """Real fetches to 12 hosts (FakeNews servers on their own ports), every one answering
    403 to our User-Agent first: locks and browser hosts stay at the bound of 4."""
    servers = [FakeNews() for _ in range(12)]
    async with httpx.AsyncClient() as http:
        fetcher = Fetcher(http, fast_fetch(), host_cache_size=4)
        try:
            for server in servers:
                await server.start()
                server.set("/f.xml", "<rss/>")
                server.fault("/f.xml", "forbid_ua", substring="newsbot")
                assert (await fetcher.fetch(server.url_for("/f.xml"))).body == b"<rss/>"
                assert len(fetcher._host_locks) <= 4 and len(fetcher._browser_hosts) <= 4
        finally:
            for server in servers:
                await server.close()
    assert (len(fetcher._host_locks), len(fetcher._browser_hosts)) == (4, 4)
