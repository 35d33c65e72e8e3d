"""/start, /stop, /help and the replies to anything else."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.config import Config
from bot.context import NewsApplication, NewsContext
from storage import chats

WELCOME = (
    "Вітаю! Я надсилатиму короткі новини з українських джерел — щойно вони з'являються, "
    "кожна з лічильником втрат російських окупантів.\n\n"
    "/latest — останні новини\n/losses — втрати ворога\n/help — усі команди\n"
    "/stop — відписатися"
)
ALREADY = "Ви вже підписані — нові новини надходитимуть сюди. /stop — відписатися."
STOPPED = "Ви відписалися: новин більше не надсилатиму. Повернутися — /start."
NOT_SUBSCRIBED = "Ви не підписані. Підписатися — /start."
HELP = (
    "Що я вмію:\n"
    "/start — підписатися на новини\n"
    "/latest [N] — останні N новин (типово 5, до 10)\n"
    "/losses — втрати російських окупантів\n"
    "/stop — відписатися\n"
    "/help — ця довідка"
)
UNKNOWN = "Не знаю такої команди. Усі команди — /help."
PLAIN_TEXT = "Я відповідаю лише на команди. Усі команди — /help."


async def start(update: Update, context: NewsContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    s = context.services
    title = chat.title or chat.full_name or ""
    new = await chats.subscribe(s.db, chat.id, chat.type, title, s.clock.now())
    text = WELCOME if new else ALREADY
    line = s.losses.counter_line(s.clock.now())
    if new and line:
        text += "\n\n" + line
    await message.reply_text(text)


async def stop(update: Update, context: NewsContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    s = context.services
    changed = await chats.set_status(s.db, chat.id, "stopped", s.clock.now())
    await message.reply_text(STOPPED if changed else NOT_SUBSCRIBED)


async def help_(update: Update, context: NewsContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(HELP)


async def unknown_command(update: Update, context: NewsContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(UNKNOWN)


async def plain_text(update: Update, context: NewsContext) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(PLAIN_TEXT)


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("stop", stop))
    app.add_handler(CommandHandler("help", help_))


def register_fallbacks(app: NewsApplication, config: Config) -> None:
    """Registered after every other module: PTB runs the first matching handler of a group."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plain_text)
    )
