"""The whole pipeline from outside: a feed item appears → its page is fetched → a brief with
the loss counter is rendered → it is pushed exactly once to every active subscriber.

Driven only through the fake Telegram server and the fake news site; the bot is the real
``newsbot run`` subprocess.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from e2e_harness import ADMIN_ID, ConfigWriter, StartBot
from pipeline_support import (
    COUNTER_PREFIX,
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
    wait_for_losses,
)

from bot.fakes import FakeNews, FakeTelegram, Limits, check_telegram_html

FAST = {"poll_seconds": 1, "losses_seconds": 3600, "jitter_seconds": 0}
LOSSES = {"backfill_days": 1}
# Replies to one chat in quick succession (/start, /losses, /stop): pacing is not under test.
QUICK = {"per_chat_per_second": 20}


def _rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def _site(news: FakeNews) -> Site:
    site = Site(news)
    base, _ = sample_articles()
    for i, raw in enumerate(base):
        site.add_sample(raw, minutes_ago=30 + 10 * i)
    serve_losses(news)
    return site


async def test_new_item_is_briefed_and_pushed_once_to_each_subscriber_and_stop_stops_it(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
) -> None:
    site = _site(news)
    telegram.limits = Limits(per_chat_per_s=20)
    config = bot_config(
        sources=[(site.name, site.feed_url)], schedule=FAST, losses=LOSSES, delivery=QUICK
    )
    bot = await start_bot(config)
    chats = {5001: "private", 5002: "private", -4001: "group", -1004002: "supergroup"}
    for chat_id, chat_type in chats.items():
        await subscribe(telegram, chat_id, chat_type)
    await wait_first_poll(news, site)
    await wait_for_losses(telegram, news, 5001)
    # The first poll records the items and pushes nothing.
    for article in site.articles:
        assert not briefs_for(telegram, article.title)

    _, fresh = sample_articles()
    first = site.add_sample(fresh[0])
    await telegram.wait_until(lambda: set(briefs_for(telegram, first.title)) == set(chats), WAIT)
    assert news.hits(site.page_path(first.slug)) >= 1  # the page was fetched for the text
    for chat_id in chats:
        (brief,) = [
            m for m in telegram.messages_to(chat_id) if m.visible_text.startswith(first.title)
        ]
        assert brief.parse_mode == "HTML"
        assert check_telegram_html(brief.text or "") == brief.visible_text
        lines = brief.visible_text.split("\n")
        assert lines[0] == first.title
        assert COUNTER_PREFIX in brief.visible_text and COUNTER_TEXT in brief.visible_text
        assert site.name in lines[-1]  # the source line, with the link
        links = [e["url"] for e in brief.entities if e["type"] == "text_link"]
        assert links == [news.url_for(site.page_path(first.slug))]
        assert len(brief.visible_text) <= 1024
        # A sentence of the article body made it into the summary.
        assert any(p.split(".")[0] in brief.visible_text for p in first.paragraphs)

    # The next poll starts a second later; by then the sends' outcomes are committed (a /stop
    # racing an uncommitted "sent" is pinned down in test_pipeline_ledger.py).
    await news.wait_for_hits(site.feed_path, news.hits(site.feed_path) + 1, timeout=WAIT)
    stopped = await say(telegram, 5002, "/stop")
    assert "відписалися" in stopped.visible_text
    second = site.add_sample(fresh[1])
    active = set(chats) - {5002}
    await telegram.wait_until(lambda: set(briefs_for(telegram, second.title)) >= active, WAIT)
    # Two more poll cycles: nothing is pushed again.
    await news.wait_for_hits(site.feed_path, news.hits(site.feed_path) + 2, timeout=WAIT)

    assert await bot.stop() == 0
    assert briefs_for(telegram, first.title) == dict.fromkeys(chats, 1)
    assert briefs_for(telegram, second.title) == dict.fromkeys(active, 1)
    db = tmp_path / "newsbot.db"
    ledger = _rows(
        db,
        "SELECT a.title, d.chat_id, d.status FROM deliveries d JOIN stories s ON s.id = d.ref"
        " JOIN briefs b ON b.id = s.best_brief_id"
        " JOIN articles a ON a.id = b.article_id ORDER BY a.title, d.chat_id",
    )
    expected = sorted(
        [(first.title, c, "sent") for c in chats] + [(second.title, c, "sent") for c in active]
    )
    assert sorted(ledger) == expected
    assert _rows(db, "SELECT status FROM chats WHERE id = 5002") == [("stopped",)]


async def test_broadcast_and_blocked_users_are_skipped_while_others_still_get_news(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
) -> None:
    site = _site(news)
    telegram.limits = Limits(per_chat_per_s=20)
    config = bot_config(
        sources=[(site.name, site.feed_url)], schedule=FAST, losses=LOSSES, delivery=QUICK
    )
    bot = await start_bot(config)
    for chat_id in (6001, 6002, 6004):
        await subscribe(telegram, chat_id)
    await subscribe(telegram, -6003, "group")
    await subscribe(telegram, -6005, "group")
    telegram.my_chat_member(6002, new_status="kicked")  # the user blocks the bot: an update
    telegram.my_chat_member(-6005, new_status="kicked")  # the bot is removed from a group
    telegram.block(6004)  # blocked silently: the bot finds out when a send fails with 403

    text = 'Технічна перерва о 23:00 — <не> більше "години" & без втрат'
    summary = await broadcast(telegram, text)
    got = {m.chat_id for m in telegram.sent if m.visible_text == text}
    assert got == {6001, -6003}
    assert "Надіслано: 2 з" in summary.visible_text.replace("\u00a0", " ")

    await wait_first_poll(news, site)
    _, fresh = sample_articles()
    article = site.add_sample(fresh[2])
    await telegram.wait_until(lambda: set(briefs_for(telegram, article.title)) >= {6001, -6003})
    await news.wait_for_hits(site.feed_path, news.hits(site.feed_path) + 2, timeout=WAIT)

    assert await bot.stop() == 0
    assert briefs_for(telegram, article.title) == {6001: 1, -6003: 1}
    assert [m.visible_text for m in telegram.sent].count(text) == 2
    statuses = dict(_rows(tmp_path / "newsbot.db", "SELECT id, status FROM chats"))  # type: ignore[arg-type]
    assert statuses[6002] == "blocked" and statuses[6004] == "blocked"
    assert statuses[-6005] == "blocked"
    assert statuses[6001] == "active" and statuses[-6003] == "active"
    assert ADMIN_ID not in statuses or statuses[ADMIN_ID] == "active"
