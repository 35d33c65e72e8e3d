"""/start, /stop, /help, the replies to anything else, and the bot's own membership changes."""

from __future__ import annotations

from html import escape

from telegram import Chat, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.uk import count, plural
from handlers import menu
from handlers.guards import group_admin_only, is_admin
from storage import chats

WELCOME = (
    "Вітаю! Відтепер я надсилатиму сюди короткі новини з українських джерел, щойно вони "
    "з'являються (перевіряю джерела {how_often}). У кожній новині — лічильник втрат "
    "російських окупантів."
)
COMMANDS_HINT = "/latest — останні новини\n/losses — втрати ворога\n/help — усі команди"
STOP_HINT = "Відписатися можна будь-коли командою /stop."
ALREADY = "Ви вже підписані — нові новини надходитимуть сюди. Відписатися — /stop."
STOPPED = "Ви відписалися: новин більше не надсилатиму. Повернутися — /start."
NOT_SUBSCRIBED = "Ви не підписані. Підписатися — /start."
HELP = "\n".join(["Що я вмію:", *menu.help_lines(menu.USER)])
ADMIN_HELP_TITLE = "Для адміністраторів:"
UNKNOWN = "Не знаю такої команди. Усі команди — /help."
PLAIN_TEXT = "Я відповідаю лише на команди. Останні новини — /latest, усі команди — /help."

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
        hours = poll_seconds // 3600
        if hours == 1:
            return "щогодини"
        every = plural(hours, "кожну", "кожні", "кожні")
        return f"{every} {count(hours, 'годину', 'години', 'годин')}"
    if poll_seconds % 60 == 0:
        minutes = poll_seconds // 60
        if minutes == 1:
            return "щохвилини"
        every = plural(minutes, "кожну", "кожні", "кожні")
        return f"{every} {count(minutes, 'хвилину', 'хвилини', 'хвилин')}"
    every = plural(poll_seconds, "кожну", "кожні", "кожні")
    return f"{every} {count(poll_seconds, 'секунду', 'секунди', 'секунд')}"


def welcome_text(poll_seconds: int, counter_line: str | None) -> str:
    """The greeting for a new (or returning) subscriber."""
    parts = [WELCOME.format(how_often=how_often(poll_seconds))]
    if counter_line:
        parts.append(escape(counter_line, quote=False))
    parts += [COMMANDS_HINT, STOP_HINT]
    return "\n\n".join(parts)


def help_text(admin: bool) -> str:
    if not admin:
        return HELP
    return "\n".join([HELP, "", ADMIN_HELP_TITLE, *menu.help_lines(menu.ADMIN)])


def _title(chat: Chat) -> str:
    return chat.title or chat.full_name or chat.username or ""


async def start(update: Update, context: NewsContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    s = context.services
    now = s.clock.now()
    new = await chats.subscribe(s.db, chat.id, chat.type, _title(chat), now)
    if new:
        text = welcome_text(s.config.schedule.poll_seconds, s.losses.counter_line(now))
    else:
        text = ALREADY
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
    await message.reply_text(STOPPED if changed else NOT_SUBSCRIBED)


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
        await update.effective_message.reply_text(UNKNOWN)


async def plain_text(update: Update, context: NewsContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(PLAIN_TEXT)


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


def register_fallbacks(app: NewsApplication, config: Config) -> None:
    """Registered after every other module: PTB runs the first matching handler of a group."""
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new_messages & filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(
            new_messages & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plain_text
        )
    )
