"""The fake Telegram Bot API server: real HTTP from httpx and from python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import telegram
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.fakes.telegram import (
    FakeTelegram,
    Limits,
    TelegramHTMLError,
    check_telegram_html,
    parse_telegram_html,
    utf16_len,
)

TOKEN = "123456:TEST"


class ManualTime:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN, "newsbot_test_bot", limits=Limits(enabled=False)) as fake:
        yield fake


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{tg.api_url}/bot{TOKEN}/") as client:
        yield client


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=f"{tg.api_url}/bot") as ptb_bot:
        yield ptb_bot


# -- plain HTTP ------------------------------------------------------------------------------


async def test_get_me_unauthorized_and_unknown_method(
    tg: FakeTelegram, api: httpx.AsyncClient
) -> None:
    response = await api.post("getMe")
    assert response.status_code == 200
    me = response.json()
    assert me["ok"] is True
    assert me["result"]["username"] == "newsbot_test_bot"
    assert me["result"]["id"] == 123456
    assert me["result"]["is_bot"] is True

    wrong = await api.post(f"{tg.api_url}/bot999:WRONG/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    unknown = await api.post("sendTelepathy", data={"chat_id": "1"})
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [c.method for c in tg.calls] == ["getMe", "sendTelepathy"]
    assert tg.calls[-1].status == 404


async def test_form_json_and_query_bodies_are_all_understood(
    tg: FakeTelegram, api: httpx.AsyncClient
) -> None:
    markup = '{"inline_keyboard": [[{"text": "Далі", "callback_data": "next"}]]}'
    form = await api.post(
        "sendMessage", data={"chat_id": "7", "text": "Привіт + & = %", "reply_markup": markup}
    )
    as_json = await api.post("sendMessage", json={"chat_id": 7, "text": "json"})
    as_query = await api.get("sendMessage", params={"chat_id": "7", "text": "query"})
    assert [r.status_code for r in (form, as_json, as_query)] == [200, 200, 200]
    first = form.json()["result"]
    assert first["text"] == "Привіт + & = %"
    assert first["reply_markup"] == {
        "inline_keyboard": [[{"text": "Далі", "callback_data": "next"}]]
    }
    assert first["chat"] == {"id": 7, "type": "private", "first_name": "Користувач 7"}
    assert [m.message_id for m in tg.messages_to(7)] == [1, 2, 3]
    assert tg.calls[0].params["chat_id"] == 7  # coerced from the form string
    assert tg.sent[0].reply_markup == first["reply_markup"]


async def test_hundreds_of_concurrent_keep_alive_connections(tg: FakeTelegram) -> None:
    """300 connections at once, three requests each on the same connection.

    Raw sockets, because httpx's own pool is quadratic in its connection count and would
    measure the client rather than the fake.
    """
    port = int(tg.api_url.rsplit(":", 1)[1])

    async def client(chat_id: int) -> list[int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        statuses = []
        try:
            for n in range(3):
                body = f"chat_id={chat_id}&text=msg+{n}".encode()
                writer.write(
                    f"POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: t\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                statuses.append(int(head.split()[1]))
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
        finally:
            writer.close()
            await writer.wait_closed()
        return statuses

    results = await asyncio.gather(*(client(i) for i in range(1, 301)))
    assert all(statuses == [200, 200, 200] for statuses in results)
    assert len(tg.sent) == 900
    assert [m.message_id for m in tg.messages_to(300)] == [1, 2, 3]


async def test_error_bodies_carry_code_description_and_parameters(
    tg: FakeTelegram, api: httpx.AsyncClient
) -> None:
    tg.block(1)
    tg.migrate(-5, -1009)
    tg.fail_next("sendMessage", status=429, parameters={"retry_after": 7})

    throttled = await api.post("sendMessage", data={"chat_id": "2", "text": "x"})
    assert throttled.status_code == 429
    assert throttled.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    blocked = await api.post("sendMessage", data={"chat_id": "1", "text": "x"})
    assert blocked.status_code == 403
    assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"
    migrated = await api.post("sendMessage", data={"chat_id": "-5", "text": "x"})
    assert migrated.status_code == 400
    assert migrated.json()["parameters"] == {"migrate_to_chat_id": -1009}
    moved = await api.post("sendMessage", data={"chat_id": "-1009", "text": "x"})
    assert moved.json()["result"]["chat"]["type"] == "supergroup"
    assert tg.count_429 == 1
    assert tg.rate_limited[0].scope == "injected"


# -- python-telegram-bot against the fake -----------------------------------------------------


async def test_ptb_bot_sends_edits_and_uploads(tg: FakeTelegram, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.username == "newsbot_test_bot"

    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Ще", callback_data="more:1")]]
    )
    text = f'<b>{html.escape("Удар по «Шахеду» & ППО")}</b>\n🇺🇦 <a href="https://ex.ua/?a=1&amp;b=2">джерело</a>'
    message = await bot.send_message(42, text, parse_mode="HTML", reply_markup=keyboard)
    assert message.text == "Удар по «Шахеду» & ППО\n🇺🇦 джерело"
    bold, link = message.entities
    assert (bold.type, bold.offset, bold.length) == ("bold", 0, 22)
    assert link.type == "text_link"
    assert link.url == "https://ex.ua/?a=1&b=2"
    assert link.offset == 23 + utf16_len("🇺🇦 ")  # UTF-16 offsets
    assert message.parse_entity(link) == "джерело"
    assert message.reply_markup == keyboard
    assert message.from_user is not None
    assert message.from_user.id == 123456

    photo = await bot.send_photo(
        42, b"\x89PNG" + bytes(2000), caption="<i>Графік</i>", parse_mode="HTML"
    )
    assert photo.caption == "Графік"
    assert photo.photo[-1].file_size == 2004
    assert photo.message_id == message.message_id + 1
    stored_photo = tg.sent[-1]
    assert stored_photo.photo
    assert stored_photo.photo_size == 2004
    assert stored_photo.caption == "<i>Графік</i>"

    edited = await bot.edit_message_text("Оновлено", chat_id=42, message_id=message.message_id)
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Оновлено"
    assert edited.reply_markup is None  # no reply_markup in the edit removes the keyboard
    stored = tg.messages_to(42)[0]
    assert stored.text == "Оновлено"
    assert stored.edits == [text]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Оновлено", chat_id=42, message_id=message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)
    await bot.edit_message_reply_markup(42, message.message_id, reply_markup=keyboard)
    assert stored.reply_markup == keyboard.to_dict()

    assert await bot.send_chat_action(42, "typing")
    assert tg.chat_actions == [(42, "typing")]
    found = await tg.wait_for_message(42, contains="Графік", timeout=1)
    assert found is stored_photo


async def test_ptb_maps_the_fake_errors(
    tg: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as timedelta, no warning
    tg.block(1)
    tg.deactivate(2)
    tg.kick(-3)
    tg.forget(4)
    tg.migrate(-5, -1005)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1, "x")
    with pytest.raises(Forbidden, match=r"(?i)user is deactivated"):
        await bot.send_message(2, "x")
    with pytest.raises(Forbidden, match=r"(?i)kicked"):
        await bot.send_message(-3, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4, "x")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "x")
    assert migrated.value.new_chat_id == -1005

    tg.limits = Limits()  # switched on at run time
    await bot.send_message(6, "перше")
    with pytest.raises(RetryAfter) as throttled:
        await bot.send_message(6, "друге")
    assert throttled.value.retry_after == dtm.timedelta(seconds=1)

    tg.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError):
        await bot.send_message(7, "x")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(8, "я" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(9, "<b>без кінця", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(10, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(11, b"img", caption="c" * 1025)
    tg.unblock(1)
    assert (await bot.send_message(1, "знову")).text == "знову"
    assert tg.count_429 == 1


async def test_get_updates_long_polls_for_an_injected_command(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_until(lambda: any(c.method == "getUpdates" for c in tg.calls), timeout=2)
    assert not poll.done()  # parked in the long poll
    update_id = tg.user_message(501, "/latest@newsbot_test_bot 5", first_name="Оксана")
    updates = await asyncio.wait_for(poll, 2)

    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert message.from_user.first_name == "Оксана"
    assert message.parse_entities(["bot_command"]) == {
        message.entities[0]: "/latest@newsbot_test_bot"
    }
    assert message.entities[0].length == 24

    # updates stay until confirmed by offset
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [update_id]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert tg.pending_updates == 0


async def test_long_poll_timeout_limit_and_negative_offset(
    tg: FakeTelegram, api: httpx.AsyncClient
) -> None:
    empty = await api.post("getUpdates", data={"timeout": "0.05"})
    assert empty.json() == {"ok": True, "result": []}
    ids = [tg.user_message(1, f"повідомлення {i}") for i in range(5)]
    two = await api.post("getUpdates", data={"limit": "2"})
    assert [u["update_id"] for u in two.json()["result"]] == ids[:2]
    last = await api.post("getUpdates", data={"offset": "-1"})
    assert [u["update_id"] for u in last.json()["result"]] == ids[-1:]
    assert tg.pending_updates == 1

    tg.callback(1, 1, 1, "data")
    only_messages = await api.post(
        "getUpdates", data={"allowed_updates": '["message"]', "timeout": "0.05"}
    )
    assert [u["update_id"] for u in only_messages.json()["result"]] == ids[-1:]
    assert tg.pending_updates == 1  # the callback query was not for this bot's filter


def test_command_entities_count_utf16_units() -> None:
    assert utf16_len("🇺🇦") == 4
    assert utf16_len("Київ") == 4


async def test_callback_queries_and_my_chat_member(tg: FakeTelegram, bot: telegram.Bot) -> None:
    sent = await bot.send_message(
        77,
        "Оберіть",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Так", callback_data="yes")]]
        ),
    )
    tg.callback(77, 77, sent.message_id, "yes")
    tg.my_chat_member(77, 77, "kicked")
    tg.my_chat_member(-300, 9, "administrator", chat_title="Новини громади")
    updates = await bot.get_updates(timeout=1)

    query = updates[0].callback_query
    assert query is not None
    assert query.data == "yes"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await query.answer("Готово")
    assert tg.answered_callbacks[query.id]["text"] == "Готово"

    kicked = updates[1].my_chat_member
    assert kicked is not None
    assert kicked.new_chat_member.status == "kicked"
    assert kicked.old_chat_member.status == "member"
    admin = updates[2].my_chat_member
    assert admin is not None
    assert admin.chat.title == "Новини громади"
    assert admin.new_chat_member.status == "administrator"

    with pytest.raises(Forbidden):  # the user blocked the bot
        await bot.send_message(77, "ще тут?")
    tg.my_chat_member(77, 77, "member")
    assert (await bot.send_message(77, "з поверненням")).text == "з поверненням"


async def test_set_my_commands_is_stored(tg: FakeTelegram, bot: telegram.Bot) -> None:
    await bot.set_my_commands([("start", "Підписатися"), ("losses", "Втрати ворога")])
    assert tg.commands == [
        {"command": "start", "description": "Підписатися"},
        {"command": "losses", "description": "Втрати ворога"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "losses"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad Command", "x")])
    assert await bot.delete_webhook(drop_pending_updates=True)


async def test_wait_for_times_out_with_a_report(tg: FakeTelegram, bot: telegram.Bot) -> None:
    await bot.send_message(5, "перше")
    waiter = asyncio.create_task(tg.wait_for(lambda m: "друге" in (m.text or ""), timeout=5))
    await asyncio.sleep(0)
    await bot.send_message(5, "друге")
    assert (await waiter).message_id == 2
    with pytest.raises(TimeoutError, match="перше"):
        await tg.wait_for_message(5, contains="третє", timeout=0.05)


# -- the HTML validator --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "visible"),
    [
        ("plain text", "plain text"),
        ("<b>bold</b> <strong>x</strong>", "bold x"),
        ("<b><i>nested</i></b>", "nested"),
        ("<B>upper</B>", "upper"),
        ("<i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>", "ieunskd"),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#39; &#x27; &#1111;", "<tag> & \"q\" ' ' ї"),
        ('<a href="https://ex.ua/?a=1&amp;b=2">link</a>', "link"),
        ("<a href='https://ex.ua'>single quotes</a>", "single quotes"),
        ("<code>x &lt; y</code>", "x < y"),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
        ("<blockquote expandable>цитата</blockquote>", "цитата"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("a > b", "a > b"),
        (html.escape("Ціна <100> & \"ще\" 'щось'"), "Ціна <100> & \"ще\" 'щось'"),
    ],
)
def test_html_validator_accepts(source: str, visible: str) -> None:
    assert check_telegram_html(source) == visible


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>unclosed", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("line<br/>break", 'Unsupported start tag "br"'),
        ("<!-- comment -->", 'Unsupported start tag ""'),
        ("a < b", 'Unsupported start tag ""'),
        ("a & b", "Character entity expected"),
        ("&nbsp;", "Character entity expected"),
        ("&amp no semicolon", "Character entity expected"),
        ("&#0;", "Invalid character reference"),
        ('<a href="https://ex.ua/?a=1&b=2">x</a>', "Character entity expected"),
        ("<span>x</span>", "tg-spoiler"),
        ("<tg-emoji>x</tg-emoji>", "emoji-id"),
        ('<a href="unterminated>x</a>', "Unclosed start tag"),
        ("<b", "Unclosed start tag"),
    ],
)
def test_html_validator_rejects(source: str, reason: str) -> None:
    with pytest.raises(TelegramHTMLError, match=reason):
        check_telegram_html(source)


@given(st.text())
def test_html_escape_once_always_round_trips(text: str) -> None:
    assert check_telegram_html(html.escape(text)) == text
    assert check_telegram_html(html.escape(text, quote=False)) == text
    assert check_telegram_html(f"<b>{html.escape(text)}</b>") == text


def test_html_entities_are_in_utf16_units() -> None:
    text, entities = parse_telegram_html('🇺🇦 <b>Київ</b> <a href="https://ex.ua">x</a>')
    assert text == "🇺🇦 Київ x"
    assert entities == [
        {"type": "bold", "offset": 5, "length": 4},
        {"type": "text_link", "offset": 10, "length": 1, "url": "https://ex.ua"},
    ]


async def test_length_limits_count_visible_text(api: httpx.AsyncClient) -> None:
    async def send(text: str, **extra: str) -> httpx.Response:
        return await api.post("sendMessage", data={"chat_id": "1", "text": text, **extra})

    assert (await send("<b>" + "я" * 4096 + "</b>", parse_mode="HTML")).status_code == 200
    assert (await send("&amp;" * 4096, parse_mode="HTML")).status_code == 200
    too_long = await send("&amp;" * 4097, parse_mode="HTML")
    assert too_long.status_code == 400
    assert too_long.json()["description"] == "Bad Request: message is too long"
    bad = await send("a & b", parse_mode="HTML")
    assert bad.json()["description"].startswith("Bad Request: can't parse entities: ")
    empty = await send("")
    assert empty.json()["description"] == "Bad Request: message text is empty"
    caption_ok = await api.post(
        "sendPhoto", data={"chat_id": "1", "photo": "file-id", "caption": "c" * 1024}
    )
    assert caption_ok.status_code == 200


async def test_length_limits_count_utf16_code_units(api: httpx.AsyncClient) -> None:
    """As Telegram: "🔥" is one code point and two UTF-16 units.  2 049 of them (2 049
    characters by len()) are 4 098 units: too long; in a caption, 513 are over 1 024."""

    async def send(method: str, **data: str) -> httpx.Response:
        return await api.post(method, data={"chat_id": "1", **data})

    assert (await send("sendMessage", text="🔥" * 2048)).status_code == 200
    too_long = await send("sendMessage", text="🔥" * 2049)
    assert too_long.json()["description"] == "Bad Request: message is too long"
    bold = await send("sendMessage", text="<b>" + "🔥" * 2049 + "</b>", parse_mode="HTML")
    assert bold.json()["description"] == "Bad Request: message is too long"
    sent = (await send("sendMessage", text="ok")).json()["result"]
    edit = await api.post(
        "editMessageText",
        data={"chat_id": "1", "message_id": str(sent["message_id"]), "text": "🔥" * 2049},
    )
    assert edit.json()["description"] == "Bad Request: message is too long"
    assert (await send("sendPhoto", photo="id", caption="🔥" * 512)).status_code == 200
    caption = await send("sendPhoto", photo="id", caption="🔥" * 513)
    assert caption.json()["description"] == "Bad Request: message caption is too long"


async def test_get_chat_member_answers_with_the_admins_a_test_set(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    tg.user_message(-500, "/start", user_id=7, chat_type="group")
    tg.set_admins(-500, [8], owner=9)
    statuses = [(await bot.get_chat_member(-500, user)).status for user in (7, 8, 9)]
    assert statuses == ["member", "administrator", "creator"]
    assert (await bot.get_chat_member(42, 42)).status == "member"  # a private chat
    tg.kick(-500)
    with pytest.raises(Forbidden):
        await bot.get_chat_member(-500, 8)


# -- rate limits -------------------------------------------------------------------------------


@pytest.fixture
async def timed() -> AsyncIterator[tuple[FakeTelegram, ManualTime, httpx.AsyncClient]]:
    clock = ManualTime()
    async with (
        FakeTelegram(TOKEN, limits=Limits(), clock=clock) as fake,
        httpx.AsyncClient(base_url=f"{fake.api_url}/bot{TOKEN}/") as client,
    ):
        yield fake, clock, client


async def _send(client: httpx.AsyncClient, chat_id: int) -> tuple[int, dict[str, Any]]:
    response = await client.post("sendMessage", data={"chat_id": str(chat_id), "text": "x"})
    return response.status_code, response.json()


async def test_rate_limit_per_chat(
    timed: tuple[FakeTelegram, ManualTime, httpx.AsyncClient],
) -> None:
    tg, clock, client = timed
    assert (await _send(client, 1))[0] == 200
    clock.now += 0.5
    status, body = await _send(client, 1)
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert (await _send(client, 2))[0] == 200  # another chat is not affected
    clock.now += 0.45  # 0.95 s after the first: within the tolerance
    assert (await _send(client, 1))[0] == 200
    assert tg.count_429 == 1
    assert tg.times_429 == [1000.5]
    assert tg.rate_limited[0].scope == "chat"


async def test_rate_limit_per_group_per_minute(
    timed: tuple[FakeTelegram, ManualTime, httpx.AsyncClient],
) -> None:
    tg, clock, client = timed
    for _ in range(20):
        assert (await _send(client, -100))[0] == 200
        clock.now += 1.0
    status, body = await _send(client, -100)  # the 21st within a minute
    assert status == 429
    assert body["parameters"]["retry_after"] == 40  # until the first leaves the minute
    assert tg.rate_limited[-1].scope == "group"
    clock.now += 35.0  # t = 55 s: the first message has left the (54 s) window
    assert (await _send(client, -100))[0] == 200


async def test_rate_limit_overall(
    timed: tuple[FakeTelegram, ManualTime, httpx.AsyncClient],
) -> None:
    tg, clock, client = timed
    statuses = [(await _send(client, chat))[0] for chat in range(1, 32)]
    assert statuses == [200] * 30 + [429]
    assert tg.rate_limited[-1].scope == "overall"
    clock.now += 0.95
    assert (await _send(client, 31))[0] == 200
    tg.limits = Limits(enabled=False)
    statuses = [(await _send(client, 1))[0] for _ in range(5)]
    assert statuses == [200] * 5
    assert tg.count_429 == 1
