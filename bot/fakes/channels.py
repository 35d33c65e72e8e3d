"""Telegram channels as the fake Bot API server knows them.

A channel has a numeric id (``-100…``), a title, maybe a public ``@username``, and the bot's
place in it: an administrator (allowed to post, or not), or not in it at all.  Telegram
answers as follows, and so does :class:`~bot.fakes.telegram.FakeTelegram`:

* ``getChat`` with ``@username`` or the id: the channel (a public channel even when the bot
  is not in it; a private one only to its members, else 400 "chat not found");
* ``getChatMember`` for the bot: ``administrator`` with ``can_post_messages``, or ``left``;
* a post (sendMessage, sendPhoto) from a bot that is not in the channel: 403 "bot is not a
  member of the channel chat"; from one without the right to post: 400 "need administrator
  rights in the channel chat";
* posts count against the channel as a group's do: 20 a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

JSONDict = dict[str, Any]
BotStatus = Literal["administrator", "member", "left", "kicked"]

NO_GIFTS: JSONDict = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}
NOT_A_MEMBER = (403, "Forbidden: bot is not a member of the channel chat")
NO_RIGHTS = (400, "Bad Request: need administrator rights in the channel chat")


@dataclass(slots=True)
class FakeChannel:
    """One channel and the bot's rights in it (tests change them in place)."""

    id: int
    title: str
    username: str | None = None  # without the "@"
    bot_status: BotStatus = "administrator"
    can_post_messages: bool = True

    @property
    def bot_inside(self) -> bool:
        return self.bot_status in ("administrator", "member")

    @property
    def visible(self) -> bool:
        """getChat answers for a public channel, or for one the bot is in."""
        return self.username is not None or self.bot_inside

    def chat(self) -> JSONDict:
        """The ``Chat`` object (in messages and updates)."""
        chat: JSONDict = {"id": self.id, "type": "channel", "title": self.title}
        if self.username:
            chat["username"] = self.username
        return chat

    def full_info(self) -> JSONDict:
        """What ``getChat`` answers (a ``ChatFullInfo``)."""
        return full_info(self.chat())

    def bot_member_status(self) -> tuple[str, JSONDict]:
        """The bot's ``ChatMember`` status and the rights it carries, for getChatMember."""
        if self.bot_status == "administrator":
            return "administrator", {
                "can_post_messages": self.can_post_messages,
                "can_edit_messages": self.can_post_messages,
            }
        return ("member" if self.bot_status == "member" else "left"), {}

    def refusal(self) -> tuple[int, str] | None:
        """Why a post from the bot is refused, or None when it may post."""
        if not self.bot_inside:
            return NOT_A_MEMBER
        if self.bot_status != "administrator" or not self.can_post_messages:
            return NO_RIGHTS
        return None


def full_info(chat: JSONDict) -> JSONDict:
    """``chat`` as ``getChat`` answers it (a ``ChatFullInfo``)."""
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": NO_GIFTS}
