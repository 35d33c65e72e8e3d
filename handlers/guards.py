"""Access checks shared by the handlers: bot admins, and a group's own administrators."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot import texts
from bot.context import NewsContext

log = logging.getLogger(__name__)

Handler = Callable[[Update, NewsContext], Coroutine[Any, Any, None]]

_GROUP_TYPES = frozenset({Chat.GROUP, Chat.SUPERGROUP})
_GROUP_ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


def is_admin(update: Update, context: NewsContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.services.config.telegram.admins


def admin_only(handler: Handler) -> Handler:
    """Run ``handler`` for admins; everyone else gets a polite refusal and nothing happens."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: NewsContext) -> None:
        if is_admin(update, context):
            await handler(update, context)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(texts.ADMIN_ONLY)

    return guarded


async def is_group_admin(update: Update, context: NewsContext) -> bool:
    """Whether the sender administers the group the update came from (asked of Telegram each
    time with getChatMember: admins change, and nothing is cached).

    A message sent anonymously on behalf of the group (``sender_chat`` is the group itself)
    can only come from one of its administrators.  Raises :class:`TelegramError` when
    Telegram cannot say.
    """
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or user is None:
        return False
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _GROUP_ADMIN_STATUSES


def group_admin_only(handler: Handler) -> Handler:
    """In a group or supergroup, run ``handler`` only for the group's administrators (others
    get a polite one-line refusal and nothing happens); in private chats always run it."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: NewsContext) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or chat.type not in _GROUP_TYPES:
            await handler(update, context)
            return
        try:
            allowed = await is_group_admin(update, context)
        except TelegramError as exc:
            log.warning("group %s: could not check the sender's rights (%s)", chat.id, exc)
            if message is not None:
                await message.reply_text(texts.NOT_VERIFIED)
            return
        if allowed:
            await handler(update, context)
        elif message is not None:
            await message.reply_text(texts.GROUP_ADMINS_ONLY)

    return guarded
