"""Admin commands: /broadcast (preview, then "Надіслати всім" / "Скасувати") and /stats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.clock import KYIV
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.losses.model import Snapshot
from bot.telegram_text import MAX_TEXT, split_lines, truncate, utf16_len
from bot.uk import agree, counted, format_date, format_kyiv_time, group_digits, kyiv_today
from handlers.guards import admin_only, is_admin
from storage import articles, broadcasts, chats, deliveries, sources, stories
from storage.sources import SourceRecord

PREVIEW_ROOM = 3500  # the preview adds a header; a long text is shown shortened
CALLBACK = re.compile(r"^bc:(send|cancel):([0-9]+)$")
MAX_ID = 2**63 - 1  # SQLite INTEGER; a forged larger id names no broadcast


def broadcast_body(text: str | None) -> str:
    """The text after ``/broadcast`` (newlines kept), or '' when there is none."""
    parts = (text or "").split(None, 1)
    return parts[1].strip() if len(parts) == 2 else ""


def preview_html(body: str, active: int) -> str:
    shown = escape(truncate(body, PREVIEW_ROOM), quote=False)
    return texts.BROADCAST_PREVIEW_HTML.format(
        verb=agree(active, texts.WILL_RECEIVE), who=counted(active, texts.SUBSCRIBER), body=shown
    )


def preview_buttons(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BROADCAST_SEND, callback_data=f"bc:send:{broadcast_id}"),
                InlineKeyboardButton(
                    texts.BROADCAST_CANCEL, callback_data=f"bc:cancel:{broadcast_id}"
                ),
            ]
        ]
    )


@admin_only
async def broadcast(update: Update, context: NewsContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    body = broadcast_body(message.text)
    if not body:
        await message.reply_text(texts.BROADCAST_USAGE)
        return
    length = utf16_len(body)
    if length > MAX_TEXT:
        text = texts.BROADCAST_TOO_LONG.format(length=counted(length, texts.CHARACTER))
        await message.reply_text(text + (texts.EMOJI_COUNT_TWICE if length != len(body) else ""))
        return
    s = context.services
    broadcast_id = await broadcasts.create_broadcast(s.db, user.id, body, s.clock.now())
    active = (await chats.count_by_status(s.db))["active"]
    await message.reply_text(preview_html(body, active), reply_markup=preview_buttons(broadcast_id))


async def broadcast_button(update: Update, context: NewsContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    m = CALLBACK.match(query.data)
    if m is None:
        return
    if not is_admin(update, context):
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    action, digits = m.group(1), m.group(2).lstrip("0") or "0"
    broadcast_id = int(digits) if len(digits) <= 19 else MAX_ID + 1
    if broadcast_id > MAX_ID:
        await query.answer(texts.BROADCAST_NOT_A_DRAFT, show_alert=True)
        return
    s = context.services
    now = s.clock.now()
    message = query.message
    if action == "cancel":
        if await broadcasts.cancel_broadcast(s.db, broadcast_id, now):
            await query.answer()
            await query.edit_message_text(texts.BROADCAST_CANCELLED)
        else:
            await query.answer(texts.BROADCAST_NOT_A_DRAFT, show_alert=True)
        return
    # The engine edits this message with the progress and, at the end, the summary.
    started = None
    if message is not None:
        started = await s.delivery.start_broadcast(
            broadcast_id, message.chat.id, message.message_id
        )
    if started is None:
        await query.answer(texts.BROADCAST_NOT_A_DRAFT, show_alert=True)
        return
    await query.answer(texts.BROADCAST_STARTED)


def _source_line(src: SourceRecord, now: datetime) -> str:
    name = escape(src.name)
    if not src.enabled:
        return texts.STATS_SOURCE_OFF.format(name=name)
    if src.healthy and src.last_success_at is not None:
        return texts.STATS_SOURCE_OK.format(name=name, time=format_kyiv_time(src.last_success_at))
    if src.last_success_at is None and src.last_error is None:
        return texts.STATS_SOURCE_NEW.format(name=name)
    failures = counted(src.consecutive_failures, texts.ERROR)
    error = escape((src.last_error or texts.UNKNOWN_ERROR)[:120])
    return texts.STATS_SOURCE_FAILING.format(name=name, failures=failures, error=error)


def _counter_line(snapshot: Snapshot | None, now: datetime) -> str:
    if snapshot is None:
        return texts.STATS_NO_COUNTER
    age_days = (kyiv_today(now) - snapshot.day).days
    fresh = (
        texts.STATS_COUNTER_FRESH
        if age_days <= 1
        else texts.STATS_COUNTER_STALE.format(age=counted(age_days, texts.DAY))
    )
    return texts.STATS_COUNTER.format(
        date=format_date(snapshot.day),
        freshness=fresh,
        fetched=format_kyiv_time(snapshot.fetched_at),
    )


_STATUSES = ("active", "stopped", "blocked", "gone")


@dataclass(frozen=True, slots=True)
class Today:
    """What came in today (Kyiv): new feed items, stories formed, stories that became top."""

    items: int = 0
    stories: int = 0
    top: int = 0


def stats_html(
    by_status: dict[str, int],
    today: Today,
    pending: int,
    source_list: list[SourceRecord],
    snapshot: Snapshot | None,
    now: datetime,
    *,
    expired: int = 0,
    unknown: int = 0,
    paused: bool = False,
) -> str:
    """The /stats message (pure: everything it shows is passed in).

    ``expired``/``unknown`` count ledger rows that ended unsent because the news was too old,
    and sends Telegram never answered (not repeated: they may have arrived); ``paused`` says
    delivery waits for the database to be writable.  Each shows only when it is not zero.
    """
    lines = [
        texts.STATS_TITLE_HTML,
        texts.STATS_SUBSCRIBERS.format(
            **{key: group_digits(by_status.get(key, 0)) for key in _STATUSES}
        ),
        texts.STATS_TODAY.format(
            items=counted(today.items, texts.NEW_ITEM),
            stories=counted(today.stories, texts.STORY),
            top=counted(today.top, texts.TOP_STORY),
        ),
        texts.STATS_PENDING.format(n=group_digits(pending)),
    ]
    if paused:
        lines.append(texts.STATS_PAUSED)
    if expired or unknown:
        lines.append(
            texts.STATS_UNDELIVERED.format(
                expired=group_digits(expired), unknown=group_digits(unknown)
            )
        )
    lines += [_counter_line(snapshot, now), "", texts.STATS_SOURCES_HTML]
    lines += [_source_line(src, now) for src in source_list] or [texts.STATS_NO_SOURCES]
    return "\n".join(lines)


@admin_only
async def stats(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    if message is None:
        return
    s = context.services
    now = s.clock.now()
    midnight = datetime.combine(kyiv_today(now), time(0, 0), tzinfo=KYIV)
    found = await stories.story_counts_since(s.db, midnight)
    today = Today(await articles.count_items_since(s.db, midnight), found.stories, found.top)
    expired, unknown = await deliveries.uncertain_counts(s.db)
    text = stats_html(
        await chats.count_by_status(s.db),
        today,
        await deliveries.count_pending(s.db),
        await sources.list_sources(s.db),
        s.losses.latest_snapshot(),
        now,
        expired=expired,
        unknown=unknown,
        paused=s.delivery.paused,
    )
    for part in split_lines(text):
        await message.reply_text(part)


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("broadcast", broadcast))
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(CallbackQueryHandler(broadcast_button, pattern=CALLBACK))
