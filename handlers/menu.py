"""The commands as people see them: the Telegram menu (short descriptions) and /help (usage)."""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    name: str
    menu: str  # the description in Telegram's command menu
    usage: tuple[str, ...]  # /help lines: "<arguments> — what it does" ('' = no arguments)


USER: tuple[Command, ...] = (
    Command("start", "Підписатися на новини", (" — підписатися на новини",)),
    Command("latest", "Останні новини", (" [N] — останні N новин (типово 5, до 10)",)),
    Command(
        "losses",
        "Втрати російських окупантів",
        (
            " — втрати російських окупантів",
            " 29.03.2025 — втрати на певну дату",
            " chart — графік за 30 днів",
        ),
    ),
    Command("stop", "Відписатися", (" — відписатися",)),
    Command("help", "Що вміє бот", (" — ця довідка",)),
)
ADMIN: tuple[Command, ...] = (
    Command(
        "broadcast",
        "Розсилка всім підписникам",
        (" ТЕКСТ — розсилка всім підписникам (спершу попередній перегляд)",),
    ),
    Command("stats", "Статистика бота", (" — підписники, черга, джерела, лічильник",)),
    Command("sources", "Джерела новин і їхній стан", (" — джерела новин і їхній стан",)),
    Command("addsource", "Додати джерело новин", (" URL [назва] — додати джерело",)),
    Command("delsource", "Вилучити джерело новин", (" ID — вилучити джерело",)),
)


def help_lines(commands: tuple[Command, ...]) -> list[str]:
    return [f"/{c.name}{usage}" for c in commands for usage in c.usage]
