"""/settings: the chat's settings with buttons; a press changes one setting and edits the same
message.  Anyone may look; in a group only its administrators may press."""

from __future__ import annotations

import logging

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.subscribers import view
from bot.subscribers.view import (
    Button,
    ShowMain,
    ShowSources,
    SourceChoice,
    SwitchMode,
    SwitchQuiet,
    SwitchSource,
)
from handlers.guards import is_group_admin
from storage import chats, settings, sources
from storage.settings import ChatSettings

log = logging.getLogger(__name__)

_GROUPS = frozenset({Chat.GROUP, Chat.SUPERGROUP})


def _markup(rows: list[list[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def _sources(context: NewsContext, chat: ChatSettings) -> list[SourceChoice]:
    found = await sources.list_sources(context.services.db, include_disabled=False)
    return [SourceChoice(s.id, s.name, s.id not in chat.sources_off) for s in found]


async def _main_page(
    context: NewsContext, chat: ChatSettings, chat_type: str
) -> tuple[str, InlineKeyboardMarkup]:
    config = context.services.config
    text = view.settings_text(
        chat,
        config.subscribers.quiet_window,
        config.digest.schedule,
        await _sources(context, chat),
        group=chat_type in _GROUPS,
    )
    return text, _markup(view.settings_keyboard(chat))


async def settings_command(update: Update, context: NewsContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    found = await settings.get_settings(context.services.db, chat.id)
    if found is None or not found.active:
        await message.reply_text(texts.SETTINGS_NOT_SUBSCRIBED)
        return
    text, markup = await _main_page(context, found, chat.type)
    await message.reply_text(text, reply_markup=markup)


async def settings_button(update: Update, context: NewsContext) -> None:
    """One press: check who pressed, change the setting, edit the message, answer the press
    (always exactly once, so the button never keeps spinning)."""
    query = update.callback_query
    if query is None:
        return
    answer = await _press(update, context)
    try:
        await query.answer(answer, show_alert=answer not in (None, texts.SETTINGS_SAVED))
    except TelegramError as exc:  # the press is older than Telegram keeps it
        log.info("settings press not answered: %s", exc.message)


async def _press(update: Update, context: NewsContext) -> str | None:
    """Handle the press; returns the answer to show (None: a silent answer)."""
    query = update.callback_query
    assert query is not None
    action = view.parse_callback(query.data or "")
    message = query.message
    if action is None or message is None:
        return texts.SETTINGS_STALE
    chat = message.chat
    if chat.type in _GROUPS:
        try:
            if not await is_group_admin(update, context):
                return texts.SETTINGS_GROUP_ADMINS_ONLY
        except TelegramError as exc:
            log.warning("group %s: could not check the sender's rights (%s)", chat.id, exc)
            return texts.NOT_VERIFIED
    s = context.services
    current = await settings.get_settings(s.db, chat.id)
    if current is None or not current.active:
        return texts.SETTINGS_NOT_SUBSCRIBED
    now = s.clock.now()
    answer: str | None = None
    if isinstance(action, SwitchMode) and action.mode != current.mode:
        await chats.set_mode(s.db, chat.id, action.mode, now)
        answer = texts.SETTINGS_SAVED
    elif isinstance(action, SwitchQuiet) and action.on != current.quiet:
        await settings.set_quiet(s.db, chat.id, action.on, now)
        answer = texts.SETTINGS_SAVED
    elif isinstance(action, SwitchSource):
        if not await settings.set_source(s.db, chat.id, action.source_id, action.on):
            return texts.SETTINGS_SOURCE_GONE
        answer = texts.SETTINGS_SAVED
    updated = await settings.get_settings(s.db, chat.id)
    assert updated is not None
    if isinstance(action, ShowSources | SwitchSource):
        page = action.page
        choices = await _sources(context, updated)
        text = view.sources_text(choices)
        markup = _markup(view.sources_keyboard(choices, page))
    else:
        assert isinstance(action, SwitchMode | SwitchQuiet | ShowMain)
        text, markup = await _main_page(context, updated, chat.type)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            log.info("settings message %s not edited: %s", message.message_id, exc.message)
    return answer


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=f"^{view.CALLBACK_PREFIX}"))
