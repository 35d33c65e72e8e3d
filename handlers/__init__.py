"""Telegram update handlers: thin — parse the update, call the domain, reply."""

from __future__ import annotations

from bot.config import Config
from bot.context import NewsApplication
from handlers import admin, commands, latest, losses, menu, settings, sources, words

USER_COMMANDS: tuple[tuple[str, str], ...] = tuple((c.name, c.menu) for c in menu.USER)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = tuple((c.name, c.menu) for c in menu.ADMIN)


def register_all(app: NewsApplication, config: Config) -> None:
    """Register every handler; the catch-all replies go last."""
    commands.register(app, config)
    latest.register(app, config)
    losses.register(app, config)
    sources.register(app, config)
    settings.register(app, config)
    words.register(app, config)
    admin.register(app, config)
    commands.register_fallbacks(app, config)
