"""May the bot post in a channel?  The verdict on what Telegram said (pure).

The bot must be an administrator of the channel with the right to post messages
(``can_post_messages``); a chat that is not a channel is refused too (a group is a
subscriber, it subscribes with /start).  Each problem has a code, one English line for the
log and one Ukrainian phrase for /stats (:data:`bot.texts.CHANNEL_PROBLEMS`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["ChannelFacts", "Problem", "explain", "problem_with"]


class Problem(enum.Enum):
    NOT_FOUND = "not_found"  # Telegram does not know it (or it is private and the bot is out)
    NOT_CHANNEL = "not_channel"  # a group or a user, not a channel
    NOT_ADMIN = "not_admin"  # the bot is not an administrator there
    CANNOT_POST = "cannot_post"  # an administrator without the right to post
    REFUSED = "refused"  # Telegram refused the check for another reason
    UNREACHABLE = "unreachable"  # Telegram could not be asked: nothing is decided


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    """What getChat and getChatMember (for the bot) said about a channel."""

    chat_id: int
    chat_type: str  # "channel", "supergroup" …
    title: str
    bot_status: str  # "administrator", "member", "left", "kicked" …
    can_post_messages: bool = False


def problem_with(facts: ChannelFacts) -> Problem | None:
    """Why the bot may not post in the channel, or None when it may."""
    if facts.chat_type != "channel":
        return Problem.NOT_CHANNEL
    if facts.bot_status not in ("administrator", "creator"):
        return Problem.NOT_ADMIN
    if not facts.can_post_messages:
        return Problem.CANNOT_POST
    return None


_EXPLAINED = {
    Problem.NOT_FOUND: "Telegram does not know it (a private channel must have the bot in it)",
    Problem.NOT_CHANNEL: "it is a {chat_type}, not a channel",
    Problem.NOT_ADMIN: (
        "the bot is not an administrator of the channel; add it as one allowed to post messages"
    ),
    Problem.CANNOT_POST: (
        "the bot is an administrator without the right to post messages; allow 'Post messages'"
    ),
    Problem.REFUSED: "Telegram refused the check: {detail}",
    Problem.UNREACHABLE: "could not be checked, Telegram did not answer: {detail}",
}


def explain(problem: Problem, *, chat_type: str = "", detail: str = "") -> str:
    """The problem in plain English words, for the one log line."""
    return _EXPLAINED[problem].format(chat_type=chat_type or "chat", detail=detail)
