"""Telegram update handlers: thin — parse the update, call the domain, reply."""

from __future__ import annotations

from bot.config import Config
from bot.context import NewsApplication
from handlers import admin, commands, latest, losses, sources

USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Підписатися на новини"),
    ("latest", "Останні новини"),
    ("losses", "Втрати російських окупантів"),
    ("help", "Що вміє бот"),
    ("stop", "Відписатися"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("broadcast", "Розсилка всім підписникам"),
    ("stats", "Статистика бота"),
    ("sources", "Джерела новин і їхній стан"),
    ("addsource", "Додати джерело: /addsource URL [назва]"),
    ("delsource", "Вилучити джерело: /delsource ID"),
)


def register_all(app: NewsApplication, config: Config) -> None:
    """Register every handler; the catch-all replies go last."""
    commands.register(app, config)
    latest.register(app, config)
    losses.register(app, config)
    sources.register(app, config)
    admin.register(app, config)
    commands.register_fallbacks(app, config)
