"""Access checks shared by the admin commands."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.context import NewsContext

ADMIN_ONLY = "Ця команда доступна лише адміністраторам бота."

Handler = Callable[[Update, NewsContext], Coroutine[Any, Any, None]]


def is_admin(update: Update, context: NewsContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.services.config.telegram.admins


def admin_only(handler: Handler) -> Handler:
    """Run ``handler`` for admins; everyone else gets a polite refusal and nothing happens."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: NewsContext) -> None:
        if is_admin(update, context):
            await handler(update, context)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(ADMIN_ONLY)

    return guarded
