"""Typed access to the application's services from handlers (instead of ``bot_data[...]`` casts)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.services import Services


class BotData:
    """The application-wide state PTB keeps for us: the services, once ``post_init`` built them."""

    def __init__(self) -> None:
        self.services: Services | None = None


class NewsContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not ready yet (post_init has not run)")
        return services


NewsApplication = Application[
    ExtBot[None], NewsContext, dict[Any, Any], dict[Any, Any], BotData, Any
]

CONTEXT_TYPES: ContextTypes[NewsContext, dict[Any, Any], dict[Any, Any], BotData] = ContextTypes(
    context=NewsContext, bot_data=BotData
)
