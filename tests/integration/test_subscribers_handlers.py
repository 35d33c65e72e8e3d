"""/settings with its buttons, and /follow /mute /unfollow /unmute, through the real application
against the fake Telegram: a press changes one setting, edits the same message and is
answered; old or forged presses change nothing; in a group only its administrators press."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot import texts
from bot.clock import KYIV, ManualClock
from bot.fakes import SentMessage
from storage import settings
from tests.integration.test_sources_handlers import USER, Bot, running_bot

GROUP, MEMBER, GROUP_ADMIN = -4100, 81, 82


def _db(bot: Bot) -> Any:
    services = bot.app.bot_data.services
    assert services is not None
    return services.db


async def _say(bot: Bot, chat: int, text: str, *, user: int | None = None) -> SentMessage:
    start = len(bot.tg.sent)
    kind = "private" if chat > 0 else "group"
    bot.tg.user_message(chat, text, user_id=user or chat, chat_type=kind)  # type: ignore[arg-type]
    return await bot.tg.wait_for(lambda m: m.chat_id == chat, start=start)


async def _press(bot: Bot, message: SentMessage, label: str, *, user: int | None = None) -> str:
    """Press the button labelled ``label``; returns the answer's text ('' for none)."""
    assert message.reply_markup is not None
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    (button,) = [b for b in buttons if b["text"] == label]
    return await _press_data(bot, message, button["callback_data"], user=user)


async def _press_data(bot: Bot, message: SentMessage, data: str, *, user: int | None = None) -> str:
    answered = len(bot.tg.answered_callbacks)
    bot.tg.callback(message.chat_id, user or message.chat_id, message.message_id, data)
    await bot.tg.wait_until(lambda: len(bot.tg.answered_callbacks) > answered)
    return str(list(bot.tg.answered_callbacks.values())[-1].get("text") or "")


def _labels(message: SentMessage) -> list[str]:
    assert message.reply_markup is not None
    return [b["text"] for row in message.reply_markup["inline_keyboard"] for b in row]


async def test_start_says_the_mode_and_settings_change_it(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        assert (await _say(bot, USER, "/settings")).visible_text == texts.SETTINGS_NOT_SUBSCRIBED
        welcome = await _say(bot, USER, "/start")
        assert "Режим «Головне»" in welcome.visible_text and "/settings" in welcome.visible_text
        shown = await _say(bot, USER, "/settings")
        assert "Режим «Головне»" in shown.visible_text
        assert "Тихі години (23:00–08:00 за Києвом) вимкнено" in shown.visible_text
        assert "/follow СЛОВО" in shown.visible_text and "/mute СЛОВО" in shown.visible_text
        assert _labels(shown) == [
            "Усі новини", "✓ Головне", "Дайджест", "Увімкнути тихі години", "Джерела",
        ]  # fmt: skip

        assert await _press(bot, shown, "Дайджест") == texts.SETTINGS_SAVED
        assert "Режим «Дайджест»: добірка головного о 09:00 і 19:00" in shown.visible_text
        assert _labels(shown)[:3] == ["Усі новини", "Головне", "✓ Дайджест"]
        assert await _press(bot, shown, "Увімкнути тихі години") == texts.SETTINGS_SAVED
        assert "Тихі години 23:00–08:00 за Києвом: новини надходять без звуку" in (
            shown.visible_text
        )
        found = await settings.get_settings(_db(bot), USER)
        assert found is not None and found.mode == "digest" and found.quiet
        # the same message was edited, each press answered once
        assert len(shown.edits) == 2 and len(bot.tg.messages_to(USER)) == 3

        assert await _press(bot, shown, "Джерела") == ""
        assert _labels(shown) == ["✓ Конфіг", "« Налаштування"]
        assert await _press(bot, shown, "✓ Конфіг") == texts.SETTINGS_SAVED
        assert _labels(shown) == ["✗ Конфіг", "« Налаштування"]
        found = await settings.get_settings(_db(bot), USER)
        assert found is not None and len(found.sources_off) == 1
        await _press(bot, shown, "« Налаштування")
        assert "Вимкнені джерела: Конфіг." in shown.visible_text


async def test_old_and_forged_presses_change_nothing(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        await _say(bot, USER, "/start")
        shown = await _say(bot, USER, "/settings")
        for data, answer in [
            ("set:m:everything", texts.SETTINGS_STALE),
            ("set:q:2", texts.SETTINGS_STALE),
            ("set:t:0:999999:0", texts.SETTINGS_SOURCE_GONE),
            ("set:t:0:99999999999999999999:0", texts.SETTINGS_STALE),
            ("bc:nonsense", texts.BUTTON_STALE),
            ("anything", texts.BUTTON_STALE),
        ]:
            assert await _press_data(bot, shown, data) == answer, data
        found = await settings.get_settings(_db(bot), USER)
        assert found is not None and (found.mode, found.quiet, found.sources_off) == (
            "top", False, frozenset()
        )  # fmt: skip
        assert shown.edits == []
        # an old message's button still does what it says: it sets, it does not toggle
        assert await _press(bot, shown, "Увімкнути тихі години") == texts.SETTINGS_SAVED
        assert await _press_data(bot, shown, "set:q:1") == ""
        assert (await settings.get_settings(_db(bot), USER)).quiet  # type: ignore[union-attr]


async def test_in_a_group_only_its_administrators_change_settings(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        bot.tg.set_admins(GROUP, [GROUP_ADMIN])
        await _say(bot, GROUP, "/start@newsbot_test_bot", user=MEMBER)
        shown = await _say(bot, GROUP, "/settings@newsbot_test_bot", user=MEMBER)
        assert texts.SETTINGS_GROUP_NOTE in shown.visible_text
        refused = await _press(bot, shown, "Дайджест", user=MEMBER)
        assert refused == texts.SETTINGS_GROUP_ADMINS_ONLY
        assert (await settings.get_settings(_db(bot), GROUP)).mode == "top"  # type: ignore[union-attr]
        assert await _press(bot, shown, "Дайджест", user=GROUP_ADMIN) == texts.SETTINGS_SAVED
        assert (await settings.get_settings(_db(bot), GROUP)).mode == "digest"  # type: ignore[union-attr]
        member = await _say(bot, GROUP, "/follow@newsbot_test_bot Харків", user=MEMBER)
        assert member.visible_text == texts.GROUP_ADMINS_ONLY
        admin = await _say(bot, GROUP, "/follow@newsbot_test_bot Харків", user=GROUP_ADMIN)
        assert admin.visible_text.startswith("Стежу за словом «Харків»")


async def test_follow_and_mute_words(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        assert (await _say(bot, USER, "/follow Харків")).visible_text == texts.NOT_SUBSCRIBED
        await _say(bot, USER, "/start")
        replies = [
            ("/follow", texts.FOLLOW_NONE),
            ("/mute", texts.MUTE_NONE),
            ("/follow Харків", "Стежу за словом «Харків»: новини з ним надходитимуть одразу"),
            ("/follow Харкові", "Ви вже стежите за словом «Харкові»."),
            ("/follow дрони", "Стежу за словом «дрони»"),
            ("/follow", "Стежу за словами: Харків, дрони.\nДодати — /follow СЛОВО"),
            ("/follow у Харкові", "Одне слово за раз, наприклад: /follow Харків."),
            ("/follow F-16", "Це не слово. Напишіть слово з літер, наприклад: /follow Харків"),
            ("/mute " + "ж" * 40, "Задовге слово: щонайбільше 32 символи."),
            ("/mute що", "Слово «що» надто загальне"),
            ("/mute <b>", "Це не слово."),
            ("/mute дронів", "Приховую новини зі словом «дронів»: їх я не надсилатиму. "
                             "Стежити за ним я перестав."),
            ("/unfollow дрон", "Ви не стежите за словом «дрон». Ваші слова — /follow."),
            ("/unmute дрон", "Більше не приховую новини зі словом «дронів»."),
            ("/unfollow", "Напишіть слово після команди, наприклад: /unfollow Харків"),
            ("/unfollow Харкова", "Більше не стежу за словом «Харків»."),
        ]  # fmt: skip
        for command, expected in replies:
            clock.advance(1)  # words are listed in the order they were added
            reply = await _say(bot, USER, command)
            assert reply.visible_text.startswith(expected), (command, reply.visible_text)
        for n in range(20):
            await settings.add_word(_db(bot), USER, "mute", f"w{n}", f"w{n}", clock.now(), 20)
        full = await _say(bot, USER, "/mute Одеса")
        assert full.visible_text.startswith("Список повний: 20 слів, більше не можна.")


async def test_digests_are_scheduled_at_each_digest_time_kyiv_time(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        jq = bot.app.job_queue
        assert jq is not None
        jobs = {j.name: j for j in jq.jobs() if (j.name or "").startswith("digest")}
        assert set(jobs) == {"digest-0900", "digest-1900", "digest-catch-up"}
        for name, hour in (("digest-0900", 9), ("digest-1900", 19)):
            at = jobs[name].next_t
            assert at is not None
            assert at.astimezone(KYIV).time() == time(hour, 0)
            assert timedelta(0) < at - datetime.now(UTC) <= timedelta(days=1)
