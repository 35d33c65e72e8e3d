"""The fetcher's per-host state stays bounded however many hosts pass through it."""

from __future__ import annotations

import asyncio

from bot.sources.addresses import DnsCache
from bot.sources.hosts import HostLocks, RecentHosts

HOSTS = [f"h{i}.example" for i in range(10_000)]


async def test_ten_thousand_hosts_keep_the_locks_at_the_bound() -> None:
    locks = HostLocks(1024)
    for host in HOSTS:
        async with locks.hold(host):
            pass
    assert len(locks) == 1024


async def test_a_lock_in_use_is_never_evicted() -> None:
    """With the bound at 2, a host held (or waited for) while many others pass keeps its one
    lock: a second request for it still waits for the first."""
    locks = HostLocks(2)
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold("busy.example"):
            first_in.set()
            order.append("first in")
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with locks.hold("busy.example"):
            order.append("second in")

    one = asyncio.create_task(first())
    await first_in.wait()
    two = asyncio.create_task(second())
    await asyncio.sleep(0)  # the second now waits for the lock
    for host in HOSTS[:100]:
        async with locks.hold(host):
            pass
    assert len(locks) == 2  # the busy host and the last one: idle hosts made way
    release.set()
    await asyncio.gather(one, two)
    assert order == ["first in", "first out", "second in"]
    assert len(locks) == 2


def test_ten_thousand_browser_hosts_keep_the_set_at_the_bound() -> None:
    recent = RecentHosts(1024)
    recent.add("kept.example")
    for host in HOSTS:
        recent.add(host)
        assert "kept.example" in recent  # seen again and again: never the oldest
    assert len(recent) == 1024
    assert "h0.example" not in recent and "h9999.example" in recent


def test_ten_thousand_dns_answers_keep_the_cache_at_the_bound() -> None:
    cache = DnsCache(1024)
    for host in HOSTS:
        cache.put(host, 443, ["93.184.216.34"])
    assert len(cache) == 1024
    assert cache.get("h0.example", 443) is None
    assert cache.get("h9999.example", 443) == ["93.184.216.34"]


def test_dns_answers_expire() -> None:
    cache = DnsCache(8, ttl=0.0)
    cache.put("h.example", 80, ["93.184.216.34"])
    assert cache.get("h.example", 80) is None
    assert len(cache) == 0
