"""Delivery benchmarks: the real bot (``python -m bot run``) against the fake Telegram server.

The bot runs as a subprocess (its own core, its own RSS); this script runs the fake Telegram
(and a fake loss-counter API) on its loop, drives the admin's /broadcast through it and
measures what arrives.  Scenarios (``--only NAME`` to run one):

* ``throughput``  — limits off, broadcast to 10 000 subscribers: messages per second.
* ``limits``      — 30/s overall, 1/s per chat, 3 000 subscribers: completion time vs the ideal
                    100 s, lost, duplicates, 429s after the first second.  Takes ~100 s.
* ``rss``         — peak RSS (VmHWM) of the bot process during a broadcast to 100 000
                    subscribers (limits off).
* ``latency``     — 200 users send /latest or /losses at once during a broadcast; reply latency
                    p50/p99, with the free limits (30/s) and with paid broadcasts (1000/s).
* ``index``       — the dispatcher's queue queries at 100 000 pending rows: ms per call with the
                    schema-3 indexes (before issue 10) and today's (see ``ledger_index.py``).

Usage: ``.venv/bin/python benchmarks/delivery.py [--only NAME] [--scale 0.1]``
(``--scale`` shrinks subscriber counts for a quick look; figures are only meaningful at 1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger_index import index_run  # noqa: E402

from bot.fakes.news import FakeNews  # noqa: E402
from bot.fakes.telegram import FakeTelegram, Limits, SentMessage  # noqa: E402
from bot.losses.format import UNAVAILABLE  # noqa: E402
from storage import Database, articles, chats, sources, stories  # noqa: E402

TOKEN = "424242:BENCH"
ADMIN = 1001
TEXT = "Тестова розсилка: перевірка швидкості доставки."
LOSSES_JSON = ROOT / "tests" / "data" / "losses" / "api_latest_2025-03-29.json"
NOW = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


async def prepare_db(path: Path, subscribers: int, n_briefs: int = 20) -> None:
    db = await Database.open(path)
    try:
        await chats.import_chats(
            db, ((10_000_000 + i, "private", f"u{i}") for i in range(subscribers)), NOW
        )
        if n_briefs:
            source_id = await sources.add_source(
                db, "Bench", "https://bench.example/rss", "config", NOW
            )
            new = [
                articles.NewArticle(
                    identity=f"guid:{i}",
                    url=f"https://bench.example/{i}",
                    title=f"Новина {i}",
                    published_at=NOW,
                    content_hash=f"h{i}",
                    disposition="first_poll",
                )
                for i in range(n_briefs)
            ]
            ids = await articles.add_articles(db, source_id, new, NOW)
            body = "Короткий зміст новини на кілька речень, як у справжньому брифі. " * 6
            for i, article_id in enumerate(ids):
                html = (
                    f"<b>Новина {i}</b>\n{body}\n"
                    f"Втрати ворога: 912 490 (+1 740)\n"
                    f'<a href="https://bench.example/{i}">Bench</a>'
                )
                await stories.add_story(
                    db, article_id, title=f"Новина {i}", summary=body, html=html,
                    summariser="bench", now=NOW,
                )  # fmt: skip
    finally:
        await db.close()


def _keep_log(bot: Bot) -> None:
    """Copy the bot's log next to the system temp dir for a look after the run."""
    target = Path(tempfile.gettempdir()) / "newsbot-bench-last.log"
    target.write_bytes(bot.log.read_bytes())


def _profile_args(work: Path) -> list[str]:
    """``BENCH_PROFILE=path`` runs the bot under cProfile (stats written at exit)."""
    target = os.environ.get("BENCH_PROFILE")
    return ["-m", "cProfile", "-o", target] if target else []


class Bot:
    """The bot subprocess."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc, self.log = proc, log

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def start_bot(work: Path, tg: FakeTelegram, news: FakeNews, delivery: dict[str, Any]) -> Bot:
    config = {
        "telegram": {"token": TOKEN, "api_url": tg.api_url, "admins": [ADMIN]},
        "storage": {"database": str(work / "newsbot.db")},
        "schedule": {"poll_seconds": 3600, "losses_seconds": 3600, "jitter_seconds": 0},
        "losses": {
            "url": news.url_for("/api/v2/statistics/latest"),
            "fallback_url": news.url_for("/minfin/"),
        },
        "delivery": delivery,
    }
    lines = ["sources = []"]
    for section, values in config.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    path = work / "config.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    log = work / "bot.log"
    polls = len(tg.calls_of("getUpdates"))
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *_profile_args(work), "-m", "bot", "run", "--config", str(path),
            stdout=out, stderr=out, cwd=ROOT, env={**os.environ, "PTB_TIMEDELTA": "1"},
        )  # fmt: skip
    await tg.wait_until(lambda: len(tg.calls_of("getUpdates")) > polls, timeout=60)
    # Let the loss counter be fetched (first refresh 0.5 s after start).
    await asyncio.sleep(1.5)
    return Bot(proc, log)


async def press_broadcast(tg: FakeTelegram) -> tuple[SentMessage, float]:
    """/broadcast TEXT, then "Надіслати всім"; returns (progress message, press time)."""
    tg.user_message(ADMIN, f"/broadcast {TEXT}")
    preview = await tg.wait_for_message(ADMIN, "Попередній перегляд", timeout=60)
    assert preview.reply_markup is not None
    data = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    pressed = time.monotonic()
    tg.callback(ADMIN, ADMIN, preview.message_id, data)
    return preview, pressed


def delivered(tg: FakeTelegram) -> list[SentMessage]:
    return [m for m in tg.sent if m.visible_text == TEXT]


async def broadcast_run(
    subscribers: int, delivery: dict[str, Any], limits: Limits, *, label: str
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        work = Path(tmp)
        await prepare_db(work / "newsbot.db", subscribers, n_briefs=0)
        async with FakeTelegram(token=TOKEN, limits=limits) as tg, FakeNews() as news:
            news.set(
                "/api/v2/statistics/latest", LOSSES_JSON.read_bytes(),
                content_type="application/json",
            )  # fmt: skip
            bot = await start_bot(work, tg, news, delivery)
            try:
                preview, pressed = await press_broadcast(tg)
                cpu_bot, cpu_fake = bot.cpu_seconds(), time.process_time()
                await tg.wait_until(
                    lambda: "Розсилку завершено" in preview.visible_text, timeout=3600
                )
                rss = bot.peak_rss_mb()
                cpu_bot, cpu_fake = bot.cpu_seconds() - cpu_bot, time.process_time() - cpu_fake
            finally:
                await bot.stop()
                _keep_log(bot)
            got = delivered(tg)
            first, last = got[0].at, got[-1].at
            chats_got = {m.chat_id for m in got}
            late_429 = [h for h in tg.rate_limited if h.at > first + 1.0]
            result = {
                "scenario": label,
                "subscribers": subscribers,
                "delivered": len(got),
                "lost": subscribers - len(chats_got),
                "duplicates": len(got) - len(chats_got),
                "seconds_press_to_last": round(last - pressed, 2),
                "seconds_first_to_last": round(last - first, 2),
                "msg_per_s": round(len(got) / max(last - pressed, 1e-9), 1),
                "429_total": tg.count_429,
                "429_after_first_second": len(late_429),
                "peak_rss_mb": round(rss, 1),
                "cpu_s_bot": round(cpu_bot, 1),
                "cpu_s_fake_telegram": round(cpu_fake, 1),
            }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


async def latency_run(
    subscribers: int, users: int, delivery: dict[str, Any], limits: Limits, *, label: str
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        work = Path(tmp)
        await prepare_db(work / "newsbot.db", subscribers, n_briefs=20)
        async with FakeTelegram(token=TOKEN, limits=limits) as tg, FakeNews() as news:
            news.set(
                "/api/v2/statistics/latest", LOSSES_JSON.read_bytes(),
                content_type="application/json",
            )  # fmt: skip
            bot = await start_bot(work, tg, news, delivery)
            try:
                _, _ = await press_broadcast(tg)
                await tg.wait_until(lambda: len(delivered(tg)) >= 50, timeout=120)
                user_ids = [500_000 + i for i in range(users)]
                start = len(tg.sent)
                sent_at: dict[int, float] = {}
                for i, uid in enumerate(user_ids):
                    sent_at[uid] = time.monotonic()
                    tg.user_message(uid, "/latest" if i % 2 == 0 else "/losses")
                wanted = set(user_ids)

                def all_answered() -> bool:
                    return wanted <= {m.chat_id for m in tg.sent[start:]}

                await tg.wait_until(all_answered, timeout=600)
                first_reply: dict[int, float] = {}
                no_data = 0
                for m in tg.sent[start:]:
                    if m.chat_id in wanted and m.chat_id not in first_reply:
                        first_reply[m.chat_id] = m.at
                        no_data += m.visible_text.startswith(("Новин ще немає", UNAVAILABLE[:20]))
                lat = sorted(first_reply[u] - sent_at[u] for u in user_ids)
                during = len(delivered(tg)) < subscribers
            finally:
                await bot.stop()
                _keep_log(bot)
    q = statistics.quantiles(lat, n=100)
    result = {
        "scenario": label,
        "users": users,
        "broadcast_still_running": during,
        "p50_s": round(statistics.median(lat), 3),
        "p99_s": round(q[98], 3),
        "max_s": round(lat[-1], 3),
        "429_total": tg.count_429,
        "replies_without_data": no_data,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


async def main(only: str | None, scale: float) -> None:
    def n(x: int) -> int:
        return max(10, int(x * scale))

    off = {"limits_enabled": False, "progress_seconds": 2.0}  # default concurrency (16)
    if only in (None, "throughput"):
        await broadcast_run(n(10_000), off, Limits(enabled=False), label="throughput, limits off")
    if only in (None, "limits"):
        await broadcast_run(
            n(3_000), {"progress_seconds": 5.0}, Limits(), label="limits on (30/s, 1/s per chat)"
        )
    if only in (None, "rss"):
        await broadcast_run(n(100_000), off, Limits(enabled=False), label="rss, 100k subscribers")
    if only in (None, "index"):
        with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
            for result in await index_run(Path(tmp), rows=max(1000, int(100_000 * scale))):
                print(json.dumps(result, ensure_ascii=False), flush=True)
    if only in (None, "latency"):
        await latency_run(
            n(3_000), 200, {"progress_seconds": 5.0}, Limits(), label="latency, free limits 30/s"
        )
        paid = {"overall_per_second": 1000.0, "allow_paid_broadcast": True}
        await latency_run(
            n(3_000), 200, paid, Limits(overall_per_s=1000), label="latency, paid 1000/s"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("throughput", "limits", "rss", "latency", "index"))
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    asyncio.run(main(args.only, args.scale))
