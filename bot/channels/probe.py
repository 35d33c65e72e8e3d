"""Asking Telegram about a channel: getChat (by "@name" or id) and getChatMember for the bot.

The Telegram edge of :mod:`bot.channels`: it turns the answers into
:class:`~bot.channels.check.ChannelFacts`, and errors into a :class:`ProbeFailed` with its
:class:`~bot.channels.check.Problem`.  A 400 "chat not found" is ``NOT_FOUND``, a 403 (the bot
was removed from a private channel) ``NOT_ADMIN``, a network error or a 5xx ``UNREACHABLE``
(nothing is decided then: the channel keeps its state until the next check).
"""

from __future__ import annotations

from telegram import Bot, ChatMemberAdministrator
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.check import ChannelFacts, Problem

__all__ = ["ProbeFailed", "probe_channel"]


class ProbeFailed(Exception):
    def __init__(self, problem: Problem, detail: str, chat_id: int | None = None) -> None:
        super().__init__(detail)
        self.problem, self.detail, self.chat_id = problem, detail, chat_id


async def probe_channel(bot: Bot, chat: int | str) -> ChannelFacts:
    """What Telegram says about ``chat`` and the bot's place in it."""
    try:
        found = await bot.get_chat(chat)
    except TelegramError as exc:
        raise _failed(exc) from None
    title = found.title or found.username or str(found.id)
    if found.type != "channel":
        return ChannelFacts(found.id, found.type, title, "")
    try:
        member = await bot.get_chat_member(found.id, bot.id)
    except TelegramError as exc:
        raise _failed(exc, found.id) from None
    can_post = isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
    return ChannelFacts(found.id, found.type, title, member.status, can_post)


def _failed(exc: TelegramError, chat_id: int | None = None) -> ProbeFailed:
    if isinstance(exc, BadRequest):  # before NetworkError: PTB derives it from that
        if "chat not found" in exc.message.lower():
            return ProbeFailed(Problem.NOT_FOUND, exc.message, chat_id)
        return ProbeFailed(Problem.REFUSED, exc.message, chat_id)
    if isinstance(exc, Forbidden):
        return ProbeFailed(Problem.NOT_ADMIN, exc.message, chat_id)
    return ProbeFailed(Problem.UNREACHABLE, exc.message, chat_id)
