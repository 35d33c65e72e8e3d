"""In a group only its administrators may /stop the group's subscription (getChatMember is
asked each time); /start stays open to every member."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from telegram import Chat, Message, Update, User

from bot.clock import ManualClock
from bot.fakes import SentMessage
from bot.texts import GROUP_ADMINS_ONLY, NOT_VERIFIED, STOPPED
from handlers.guards import is_group_admin
from storage import chats
from tests.integration.test_sources_handlers import Bot, running_bot

GROUP = -4001
MEMBER, ADMIN_OF_GROUP, OWNER = 71, 72, 73


async def _say(bot: Bot, user: int, text: str) -> SentMessage:
    start = len(bot.tg.sent)
    bot.tg.user_message(GROUP, text, user_id=user, chat_type="group")
    return await bot.tg.wait_for(lambda m: m.chat_id == GROUP, start=start)


async def _status(bot: Bot) -> str | None:
    db = bot.app.bot_data.services.db  # type: ignore[union-attr]
    counts = await chats.count_by_status(db)
    return next((status for status, n in counts.items() if n), None)


async def test_only_group_admins_may_stop(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        bot.tg.set_admins(GROUP, [ADMIN_OF_GROUP], owner=OWNER)
        welcome = await _say(bot, MEMBER, "/start")  # any member may subscribe the group
        assert welcome.visible_text.startswith("Вітаю!")

        refused = await _say(bot, MEMBER, "/stop@newsbot_test_bot")
        assert refused.visible_text == GROUP_ADMINS_ONLY
        assert await _status(bot) == "active"
        asked = bot.tg.calls_of("getChatMember")[-1].params
        assert (asked["chat_id"], asked["user_id"]) == (GROUP, MEMBER)

        stopped = await _say(bot, ADMIN_OF_GROUP, "/stop")
        assert stopped.visible_text == STOPPED
        assert await _status(bot) == "stopped"

        await _say(bot, MEMBER, "/start")
        assert (await _say(bot, OWNER, "/stop")).visible_text == STOPPED


async def test_admins_are_asked_every_time_nothing_is_cached(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        bot.tg.set_admins(GROUP, [ADMIN_OF_GROUP])
        await _say(bot, MEMBER, "/start")
        bot.tg.set_admins(GROUP, [])  # demoted
        assert (await _say(bot, ADMIN_OF_GROUP, "/stop")).visible_text == GROUP_ADMINS_ONLY
        bot.tg.set_admins(GROUP, [MEMBER])  # promoted
        assert (await _say(bot, MEMBER, "/stop")).visible_text == STOPPED


async def test_when_telegram_cannot_say_nothing_changes(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        bot.tg.set_admins(GROUP, [ADMIN_OF_GROUP])
        await _say(bot, MEMBER, "/start")
        bot.tg.fail_next("getChatMember", status=400, description="Bad Request: user not found")
        assert (await _say(bot, ADMIN_OF_GROUP, "/stop")).visible_text == NOT_VERIFIED
        assert await _status(bot) == "active"


async def test_private_chats_need_no_check(clock: ManualClock) -> None:
    async with running_bot(clock) as bot:
        bot.tg.user_message(MEMBER, "/start")
        await bot.tg.wait_for(lambda m: m.chat_id == MEMBER)
        start = len(bot.tg.sent)
        bot.tg.user_message(MEMBER, "/stop")
        reply = await bot.tg.wait_for(lambda m: m.chat_id == MEMBER, start=start)
        assert reply.visible_text == STOPPED
        assert bot.tg.calls_of("getChatMember") == []


async def test_an_anonymous_admin_speaks_as_the_group_itself() -> None:
    """Anonymous administrators post "on behalf of the group" (sender_chat is the group);
    a channel's post (another sender_chat) is not the group's administrator."""
    group = Chat(GROUP, Chat.SUPERGROUP, title="Група")
    channel = Chat(-1009, Chat.CHANNEL, title="Канал")
    anonymous = User(1087968824, "Group", is_bot=True)
    when = datetime(2025, 3, 29, tzinfo=UTC)

    def update(sender_chat: Chat) -> Update:
        message = Message(1, when, group, from_user=anonymous, sender_chat=sender_chat)
        return Update(1, message=message)

    def no_bot(*_: Any) -> None:
        raise AssertionError("getChatMember is not needed")

    context: Any = SimpleNamespace(bot=SimpleNamespace(get_chat_member=no_bot))
    assert await is_group_admin(update(group), context) is True
    assert await is_group_admin(update(channel), context) is False
