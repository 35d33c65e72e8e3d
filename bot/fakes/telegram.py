"""A fake Telegram Bot API server on loopback, for tests and ``newsbot demo``.

Point python-telegram-bot at it with
``ApplicationBuilder().token(tg.token).base_url(f"{tg.api_url}/bot")`` (or ``tg.base_url``);
requests then arrive at ``/bot{token}/{method}``. The fake answers like Telegram does:
``{"ok": true, "result": ...}`` on success, and on failure the real HTTP status with
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}`` (PTB maps
errors by HTTP status, and reads ``migrate_to_chat_id`` / ``retry_after`` from parameters).

Rate limits (:class:`Limits`) are sliding windows over *accepted* message-sending calls
(sendMessage, sendPhoto, editMessageText); a rejected call does not count. A rate of
``r`` per period ``P`` becomes "at most ``n = max(1, round(r))`` calls in any window of
``P * n / r`` seconds", and the window is shortened by ``tolerance`` (10 % by default) to
absorb timing jitter. With the defaults:

* per chat (every chat type): at most 1 message in any 0.9 s, i.e. the previous message
  to that chat must be at least 0.9 s old;
* per group/supergroup: at most 20 messages in any 54 s;
* overall: at most 30 messages in any 0.9 s.

A sender that paces itself to the nominal limits (1/s per chat, 20/min per group, 30/s
overall, in any sliding window) never sees a 429. A leaky bucket that first bursts its
full capacity and then refills (aiolimiter, hence PTB's ``AIORateLimiter``) can exceed
the overall window and will. The 429 carries ``retry_after`` = whole seconds (≥ 1) until
the oldest call in the full window expires.

Channels (:meth:`FakeTelegram.add_channel`, :mod:`bot.fakes.channels`) answer getChat by
``@username`` or id and getChatMember with the bot's rights, and refuse posts as Telegram does
when the bot is not an administrator allowed to post; they take 20 posts a minute.

Lengths are checked as Telegram checks them: the visible text after entity parsing, in UTF-16
code units (an emoji such as "🔥" is two), at most 4096 for a text and 1024 for a caption.

Everything runs on one event loop; the test-driving helpers are plain methods to be
called from that loop. Nothing is started at import.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx

from bot.fakes._http import LoopbackFake, LoopbackServer, Request, Response
from bot.fakes.channels import BotStatus, FakeChannel, full_info
from bot.fakes.webhook import WebhookPost, WebhookPusher, post_update
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, utf16_len

__all__ = [
    "Call",
    "FakeChannel",
    "FakeTelegram",
    "Limits",
    "RateLimitHit",
    "SentMessage",
    "TelegramHTMLError",
    "Upload",
    "check_telegram_html",
    "parse_telegram_html",
    "utf16_len",
]

MAX_CALLBACK_DATA = 64

JSONDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup"]
MemberStatus = Literal["kicked", "member", "left", "administrator"]


# =============================================================================================
# Telegram HTML (parse_mode=HTML)
# =============================================================================================


class TelegramHTMLError(ValueError):
    """Text that Telegram would refuse under parse_mode=HTML; ``str(exc)`` is the reason."""


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_SPECIAL = re.compile(r"[<&]")
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]+")
_UNQUOTED_VALUE = re.compile(r"[A-Za-z0-9._:/-]*")
_SPACES = re.compile(r"\s*")
_CHAR_REF = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8}));")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _char_ref(text: str, pos: int) -> tuple[str, int]:
    """Decode the character reference at ``text[pos] == "&"``; return (char, end)."""
    m = _CHAR_REF.match(text, pos)
    if m is None:
        raise TelegramHTMLError(
            f"Character entity expected at byte offset {_byte_offset(text, pos)}: "
            'a bare "&" must be written as "&amp;"'
        )
    named, dec, hexa = m.groups()
    if named:
        return _NAMED_REFS[named], m.end()
    code = int(dec, 10) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise TelegramHTMLError(
            f"Invalid character reference at byte offset {_byte_offset(text, pos)}"
        )
    return chr(code), m.end()


def _decode_attr(text: str, start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    while pos < end:
        amp = text.find("&", pos, end)
        if amp < 0:
            out.append(text[pos:end])
            break
        out.append(text[pos:amp])
        char, pos = _char_ref(text, amp)
        out.append(char)
    return "".join(out)


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the visible text
    attrs: dict[str, str]
    byte_pos: int


def parse_telegram_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into (visible text, message entities).

    Stricter than Telegram in one respect, on purpose: a bare ``&`` that does not start
    ``&lt; &gt; &amp; &quot; &#NNN; &#xHH;`` (with the ``;``) is an error, as the Bot API
    documentation demands. Raises :class:`TelegramHTMLError` with Telegram-style reasons.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    n = len(text)
    i = 0
    while i < n:
        m = _SPECIAL.search(text, i)
        j = n if m is None else m.start()
        if j > i:
            chunk = text[i:j]
            out.append(chunk)
            pos16 += utf16_len(chunk)
        if m is None:
            break
        if text[j] == "&":
            char, i = _char_ref(text, j)
            out.append(char)
            pos16 += utf16_len(char)
            continue
        if text.startswith("</", j):
            i = _close_tag(text, j, stack, entities, pos16)
            continue
        tag, i = _open_tag(text, j, pos16)
        stack.append(tag)
    if stack:
        raise TelegramHTMLError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def check_telegram_html(text: str) -> str:
    """Validate ``text`` as Telegram HTML and return its visible text (what length counts)."""
    return parse_telegram_html(text)[0]


def _open_tag(text: str, start: int, pos16: int) -> tuple[_OpenTag, int]:
    n = len(text)
    name_match = _TAG_NAME.match(text, start + 1)
    assert name_match is not None  # the pattern matches the empty string
    name = name_match.group().lower()
    if name not in _TAG_ENTITY:
        raise TelegramHTMLError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, start)}'
        )
    k = name_match.end()
    attrs: dict[str, str] = {}
    closed = False
    while True:
        k = _skip_spaces(text, k)
        if k >= n:
            break
        if text[k] == ">":
            k += 1
            closed = True
            break
        attr = _ATTR_NAME.match(text, k)
        if attr is None:
            raise TelegramHTMLError(
                f'Empty attribute name in the tag "{name}" at byte offset '
                f"{_byte_offset(text, start)}"
            )
        attr_name = attr.group().lower()
        k = _skip_spaces(text, attr.end())
        value = ""
        if k < n and text[k] == "=":
            k = _skip_spaces(text, k + 1)
            if k >= n:
                break
            quote = text[k]
            if quote in "\"'":
                end = text.find(quote, k + 1)
                if end < 0:
                    break
                value = _decode_attr(text, k + 1, end)
                k = end + 1
            else:
                raw = _UNQUOTED_VALUE.match(text, k)
                assert raw is not None
                if not raw.group():
                    raise TelegramHTMLError(
                        f'Expected equal sign in declaration of an attribute of the tag "{name}"'
                        f" at byte offset {_byte_offset(text, start)}"
                    )
                value = raw.group()
                k = raw.end()
        attrs[attr_name] = value
    if not closed:
        raise TelegramHTMLError(f"Unclosed start tag at byte offset {_byte_offset(text, start)}")
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise TelegramHTMLError('Tag "span" must have class "tg-spoiler"')
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise TelegramHTMLError('Tag "tg-emoji" must have attribute "emoji-id"')
    return _OpenTag(name, pos16, attrs, _byte_offset(text, start)), k


def _skip_spaces(text: str, pos: int) -> int:
    m = _SPACES.match(text, pos)
    assert m is not None
    return m.end()


def _close_tag(
    text: str, start: int, stack: list[_OpenTag], entities: list[JSONDict], pos16: int
) -> int:
    end = text.find(">", start)
    if end < 0:
        raise TelegramHTMLError(f"Unclosed end tag at byte offset {_byte_offset(text, start)}")
    name = text[start + 2 : end].strip().lower()
    if not stack:
        raise TelegramHTMLError(
            f'Unexpected end tag "</{name}>" at byte offset {_byte_offset(text, start)}'
        )
    tag = stack.pop()
    if name != tag.name:
        raise TelegramHTMLError(
            f"Unmatched end tag at byte offset {_byte_offset(text, start)}, "
            f'expected "</{tag.name}>", found "</{name}>"'
        )
    length = pos16 - tag.offset
    parent = stack[-1] if stack else None
    if (
        tag.name == "code"
        and parent is not None
        and parent.name == "pre"
        and tag.attrs.get("class", "").startswith("language-")
    ):
        parent.attrs["language"] = tag.attrs["class"][len("language-") :]
        return end + 1
    if length <= 0:
        return end + 1
    entity: JSONDict = {"type": _TAG_ENTITY[tag.name], "offset": tag.offset, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href")
        if not href:
            return end + 1
        entity["url"] = href
    elif tag.name == "pre" and tag.attrs.get("language"):
        entity["language"] = tag.attrs["language"]
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)
    return end + 1


# =============================================================================================
# Public records
# =============================================================================================


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's flood limits as the fake enforces them (see the module docstring)."""

    overall_per_s: float = 30
    per_chat_per_s: float = 1
    group_per_min: float = 20
    enabled: bool = True
    tolerance: float = 0.1  # each window is shortened by this fraction


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request (its bytes are not kept, only their size)."""

    field: str
    filename: str
    content_type: str
    size: int


@dataclass(slots=True)
class Call:
    """One request to the fake. ``status`` is None while it is being answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int | None = None


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent successfully (editMessageText updates it in place).

    ``text``/``caption`` are as the bot sent them (HTML included); ``visible_text`` is what
    the user sees. ``edits`` holds the *previous* texts, oldest first, one per edit.
    """

    chat_id: int
    message_id: int
    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    photo: bool
    at: float
    edits: list[str] = field(default_factory=list)
    visible_text: str = ""
    entities: list[JSONDict] = field(default_factory=list)
    photo_size: int = 0
    date: int = 0
    edit_date: int | None = None


@dataclass(frozen=True, slots=True)
class RateLimitHit:
    """One 429 answer: ``scope`` is "chat", "group", "overall" or "injected"."""

    method: str
    chat_id: int | None
    scope: str
    retry_after: int
    at: float


# =============================================================================================
# Internals
# =============================================================================================


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(slots=True)
class _Injected:
    status: int
    description: str
    parameters: dict[str, Any] | None
    remaining: int


class _Notifier:
    """Wakes every waiter on :meth:`notify`; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    async def wait(self, at_most: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await asyncio.wait((fut,), timeout=at_most)
        finally:
            if not fut.done():
                fut.cancel()
                if fut in self._waiters:
                    self._waiters.remove(fut)


class _Window:
    """Times of accepted calls within a sliding window."""

    __slots__ = ("times",)

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def retry_after(self, now: float, rate: float, period: float, tolerance: float) -> int | None:
        count = max(1, round(rate))
        span = period * count / rate
        effective = span * (1.0 - tolerance)
        times = self.times
        while times and times[0] <= now - effective:
            times.popleft()
        if len(times) < count:
            return None
        return max(1, math.ceil(times[0] + span - now))


_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"timeout"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
        "has_spoiler",
        "show_caption_above_media",
    }
)
_RATE_LIMITED = frozenset({"sendMessage", "sendPhoto", "editMessageText"})
_GROUP_TYPES = frozenset({"group", "supergroup", "channel"})  # 20 messages a minute
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION_NAME = re.compile(r'(?:^|;)\s*name="([^"]*)"', re.IGNORECASE)
_DISPOSITION_FILENAME = re.compile(r'(?:^|;)\s*filename="([^"]*)"', re.IGNORECASE)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise _ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    m = _BOUNDARY.search(content_type)
    if m is None:
        raise _ApiError(400, "Bad Request: multipart boundary is missing")
    delimiter = b"--" + m.group(1).encode("latin-1")
    result: dict[str, Any] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        if part.startswith(b"\r\n"):
            part = part[2:]  # noqa: PLW2901
        head, _, content = part.partition(b"\r\n\r\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name_m = _DISPOSITION_NAME.search(disposition)
        if name_m is None:
            continue
        name = name_m.group(1)
        file_m = _DISPOSITION_FILENAME.search(disposition)
        if file_m is not None:
            result[name] = Upload(
                field=name,
                filename=file_m.group(1),
                content_type=headers.get("content-type", "application/octet-stream"),
                size=len(content),
            )
        else:
            result[name] = content.decode("utf-8")
    return result


_PERCENT_RUN = re.compile(rb"(?:%[0-9A-Fa-f]{2})+")


def _unhex_run(match: re.Match[bytes]) -> bytes:
    return bytes.fromhex(match.group().replace(b"%", b"").decode("ascii"))


def _unquote_plus(data: bytes) -> str:
    data = data.replace(b"+", b" ")
    if b"%" in data:
        decoded: bytes | None = None
        if b"\\" not in data:
            # The C escape decoder turns "\xHH" into a byte, far faster than the stdlib's
            # unquote (which handles one escape at a time and dominated the profile).
            with contextlib.suppress(ValueError):
                decoded = codecs.escape_decode(data.replace(b"%", b"\\x"))[0]
        data = decoded if decoded is not None else _PERCENT_RUN.sub(_unhex_run, data)
    return data.decode("utf-8")


def _parse_form(data: bytes) -> dict[str, str]:
    """application/x-www-form-urlencoded -> dict (the last value wins), like parse_qsl."""
    result: dict[str, str] = {}
    for pair in data.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            result[_unquote_plus(name)] = _unquote_plus(value)
    return result


def _parse_params(request: Request) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    if request.query:
        raw.update(parse_qsl(request.query, keep_blank_values=True))
    body = request.body
    if body:
        content_type = request.header("content-type").lower()
        if content_type.startswith("application/json"):
            try:
                obj = json.loads(body)
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(obj, dict):
                raise _ApiError(400, "Bad Request: JSON request body must be an object")
            raw.update(obj)
        elif content_type.startswith("multipart/form-data"):
            raw.update(_parse_multipart(body, request.header("content-type")))
        else:
            try:
                raw.update(_parse_form(body))
            except UnicodeDecodeError:
                raise _ApiError(400, "Bad Request: request body is not UTF-8") from None
    return {name: _coerce(name, value) for name, value in raw.items()}


def _json_response(status: int, payload: JSONDict) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, [("Content-Type", "application/json")], body)


def _error_payload(error: _ApiError) -> JSONDict:
    payload: JSONDict = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        payload["parameters"] = error.parameters
    return payload


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _chat_member(status: str, user: JSONDict, rights: JSONDict | None = None) -> JSONDict:
    member: JSONDict = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=False,
            can_restrict_members=False,
            can_promote_members=False,
            can_change_info=False,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
        member.update(rights or {})
    return member


# =============================================================================================
# The fake server
# =============================================================================================


class FakeTelegram(LoopbackFake):
    """A fake Bot API server; use ``async with FakeTelegram(...) as tg:``.

    Unknown chats are accepted (positive ids as private chats, negative ids as groups,
    ``-100…`` as supergroups) unless ``strict_chats`` is set, in which case only chats a
    helper has introduced exist and others get 400 "chat not found".
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        username: str = "newsbot_test_bot",
        *,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        first_name: str = "Новини",
        strict_chats: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        bot_id, _, _ = token.partition(":")
        self.token = token
        self.username = username
        self.limits = limits if limits is not None else Limits()
        self.strict_chats = strict_chats
        self.bot_user: JSONDict = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._clock = clock
        self._server = LoopbackServer(self._handle, host=host, port=port)

        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []
        self.updates: list[JSONDict] = []  # every injected update, in order
        self.rate_limited: list[RateLimitHit] = []
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

        self._pending: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._membership: dict[int, str] = {}
        self._group_admins: dict[int, tuple[int | None, frozenset[int]]] = {}
        self.channels: dict[int, FakeChannel] = {}
        self._chat_errors: dict[int, tuple[int, str, dict[str, Any] | None]] = {}
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._callback_ids: set[str] = set()
        self._next_callback_id = 1
        self._injected: dict[str, deque[_Injected]] = {}
        self._delay = 0.0
        self._edit_count = 0
        self._chat_windows: dict[int, _Window] = {}
        self._group_windows: dict[int, _Window] = {}
        self._overall_window = _Window()
        self._activity = _Notifier()
        self._update_arrived = _Notifier()
        self._webhook: WebhookPusher | None = None
        self.webhook_posts: list[WebhookPost] = []  # every post of an update to a webhook
        self.webhook_retry_seconds = 0.2  # after a refused or failed post

        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Awaitable[Any]]]] = {}
        for name, fn in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("sendPhoto", self._send_photo),
            ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action),
            ("getChatMember", self._get_chat_member),
            ("getChat", self._get_chat),
            ("deleteMessage", self._true),
            ("setMyDescription", self._true),
            ("setMyShortDescription", self._true),
            ("setChatMenuButton", self._true),
            ("close", self._true),
            ("logOut", self._true),
        ):
            self._methods[name.lower()] = (name, fn)

    # -- addresses (start/close/async with: LoopbackFake) ------------------------------------

    @property
    def api_url(self) -> str:
        """Bot API root, e.g. ``http://127.0.0.1:PORT`` (calls go to ``{api_url}/bot{token}/…``)."""
        return self._server.url

    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` wants: ``{api_url}/bot``."""
        return f"{self.api_url}/bot"

    async def close(self) -> None:
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        await super().close()

    @property
    def webhook_url(self) -> str:
        """The URL set by setWebhook ("" while the bot uses getUpdates)."""
        return self._webhook.url if self._webhook is not None else ""

    @property
    def webhook_secret(self) -> str | None:
        return self._webhook.secret if self._webhook is not None else None

    # -- behaviour a test can set --------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: 403 for anything sent to ``chat_id``."""
        self._chat_errors[chat_id] = (403, "Forbidden: bot was blocked by the user", None)

    def deactivate(self, chat_id: int) -> None:
        self._chat_errors[chat_id] = (403, "Forbidden: user is deactivated", None)

    def kick(self, chat_id: int) -> None:
        self._chat_errors[chat_id] = (403, "Forbidden: bot was kicked from the group chat", None)

    def forget(self, chat_id: int) -> None:
        self._chat_errors[chat_id] = (400, "Bad Request: chat not found", None)

    def migrate(self, chat_id: int, new_id: int) -> None:
        """The group became supergroup ``new_id``: 400 with ``migrate_to_chat_id``."""
        self._chat_errors[chat_id] = (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_id},
        )
        old = self._chats.get(chat_id, {})
        self._chats[new_id] = {
            "id": new_id,
            "type": "supergroup",
            "title": old.get("title", f"Група {new_id}"),
        }
        self._chat_errors.pop(new_id, None)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`, :meth:`deactivate`, :meth:`kick`, :meth:`forget`, :meth:`migrate`."""
        self._chat_errors.pop(chat_id, None)

    def set_admins(self, chat_id: int, admins: Iterable[int], *, owner: int | None = None) -> None:
        """Who administers group ``chat_id`` (getChatMember answers "administrator" for them,
        "creator" for ``owner``, "member" for anyone else); by default nobody does."""
        self._group_admins[chat_id] = (owner, frozenset(admins))

    def add_channel(
        self,
        chat_id: int,
        *,
        username: str | None = None,
        title: str | None = None,
        bot_status: BotStatus = "administrator",
        can_post_messages: bool = True,
    ) -> FakeChannel:
        """A channel (``-100…``), public when it has a ``username`` (without "@"), and the
        bot's place in it; change the returned object's fields to change its rights."""
        if chat_id >= 0:
            raise ValueError("a channel id is negative")
        channel = FakeChannel(
            chat_id,
            title or f"Канал {chat_id}",
            username,
            bot_status=bot_status,
            can_post_messages=can_post_messages,
        )
        self.channels[chat_id] = channel
        self._chats[chat_id] = channel.chat()
        return channel

    def fail_next(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        description: str | None = None,
        *,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (``"*"``: any method) with an error.

        A 429 gets ``parameters={"retry_after": 1}`` unless parameters are given.
        """
        if description is None:
            description = _DEFAULT_DESCRIPTIONS.get(status, "Error")
            if status == 429:
                retry = (parameters or {}).get("retry_after", 1)
                description = f"Too Many Requests: retry after {retry}"
        if status == 429 and parameters is None:
            parameters = {"retry_after": 1}
        key = "*" if method == "*" else method.lower()
        self._injected.setdefault(key, deque()).append(
            _Injected(status, description, parameters, count)
        )

    def delay(self, seconds: float) -> None:
        """Add ``seconds`` of latency to every following request (0 to stop)."""
        self._delay = max(0.0, seconds)

    # -- driving the bot -----------------------------------------------------------------------

    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType = "private",
        first_name: str = "Тарас",
        chat_title: str | None = None,
        username: str | None = None,
        entities: list[JSONDict] | None = None,
    ) -> int:
        """Inject a message from a user; return its update_id.

        A leading ``/command`` (optionally ``/command@botname``) gets a bot_command entity
        (offsets and lengths in UTF-16 code units, like Telegram).
        """
        user_id = self._check_chat(chat_id, chat_type, user_id)
        user = self._user(user_id, first_name, username)
        chat = self._register_chat(chat_id, chat_type, first_name, chat_title, username)
        return self._push_update("message", self._message(user, chat, text, entities))

    def _message(
        self, user: JSONDict, chat: JSONDict, text: str, entities: list[JSONDict] | None
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": self._new_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities is None:
            entities = []
            m = _COMMAND.match(text)
            if m is not None:
                entities.append(
                    {"type": "bot_command", "offset": 0, "length": utf16_len(m.group())}
                )
        if entities:
            message["entities"] = entities
        return message

    def callback(
        self, chat_id: int, user_id: int, message_id: int, data: str, *, first_name: str = "Тарас"
    ) -> int:
        """Inject a callback query (a press on an inline button); return its update_id."""
        stored = self._messages.get((chat_id, message_id))
        if stored is not None:
            message = self._message_json(stored)
        else:
            message = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "text": "",
            }
        query_id = f"{self._next_callback_id}{abs(chat_id)}"
        self._next_callback_id += 1
        self._callback_ids.add(query_id)
        query: JSONDict = {
            "id": query_id,
            "from": self._user(user_id, first_name, None),
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self._push_update("callback_query", query)

    def my_chat_member(
        self,
        chat_id: int,
        user_id: int | None = None,
        new_status: MemberStatus = "kicked",
        *,
        chat_type: ChatType | None = None,
        first_name: str = "Тарас",
        chat_title: str | None = None,
    ) -> int:
        """Inject a my_chat_member update (the bot's status in a chat changed).

        It also changes what sending does: "kicked" in a private chat blocks the bot
        (403), "kicked"/"left" in a group kicks it; "member"/"administrator" undo that.
        In a channel (:meth:`add_channel`) it sets the bot's status there (an administrator
        allowed to post, or not in it).
        """
        channel = self.channels.get(chat_id)
        if channel is not None:
            return self._channel_member(channel, user_id or 4242, new_status, first_name)
        if chat_type is None:
            known = self._chats.get(chat_id)
            if known is not None:
                chat_type = known["type"]
            else:
                chat_type = "private" if chat_id > 0 else "group"
        assert chat_type is not None
        user_id = self._check_chat(chat_id, chat_type, user_id)
        chat = self._register_chat(chat_id, chat_type, first_name, chat_title, None)
        old_status = self._membership.get(chat_id, "left" if new_status == "member" else "member")
        if old_status == new_status:
            old_status = "member" if new_status != "member" else "left"
        self._membership[chat_id] = new_status
        if new_status in ("member", "administrator"):
            self.unblock(chat_id)
        elif chat_type == "private":
            self.block(chat_id)
        else:
            self.kick(chat_id)
        update: JSONDict = {
            "chat": chat,
            "from": self._user(user_id, first_name, None),
            "date": int(time.time()),
            "old_chat_member": _chat_member(old_status, self.bot_user),
            "new_chat_member": _chat_member(new_status, self.bot_user),
        }
        return self._push_update("my_chat_member", update)

    def _channel_member(
        self, channel: FakeChannel, user_id: int, new_status: MemberStatus, first_name: str
    ) -> int:
        old_status, old_rights = channel.bot_member_status()
        channel.bot_status = new_status
        channel.can_post_messages = new_status == "administrator"
        status, rights = channel.bot_member_status()
        update: JSONDict = {
            "chat": channel.chat(),
            "from": self._user(user_id, first_name, None),
            "date": int(time.time()),
            "old_chat_member": _chat_member(old_status, self.bot_user, old_rights),
            "new_chat_member": _chat_member(status, self.bot_user, rights),
        }
        return self._push_update("my_chat_member", update)

    async def post_to_webhook(
        self, chat_id: int, text: str, *, secret: str | None, url: str | None = None
    ) -> int | None:
        """POST a user's message to the webhook as someone other than Telegram could:
        with ``secret`` as the secret header (None: no header).  The update is not queued
        and not recorded in :attr:`updates`.  Returns the HTTP status (None: no connection).
        """
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("no webhook is set")
        user = self._user(self._check_chat(chat_id, "private", None), "Хтось", None)
        chat = self._register_chat(chat_id, "private", "Хтось", None, None)
        message = self._message(user, chat, text, None)
        update = {"update_id": 10**9 + self._next_update_id, "message": message}
        async with httpx.AsyncClient(timeout=10.0) as client:
            status, _ = await post_update(client, target, update, secret)
        return status

    # -- inspecting and awaiting ---------------------------------------------------------------

    @property
    def commands(self) -> list[JSONDict]:
        """Commands set with setMyCommands for the default scope and no language."""
        return self.commands_for()

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[JSONDict]:
        return list(self._commands.get((scope, language_code), []))

    @property
    def count_429(self) -> int:
        return len(self.rate_limited)

    @property
    def times_429(self) -> list[float]:
        return [hit.at for hit in self.rate_limited]

    @property
    def pending_updates(self) -> int:
        """Injected updates not yet confirmed by a getUpdates offset."""
        return len(self._pending)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors the public API of the fake
    ) -> None:
        """Wait until ``condition()`` holds; re-checked whenever a call or update arrives."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_report(f"condition not met in {timeout} s"))
            await self._activity.wait(remaining)

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        start: int = 0,
    ) -> SentMessage:
        """Return the first sent message (from index ``start`` of :attr:`sent`) matching."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        scanned = start
        edits_seen = self._edit_count
        while True:
            if self._edit_count != edits_seen:
                scanned, edits_seen = start, self._edit_count
            while scanned < len(self.sent):
                message = self.sent[scanned]
                scanned += 1
                if predicate(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_report(f"no sent message matched in {timeout} s"))
            await self._activity.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        start: int = 0,
    ) -> SentMessage:
        """Wait for a message to ``chat_id`` whose raw or visible text/caption has ``contains``."""

        def match(message: SentMessage) -> bool:
            if message.chat_id != chat_id:
                return False
            if contains is None:
                return True
            raw = message.text if message.text is not None else message.caption or ""
            return contains in raw or contains in message.visible_text

        return await self.wait_for(match, timeout, start=start)

    def _timeout_report(self, what: str) -> str:
        lines = [f"FakeTelegram: {what}; {len(self.sent)} message(s) sent"]
        for m in self.sent[-5:]:
            body = m.text if m.text is not None else f"[photo] {m.caption or ''}"
            lines.append(f"  chat {m.chat_id} #{m.message_id}: {body[:120]!r}")
        failed = [c for c in self.calls[-50:] if c.status not in (None, 200)]
        for c in failed[-3:]:
            lines.append(f"  failed call {c.method} -> {c.status}")
        return "\n".join(lines)

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        if self._delay:
            await asyncio.sleep(self._delay)
        path = request.path
        if not path.startswith("/bot"):
            return _json_response(404, _error_payload(_ApiError(404, "Not Found")))
        token, _, method = path[4:].partition("/")
        if token != self.token:
            return _json_response(401, _error_payload(_ApiError(401, "Unauthorized")))
        spec = self._methods.get(method.lower())
        name = spec[0] if spec is not None else method
        call = Call(name, {}, self._clock())
        self.calls.append(call)
        try:
            call.params = _parse_params(request)
            self._activity.notify()
            if spec is None:
                raise _ApiError(404, "Not Found")
            self._raise_injected(name, call.params)
            result = await spec[1](call.params)
        except _ApiError as error:
            call.status = error.status
            self._activity.notify()
            return _json_response(error.status, _error_payload(error))
        call.status = 200
        self._activity.notify()
        return _json_response(200, {"ok": True, "result": result})

    def _raise_injected(self, method: str, params: dict[str, Any]) -> None:
        for key in (method.lower(), "*"):
            queue = self._injected.get(key)
            if not queue:
                continue
            injected = queue[0]
            injected.remaining -= 1
            if injected.remaining <= 0:
                queue.popleft()
            if injected.status == 429:
                retry = int((injected.parameters or {}).get("retry_after", 1))
                self.rate_limited.append(
                    RateLimitHit(
                        method,
                        _int_or_none(params.get("chat_id")),
                        "injected",
                        retry,
                        self._clock(),
                    )
                )
            raise _ApiError(injected.status, injected.description, injected.parameters)

    # -- chats, users, messages ----------------------------------------------------------------

    @staticmethod
    def _check_chat(chat_id: int, chat_type: str, user_id: int | None) -> int:
        if chat_type == "private":
            if chat_id <= 0:
                raise ValueError("a private chat id is the (positive) user id")
            if user_id is not None and user_id != chat_id:
                raise ValueError("in a private chat, user_id must equal chat_id")
            return chat_id
        if chat_id >= 0:
            raise ValueError("group and supergroup chat ids are negative")
        return user_id if user_id is not None else 4242

    def _user(self, user_id: int, first_name: str, username: str | None) -> JSONDict:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "uk"}
            self._users[user_id] = user
        if username:
            user["username"] = username
        return user

    def _register_chat(
        self,
        chat_id: int,
        chat_type: str,
        first_name: str,
        title: str | None,
        username: str | None,
    ) -> JSONDict:
        chat: JSONDict
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
        else:
            old = self._chats.get(chat_id, {})
            chat = {
                "id": chat_id,
                "type": chat_type,
                "title": title or old.get("title") or f"Група {chat_id}",
            }
        self._chats[chat_id] = chat
        return chat

    def _chat(self, chat_id: int) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"Користувач {chat_id}"}
        if chat_id <= -1_000_000_000_000:
            return {"id": chat_id, "type": "supergroup", "title": f"Група {chat_id}"}
        return {"id": chat_id, "type": "group", "title": f"Група {chat_id}"}

    def _target_chat(self, params: dict[str, Any]) -> JSONDict:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            raw = self._by_username(raw[1:])
        if not isinstance(raw, int):
            raise _ApiError(400, "Bad Request: chat not found")
        channel = self.channels.get(raw)
        if channel is not None and not channel.visible:
            raise _ApiError(400, "Bad Request: chat not found")
        error = self._chat_errors.get(raw)
        if error is not None:
            raise _ApiError(*error)  # a fresh exception each time: no growing traceback
        if self.strict_chats and raw not in self._chats:
            raise _ApiError(400, "Bad Request: chat not found")
        return self._chat(raw)

    def _by_username(self, username: str) -> int | None:
        for chat_id, channel in self.channels.items():
            if channel.username is not None and channel.username.lower() == username.lower():
                return chat_id
        return None

    def _postable_chat(self, params: dict[str, Any]) -> JSONDict:
        """The chat a message goes to; a channel refuses a bot that may not post there."""
        chat = self._target_chat(params)
        channel = self.channels.get(chat["id"])
        refusal = channel.refusal() if channel is not None else None
        if refusal is not None:
            raise _ApiError(*refusal)
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        return message_id

    def _push_update(self, kind: str, payload: JSONDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        self.updates.append(update)
        self._pending.append(update)
        self._update_arrived.notify()
        self._activity.notify()
        return update_id

    def _message_json(self, message: SentMessage) -> JSONDict:
        result: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self._chat(message.chat_id),
            "date": message.date,
        }
        if message.photo:
            result["photo"] = [
                {
                    "file_id": f"photo-{message.chat_id}-{message.message_id}",
                    "file_unique_id": f"p{abs(message.chat_id)}x{message.message_id}",
                    "width": 1280,
                    "height": 720,
                    "file_size": message.photo_size,
                }
            ]
            if message.caption is not None:
                result["caption"] = message.visible_text
                if message.entities:
                    result["caption_entities"] = message.entities
        else:
            result["text"] = message.visible_text
            if message.entities:
                result["entities"] = message.entities
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        return result

    # -- validation ------------------------------------------------------------------------------

    @staticmethod
    def _format(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JSONDict]]:
        if parse_mode is None or parse_mode == "":
            if entities is not None and not isinstance(entities, list):
                raise _ApiError(400, "Bad Request: can't parse entities JSON object")
            return text, list(entities or [])
        if not isinstance(parse_mode, str):
            raise _ApiError(400, "Bad Request: unsupported parse_mode")
        mode = parse_mode.lower()
        if mode == "html":
            try:
                return parse_telegram_html(text)
            except TelegramHTMLError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if mode in ("markdown", "markdownv2"):
            return text, []  # not validated by the fake
        raise _ApiError(400, "Bad Request: unsupported parse_mode")

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        keyboard = markup.get("inline_keyboard")
        if keyboard is None:
            return markup
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise _ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Array')
        for row in keyboard:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _ApiError(400, "Bad Request: can't parse inline keyboard button")
                if len(button) < 2:
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
                ):
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _check_rate(self, method: str, chat: JSONDict) -> None:
        limits = self.limits
        if not limits.enabled:
            return
        now = self._clock()
        chat_id: int = chat["id"]
        chat_window = self._chat_windows.get(chat_id)
        if chat_window is None:
            chat_window = self._chat_windows[chat_id] = _Window()
        group_window: _Window | None = None
        if chat["type"] in _GROUP_TYPES:
            group_window = self._group_windows.get(chat_id)
            if group_window is None:
                group_window = self._group_windows[chat_id] = _Window()
        waits: list[tuple[int, str]] = []
        tol = limits.tolerance
        if limits.per_chat_per_s > 0:
            wait = chat_window.retry_after(now, limits.per_chat_per_s, 1.0, tol)
            if wait is not None:
                waits.append((wait, "chat"))
        if group_window is not None and limits.group_per_min > 0:
            wait = group_window.retry_after(now, limits.group_per_min, 60.0, tol)
            if wait is not None:
                waits.append((wait, "group"))
        if limits.overall_per_s > 0:
            wait = self._overall_window.retry_after(now, limits.overall_per_s, 1.0, tol)
            if wait is not None:
                waits.append((wait, "overall"))
        if waits:
            retry, scope = max(waits)
            self.rate_limited.append(RateLimitHit(method, chat_id, scope, retry, now))
            raise _ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        chat_window.times.append(now)
        if group_window is not None:
            group_window.times.append(now)
        self._overall_window.times.append(now)

    # -- methods ---------------------------------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_webhook_info(self, params: dict[str, Any]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None and self._webhook.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook.last_error
        if self._allowed_updates is not None:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:  # an empty URL removes the webhook, as deleteWebhook does
            return await self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise _ApiError(
                400,
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _ApiError(
                400, "Bad Request: bad webhook: Secret token contains unallowed characters"
            )
        await self._delete_webhook(params)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = [str(a) for a in allowed] if allowed else None
        self._webhook = WebhookPusher(
            url,
            None if secret is None else str(secret),
            next_update=self._next_pending,
            confirm=self._confirm,
            wait_for_update=self._update_arrived.wait,
            record=self._record_post,
            retry_seconds=self.webhook_retry_seconds,
        )
        self._webhook.start()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") is True:
            self._pending.clear()
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        return True

    def _next_pending(self) -> JSONDict | None:
        return self._pending[0] if self._deliverable() else None

    def _record_post(self, post: WebhookPost) -> None:
        self.webhook_posts.append(post)
        self._activity.notify()

    async def _get_updates(self, params: dict[str, Any]) -> list[JSONDict]:
        if self._webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0)
        if not isinstance(limit, int) or not isinstance(offset, int | None):
            raise _ApiError(400, "Bad Request: wrong parameter type")
        if not isinstance(timeout, int | float):
            raise _ApiError(400, "Bad Request: wrong parameter type")
        limit = min(max(limit, 1), 100) if limit else 100
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = [str(a) for a in allowed] if allowed else None
        if offset is not None:
            self._confirm(offset)
        if timeout > 0:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + float(timeout)
            while not self._deliverable():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await self._update_arrived.wait(remaining)
        else:
            self._deliverable()
        return list(itertools.islice(self._pending, limit))

    def _deliverable(self) -> bool:
        """Drop pending updates of types not allowed; tell whether any remain."""
        allowed = self._allowed_updates
        if allowed is not None and self._pending:
            kept = [u for u in self._pending if any(k in u for k in allowed)]
            if len(kept) != len(self._pending):
                self._pending = deque(kept)
        return bool(self._pending)

    def _confirm(self, offset: int) -> None:
        pending = self._pending
        if offset > 0:
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()
        elif offset < 0:
            while len(pending) > -offset:
                pending.popleft()

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            desc = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _BOT_COMMAND_NAME.fullmatch(name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
                raise _ApiError(400, "Bad Request: command description is empty or too long")
        self._commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[JSONDict]:
        return list(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
        if isinstance(scope, dict) and "chat_id" in scope:
            scope_type = f"{scope_type}:{scope['chat_id']}"
        return scope_type, str(params.get("language_code") or "")

    async def _send_message(self, params: dict[str, Any]) -> JSONDict:
        chat = self._postable_chat(params)
        text = params.get("text")
        if text is None:
            raise _ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        parse_mode = params.get("parse_mode")
        visible, entities = self._format(text, parse_mode, params.get("entities"))
        if not visible.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        self._check_rate("sendMessage", chat)
        message = self._store(
            chat["id"],
            text=text,
            caption=None,
            parse_mode=parse_mode,
            markup=markup,
            visible=visible,
            entities=entities,
        )
        return self._message_json(message)

    async def _send_photo(self, params: dict[str, Any]) -> JSONDict:
        chat = self._postable_chat(params)
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = params.get(photo[len("attach://") :])
        if photo is None or photo == "":
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        size = 0
        if isinstance(photo, Upload):
            if photo.size == 0:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            size = photo.size
        caption = params.get("caption")
        parse_mode = params.get("parse_mode")
        visible, entities = "", list[JSONDict]()
        if caption is not None:
            caption = str(caption)
            visible, entities = self._format(caption, parse_mode, params.get("caption_entities"))
            if utf16_len(visible) > MAX_CAPTION:
                raise _ApiError(400, "Bad Request: message caption is too long")
        markup = self._markup(params)
        self._check_rate("sendPhoto", chat)
        message = self._store(
            chat["id"],
            text=None,
            caption=caption,
            parse_mode=parse_mode,
            markup=markup,
            visible=visible,
            entities=entities,
            photo_size=size,
            photo=True,
        )
        return self._message_json(message)

    def _store(
        self,
        chat_id: int,
        *,
        text: str | None,
        caption: str | None,
        parse_mode: Any,
        markup: dict[str, Any] | None,
        visible: str,
        entities: list[JSONDict],
        photo: bool = False,
        photo_size: int = 0,
    ) -> SentMessage:
        message = SentMessage(
            chat_id=chat_id,
            message_id=self._new_message_id(chat_id),
            text=text,
            caption=caption,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            reply_markup=markup,
            photo=photo,
            at=self._clock(),
            visible_text=visible,
            entities=entities,
            photo_size=photo_size,
            date=int(time.time()),
        )
        self.sent.append(message)
        self._messages[(chat_id, message.message_id)] = message
        return message

    def _find_message(self, params: dict[str, Any]) -> SentMessage | None:
        if params.get("inline_message_id"):
            return None
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.get((chat["id"], message_id))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    async def _edit_message_text(self, params: dict[str, Any]) -> JSONDict | bool:
        message = self._find_message(params)
        text = params.get("text")
        if text is None:
            raise _ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        parse_mode = params.get("parse_mode")
        visible, entities = self._format(text, parse_mode, params.get("entities"))
        if not visible.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        if message is None:  # inline message
            return True
        if message.photo:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        if (
            visible == message.visible_text
            and entities == message.entities
            and markup == message.reply_markup
        ):
            raise _ApiError(400, _NOT_MODIFIED)
        self._check_rate("editMessageText", self._chat(message.chat_id))
        message.edits.append(message.text or "")
        message.text = text
        message.visible_text = visible
        message.entities = entities
        message.parse_mode = parse_mode if isinstance(parse_mode, str) else None
        message.reply_markup = markup
        message.edit_date = int(time.time())
        self._edit_count += 1
        return self._message_json(message)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> JSONDict | bool:
        message = self._find_message(params)
        markup = self._markup(params)
        if message is None:
            return True
        if markup == message.reply_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        message.reply_markup = markup
        message.edit_date = int(time.time())
        self._edit_count += 1
        return self._message_json(message)

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_ids:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._callback_ids.discard(query_id)
        self.answered_callbacks[query_id] = dict(params)
        return True

    async def _get_chat(self, params: dict[str, Any]) -> JSONDict:
        chat = self._target_chat(params)
        channel = self.channels.get(chat["id"])
        if channel is not None:
            return channel.full_info()
        return full_info(chat)

    async def _get_chat_member(self, params: dict[str, Any]) -> JSONDict:
        chat = self._target_chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _ApiError(400, "Bad Request: invalid user_id specified")
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "?"}
        channel = self.channels.get(chat["id"])
        if channel is not None:
            if user_id != self.bot_user["id"]:
                return _chat_member("member", user)
            status, rights = channel.bot_member_status()
            return _chat_member(status, self.bot_user, rights)
        if chat["type"] == "private":
            return _chat_member("member", user)
        owner, admins = self._group_admins.get(chat["id"], (None, frozenset()))
        if user_id == owner:
            return _chat_member("creator", user)
        return _chat_member("administrator" if user_id in admins else "member", user)

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params)
        action = params.get("action")
        if not action:
            raise _ApiError(400, "Bad Request: action is empty")
        self.chat_actions.append((chat["id"], str(action)))
        return True


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None
