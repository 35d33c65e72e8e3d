"""Channels from outside: the real ``newsbot run`` against the fake Telegram and a fake news
site, with two configured channels — one where the bot is an administrator allowed to post,
one where it is not.

One run: the second channel is reported in one log line naming it and skipped, while the
first gets the day's loss post (a photo of the chart, once) and a new story once, as the
subscriber does; /metrics' send counters move with the push; /broadcast reaches the channel
only after «Також у канали».  When the second channel's owner makes the bot an administrator,
the bot checks it at once and posts the next story there.  Then the bot restarts the same day
and posts the loss counter to the first channel no second time (the second one gets its
first).

The articles are written for this test; the loss history is generated.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from e2e_harness import ADMIN_ID, BotProcess, ConfigWriter, StartBot
from pipeline_support import (
    WAIT,
    Site,
    losses_payload,
    press_send,
    preview_broadcast,
    serve_losses,
    subscribe,
    wait_first_poll,
)
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import KYIV
from bot.fakes import FakeNews, FakeTelegram, SentMessage
from bot.losses.model import war_day
from storage import Database
from storage import losses as loss_store

CHANNEL, CLOSED = -1001500000001, -1001500000002
READER = 6001
STORY = (
    "Енергетики відновили живлення у трьох громадах Сумщини",
    "Енергетики повернули світло в три громади Сумської області після нічного обстрілу.",
    "Ремонтні бригади працювали всю ніч, повідомила обласна військова адміністрація.",
)

LATER = (
    "На Київщині відкрили відновлений міст через Ірпінь",
    "Відновлений міст через річку Ірпінь відкрили для руху легкових автомобілів.",
    "Вантажівки зможуть їздити мостом після завершення другого етапу робіт.",
)


async def _loss_history(database: Path, today: date, days: int = 35) -> None:
    """The reports before today's, as the bot would have stored them (the chart needs them)."""
    today_stats = losses_payload(today)["data"]["stats"]
    db = await Database.open(database)
    try:
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            stats = {**today_stats, "personnel_units": today_stats["personnel_units"] - 1120 * back}
            fetched = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            record = loss_store.LossRecord(
                day, war_day(day), stats, {"personnel_units": 1120}, "russianwarship", fetched
            )
            await loss_store.save_record(db, record)
    finally:
        await db.close()


async def _sends(client: httpx.AsyncClient, bot: BotProcess) -> dict[tuple[str, str], float]:
    response = await client.get(f"{bot.ops_url}/metrics")
    assert response.status_code == 200
    return {
        (s.labels["kind"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
        if s.name == "newsbot_sends_total"
    }


def _photos(telegram: FakeTelegram, chat_id: int) -> list[SentMessage]:
    return [m for m in telegram.messages_to(chat_id) if m.photo]


async def _broadcast(telegram: FakeTelegram, text: str, *, to_channels: bool) -> SentMessage:
    preview = await preview_broadcast(telegram, text)
    assert "Канали (1 канал) її не отримають" in preview.visible_text
    if to_channels:
        assert preview.reply_markup is not None
        (toggle,) = preview.reply_markup["inline_keyboard"][1]
        assert toggle["text"] == "Також у канали"
        telegram.callback(ADMIN_ID, ADMIN_ID, preview.message_id, toggle["callback_data"])
        await telegram.wait_until(
            lambda: "Також у канали: її отримають і 1 канал." in preview.visible_text, WAIT
        )
    press_send(telegram, preview)
    await telegram.wait_until(lambda: "Розсилку завершено" in preview.visible_text, WAIT)
    return preview


async def test_channels_get_stories_the_daily_loss_post_and_chosen_broadcasts(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
    tmp_path: Path,
) -> None:
    telegram.add_channel(CHANNEL, username="novyny_test", title="Новини: тест")
    telegram.add_channel(CLOSED, username="bez_prav_test", title="Без прав", bot_status="left")
    site = Site(news, prefix="s", name="Тестові новини")
    site.add("old", "Давня новина", ["Текст давньої новини."], minutes_ago=90)
    serve_losses(news)
    today = datetime.now(KYIV).date()
    await _loss_history(tmp_path / "newsbot.db", today)
    config = bot_config(
        sources=[(site.name, site.feed_url)],
        schedule={"poll_seconds": 1, "jitter_seconds": 0},
        channels=[
            {"chat": "@novyny_test", "mode": "all", "losses_daily": True},
            {"chat": "@bez_prav_test", "mode": "all", "losses_daily": True},
        ],
    )

    bot = await start_bot(config)
    # The channel the bot may not post in: one plain line naming it; the bot runs on.
    await telegram.wait_until(lambda: bool(_photos(telegram, CHANNEL)), WAIT)
    said = [line for line in bot.log.splitlines() if "@bez_prav_test" in line]
    assert len(said) == 1, said
    assert "not posting there" in said[0] and "not an administrator" in said[0]
    assert any("channel @novyny_test ('Новини: тест'" in line for line in bot.log.splitlines())

    # The day's loss post: the chart with the day's figures, once.
    (post,) = _photos(telegram, CHANNEL)
    assert post.photo_size > 10_000
    assert post.visible_text.startswith("Загальні бойові втрати противника з 24.02.2022 по ")
    assert "1\u00a0013\u00a0570" in post.visible_text

    await subscribe(telegram, READER)
    await wait_first_poll(news, site)
    async with httpx.AsyncClient(timeout=20) as client:
        before = await _sends(client, bot)
        assert before.get(("story", "sent"), 0) == 0
        assert before.get(("losses", "sent")) == 1

        title, *paragraphs = STORY
        site.add("energy", title, paragraphs)

        def got(chat: int) -> list[SentMessage]:
            return [m for m in telegram.messages_to(chat) if m.visible_text.startswith(title)]

        await telegram.wait_until(lambda: bool(got(READER)) and bool(got(CHANNEL)), WAIT)
        await news.wait_for_hits(site.feed_path, news.hits(site.feed_path) + 2, timeout=WAIT)
        assert len(got(READER)) == 1 and len(got(CHANNEL)) == 1  # once
        assert telegram.messages_to(CLOSED) == []
        posts = [c for c in telegram.calls if c.method in ("sendMessage", "sendPhoto")]
        assert not [c for c in posts if c.params.get("chat_id") == CLOSED]

        after = await _sends(client, bot)
        assert after[("story", "sent")] == 2  # the reader and the channel

    # /broadcast: subscribers only, unless the admin picks «Також у канали».
    first = await _broadcast(telegram, "Перше оголошення", to_channels=False)
    assert "Надіслано: 1 з 1" in first.visible_text
    assert not [m for m in telegram.messages_to(CHANNEL) if m.text == "Перше оголошення"]
    second = await _broadcast(telegram, "Друге оголошення", to_channels=True)
    assert "Надіслано: 2 з 2" in second.visible_text
    assert [m.text for m in telegram.messages_to(CHANNEL) if "оголошення" in (m.text or "")] == [
        "Друге оголошення"
    ]
    assert [m.text for m in telegram.messages_to(READER) if "оголошення" in (m.text or "")] == [
        "Перше оголошення",
        "Друге оголошення",
    ]

    # The closed channel's owner makes the bot an administrator: checked again at once.
    telegram.my_chat_member(CLOSED, 4242, "administrator")
    await bot.wait_for_log("channel @bez_prav_test ('Без прав'", WAIT)
    title, *paragraphs = LATER
    site.add("bridge", title, paragraphs)
    await telegram.wait_until(
        lambda: any(m.visible_text.startswith(title) for m in telegram.messages_to(CLOSED)), WAIT
    )
    assert await bot.stop() == 0

    # Restarted the same day: the first channel has the day's post, it is not posted again;
    # the channel that could not get it this morning gets it now (the same one statement).
    bot = await start_bot(config)
    await telegram.wait_until(lambda: bool(_photos(telegram, CLOSED)), WAIT)
    await bot.wait_for_log("queued for 1 channel(s)", WAIT)
    assert len(_photos(telegram, CHANNEL)) == 1 and len(_photos(telegram, CLOSED)) == 1
    assert await bot.stop() == 0
