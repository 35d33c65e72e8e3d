"""Admin commands from outside: non-admins are refused politely and nothing is sent, and
/addsource refuses private, loopback and link-local addresses and non-http schemes with a clear
Ukrainian reason — without ever connecting to them.

The bot runs with ``allow_private_sources = false`` (the production default) and no sources;
the loss counter is the only thing it fetches.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from e2e_harness import ADMIN_ID, ConfigWriter, StartBot
from pipeline_support import LOSSES_PATH, WAIT, say, serve_losses, subscribe

from bot.fakes import FakeNews, FakeTelegram, Limits, SentMessage

USER = 3101
OTHER = 3102
ADMIN_ONLY = "Ця команда доступна лише адміністраторам бота."
NOT_HTTP = "Потрібна адреса стрічки, що починається з http:// або https://."


async def _final_reply(telegram: FakeTelegram, text: str) -> SentMessage:
    """/addsource answers "Перевіряю…" first when the URL looks fetchable; return the verdict."""
    start = len(telegram.sent)
    telegram.user_message(ADMIN_ID, text)
    return await telegram.wait_for(
        lambda m: m.chat_id == ADMIN_ID and not m.visible_text.startswith("Перевіряю"),
        WAIT,
        start=start,
    )


@pytest.fixture
def fast_replies(telegram: FakeTelegram) -> dict[str, float]:
    """Many replies to one chat in a row: per-chat pacing is not under test here."""
    telegram.limits = Limits(per_chat_per_s=20)
    return {"per_chat_per_second": 20}


async def test_admin_commands_from_a_non_admin_are_refused_and_nothing_is_sent(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    fast_replies: dict[str, float],
    tmp_path: Path,
) -> None:
    serve_losses(news)
    bot = await start_bot(
        bot_config(
            fetch={"allow_private_sources": False},
            losses={"backfill_days": 1},
            delivery=fast_replies,
        )
    )
    await subscribe(telegram, USER)
    await subscribe(telegram, OTHER)
    feed = news.url_for("/feed.xml")
    for text in [
        "/broadcast Усім: безкоштовна піца!",
        "/stats",
        "/sources",
        f"/addsource {feed} Моє джерело",
        "/delsource 1",
        "/broadcast",
    ]:
        reply = await say(telegram, USER, text)
        assert reply.visible_text == ADMIN_ONLY, text

    # A non-admin pressing "Надіслати всім" under a real draft (a forged callback).
    preview = await say(telegram, ADMIN_ID, "/broadcast Лише для адмінів", expect="Попередній")
    assert preview.reply_markup is not None
    send, cancel = (b["callback_data"] for b in preview.reply_markup["inline_keyboard"][0])
    answered = len(telegram.answered_callbacks)
    telegram.callback(USER, USER, preview.message_id, send)
    await telegram.wait_until(lambda: len(telegram.answered_callbacks) > answered, WAIT)
    refusal = list(telegram.answered_callbacks.values())[-1]
    assert refusal.get("text") == ADMIN_ONLY and refusal.get("show_alert") is True
    telegram.callback(ADMIN_ID, ADMIN_ID, preview.message_id, cancel)
    await telegram.wait_until(lambda: "скасовано" in preview.visible_text, WAIT)

    assert await bot.stop() == 0
    assert [m.visible_text for m in telegram.messages_to(OTHER)][1:] == []  # the welcome only
    assert not [m for m in telegram.sent if "піца" in m.visible_text]
    assert not [m for m in telegram.sent if m.visible_text == "Лише для адмінів"]
    assert [r.path for r in news.requests if r.path != LOSSES_PATH] == []
    with closing(sqlite3.connect(tmp_path / "newsbot.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sources").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM deliveries").fetchone() == (0,)
        assert conn.execute("SELECT status FROM broadcasts").fetchall() == [("cancelled",)]


async def test_addsource_refuses_private_loopback_link_local_and_non_http_addresses(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    fast_replies: dict[str, float],
    tmp_path: Path,
) -> None:
    serve_losses(news)
    port = news.url.rsplit(":", 1)[1]
    news.set("/rss", "<rss/>")  # were the guard to fail, this server would see a request
    bot = await start_bot(
        bot_config(
            fetch={"allow_private_sources": False},
            losses={"backfill_days": 1},
            delivery=fast_replies,
        )
    )
    refused = {
        "http://10.0.0.1/rss": "адреса приватної мережі",
        "http://192.168.1.1/rss": "адреса приватної мережі",
        f"http://127.0.0.1:{port}/rss": "локальна адреса (loopback)",
        f"http://127.1:{port}/rss": "локальна адреса (loopback)",
        f"http://2130706433:{port}/rss": "локальна адреса (loopback)",
        f"http://[::1]:{port}/rss": "локальна адреса (loopback)",
        f"http://[::ffff:127.0.0.1]:{port}/rss": "локальна адреса (loopback)",
        f"http://localhost:{port}/rss": "локальна адреса (loopback)",
        "http://169.254.169.254/latest/meta-data": "link-local адреса",
        f"http://0.0.0.0:{port}/rss": "",  # Python calls 0.0.0.0/8 private; refused either way
    }
    for url, reason in refused.items():
        reply = await _final_reply(telegram, f"/addsource {url} Внутрішнє")
        text = reply.visible_text
        assert text.startswith("Не вдалося додати джерело: "), (url, text)
        assert reason in text and "заборонені" in text, (url, text)
    for url in [
        "file:///etc/passwd",
        "ftp://example.com/rss",
        "javascript:alert(1)",
        "gopher://127.0.0.1:70/",
        "data:text/xml,<rss/>",
        "//127.0.0.1/rss",
        "127.0.0.1/rss",
    ]:
        reply = await _final_reply(telegram, f"/addsource {url}")
        assert reply.visible_text == NOT_HTTP, (url, reply.visible_text)

    listing = await say(telegram, ADMIN_ID, "/sources")
    assert "Внутрішнє" not in listing.visible_text
    assert await bot.stop() == 0
    assert [r.target for r in news.requests if r.path != LOSSES_PATH] == []  # never connected
    with closing(sqlite3.connect(tmp_path / "newsbot.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sources").fetchone() == (0,)
