"""Admin commands: /broadcast (preview, then "Надіслати всім" / "Скасувати") and /stats."""

from __future__ import annotations

import re
from datetime import datetime, time
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.clock import KYIV
from bot.config import Config
from bot.context import NewsApplication, NewsContext
from bot.losses.model import Snapshot
from bot.uk import count, format_date, format_kyiv_time, group_digits, kyiv_today, plural
from handlers.guards import ADMIN_ONLY, admin_only, is_admin
from storage import briefs, broadcasts, chats, deliveries, sources
from storage.sources import SourceRecord

MAX_TEXT = 4096
PREVIEW_ROOM = 3500  # the preview adds a header; a long text is shown shortened
CALLBACK = re.compile(r"^bc:(send|cancel):([0-9]+)$")
MAX_ID = 2**63 - 1  # SQLite INTEGER; a forged larger id names no broadcast
USAGE = (
    "Напишіть текст після команди, наприклад:\n/broadcast Завтра бот оновлюватиметься.\n"
    "Спершу я покажу попередній перегляд із кнопками «Надіслати всім» і «Скасувати»."
)
TOO_LONG = "Текст задовгий: {n}, а Telegram дозволяє щонайбільше 4096."
CANCELLED = "Розсилку скасовано. Нічого не надіслано."
STARTED = "Розсилку розпочато."
NOT_A_DRAFT = "Цю розсилку вже надіслано або скасовано."


def broadcast_body(text: str | None) -> str:
    """The text after ``/broadcast`` (newlines kept), or '' when there is none."""
    parts = (text or "").split(None, 1)
    return parts[1].strip() if len(parts) == 2 else ""


def preview_html(body: str, active: int) -> str:
    verb = plural(active, "отримає", "отримають", "отримають")
    who = count(active, "підписник", "підписники", "підписників")
    shown = body if len(body) <= PREVIEW_ROOM else body[:PREVIEW_ROOM] + "…"
    return f"<b>Попередній перегляд розсилки</b> — її {verb} {who}:\n\n{escape(shown, quote=False)}"


def preview_buttons(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Надіслати всім", callback_data=f"bc:send:{broadcast_id}"),
                InlineKeyboardButton("Скасувати", callback_data=f"bc:cancel:{broadcast_id}"),
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
        await message.reply_text(USAGE)
        return
    if len(body) > MAX_TEXT:
        await message.reply_text(
            TOO_LONG.format(n=count(len(body), "символ", "символи", "символів"))
        )
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
        await query.answer(ADMIN_ONLY, show_alert=True)
        return
    action, digits = m.group(1), m.group(2).lstrip("0") or "0"
    broadcast_id = int(digits) if len(digits) <= 19 else MAX_ID + 1
    if broadcast_id > MAX_ID:
        await query.answer(NOT_A_DRAFT, show_alert=True)
        return
    s = context.services
    now = s.clock.now()
    message = query.message
    if action == "cancel":
        if await broadcasts.cancel_broadcast(s.db, broadcast_id, now):
            await query.answer()
            await query.edit_message_text(CANCELLED)
        else:
            await query.answer(NOT_A_DRAFT, show_alert=True)
        return
    # The engine edits this message with the progress and, at the end, the summary.
    started = None
    if message is not None:
        started = await s.delivery.start_broadcast(
            broadcast_id, message.chat.id, message.message_id
        )
    if started is None:
        await query.answer(NOT_A_DRAFT, show_alert=True)
        return
    await query.answer(STARTED)


def _source_line(src: SourceRecord, now: datetime) -> str:
    name = escape(src.name)
    if not src.enabled:
        return f"⏸ {name} — вимкнено"
    if src.healthy and src.last_success_at is not None:
        return f"✅ {name} — востаннє {format_kyiv_time(src.last_success_at)}"
    if src.last_success_at is None and src.last_error is None:
        return f"⏳ {name} — ще не опитувалося"
    failures = count(src.consecutive_failures, "помилка", "помилки", "помилок")
    error = escape((src.last_error or "невідома помилка")[:120])
    return f"⚠️ {name} — {failures} поспіль: {error}"


def _counter_line(snapshot: Snapshot | None, now: datetime) -> str:
    if snapshot is None:
        return "Лічильник втрат: даних ще немає"
    age_days = (kyiv_today(now) - snapshot.day).days
    fresh = (
        "актуальні" if age_days <= 1 else f"застарілі на {count(age_days, 'день', 'дні', 'днів')}"
    )
    return (
        f"Лічильник втрат: дані за {format_date(snapshot.day)} ({fresh}), "
        f"отримано {format_kyiv_time(snapshot.fetched_at)}"
    )


def stats_html(
    by_status: dict[str, int],
    briefs_today: int,
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
        "<b>Статистика бота</b>",
        f"Підписники: активні — {group_digits(by_status.get('active', 0))}, "
        f"відписалися — {group_digits(by_status.get('stopped', 0))}, "
        f"заблокували бота — {group_digits(by_status.get('blocked', 0))}, "
        f"недоступні — {group_digits(by_status.get('gone', 0))}",
        f"Новин сьогодні: {group_digits(briefs_today)}",
        f"У черзі на надсилання: {group_digits(pending)}",
    ]
    if paused:
        lines.append("⚠️ Надсилання призупинено: база даних недоступна для запису")
    if expired or unknown:
        lines.append(
            f"Не доставлено: застарілі новини — {group_digits(expired)}, "
            f"без відповіді Telegram (повторно не надсилали) — {group_digits(unknown)}"
        )
    lines += [_counter_line(snapshot, now), "", "<b>Джерела</b>"]
    lines += [_source_line(src, now) for src in source_list] or ["джерел немає"]
    return "\n".join(lines)


@admin_only
async def stats(update: Update, context: NewsContext) -> None:
    message = update.effective_message
    if message is None:
        return
    s = context.services
    now = s.clock.now()
    midnight = datetime.combine(kyiv_today(now), time(0, 0), tzinfo=KYIV)
    expired, unknown = await deliveries.uncertain_counts(s.db)
    text = stats_html(
        await chats.count_by_status(s.db),
        await briefs.count_briefs_since(s.db, midnight),
        await deliveries.count_pending(s.db),
        await sources.list_sources(s.db),
        s.losses.latest_snapshot(),
        now,
        expired=expired,
        unknown=unknown,
        paused=s.delivery.paused,
    )
    await message.reply_text(text)


def register(app: NewsApplication, config: Config) -> None:
    app.add_handler(CommandHandler("broadcast", broadcast))
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(CallbackQueryHandler(broadcast_button, pattern=CALLBACK))
