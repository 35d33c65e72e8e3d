"""/losses: the full table, a past date, and the chart (also behind the "Графік" button)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.losses.format import UNAVAILABLE, chart_caption_html, table_html
from bot.losses.model import WAR_START
from bot.losses.query import Chart, ForDay, Latest, parse_request
from bot.losses.service import CHART_DAYS
from bot.uk import format_date, kyiv_today

CHART_CALLBACK = "losses:chart"
CHART_BUTTON = InlineKeyboardMarkup(
    [[InlineKeyboardButton(texts.CHART_BUTTON, callback_data=CHART_CALLBACK)]]
)


async def losses(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    if message is None:
        return
    s = context.services
    now = s.clock.now()
    request = parse_request(list(context.args or []), kyiv_today(now))
    if isinstance(request, Latest):
        snapshot = s.losses.latest_snapshot()
        if snapshot is None:
            await message.reply_text(UNAVAILABLE)
            return
        titles = await s.losses.category_titles(snapshot)
        await message.reply_text(
            table_html(snapshot, now, titles=titles), reply_markup=CHART_BUTTON
        )
    elif isinstance(request, Chart):
        await _send_chart(message, context)
    elif isinstance(request, ForDay):
        if request.day > kyiv_today(now):
            await message.reply_text(texts.LOSSES_FUTURE)
        elif request.day <= WAR_START:
            await message.reply_text(texts.LOSSES_BEFORE_WAR)
        else:
            snapshot = await s.losses.snapshot_for(request.day)
            if snapshot is None:
                no_day = texts.LOSSES_NO_DAY.format(date=format_date(request.day))
                await message.reply_text(no_day)
            else:
                titles = await s.losses.category_titles(snapshot)
                await message.reply_text(table_html(snapshot, now, latest=False, titles=titles))
    else:
        await message.reply_text(texts.LOSSES_UNCLEAR.format(text=escape(request.text)))


async def chart_button(update: Update, context: NewsContext) -> None:
    query = update.callback_query
    if query is None:
        return
    if context.services.losses.latest_snapshot() is None:
        await query.answer(UNAVAILABLE)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _send_chart(query.message, context)


async def _send_chart(message: Message, context: NewsContext) -> None:
    service = context.services.losses
    latest = service.latest_snapshot()
    if latest is None:
        await message.reply_text(UNAVAILABLE)
        return
    await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    png = await service.chart_png(CHART_DAYS)
    if png is None:
        await message.reply_text(texts.CHART_TOO_SHORT)
        return
    await message.reply_photo(png, caption=chart_caption_html(latest, CHART_DAYS))


def register(app: NewsApplication, config: Config) -> None:
    """Add this module's handlers to ``app``."""
    app.add_handler(CommandHandler("losses", losses))
    app.add_handler(CallbackQueryHandler(chart_button, pattern=f"^{CHART_CALLBACK}$"))
