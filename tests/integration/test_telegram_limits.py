"""Long replies full of emoji, through the real application and the fake Telegram, which
counts length in UTF-16 code units as Telegram does (an emoji is two, a flag four).

Each text here fits 4 096 characters by ``len()`` where one message was sent before, and is
over 4 096 UTF-16 units: Telegram refused it with 400 "message is too long".
"""

from __future__ import annotations

from bot.clock import ManualClock
from bot.fakes import SentMessage, utf16_len
from bot.telegram_text import MAX_TEXT
from storage import articles, sources, stories
from storage.articles import NewArticle
from tests.integration.test_sources_handlers import ADMIN, Bot, running_bot

FLAGS = "🇺🇦" * 30  # 60 characters by len(), 120 UTF-16 units


async def _ask(bot: Bot, command: str) -> list[SentMessage]:
    """Send ``command``, then /help; the replies to the command are all that came before the
    reply to /help (one chat's updates are handled in order)."""
    start = len(bot.tg.sent)
    bot.tg.user_message(ADMIN, command, user_id=ADMIN)
    bot.tg.user_message(ADMIN, "/help", user_id=ADMIN)
    help_reply = await bot.tg.wait_for(
        lambda m: m.visible_text.startswith("Що я вмію"), start=start
    )
    replies = [m for m in bot.tg.sent[start:] if m.chat_id == ADMIN and m is not help_reply]
    assert all(utf16_len(m.visible_text) <= MAX_TEXT for m in replies)
    return replies


async def _add_sources(bot: Bot, clock: ManualClock, n: int) -> list[str]:
    """``n`` admin sources with emoji names; returns the names."""
    db = bot.app.bot_data.services.db  # type: ignore[union-attr]
    names = [f"{FLAGS} {i}" for i in range(n)]
    for i, name in enumerate(names):
        await sources.add_source(db, name, f"https://e{i}.ua/rss", "admin", clock.now())
    return names


async def test_latest_packs_emoji_briefs_by_utf16_length(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        db = bot.app.bot_data.services.db  # type: ignore[union-attr]
        now = clock.now()
        titles = [f"Новина {i} {FLAGS}{FLAGS}{FLAGS}" for i in range(10)]
        records = [
            NewArticle(f"id-{i}", f"https://e.ua/{i}", t, now, None, "first_poll")
            for i, t in enumerate(titles)
        ]
        for article_id, title in zip(
            await articles.add_articles(db, 1, records, now), titles, strict=True
        ):
            html = f"<b>{title}</b>\n" + "Подія дня. " * 40
            await stories.add_story(
                db, article_id, title=title, summary="", html=html, summariser="t", now=now
            )
        replies = await _ask(bot, "/latest 10")
    shown = "\n".join(m.visible_text for m in replies)
    assert all(title in shown for title in titles)


async def test_stats_is_split_like_sources_when_long(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        names = await _add_sources(bot, clock, 40)
        replies = await _ask(bot, "/stats")
    assert len(replies) == 2
    shown = "\n".join(m.visible_text for m in replies)
    assert shown.startswith("Статистика бота")
    assert all(f"{name} — ще не опитувалося" in shown for name in names)


async def test_sources_splits_emoji_names_by_utf16_length(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        names = await _add_sources(bot, clock, 45)
        replies = await _ask(bot, "/sources")
    shown = "\n".join(m.visible_text for m in replies)
    assert all(name in shown for name in names)
    assert shown.endswith("Вилучити — /delsource ID, додати — /addsource URL [назва]")
