"""/follow, /mute, /unfollow, /unmute: the words a chat follows (delivered at once, whatever
its mode) or mutes (never delivered).  Without a word, /follow and /mute list the chat's words.
In a group only its administrators may change them."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.subscribers.words import MAX_WORD_CHARS, MAX_WORDS, Word, WordProblem, check_word
from bot.uk import counted
from handlers.guards import group_admin_only
from storage import settings
from storage.settings import WordKind, WordResult

_PROBLEMS = {
    WordProblem.EMPTY: texts.WORD_EMPTY,
    WordProblem.TOO_LONG: texts.WORD_TOO_LONG,
    WordProblem.NOT_A_WORD: texts.WORD_NOT_A_WORD,
    WordProblem.SEVERAL: texts.WORD_SEVERAL,
    WordProblem.TOO_COMMON: texts.WORD_TOO_COMMON,
}
_TEXTS: dict[WordKind, dict[str, str]] = {
    "follow": {
        "none": texts.FOLLOW_NONE,
        "list": texts.FOLLOW_LIST,
        "added": texts.FOLLOW_ADDED,
        "moved": texts.FOLLOW_MOVED,
        "already": texts.FOLLOW_ALREADY,
        "full": texts.FOLLOW_FULL,
        "removed": texts.UNFOLLOWED,
        "missing": texts.NOT_FOLLOWED,
    },
    "mute": {
        "none": texts.MUTE_NONE,
        "list": texts.MUTE_LIST,
        "added": texts.MUTE_ADDED,
        "moved": texts.MUTE_MOVED,
        "already": texts.MUTE_ALREADY,
        "full": texts.MUTE_FULL,
        "removed": texts.UNMUTED,
        "missing": texts.NOT_MUTED,
    },
}


def _argument(text: str | None) -> str:
    parts = (text or "").split(None, 1)
    return parts[1] if len(parts) == 2 else ""


def problem_text(problem: WordProblem, command: str, text: str) -> str:
    """The reply to a word that cannot be matched (HTML-safe)."""
    shown = escape(" ".join(text.split())[:MAX_WORD_CHARS], quote=False)
    return _PROBLEMS[problem].format(
        command=command, word=shown, count=counted(MAX_WORD_CHARS, texts.CHARACTER)
    )


async def _word(update: Update, context: NewsContext, command: str) -> Word | str:
    """The word after the command, or the reply saying why it is not one (the dictionary is
    read off the event loop: its first use loads it)."""
    assert update.effective_message is not None
    text = _argument(update.effective_message.text)
    found = await asyncio.to_thread(check_word, text, context.services.lemmatizer)
    return problem_text(found, command, text) if isinstance(found, WordProblem) else found


async def _list_or_add(update: Update, context: NewsContext, kind: WordKind) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    s, say = context.services, _TEXTS[kind]
    current = await settings.get_settings(s.db, chat.id)
    if current is None or not current.active:
        await message.reply_text(texts.NOT_SUBSCRIBED)
        return
    if not _argument(message.text).strip():
        words = current.follow if kind == "follow" else current.mute
        if not words:
            await message.reply_text(say["none"])
        else:
            await message.reply_text(say["list"].format(words=", ".join(escape(w) for w in words)))
        return
    word = await _word(update, context, kind)
    if isinstance(word, str):
        await message.reply_text(word)
        return
    result = await settings.add_word(
        s.db, chat.id, kind, word.text, word.lemma, s.clock.now(), MAX_WORDS
    )
    shown = escape(word.text, quote=False)
    if result is WordResult.FULL:
        reply = say["full"].format(count=counted(MAX_WORDS, texts.WORD))
    elif result is WordResult.ALREADY:
        reply = say["already"].format(word=shown)
    elif result is WordResult.NO_CHAT:
        reply = texts.NOT_SUBSCRIBED
    else:
        reply = say["added"].format(word=shown)
        if result is WordResult.MOVED:
            reply += say["moved"]
    await message.reply_text(reply)


async def _remove(update: Update, context: NewsContext, kind: WordKind, command: str) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    word = await _word(update, context, command)
    if isinstance(word, str):
        await message.reply_text(word)
        return
    removed = await settings.remove_word(context.services.db, chat.id, kind, word.lemma)
    say = _TEXTS[kind]
    if removed is None:
        await message.reply_text(say["missing"].format(word=escape(word.text, quote=False)))
    else:
        await message.reply_text(say["removed"].format(word=escape(removed, quote=False)))


@group_admin_only
async def follow(update: Update, context: NewsContext) -> None:
    await _list_or_add(update, context, "follow")


@group_admin_only
async def mute(update: Update, context: NewsContext) -> None:
    await _list_or_add(update, context, "mute")


@group_admin_only
async def unfollow(update: Update, context: NewsContext) -> None:
    await _remove(update, context, "follow", "unfollow")


@group_admin_only
async def unmute(update: Update, context: NewsContext) -> None:
    await _remove(update, context, "mute", "unmute")


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("follow", follow))
    app.add_handler(CommandHandler("mute", mute))
    app.add_handler(CommandHandler("unfollow", unfollow))
    app.add_handler(CommandHandler("unmute", unmute))
