"""The pipeline under faults, from outside: a source that breaks mid-run, a 429 storm, and a
SIGTERM in the middle of a delivery (the SIGKILL case is test_delivery_sigkill.py).

Driven only through the fake Telegram server and the fake news sites; the bot is the real
``newsbot run`` subprocess.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack, closing
from datetime import UTC, datetime
from pathlib import Path

from e2e_harness import ADMIN_ID, ConfigWriter, StartBot
from pipeline_support import (
    COUNTER_TEXT,
    WAIT,
    Site,
    briefs_for,
    broadcast,
    sample_articles,
    say,
    serve_losses,
    subscribe,
    wait_first_poll,
)

from bot.fakes import FakeNews, FakeTelegram, Limits
from storage import Database, chats

STORM = 12  # injected 429s, on top of those the strict limits cause
FAST = {"poll_seconds": 1, "losses_seconds": 3600, "jitter_seconds": 0}
LOSSES = {"backfill_days": 1}


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def _site(news: FakeNews, prefix: str, name: str, base: list[dict[str, object]]) -> Site:
    site = Site(news, prefix=prefix, name=name)
    for i, raw in enumerate(base):
        site.add_sample(raw, minutes_ago=30 + 10 * i)  # type: ignore[arg-type]
    return site


def _malformed(news: FakeNews, site: Site) -> None:
    news.set(site.feed_path, "<rss><channel><title>Зламано")


def _slow(news: FakeNews, site: Site) -> None:
    """The real feed, dripped far slower than the 1 s the bot gives a source."""
    news.fault(site.feed_path, "slow", interval=0.3, chunk_size=16)


def _huge(news: FakeNews, site: Site) -> None:
    news.fault(site.feed_path, "huge", size=3_000_000, declare_length=False)


# Each broken source: its name, how it breaks, and the reason the bot must give.
BREAKAGES: list[tuple[str, Callable[[FakeNews, Site], None], str]] = [
    ("Ламкий XML", _malformed, "пошкоджений XML"),
    ("Повільні новини", _slow, "не відповіло повністю за 1 с"),
    ("Важкі новини", _huge, "більша за 1 МБ"),
]


async def test_sources_that_break_mid_run_fail_alone_while_another_is_pushed(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
) -> None:
    base, fresh = sample_articles()
    serve_losses(news)
    good = _site(news, "good", "Добрі новини", base)
    async with AsyncExitStack() as stack:
        # Each on its own host: the fetcher serialises requests per host.
        broken = []
        for i, (name, breakage, reason) in enumerate(BREAKAGES):
            server = await stack.enter_async_context(FakeNews())
            broken.append((_site(server, f"bad{i}", name, base), server, breakage, reason))
        config = bot_config(
            sources=[(s.name, s.feed_url) for s in [good, *(b[0] for b in broken)]],
            schedule=FAST,
            losses=LOSSES,
            fetch={
                "allow_private_sources": True,
                "read_timeout": 0.8,
                "source_timeout": 1.0,
                "max_body_bytes": 1_000_000,
                "first_poll_briefs": 0,  # first polls record only: quicker, and not under test
            },
        )
        bot = await start_bot(config)
        await subscribe(telegram, 7001)
        await wait_first_poll(news, good)
        for site, server, _, _ in broken:
            await wait_first_poll(server, site)

        hits = []
        for site, server, breakage, _ in broken:  # all three break at once, mid-run
            breakage(server, site)
            hits.append(server.hits(site.feed_path))
        first = good.add_sample(fresh[0])
        # The healthy source's news still arrives, exactly once ...
        await telegram.wait_until(lambda: 7001 in briefs_for(telegram, first.title), WAIT)
        # ... while each broken one was tried in its broken state (and again, after a backoff).
        for (site, server, _, _), before in zip(broken, hits, strict=True):
            await server.wait_for_hits(site.feed_path, before + 2, timeout=WAIT)
        second = good.add_sample(fresh[1])
        await telegram.wait_until(lambda: 7001 in briefs_for(telegram, second.title), WAIT)

        # /sources shows each broken source with its reason, the healthy one without.
        reply = await say(telegram, ADMIN_ID, "/sources")
        listing = reply.visible_text.replace("\u00a0", " ")
        lines = listing.splitlines()
        good_line = next(line for line in lines if good.name in line)
        assert good_line.startswith("✅"), listing
        for site, _, _, reason in broken:
            at = next(i for i, line in enumerate(lines) if site.name in line)
            assert lines[at].startswith("⚠️"), listing
            assert reason in " ".join(lines[at : at + 2]), listing
        assert await bot.stop() == 0

    assert briefs_for(telegram, first.title) == {7001: 1}
    assert briefs_for(telegram, second.title) == {7001: 1}
    log = bot.log
    for site, _, _, reason in broken:
        warnings = [line for line in log.splitlines() if "failing:" in line and site.name in line]
        assert len(warnings) == 1 and reason in warnings[0], log  # logged once, not every poll
    assert not any(good.name in line and "failing:" in line for line in log.splitlines())
    assert "Traceback" not in log


async def test_a_429_storm_loses_nothing_and_duplicates_nothing(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
) -> None:
    base, fresh = sample_articles()
    serve_losses(news)
    site = _site(news, "site", "Тестові новини", base)
    config = bot_config(sources=[(site.name, site.feed_url)], schedule=FAST, losses=LOSSES)
    bot = await start_bot(config)
    subscribers = [8000 + i for i in range(8)] + [-8100]
    for chat_id in subscribers:
        await subscribe(telegram, chat_id, "group" if chat_id < 0 else "private")
    await wait_first_poll(news, site)

    # The storm: Telegram is far stricter than the bot's budget (30/s) and starts by refusing
    # the next sends outright.
    telegram.limits = Limits(overall_per_s=6)
    telegram.fail_next("sendMessage", 429, count=STORM, parameters={"retry_after": 1})
    article = site.add_sample(fresh[0])
    text = "Оголошення під час шторму 429: нічого не губиться"
    preview = await broadcast(telegram, text)

    await telegram.wait_until(
        lambda: set(briefs_for(telegram, article.title)) == set(subscribers), WAIT
    )
    assert await bot.stop() == 0

    assert telegram.count_429 >= STORM
    assert briefs_for(telegram, article.title) == dict.fromkeys(subscribers, 1)
    got = Counter(m.chat_id for m in telegram.sent if m.visible_text == text)
    assert got == dict.fromkeys(subscribers, 1)
    summary = preview.visible_text.replace("\u00a0", " ")
    assert f"Надіслано: {len(subscribers)} з {len(subscribers)}" in summary
    ledger = _rows(tmp_path / "newsbot.db", "SELECT status, COUNT(*) FROM deliveries GROUP BY 1")
    assert ledger == [("sent", 2 * len(subscribers))]


async def test_sigterm_mid_push_then_restart_delivers_the_rest_without_duplicates(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
) -> None:
    subscribers = list(range(300_000, 300_090))
    db = await Database.open(tmp_path / "newsbot.db")
    try:
        now = datetime.now(UTC)
        for chat_id in subscribers:
            await chats.subscribe(db, chat_id, "private", f"u{chat_id}", now)
    finally:
        await db.close()
    base, fresh = sample_articles()
    serve_losses(news)
    site = _site(news, "site", "Тестові новини", base)
    config = bot_config(sources=[(site.name, site.feed_url)], schedule=FAST, losses=LOSSES)
    first = await start_bot(config)
    await wait_first_poll(news, site)
    article = site.add_sample(fresh[0])

    def received() -> Counter[int]:
        return briefs_for(telegram, article.title)

    await telegram.wait_until(lambda: len(received()) >= 25, WAIT)
    assert await first.stop() == 0  # SIGTERM: in-flight sends finish and are recorded
    at_stop = received()
    assert len(at_stop) < len(subscribers), "the push finished before SIGTERM"

    second = await start_bot(config)
    await telegram.wait_until(lambda: len(received()) == len(subscribers), WAIT)
    await news.wait_for_hits(site.feed_path, news.hits(site.feed_path) + 2, timeout=WAIT)
    assert await second.stop() == 0

    assert received() == dict.fromkeys(subscribers, 1)  # nobody lost, nobody twice
    brief = next(m for m in telegram.sent if m.visible_text.startswith(article.title))
    assert COUNTER_TEXT in brief.visible_text
    ledger = _rows(tmp_path / "newsbot.db", "SELECT status, COUNT(*) FROM deliveries GROUP BY 1")
    assert ledger == [("sent", len(subscribers))]
    assert "newsbot stopped" in first.log
