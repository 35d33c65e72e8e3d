"""Channels in the fake Telegram, through python-telegram-bot: getChat by @username and by id,
the bot's rights from getChatMember, posts refused as Telegram refuses them, photos recorded
(uploaded, or sent again by file_id), and a channel's 20 posts a minute."""

from __future__ import annotations

import httpx
import pytest
import telegram
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden

from bot.fakes.telegram import FakeTelegram, Limits
from tests.integration.test_fake_telegram import TOKEN, ManualTime, bot, tg

CHANNEL = -1001234567890
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

__all__ = ["bot", "tg"]  # fixtures


async def test_get_chat_by_username_and_id_and_the_bots_rights(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    tg.add_channel(CHANNEL, username="novyny_test", title="Новини: тест")
    by_name = await bot.get_chat("@Novyny_Test")
    by_id = await bot.get_chat(CHANNEL)
    assert (by_name.id, by_name.type, by_name.title, by_name.username) == (
        CHANNEL,
        "channel",
        "Новини: тест",
        "novyny_test",
    )
    assert by_id.id == CHANNEL
    member = await bot.get_chat_member(CHANNEL, bot.id)
    assert isinstance(member, telegram.ChatMemberAdministrator)
    assert member.can_post_messages is True
    other = await bot.get_chat_member(CHANNEL, 77)
    assert other.status == ChatMemberStatus.MEMBER
    with pytest.raises(BadRequest, match=r"(?i)not found"):
        await bot.get_chat("@nobody_here")


async def test_posts_are_refused_without_the_right_to_post(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    channel = tg.add_channel(CHANNEL, username="novyny_test", can_post_messages=False)
    member = await bot.get_chat_member("@novyny_test", bot.id)
    assert isinstance(member, telegram.ChatMemberAdministrator)
    assert member.can_post_messages is False
    with pytest.raises(BadRequest, match=r"(?i)need administrator rights"):
        await bot.send_message(CHANNEL, "текст")
    channel.bot_status = "left"
    assert (await bot.get_chat_member(CHANNEL, bot.id)).status == ChatMemberStatus.LEFT
    with pytest.raises(Forbidden, match=r"(?i)not a member of the channel"):
        await bot.send_message(CHANNEL, "текст")
    channel.bot_status, channel.can_post_messages = "administrator", True
    sent = await bot.send_message(CHANNEL, "текст")
    assert sent.chat.type == "channel"
    assert [m.text for m in tg.messages_to(CHANNEL)] == ["текст"]


async def test_a_private_channel_is_unknown_to_a_bot_outside_it(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    tg.add_channel(CHANNEL, bot_status="left")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(CHANNEL)


async def test_photos_are_recorded_and_sent_again_by_file_id(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    tg.add_channel(CHANNEL)
    tg.add_channel(CHANNEL - 1)
    first = await bot.send_photo(CHANNEL, PNG, caption="<b>Підпис</b>", parse_mode="HTML")
    again = await bot.send_photo(CHANNEL - 1, first.photo[-1].file_id, caption="Підпис")
    (posted,) = tg.messages_to(CHANNEL)
    assert posted.photo and posted.photo_size == len(PNG) and posted.visible_text == "Підпис"
    (reposted,) = tg.messages_to(CHANNEL - 1)
    assert reposted.photo and reposted.photo_size == 0  # nothing uploaded the second time
    assert again.caption == "Підпис"


async def test_a_channel_takes_twenty_posts_a_minute() -> None:
    clock = ManualTime()
    async with (
        FakeTelegram(TOKEN, limits=Limits(), clock=clock) as tg,
        httpx.AsyncClient(base_url=f"{tg.api_url}/bot{TOKEN}/") as client,
    ):
        tg.add_channel(CHANNEL)
        for _ in range(20):
            response = await client.post("sendMessage", data={"chat_id": CHANNEL, "text": "x"})
            assert response.status_code == 200
            clock.now += 1.0
        response = await client.post("sendMessage", data={"chat_id": CHANNEL, "text": "x"})
        assert response.status_code == 429
        assert tg.rate_limited[-1].scope == "group"
