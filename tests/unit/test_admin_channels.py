"""Channels in the admin's view: the broadcast preview's «Також у канали» toggle and what it
says, and the line for channels in /stats."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.fakes.telegram import check_telegram_html
from handlers.admin import CALLBACK, ChannelsNow, Today, preview_buttons, preview_html, stats_html

NOW = datetime(2025, 3, 29, 9, 5, tzinfo=UTC)


def _buttons(broadcast_id: int, channels: int, on: bool) -> list[list[tuple[str, str]]]:
    markup = preview_buttons(broadcast_id, channels, on)
    return [[(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard]


def test_without_channels_the_preview_is_as_before() -> None:
    text = preview_html("Текст", 3)
    assert "канал" not in text.lower()
    assert _buttons(7, 0, False) == [
        [("Надіслати всім", "bc:send:7"), ("Скасувати", "bc:cancel:7")]
    ]


def test_the_preview_says_whether_the_channels_get_it() -> None:
    off = preview_html("Текст", 3, 2)
    on = preview_html("Текст", 3, 2, with_channels=True)
    check_telegram_html(off)
    check_telegram_html(on)
    assert off.endswith(
        "Канали (2 канали) її не отримають. Щоб надіслати й туди, натисніть «Також у канали»."
    )
    assert on.endswith("Також у канали: її отримають і 2 канали.")
    assert preview_html("Текст", 3, 5, with_channels=True).endswith("і 5 каналів.")
    assert _buttons(7, 2, False) == [
        [("Надіслати всім", "bc:send:7"), ("Скасувати", "bc:cancel:7")],
        [("Також у канали", "bc:channels:7:1")],
    ]
    assert _buttons(7, 2, True) == [
        [("Надіслати всім", "bc:send:7:1"), ("Скасувати", "bc:cancel:7")],
        [("✓ Також у канали", "bc:channels:7:0")],
    ]


def test_the_callbacks_parse_and_forgeries_do_not() -> None:
    for data in ("bc:send:7", "bc:send:7:1", "bc:cancel:7", "bc:channels:7:1", "bc:channels:7:0"):
        assert CALLBACK.match(data), data
    for data in ("bc:send:7:2", "bc:channels:x:1", "bc:send:7:1:1", "bc:drop:7"):
        assert not CALLBACK.match(data), data


def test_stats_shows_channels_and_why_some_get_nothing() -> None:
    found = ChannelsNow(1, 3, (("@novyny_test", "not_admin"), ("-100123", "cannot_post")))
    text = stats_html({}, Today(), 0, [], None, NOW, channels_now=found)
    check_telegram_html(text)
    lines = text.splitlines()
    at = lines.index("Канали: публікую в 1 з 3")
    assert lines[at + 1 : at + 3] == [
        "⚠️ @novyny_test — бот не адміністратор каналу",
        "⚠️ -100123 — бот адміністратор, але без права публікувати повідомлення",
    ]
    assert "Канали" not in stats_html({}, Today(), 0, [], None, NOW)
