"""The configured channels, checked at start and again every 10 minutes.

:meth:`ChannelService.check_all` asks Telegram about every ``[[channels]]`` entry (see
:mod:`bot.channels.probe`) and says what it found in one log line per channel, naming it as
the config does:

* a channel the bot may post in becomes (or stays) an active chat of type ``channel`` with
  the configured mode and its ``losses_daily`` choice; "@name" is resolved to the numeric id;
* a channel where it may not (not an administrator, no right to post, not a channel, unknown
  to Telegram) is not posted to: a row it had is marked ``blocked`` and its pending messages
  skipped — nothing stops the bot, and the next check tries again;
* a channel Telegram could not be asked about keeps whatever state it had;
* a channel that left the config stops receiving (status ``stopped``; its row is kept).

The log says a channel's state when it changes (the first check, a problem that appears, a
problem that goes away), not at every check.  Every channel is checked again every
:data:`RECHECK_SECONDS` (a job on the scheduler, supervised by
:func:`bot.supervise.supervised_job`), and at once when Telegram says the bot's rights in it
changed (a ``my_chat_member`` update, :meth:`ChannelService.recheck`): a channel whose owner
makes the bot an administrator gets posts from then on, and one that takes the right to post
away is noticed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from telegram import Bot

from bot.channels.check import Problem, explain, problem_with
from bot.channels.probe import ProbeFailed, probe_channel
from bot.clock import Clock
from bot.config import ChannelConfig
from storage import Database
from storage import channels as store
from storage.chats import ChatMode

__all__ = ["RECHECK_SECONDS", "ChannelService", "ChannelState"]

log = logging.getLogger(__name__)

RECHECK_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class ChannelState:
    """The last check of one configured channel."""

    name: str  # as the config writes it
    chat_id: int | None  # known once Telegram told us
    title: str
    problem: Problem | None  # None: the bot posts there
    detail: str = ""  # the log's explanation of the problem

    @property
    def ok(self) -> bool:
        return self.problem is None


class ChannelService:
    """See the module docstring."""

    def __init__(
        self, db: Database, bot: Bot, clock: Clock, channels: Sequence[ChannelConfig]
    ) -> None:
        self._db, self._bot, self._clock = db, bot, clock
        self.channels = tuple(channels)
        self._states: dict[str, ChannelState] = {}  # by config name; bounded by the config
        self._unanswered: set[str] = set()  # names whose last check got no answer

    def states(self) -> list[ChannelState]:
        """The configured channels' last checks, in config order (for /stats)."""
        return [self._states[c.name] for c in self.channels if c.name in self._states]

    async def check_all(self) -> list[ChannelState]:
        """Check every configured channel and bring ``chats`` in step (see the module)."""
        for channel in self.channels:
            await self._check(channel)
        names = [c.name for c in self.channels]
        ids = [c.chat for c in self.channels if isinstance(c.chat, int)]
        ids += [s.chat_id for s in self._states.values() if s.chat_id is not None]
        for name in await store.stop_unlisted(self._db, names, ids, self._clock.now()):
            log.info("channel %s is no longer in the config: nothing more is posted there", name)
        return self.states()

    async def recheck(self, chat_id: int, username: str | None) -> bool:
        """The bot's rights in channel ``chat_id`` changed (a my_chat_member update): check
        it now if it is configured, instead of at the next round.  Returns whether it is."""
        named = f"@{username}".lower() if username else None
        known = {s.name for s in self._states.values() if s.chat_id == chat_id}
        found = [
            c
            for c in self.channels
            if c.chat == chat_id or c.name in known or (named and c.name.lower() == named)
        ]
        for channel in found:
            await self._check(channel)
        return bool(found)

    async def _check(self, channel: ChannelConfig) -> None:
        name = channel.name
        try:
            facts = await probe_channel(self._bot, channel.chat)
        except ProbeFailed as exc:
            if exc.problem is Problem.UNREACHABLE:
                self._unreachable(channel, exc.detail)
                return
            chat_id = exc.chat_id if exc.chat_id is not None else await self._known_id(channel)
            detail = explain(exc.problem, detail=exc.detail)
            state = ChannelState(name, chat_id, "", exc.problem, detail)
        else:
            problem = problem_with(facts)
            detail = "" if problem is None else explain(problem, chat_type=facts.chat_type)
            state = ChannelState(name, facts.chat_id, facts.title, problem, detail)
        self._unanswered.discard(name)
        now = self._clock.now()
        if state.ok:
            assert state.chat_id is not None
            back = await store.save_channel(
                self._db,
                state.chat_id,
                state.title,
                cast(ChatMode, channel.mode),
                name=name,
                losses_daily=channel.losses_daily,
                now=now,
            )
            before = self._states.get(name)
            if back and before is not None and before.ok:  # a refused post had blocked it
                log.info("channel %s: posting there again (it had refused a post)", name)
        elif state.chat_id is not None:
            await store.set_channel_status(self._db, state.chat_id, "blocked", state.detail, now)
        self._report(channel, state)
        self._states[name] = state

    async def _known_id(self, channel: ChannelConfig) -> int | None:
        if isinstance(channel.chat, int):
            return channel.chat
        return await store.find_channel(self._db, channel.name)

    def _unreachable(self, channel: ChannelConfig, detail: str) -> None:
        """No answer: what the last answer said still holds (said once until one comes)."""
        if channel.name not in self._unanswered:
            self._unanswered.add(channel.name)
            text = explain(Problem.UNREACHABLE, detail=detail)
            log.warning("channel %s: %s; will check again in 10 min", channel.name, text)
        if channel.name not in self._states:
            state = ChannelState(channel.name, None, "", Problem.UNREACHABLE, detail)
            self._states[channel.name] = state

    def _report(self, channel: ChannelConfig, state: ChannelState) -> None:
        """One line when the channel's state changes."""
        before = self._states.get(channel.name)
        if before is not None and before.problem is state.problem:
            return
        if state.ok:
            losses = ", daily loss post" if channel.losses_daily else ""
            log.info(
                "channel %s (%r, id %s): posting there, mode %s%s",
                channel.name,
                state.title,
                state.chat_id,
                channel.mode,
                losses,
            )
        else:
            log.warning(
                "channel %s: not posting there: %s; will check again in 10 min",
                channel.name,
                state.detail,
            )
