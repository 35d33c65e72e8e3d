"""The real application, in-process, against the fake Telegram: commands and admin broadcast."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from telegram import Update

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import (
    Config,
    DeliveryConfig,
    LossesConfig,
    OpsConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.context import NewsApplication
from bot.fakes.telegram import FakeTelegram, Limits, SentMessage, check_telegram_html
from storage import chats
from storage.stories import add_story

ADMIN = 1001
DEAD = "http://127.0.0.1:9/unreachable"  # the loss counter is not part of these tests


@dataclass
class Running:
    app: NewsApplication
    tg: FakeTelegram
    clock: ManualClock

    @property
    def services(self):  # type: ignore[no-untyped-def]
        services = self.app.bot_data.services
        assert services is not None
        return services

    async def say(self, chat_id: int, text: str, **kwargs: object) -> SentMessage:
        """Send ``text`` as a user and return the bot's first reply to it."""
        start = len(self.tg.sent)
        self.tg.user_message(chat_id, text, **kwargs)  # type: ignore[arg-type]
        return await self.tg.wait_for(lambda m: m.chat_id == chat_id, start=start)


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Running]:
    # Replies to one chat are paced at about 1/s by default; faster here to keep tests quick.
    async with FakeTelegram(limits=Limits(per_chat_per_s=20)) as tg:
        config = Config(
            telegram=TelegramConfig(token=tg.token, api_url=tg.api_url, admins=(ADMIN,)),
            ops=OpsConfig(listen=""),  # no fixed port in tests
            storage=StorageConfig(database=str(tmp_path / "bot.db")),
            losses=LossesConfig(url=DEAD, fallback_url=DEAD),
            delivery=DeliveryConfig(progress_seconds=0.2, per_chat_per_second=20),
            sources=(),
        )
        app = build_application(config, clock=clock)
        async with running(app, poll_timeout=0.2):
            yield Running(app, tg, clock)


def _plain(message: SentMessage) -> str:
    return message.visible_text.replace("\u00a0", " ")


async def test_a_reply_lost_to_a_server_error_is_sent_again(bot: Running) -> None:
    bot.tg.fail_next("sendMessage", status=502, count=2)
    reply = await bot.say(8, "/help")
    assert "/latest" in reply.visible_text
    assert [c.status for c in bot.tg.calls_of("sendMessage")] == [502, 502, 200]


async def test_start_stop_and_start_again(bot: Running) -> None:
    reply = await bot.say(5, "/start")
    assert "короткі новини" in reply.visible_text
    assert "кожні 5 хвилин" in reply.visible_text
    assert "/stop" in reply.visible_text
    check_telegram_html(reply.text or "")
    chat = await chats.get_chat(bot.services.db, 5)
    assert chat is not None and chat.status == "active"

    again = await bot.say(5, "/start")
    assert "вже підписані" in again.visible_text
    assert (await chats.count_by_status(bot.services.db))["active"] == 1

    stopped = await bot.say(5, "/stop")
    assert "відписалися" in stopped.visible_text
    chat = await chats.get_chat(bot.services.db, 5)
    assert chat is not None and chat.status == "stopped"

    back = await bot.say(5, "/start")
    assert "короткі новини" in back.visible_text


async def test_help_for_users_and_admins(bot: Running) -> None:
    user = await bot.say(5, "/help")
    assert "/latest" in user.visible_text and "/broadcast" not in user.visible_text
    admin = await bot.say(ADMIN, "/help")
    assert "/broadcast" in admin.visible_text and "/stats" in admin.visible_text


async def test_unknown_command_and_plain_text(bot: Running) -> None:
    unknown = await bot.say(5, "/weather")
    assert "Не знаю такої команди" in unknown.visible_text
    text = await bot.say(5, "привіт")
    assert "/help" in text.visible_text


async def test_groups_use_the_bot_suffix_and_ignore_chatter(bot: Running) -> None:
    reply = await bot.say(-77, "/start@newsbot_test_bot", chat_type="group", chat_title="Друзі")
    assert "короткі новини" in reply.visible_text
    chat = await chats.get_chat(bot.services.db, -77)
    assert chat is not None and chat.type == "group" and chat.title == "Друзі"
    before = len(bot.tg.sent)
    bot.tg.user_message(-77, "просто розмова", chat_type="group")
    bot.tg.user_message(-77, "/weather@other_bot", chat_type="group")
    # A marker command afterwards: its reply proves the two were processed and ignored.
    marker = await bot.say(-77, "/help@newsbot_test_bot", chat_type="group")
    assert "Що я вмію" in marker.visible_text
    assert len(bot.tg.sent) == before + 1


async def test_latest(bot: Running) -> None:
    empty = await bot.say(5, "/latest")
    assert "Новин ще немає" in empty.visible_text
    db, now = bot.services.db, bot.clock.now()
    await db.conn.execute(
        "INSERT INTO sources (id, url, name, created_at) VALUES (1, 'https://e.com', 'E', ?)",
        (now.isoformat(),),
    )
    for i in range(1, 13):
        await db.conn.execute(
            "INSERT INTO articles (id, source_id, identity, url, title, fetched_at)"
            " VALUES (?, 1, ?, ?, ?, ?)",
            (i, f"guid:{i}", f"https://e.com/{i}", f"Новина {i}", now.isoformat()),
        )
        body = "Дуже довгий підсумок. " * 40
        html = f'<b>Новина {i}</b>\n{body}\n<a href="https://e.com/{i}">Джерело</a>'
        await add_story(db, i, title=f"Новина {i}", summary="", html=html, summariser="t", now=now)

    start = len(bot.tg.sent)
    bot.tg.user_message(5, "/latest 10")
    await bot.tg.wait_until(
        lambda: "Новина 3\n" in "".join(m.visible_text for m in bot.tg.sent[start:])
    )
    replies = bot.tg.messages_to(5)[-(len(bot.tg.sent) - start) :]
    joined = "\n".join(m.visible_text for m in replies)
    titles = [line for line in joined.splitlines() if line.startswith("Новина ")]
    assert titles == [f"Новина {i}" for i in range(12, 2, -1)]  # newest first, ten of them
    assert joined.count("\n1 джерело") == 10  # each with its source count
    assert len(replies) > 1 and all(len(m.visible_text) <= 4096 for m in replies)

    bad = await bot.say(5, "/latest багато")
    assert "від 1 до 10" in bad.visible_text


async def test_broadcast_needs_an_admin(bot: Running) -> None:
    refused = await bot.say(5, "/broadcast Привіт усім")
    assert "лише адміністраторам" in refused.visible_text
    refused = await bot.say(5, "/stats")
    assert "лише адміністраторам" in refused.visible_text


async def test_broadcast_preview_confirm_progress_and_summary(bot: Running) -> None:
    for chat_id in (11, 12, 13):
        await bot.say(chat_id, "/start")
    bot.tg.block(13)
    preview = await bot.say(ADMIN, "/broadcast Увага: <b>не тег</b> & завтра\nоновлення")
    assert "Попередній перегляд" in preview.visible_text
    assert "отримають 3 підписники" in _plain(preview)
    assert "<b>не тег</b> & завтра\nоновлення" in preview.visible_text
    assert preview.reply_markup is not None
    buttons = preview.reply_markup["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["Надіслати всім", "Скасувати"]
    assert not [m for m in bot.tg.sent if m.chat_id in (11, 12) and "Увага" in m.visible_text]

    # A non-admin pressing the button changes nothing.
    bot.tg.callback(ADMIN, 5, preview.message_id, buttons[0]["callback_data"])
    bot.tg.callback(ADMIN, ADMIN, preview.message_id, buttons[0]["callback_data"])
    await bot.tg.wait_until(lambda: "Розсилку завершено" in preview.visible_text)
    for chat_id in (11, 12):
        got = [m for m in bot.tg.messages_to(chat_id) if "Увага" in m.visible_text]
        assert len(got) == 1
        assert got[0].visible_text == "Увага: <b>не тег</b> & завтра\nоновлення"
    summary = _plain(preview)
    assert "Надіслано: 2 з 3" in summary
    assert "недоступні: 1" in summary
    assert preview.reply_markup is None  # the buttons are gone
    chat = await chats.get_chat(bot.services.db, 13)
    assert chat is not None and chat.status == "blocked"


async def test_broadcast_cancel(bot: Running) -> None:
    await bot.say(11, "/start")
    preview = await bot.say(ADMIN, "/broadcast Не треба")
    assert preview.reply_markup is not None
    cancel = preview.reply_markup["inline_keyboard"][0][1]["callback_data"]
    bot.tg.callback(ADMIN, ADMIN, preview.message_id, cancel)
    await bot.tg.wait_until(lambda: "скасовано" in preview.visible_text)
    assert not [m for m in bot.tg.messages_to(11) if "Не треба" in m.visible_text]


async def test_stats(bot: Running) -> None:
    await bot.say(11, "/start")
    await bot.say(12, "/start")
    await bot.say(12, "/stop")
    stats = await bot.say(ADMIN, "/stats")
    text = _plain(stats)
    assert "активні — 1" in text and "відписалися — 1" in text
    assert "Сьогодні: 0 нових матеріалів, 0 історій, з них 0 головних" in text
    assert "У черзі на надсилання: 0" in text
    assert "Лічильник втрат" in text


async def test_my_chat_member_blocks_and_unblocks(bot: Running) -> None:
    await bot.say(21, "/start")
    db = bot.services.db

    async def change(new_status: Literal["kicked", "member"]) -> str:
        """Inject the update and process it to the end (polling may see it too: idempotent)."""
        update_id = bot.tg.my_chat_member(21, new_status=new_status)
        data = next(u for u in bot.tg.updates if u["update_id"] == update_id)
        await bot.app.process_update(Update.de_json(data, bot.app.bot))
        chat = await chats.get_chat(db, 21)
        assert chat is not None
        return chat.status

    assert await change("kicked") == "blocked"
    assert await change("member") == "active"
    await bot.say(21, "/stop")
    assert await change("kicked") == "stopped"  # a stopped chat stays stopped
    assert await change("member") == "stopped"


async def test_broadcast_usage_too_long_and_second_press(bot: Running) -> None:
    usage = await bot.say(ADMIN, "/broadcast")
    assert "Напишіть текст після команди" in usage.visible_text
    too_long = await bot.say(ADMIN, "/broadcast " + "я" * 4097)
    assert "задовгий: 4\u00a0097 символів" in too_long.visible_text

    preview = await bot.say(ADMIN, "/broadcast Один раз")
    assert preview.reply_markup is not None
    send = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    bot.tg.callback(ADMIN, ADMIN, preview.message_id, send)
    await bot.tg.wait_until(lambda: "Розсилку завершено" in preview.visible_text)
    bot.tg.callback(ADMIN, ADMIN, preview.message_id, send)  # a second press
    await bot.tg.wait_until(lambda: len(bot.tg.answered_callbacks) >= 2)
    answers = [a.get("text") for a in bot.tg.answered_callbacks.values()]
    assert "Розсилку розпочато." in answers
    assert "Цю розсилку вже надіслано або скасовано." in answers


async def test_a_429_on_a_reply_is_waited_out_not_dropped(bot: Running) -> None:
    bot.tg.fail_next("sendMessage", 429)  # retry_after = 1 s
    reply = await bot.say(5, "/help")
    assert "Що я вмію" in reply.visible_text
    assert bot.tg.count_429 == 1


async def test_forged_buttons_are_answered_and_do_nothing(bot: Running) -> None:
    for data in ("bc:send:99999999999999999999999", "bc:cancel:424242"):
        before = len(bot.tg.answered_callbacks)
        bot.tg.callback(ADMIN, ADMIN, 1, data)
        await bot.tg.wait_until(lambda: len(bot.tg.answered_callbacks) > before)  # noqa: B023
        answer = list(bot.tg.answered_callbacks.values())[-1]
        assert answer.get("text") == "Цю розсилку вже надіслано або скасовано."
