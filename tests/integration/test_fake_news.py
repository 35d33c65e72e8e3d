"""The fake feeds / pages / loss-counter server, over real HTTP with httpx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.fakes.news import FakeNews, http_date

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Новини</title>
<item><title>Перша новина</title><link>https://ex.ua/1</link><guid>1</guid></item>
</channel></rss>"""


@pytest.fixture
async def news() -> AsyncIterator[FakeNews]:
    async with FakeNews() as server:
        yield server


@pytest.fixture
async def client(news: FakeNews) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=news.url, timeout=5) as http:
        yield http


async def test_serves_content_and_records_requests(
    news: FakeNews, client: httpx.AsyncClient
) -> None:
    url = news.set("/rss.xml", RSS)
    assert url == f"{news.url}/rss.xml"
    response = await client.get("/rss.xml", headers={"User-Agent": "newsbot/0.1"})
    assert response.status_code == 200
    assert response.text == RSS
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert response.headers["etag"].startswith('"')

    assert (await client.get("/missing")).status_code == 404
    news.remove("/rss.xml")
    assert (await client.get("/rss.xml")).status_code == 404
    assert news.hits("/rss.xml") == 2
    assert news.hits("/missing") == 1
    first = news.requests[0]
    assert (first.method, first.path) == ("GET", "/rss.xml")
    assert first.headers["user-agent"] == "newsbot/0.1"


async def test_bytes_json_query_and_head(news: FakeNews, client: httpx.AsyncClient) -> None:
    cp1251 = "Київ".encode("cp1251")
    news.set("/win.xml", cp1251, content_type="application/rss+xml; charset=windows-1251")
    news.set_json("/api/v2/statistics/latest", {"data": {"stats": {"personnel_units": 1000}}})
    news.set("/search?q=1", "exact query", content_type="text/plain")
    news.set("/search", "no query", content_type="text/plain")

    assert (await client.get("/win.xml")).content == cp1251
    api = await client.get("/api/v2/statistics/latest")
    assert api.json() == {"data": {"stats": {"personnel_units": 1000}}}
    assert api.headers["content-type"] == "application/json"
    assert (await client.get("/search?q=1")).text == "exact query"
    assert (await client.get("/search?q=2")).text == "no query"
    head = await client.head("/win.xml")
    assert head.status_code == 200
    assert head.content == b""
    assert news.hits("/search") == 2
    assert news.hits("/search?q=1") == 1


async def test_conditional_get_answers_304(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/etag.xml", RSS)
    etag = (await client.get("/etag.xml")).headers["etag"]
    same = await client.get("/etag.xml", headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    weak = await client.get("/etag.xml", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    assert (await client.get("/etag.xml", headers={"If-None-Match": '"old"'})).status_code == 200
    news.set("/etag.xml", RSS + "<!-- changed -->")
    assert (await client.get("/etag.xml", headers={"If-None-Match": etag})).status_code == 200

    modified = http_date(1_700_000_000)
    news.set("/lm.xml", RSS, etag=None, last_modified=modified)
    first = await client.get("/lm.xml")
    assert "etag" not in first.headers
    assert first.headers["last-modified"] == modified
    since_same = await client.get("/lm.xml", headers={"If-Modified-Since": modified})
    assert since_same.status_code == 304
    earlier = http_date(1_600_000_000)
    assert (await client.get("/lm.xml", headers={"If-Modified-Since": earlier})).status_code == 200


async def test_status_fault(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/feed", RSS)
    news.fault("/feed", "status", status=503)
    assert (await client.get("/feed")).status_code == 503
    news.fault("/other", "status")
    assert (await client.get("/other")).status_code == 500
    news.clear_fault("/feed")
    assert (await client.get("/feed")).text == RSS


async def test_slow_drip_sends_headers_then_trickles(
    news: FakeNews, client: httpx.AsyncClient
) -> None:
    news.set("/slow", "x" * 40)
    news.fault("/slow", "slow", interval=0.05, chunk_size=10)
    async with client.stream("GET", "/slow") as response:
        assert response.status_code == 200  # headers came at once
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert b"".join(chunks) == b"x" * 40
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/slow", timeout=httpx.Timeout(5, read=0.01))


async def test_hang_never_answers(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.fault("/hang", "hang")
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/hang", timeout=httpx.Timeout(5, read=0.05))
    assert news.hits("/hang") == 1


async def test_huge_body_is_streamed(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/huge", "<rss>")
    news.fault("/huge", "huge", size=20 * 1024 * 1024)
    async with client.stream("GET", "/huge") as response:
        assert response.headers["content-length"] == str(20 * 1024 * 1024)
        total = 0
        first = b""
        async for chunk in response.aiter_raw():
            first = first or chunk
            total += len(chunk)
    assert total == 20 * 1024 * 1024
    assert first.startswith(b"<rss>")

    news.fault("/chunked", "huge", size=3 * 1024 * 1024, declare_length=False)
    async with client.stream("GET", "/chunked") as response:
        assert "content-length" not in response.headers
        seen = 0
        async for chunk in response.aiter_raw():
            seen += len(chunk)
            if seen > 1024 * 1024:  # a client with a size cap stops early
                break
    assert seen > 1024 * 1024


async def test_redirects_and_loops(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/new", RSS)
    news.fault("/old", "redirect", location="/new", status=301)
    moved = await client.get("/old")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/new"
    assert (await client.get("/old", follow_redirects=True)).text == RSS

    news.fault("/a", "redirect", location="/b")
    news.fault("/b", "redirect", location=f"{news.url}/a")
    with pytest.raises(httpx.TooManyRedirects):
        await client.get("/a", follow_redirects=True)


async def test_gzip_body(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/gz", RSS)
    news.fault("/gz", "gzip")
    response = await client.get("/gz")
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == RSS  # httpx decodes it
    assert int(response.headers["content-length"]) != len(RSS.encode())


async def test_reset_closes_abruptly(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/reset", RSS)
    news.fault("/reset", "reset")
    with pytest.raises(httpx.TransportError):
        await client.get("/reset")
    news.clear_fault("/reset")
    assert (await client.get("/reset")).text == RSS  # the client recovers on a new connection


async def test_forbid_user_agent(news: FakeNews, client: httpx.AsyncClient) -> None:
    news.set("/picky", RSS)
    news.fault("/picky", "forbid_ua", substring="python-httpx")
    assert (await client.get("/picky")).status_code == 403  # httpx's default User-Agent
    browser = await client.get("/picky", headers={"User-Agent": "Mozilla/5.0 newsbot"})
    assert browser.status_code == 200


async def test_wait_for_hits_wakes_without_polling(
    news: FakeNews, client: httpx.AsyncClient
) -> None:
    news.set("/poll", RSS)
    waiter = asyncio.create_task(news.wait_for_hits("/poll", 2, timeout=5))
    await client.get("/poll")
    await asyncio.sleep(0)
    assert not waiter.done()
    await client.get("/poll")
    await asyncio.wait_for(waiter, 1)
    with pytest.raises(TimeoutError, match="/poll"):
        await news.wait_for_hits("/poll", 3, timeout=0.05)


async def test_close_with_hanging_and_dripping_requests_in_flight() -> None:
    async with FakeNews() as server:
        server.fault("/hang", "hang")
        server.set("/slow", "y" * 100)
        server.fault("/slow", "slow", interval=10, chunk_size=1)
        async with httpx.AsyncClient(base_url=server.url) as http:
            hang = asyncio.create_task(http.get("/hang"))
            slow = asyncio.create_task(http.get("/slow"))
            await server.wait_for_hits("/hang")
            await server.wait_for_hits("/slow")
            await server.close()  # must not wait for the 10 s drip or the hang
            for task in (hang, slow):
                with pytest.raises(httpx.TransportError):
                    await task
