"""The digest message: «Головне за …», linked titles with their source counts, the counter
line, within Telegram's 4 096 UTF-16 units."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import KYIV
from bot.fakes.telegram import parse_telegram_html
from bot.subscribers.digest import digest_period, render_digest
from bot.telegram_text import MAX_TEXT, utf16_len
from storage.digests import DigestStory

COUNTER = "Втрати ворога: 912\u00a0490 осіб (+1\u00a0740) · 10\u00a0478 танків"


def kyiv(d: int, h: int, mo: int = 3) -> datetime:
    return datetime(2025, mo, d, h, tzinfo=KYIV).astimezone(UTC)


def test_the_period_reads_as_a_span_of_kyiv_time() -> None:
    assert digest_period(kyiv(29, 9), kyiv(29, 19)) == "29 березня, 09:00–19:00"
    assert digest_period(kyiv(28, 19), kyiv(29, 9)) == "28–29 березня, 19:00–09:00"
    assert digest_period(kyiv(31, 19), kyiv(1, 9, 4)) == "31 березня – 1 квітня, 19:00–09:00"


def test_a_digest_lists_linked_titles_with_their_source_counts() -> None:
    stories = [
        DigestStory(1, "Удар по Харкову: є загиблі", "https://e.ua/1?a=1&b=2", 4, True),
        DigestStory(2, "Рада ухвалила <закон>", "https://e.ua/2", 1, False),
        DigestStory(3, "Без посилання", None, 21, False),
    ]
    html = render_digest(stories, kyiv(29, 9), kyiv(29, 19), COUNTER)
    assert html == (
        "<b>Головне за 29 березня, 09:00–19:00</b>\n\n"
        '1. <a href="https://e.ua/1?a=1&amp;b=2">Удар по Харкову: є загиблі</a> — 4 джерела\n'
        '2. <a href="https://e.ua/2">Рада ухвалила &lt;закон&gt;</a> — 1 джерело\n'
        "3. Без посилання — 21 джерело\n\n" + COUNTER
    )
    visible, entities = parse_telegram_html(html)
    assert "Рада ухвалила <закон>" in visible
    assert [e["url"] for e in entities if e["type"] == "text_link"] == [
        "https://e.ua/1?a=1&b=2",
        "https://e.ua/2",
    ]


def test_a_digest_fits_telegram_whatever_the_titles() -> None:
    long_title = "Дуже довгий заголовок 🇺🇦 " * 40
    stories = [DigestStory(n, long_title, f"https://e.ua/{n}", 3, True) for n in range(10)]
    html = render_digest(stories, kyiv(29, 9), kyiv(29, 19), COUNTER)
    visible, _ = parse_telegram_html(html)
    assert utf16_len(visible) <= MAX_TEXT
    assert visible.count("…") == 10  # every title shortened, every story kept
    tight = render_digest(stories, kyiv(29, 9), kyiv(29, 19), COUNTER, limit=900)
    shown, _ = parse_telegram_html(tight)
    assert utf16_len(shown) <= 900 and shown.endswith(COUNTER)
    assert "\n1. " in shown and "\n10. " not in shown
