"""Peak memory of one fetch under the body cap: a gzip bomb, an honest compressed body near
the cap, and the same bomb read the way httpx decodes by itself (the code before issue 10).

    .venv/bin/python benchmarks/fetch_memory.py [--cap 5000000] [--bomb-mb 67] [--json]

Peak is ``tracemalloc``'s peak of traced memory above the level before the fetch (Python
allocations, the decoded bytes included), after one warm-up fetch: the first request of a
process imports httpcore's network backend, which is no fetch's doing.  The server is
FakeNews on loopback, in this process: its own allocations stay small (the compressed bodies
are ~5-65 KB, the plain one is generated 64 KiB at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bot.config import FetchConfig  # noqa: E402
from bot.fakes import FakeNews  # noqa: E402
from bot.sources.fetch import Fetcher  # noqa: E402

MB = 1_000_000


def gzip_bomb(decoded_size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    return b"".join([*(packer.compress(block) for _ in range(decoded_size // MB)), packer.flush()])


async def _peak(work: Awaitable[Any]) -> tuple[str, float]:
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        try:
            result = await work
            outcome = f"{len(result.body) if hasattr(result, 'body') else len(result)} bytes"
        except Exception as exc:
            outcome = type(exc).__name__
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, (peak - before) / MB


async def _httpx_decoding(http: httpx.AsyncClient, url: str, cap: int) -> bytes:
    """What the fetcher did before: httpx's aiter_bytes, the cap checked per decoded chunk."""
    chunks: list[bytes] = []
    size = 0
    async with http.stream("GET", url) as response:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise ValueError("too large")
            chunks.append(chunk)
    return b"".join(chunks)


async def run(cap: int, bomb_mb: int) -> list[dict[str, Any]]:
    config = replace(FetchConfig(), allow_private_sources=True, max_body_bytes=cap)
    bomb = gzip_bomb(bomb_mb * MB)
    honest = b"<rss>" + b" " * (cap - 100)
    rows = []
    async with FakeNews() as news, httpx.AsyncClient() as http:
        news.set("/warm", b"<rss/>")
        news.set("/bomb", bomb, headers={"Content-Encoding": "gzip"})
        news.set("/honest", gzip.compress(honest), headers={"Content-Encoding": "gzip"})
        news.fault("/plain", "huge", size=cap - 100)  # streamed: the server holds 64 KiB
        fetcher = Fetcher(http, config)
        await fetcher.fetch(news.url_for("/warm"))
        bomb_name = f"gzip bomb {bomb_mb} MB in {len(bomb) / 1000:.0f} KB"
        cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            (bomb_name, lambda: fetcher.fetch(news.url_for("/bomb"))),
            ("honest gzip body at the cap", lambda: fetcher.fetch(news.url_for("/honest"))),
            ("plain body at the cap", lambda: fetcher.fetch(news.url_for("/plain"))),
            (
                "gzip bomb, httpx decoding (before)",
                lambda: _httpx_decoding(http, news.url_for("/bomb"), cap),
            ),
        ]
        for name, work in cases:
            outcome, peak = await _peak(work())
            rows.append({"scenario": name, "outcome": outcome, "peak_mb": round(peak, 2)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=int, default=5_000_000, help="fetch.max_body_bytes")
    parser.add_argument("--bomb-mb", type=int, default=67)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(run(args.cap, args.bomb_mb))
    if args.json:
        print(json.dumps({"cap_mb": args.cap / MB, "rows": rows}, ensure_ascii=False))
        return 0
    print(f"cap {args.cap / MB:g} MB; target: peak ≤ cap + 1 MB")
    for row in rows:
        print(f"{row['scenario']:<40} {row['outcome']:<18} peak {row['peak_mb']:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
