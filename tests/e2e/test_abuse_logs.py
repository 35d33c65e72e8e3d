"""Every log line of a full, verbose run, searched for the token.

The run does everything that logs: start, /start, a push, a broadcast, /losses and /latest,
a source failing in two different ways, Telegram failing a poll and a reply, and SIGTERM —
with ``newsbot -v`` (DEBUG).  The token must not appear in any form: as is, its secret part
alone, or percent-encoded.
"""

from __future__ import annotations

from urllib.parse import quote

from e2e_harness import ADMIN_ID, TOKEN, ConfigWriter, StartBot
from pipeline_support import (
    WAIT,
    Site,
    briefs_for,
    sample_articles,
    say,
    serve_losses,
    subscribe,
    wait_first_poll,
    wait_for_losses,
)

from bot.fakes import FakeNews, FakeTelegram, Limits

USER = 4401


async def test_a_full_verbose_run_never_logs_the_token(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
) -> None:
    telegram.limits = Limits(per_chat_per_s=20)
    serve_losses(news)
    base, fresh = sample_articles()
    good = Site(news, prefix="good", name="Добрі новини")
    broken = Site(news, prefix="broken", name="Зламані новини")
    for site in (good, broken):
        for i, raw in enumerate(base):
            site.add_sample(raw, minutes_ago=30 + 10 * i)
    news.fault(broken.feed_path, "status", status=500)
    config = bot_config(
        sources=[(good.name, good.feed_url), (broken.name, broken.feed_url)],
        schedule={"poll_seconds": 1, "jitter_seconds": 0},
        losses={"backfill_days": 2},
        delivery={"per_chat_per_second": 20},
        fetch={"allow_private_sources": True, "source_timeout": 2.0, "read_timeout": 1.0},
    )
    bot = await start_bot(config, "-v")

    await subscribe(telegram, USER)
    await subscribe(telegram, ADMIN_ID)
    await wait_first_poll(news, good)
    await wait_for_losses(telegram, news, USER)
    assert "Новин" not in (await say(telegram, USER, "/latest 2")).visible_text[:5]

    telegram.fail_next("getUpdates", 502)  # PTB logs the failed poll and carries on
    hits = news.hits(broken.feed_path)
    news.clear_fault(broken.feed_path)
    news.set(broken.feed_path, "<rss><channel><item>обрив")  # malformed
    article = good.add_sample(fresh[0])
    await telegram.wait_until(lambda: USER in briefs_for(telegram, article.title), WAIT)
    await news.wait_for_hits(broken.feed_path, hits + 1, timeout=WAIT)

    text = "Перевірка журналу: усе гаразд"
    preview = await say(telegram, ADMIN_ID, f"/broadcast {text}", expect="Попередній")
    assert preview.reply_markup is not None
    telegram.callback(
        ADMIN_ID,
        ADMIN_ID,
        preview.message_id,
        preview.reply_markup["inline_keyboard"][0][0]["callback_data"],
    )
    await telegram.wait_until(lambda: "Розсилку завершено" in preview.visible_text, WAIT)
    assert [m.chat_id for m in telegram.sent if m.visible_text == text] != []
    telegram.fail_next("sendMessage", 500)  # the reply to /stats fails: a handler error
    telegram.user_message(ADMIN_ID, "/stats")
    await say(telegram, ADMIN_ID, "/sources")
    assert await bot.stop() == 0

    log = bot.log
    for form in (TOKEN, TOKEN.split(":", 1)[1], quote(TOKEN), quote(TOKEN, safe="")):
        assert form not in log, f"token leaked as {form!r}"
    # The run did log what it was meant to (so the search above means something).
    assert " DEBUG " in log
    assert "newsbot started" in log and "newsbot stopped" in log
    assert sum(1 for line in log.splitlines() if "failing:" in line and broken.name in line) >= 2
    assert "getUpdates" in log or "polling" in log.lower()
