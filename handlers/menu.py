"""The commands as people see them: the Telegram menu (short descriptions) and /help (usage).

The words are in :data:`bot.texts.MENU`; the order here is the order of the menu and of /help.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.texts import MENU


class Command(NamedTuple):
    name: str
    menu: str  # the description in Telegram's command menu
    usage: tuple[str, ...]  # /help lines: "<arguments> — what it does" ('' = no arguments)


def _commands(*names: str) -> tuple[Command, ...]:
    return tuple(Command(name, *MENU[name]) for name in names)


USER = _commands("start", "latest", "losses", "settings", "follow", "mute", "stop", "help")
# /help lists these too, each after the command it undoes; the menu keeps to the ones above.
HELP_USER = _commands(
    "start", "latest", "losses", "settings", "follow", "unfollow", "mute", "unmute", "stop", "help"
)
ADMIN = _commands("broadcast", "stats", "sources", "addsource", "delsource")


def help_lines(commands: tuple[Command, ...]) -> list[str]:
    return [f"/{c.name}{usage}" for c in commands for usage in c.usage]
