"""Where the soak's memory goes: the bot in *this* process, tracemalloc snapshots between items.

    .venv/bin/python benchmarks/soak_trace.py [--items 300] [--warmup 60] [--every 60]
                                              [--interval 3] [--frames 8] [--top 12]

The same load as ``benchmarks/soak.py`` (fake Telegram and fake news site in a child process,
an item every ``--interval`` s to 50 subscribers), but the application runs in-process
(``bot.app.running``, as the integration tests do) so it can be looked into.  After
``--warmup`` items tracemalloc starts; every ``--every`` items it prints:

* RSS and the memory tracemalloc sees (Python allocations; the difference is the C heap,
  fragmentation and freed-but-kept arenas);
* the allocation sites that grew most since the previous snapshot, by traceback;
* the object types whose count grew (``gc.get_objects()``);

and at the end how much RSS glibc gives back on ``malloc_trim(0)`` (free memory it kept).

A diagnostic, not a figure: tracemalloc slows the bot down and costs memory of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import logging
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from soak import Fakes, prepare_db, write_config

from bot.app import build_application, running
from bot.config import load_config
from bot.logging_setup import setup_logging

_IGNORED = (tracemalloc.__file__, "<frozen importlib._bootstrap>", "<unknown>")


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost",
        )
    ]  # fmt: skip


def _malloc_stats() -> str:
    """glibc's view of the C heap: bytes in use vs free inside the arenas (fragmentation)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return "malloc stats unavailable"
    return (
        f"malloc: in use {(info.uordblks + info.hblkhd) / 2**20:.1f} MiB, "
        f"free in arenas {info.fordblks / 2**20:.1f} MiB"
    )


def _type_counts() -> Counter[str]:
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def _top_growth(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int, items: int
) -> list[str]:
    filters = [tracemalloc.Filter(False, name) for name in _IGNORED]
    stats = after.filter_traces(filters).compare_to(before.filter_traces(filters), "traceback")
    grown = [stat for stat in stats[:top] if stat.size_diff > 0]
    holders = _holders({stat.traceback for stat in grown})
    lines = []
    for stat in grown:
        lines.append(
            f"  {stat.size_diff / 1024:+9.1f} KiB ({stat.size_diff / items / 1024:+.2f} KiB/item) "
            f"{stat.count_diff:+7d} blocks, held by: {holders.get(stat.traceback, '?')}"
        )
        lines += [f"      {_short(frame.filename)}:{frame.lineno}" for frame in stat.traceback[-5:]]
    return lines


def _short(filename: str) -> str:
    return filename.rsplit("site-packages/", 1)[-1].rsplit("/lib/python3.11/", 1)[-1]


def _holders(wanted: set[tracemalloc.Traceback]) -> dict[tracemalloc.Traceback, str]:
    """For each allocation site, what holds one object allocated there: the container that
    refers to it and, one level up, what refers to that container (e.g. an lru_cache)."""
    found: dict[tracemalloc.Traceback, str] = {}
    for container in gc.get_objects():
        if len(found) == len(wanted):
            break
        for ref in gc.get_referents(container):
            # A dict or tuple holding only strings is not tracked by gc: look one level in.
            inner = [] if gc.is_tracked(ref) else gc.get_referents(ref)
            for obj, path in ((ref, [ref, container]), *((o, [o, ref, container]) for o in inner)):
                where = tracemalloc.get_object_traceback(obj)
                if where is None or where not in wanted or where in found:
                    continue
                owners = ", ".join(_describe(o) for o in gc.get_referrers(container)[:3])
                found[where] = " in ".join(_describe(o) for o in path) + f" <- {owners}"
    return found


def _describe(obj: object) -> str:
    name = getattr(obj, "__qualname__", None)
    module = getattr(obj, "__module__", None)
    label = type(obj).__qualname__
    if name and module:
        label += f" {module}.{name}"
    elif isinstance(obj, dict | list | set):
        label += f"[{len(obj)}]"
    return label


async def trace(args: argparse.Namespace) -> None:
    fakes = await Fakes.start()
    tmp = tempfile.TemporaryDirectory(prefix="newsbot-soak-trace-")
    work = Path(tmp.name)
    try:
        await prepare_db(work / "newsbot.db", args.subscribers)
        config = load_config(write_config(work, fakes))
        with (work / "bot.log").open("w", encoding="utf-8") as log_file:
            setup_logging([config.telegram.token], level=logging.INFO, stream=log_file)
            app = build_application(config)
            async with running(app):
                await fakes.wait_for("feed_hits", 2, timeout=120)
                await fakes.ask("start", interval=args.interval)
                await _watch(fakes, args)
                await fakes.ask("stop")
    finally:
        await fakes.close()
        tmp.cleanup()


async def _watch(fakes: Fakes, args: argparse.Namespace) -> None:
    process = psutil.Process()
    await fakes.wait_for("items", args.warmup, timeout=args.warmup * args.interval * 3)
    gc.collect()
    tracemalloc.start(args.frames)
    snapshot, types = tracemalloc.take_snapshot(), _type_counts()
    print(
        f"warm-up over ({args.warmup} items): RSS {process.memory_info().rss / 2**20:.1f} MiB, "
        f"{_malloc_stats()}"
    )
    done = args.warmup
    while done + args.every <= args.items:
        done += args.every
        await fakes.wait_for("items", done, timeout=args.every * args.interval * 3)
        gc.collect()
        now_snapshot, now_types = tracemalloc.take_snapshot(), _type_counts()
        traced, _ = tracemalloc.get_traced_memory()
        print(
            f"\n== {done} items: RSS {process.memory_info().rss / 2**20:.1f} MiB, "
            f"traced {traced / 2**20:.2f} MiB (since warm-up), {_malloc_stats()}"
        )
        print("\n".join(_top_growth(snapshot, now_snapshot, args.top, args.every)))
        grown = (now_types - types).most_common(args.top)
        print("  object counts grown: " + ", ".join(f"{name} +{n}" for name, n in grown))
        snapshot, types = now_snapshot, now_types
        sys.stdout.flush()
    tracemalloc.stop()
    gc.collect()
    before = process.memory_info().rss
    trimmed = _malloc_trim()
    after = process.memory_info().rss
    print(
        f"\nmalloc_trim(0){'' if trimmed else ' unavailable'}: RSS {before / 2**20:.1f} → "
        f"{after / 2**20:.1f} MiB (what glibc held free and gave back), {_malloc_stats()}"
    )


def _malloc_trim() -> bool:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--every", type=int, default=60)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--top", type=int, default=12)
    asyncio.run(trace(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
