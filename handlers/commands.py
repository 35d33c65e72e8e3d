"""/start, /stop, /help, the replies to anything else, and the bot's own membership changes."""

from __future__ import annotations

from html import escape
from typing import cast

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.subscribers.view import mode_line
from bot.uk import Forms, agree, counted
from handlers import menu
from handlers.guards import group_admin_only, is_admin
from storage import chats, settings
from storage.chats import ChatMode

HELP = "\n".join([texts.HELP_TITLE, *menu.help_lines(menu.HELP_USER)])

_GONE_STATUSES = {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}
_BACK_STATUSES = {
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.OWNER,
    ChatMemberStatus.RESTRICTED,
}


def how_often(poll_seconds: int) -> str:
    """How often sources are checked: 'кожні 5 хвилин', 'щохвилини', 'кожні 90 секунд'."""
    if poll_seconds % 3600 == 0:
        return _every(poll_seconds // 3600, texts.HOURS, texts.EVERY_HOUR)
    if poll_seconds % 60 == 0:
        return _every(poll_seconds // 60, texts.MINUTES, texts.EVERY_MINUTE)
    return _every(poll_seconds, texts.SECONDS, None)


def _every(number: int, unit: Forms, single: str | None) -> str:
    if number == 1 and single is not None:
        return single
    return f"{agree(number, texts.EVERY)} {counted(number, unit)}"


def welcome_text(poll_seconds: int, counter_line: str | None, mode: str | None = None) -> str:
    """The greeting for a new (or returning) subscriber; ``mode`` is the line that says which
    mode the chat is in and that /settings changes it."""
    parts = [texts.WELCOME.format(how_often=how_often(poll_seconds))]
    if mode:
        parts.append(escape(mode, quote=False))
    if counter_line:
        parts.append(escape(counter_line, quote=False))
    parts += [texts.COMMANDS_HINT, texts.STOP_HINT]
    return "\n\n".join(parts)


def help_text(admin: bool) -> str:
    if not admin:
        return HELP
    return "\n".join([HELP, "", texts.ADMIN_HELP_TITLE, *menu.help_lines(menu.ADMIN)])


def _title(chat: Chat) -> str:
    return chat.title or chat.full_name or chat.username or ""


async def start(update: Update, context: NewsContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    s = context.services
    now = s.clock.now()
    config = s.config
    mode = cast(ChatMode, config.subscribers.default_mode)  # one of them: the config checks it
    new = await chats.subscribe(s.db, chat.id, chat.type, _title(chat), now, mode=mode)
    if new:
        found = await settings.get_settings(s.db, chat.id)  # a returning chat keeps its mode
        assert found is not None
        line = mode_line(found.mode, config.digest.schedule, texts.WELCOME_MODE)
        text = welcome_text(config.schedule.poll_seconds, s.losses.counter_line(now), line)
    else:
        text = texts.ALREADY_SUBSCRIBED
    await message.reply_text(text)


@group_admin_only
async def stop(update: Update, context: NewsContext) -> None:
    """Unsubscribe this chat; in a group only its administrators may (``/start`` is open to
    every member: adding the bot and subscribing the group is what members do)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    s = context.services
    changed = await chats.set_status(s.db, chat.id, "stopped", s.clock.now())
    await message.reply_text(texts.STOPPED if changed else texts.NOT_SUBSCRIBED)


async def help_(update: Update, context: NewsContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(help_text(is_admin(update, context)))


def _addressed_to_us(update: Update, context: NewsContext) -> bool:
    """In a private chat always; in a group only ``/command@ourbot`` is for us."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return False
    if chat.type == Chat.PRIVATE:
        return True
    command = (message.text or "").split(maxsplit=1)[0] if message.text else ""
    _, _, target = command.partition("@")
    return bool(target) and target.lower() == (context.bot.username or "").lower()


async def unknown_command(update: Update, context: NewsContext) -> None:
    if update.effective_message and _addressed_to_us(update, context):
        await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)


async def plain_text(update: Update, context: NewsContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(texts.PLAIN_TEXT)


async def my_chat_member(update: Update, context: NewsContext) -> None:
    """The bot was blocked/kicked (chat → blocked) or let back in (blocked → active)."""
    change = update.my_chat_member
    if change is None:
        return
    s = context.services
    status = change.new_chat_member.status
    if status in _GONE_STATUSES:
        await chats.mark_blocked(s.db, change.chat.id, s.clock.now())
    elif status in _BACK_STATUSES:
        await chats.reactivate(s.db, change.chat.id, s.clock.now())


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("stop", stop))
    app.add_handler(CommandHandler("help", help_))
    app.add_handler(ChatMemberHandler(my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))


async def stale_button(update: Update, context: NewsContext) -> None:
    """A press on a button no handler knows (an old message's, or forged): say so, so the
    button does not keep spinning."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.BUTTON_STALE, show_alert=True)


def register_fallbacks(app: NewsApplication, config: Config) -> None:
    """Registered after every other module: PTB runs the first matching handler of a group."""
    app.add_handler(CallbackQueryHandler(stale_button))
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new_messages & filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(
            new_messages & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plain_text
        )
    )
