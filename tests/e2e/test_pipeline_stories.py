"""Stories from outside: three outlets publish the same event minutes apart, two more publish
other news.  Every subscriber who wants everything gets one message per story (two unrelated
and one shared); the shared story's message lists the sources known when it was sent; a chat
that wants only top stories gets the shared story at the moment it becomes top.

The reports are written for these tests (``tests/data/stories/same_event.json``); each outlet
is a fake site whose feed carries a short description, so the bot fetches every page.  The bot
is the real ``newsbot run`` subprocess; the order of events is controlled by waiting for each
step's outcome (a delivered message, a log line) before the next report is published.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

from e2e_harness import ConfigWriter, StartBot
from pipeline_support import WAIT, Site, sample_articles, serve_losses, subscribe, wait_first_poll

from bot.fakes import FakeNews, FakeTelegram, Limits, SentMessage, check_telegram_html

DATA = Path(__file__).resolve().parent.parent / "data" / "stories" / "same_event.json"
FAST = {"poll_seconds": 1, "losses_seconds": 3600, "jitter_seconds": 0}
QUICK = {"per_chat_per_second": 20}
EVERYTHING = (5001, -4001)  # subscribed from the start, mode 'all'
LATE = 5002  # subscribes after the second report
TOP_ONLY = 5003  # wants top stories only
SHARED_MARK, OTHER_MARKS = "ТЕЦ-5", ("Львові", "НБУ")
ALL_THREE = "Про це пишуть: Українська правда, Укрінформ, УНІАН"


def _news(telegram: FakeTelegram, chat_id: int) -> list[SentMessage]:
    """The news messages a chat got (command replies left out)."""
    return [
        m
        for m in telegram.messages_to(chat_id)
        if SHARED_MARK in m.visible_text or any(mark in m.visible_text for mark in OTHER_MARKS)
    ]


def _stories(telegram: FakeTelegram, chat_id: int) -> Counter[str]:
    out: Counter[str] = Counter()
    for m in _news(telegram, chat_id):
        title = m.visible_text.split("\n", 1)[0]
        marks = [SHARED_MARK, *OTHER_MARKS]
        out[next(mark for mark in marks if mark in title)] += 1
    return out


def _set_mode(database: Path, chat_id: int, mode: str) -> None:
    """What issue 12's settings will do from Telegram: the chat wants only top stories."""
    with closing(sqlite3.connect(database, timeout=10)) as conn, conn:
        conn.execute("UPDATE chats SET mode = ? WHERE id = ?", (mode, chat_id))


def _reports() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    raw = json.loads(DATA.read_text("utf-8"))
    return raw["shared"], raw["unrelated"]


async def test_one_event_from_three_outlets_reaches_each_subscriber_once(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
) -> None:
    shared, unrelated = _reports()
    sites = {
        r["source"]: Site(news, prefix=f"s{i}", name=r["source"])
        for i, r in enumerate([*shared, *unrelated])
    }
    base, fresh = sample_articles()
    for site, old in zip(sites.values(), [*base, *fresh], strict=False):
        site.add_sample(old, minutes_ago=180)  # what the feed had before: recorded, not sent
    serve_losses(news)
    telegram.limits = Limits(per_chat_per_s=20)
    config = bot_config(
        sources=[(name, site.feed_url) for name, site in sites.items()],
        schedule=FAST,
        losses={"backfill_days": 1},
        delivery=QUICK,
        fetch={"first_poll_briefs": 0},  # first polls record only: quicker, not under test
    )
    bot = await start_bot(config)
    database = tmp_path / "newsbot.db"
    for chat_id in EVERYTHING:
        await subscribe(telegram, chat_id, "private" if chat_id > 0 else "group")
    await subscribe(telegram, TOP_ONLY)
    _set_mode(database, TOP_ONLY, "top")
    for site in sites.values():
        await wait_first_poll(news, site)

    def publish(report: dict[str, Any], minutes_ago: float) -> None:
        sites[report["source"]].add(
            report["slug"], report["title"], report["paragraphs"], minutes_ago=minutes_ago
        )

    # 1. Українська правда reports the event: a one-source story, to everyone who wants all.
    publish(shared[0], minutes_ago=20)
    await telegram.wait_until(lambda: all(_news(telegram, c) for c in EVERYTHING), WAIT)
    first = _news(telegram, EVERYTHING[0])[0]
    assert first.visible_text.split("\n\n")[-1] == "Українська правда · Читати повністю"

    # 2. Укрінформ, minutes later: it joins the story; nobody who has it gets it again.
    publish(shared[1], minutes_ago=12)
    await telegram.wait_until(lambda: "joined by Укрінформ" in bot.log, WAIT)
    await subscribe(telegram, LATE)  # a reader who comes now has not had the story

    # 3. УНІАН: the third source makes the story top.  The late reader gets it now (with
    #    every source known by then), and so does the chat that wants only top stories.
    publish(shared[2], minutes_ago=5)
    await telegram.wait_until(
        lambda: bool(_news(telegram, LATE)) and bool(_news(telegram, TOP_ONLY)), WAIT
    )
    assert "became top when УНІАН joined" in bot.log
    for chat_id in (LATE, TOP_ONLY):
        (message,) = _news(telegram, chat_id)
        assert check_telegram_html(message.text or "") == message.visible_text
        assert message.visible_text.split("\n\n")[-1] == ALL_THREE
        links = [e["url"] for e in message.entities if e["type"] == "text_link"]
        assert links == [news.url_for(sites[r["source"]].page_path(r["slug"])) for r in shared]
        assert "Втрати ворога" in message.visible_text

    # 4. Two other outlets report other events: two more stories, not top.
    for report in unrelated:
        publish(report, minutes_ago=2)
    wanting_all = (*EVERYTHING, LATE)
    await telegram.wait_until(
        lambda: all(sum(_stories(telegram, c).values()) >= 3 for c in wanting_all), WAIT
    )
    polls = {path: news.hits(site.feed_path) for path, site in sites.items()}
    for name, site in sites.items():  # two more cycles: nothing is sent again
        await news.wait_for_hits(site.feed_path, polls[name] + 2, timeout=WAIT)
    assert await bot.stop() == 0

    one_each = {SHARED_MARK: 1, OTHER_MARKS[0]: 1, OTHER_MARKS[1]: 1}
    for chat_id in wanting_all:
        assert _stories(telegram, chat_id) == one_each, chat_id
    assert _stories(telegram, TOP_ONLY) == {SHARED_MARK: 1}
    for chat_id in EVERYTHING:  # sent after the first report: its one source
        (message,) = [m for m in _news(telegram, chat_id) if SHARED_MARK in m.visible_text]
        assert "Про це пишуть" not in message.visible_text
    with closing(sqlite3.connect(database)) as conn:
        (top,) = conn.execute(
            "SELECT source_count, is_top FROM stories WHERE source_count > 1"
        ).fetchall()
        assert top == (3, 1)
        assert conn.execute("SELECT COUNT(*) FROM stories").fetchone() == (3,)
