"""Brief rendering: golden output, escaping, the 1024-character caption limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.briefs.render import (
    CAPTION_LIMIT,
    compose_brief,
    escape,
    render_brief,
    shorten,
    visible_length,
)
from bot.fakes.telegram import check_telegram_html

DATA = Path(__file__).resolve().parent.parent / "data" / "briefs"
COUNTER = "Втрати ворога на 29 березня 2025: 912\u00a0490 осіб (+1\u00a0530) <за даними ЗСУ>"


def test_golden_brief() -> None:
    sentences = (DATA / "article_drones.summary.txt").read_text(encoding="utf-8").splitlines()
    html = render_brief(
        "У Черкасах відкрили навчальний центр для операторів дронів & «симуляторів»",
        sentences,
        COUNTER,
        "Черкаські новини",
        "https://example.com/news?id=7&lang=uk",
    )
    assert html + "\n" == (DATA / "article_drones.brief.html").read_text(encoding="utf-8")
    check_telegram_html(html)


def test_golden_brief_is_typeset() -> None:
    """Straight quotes → «…», spaced hyphens → « — », ' → ’, digit groups with no-break
    spaces, in the title and the summary; the link and the counter line untouched."""
    title, _, first, second, *_ = (
        (DATA / "article_typography.txt").read_text(encoding="utf-8").splitlines()
    )
    html = render_brief(
        title,
        [first, second],
        "Втрати ворога: 912\u00a0490 осіб (+1\u00a0740)",
        "Полтавщина",
        'https://example.com/sud-skver?id=7&q="a-b"',
    )
    assert html + "\n" == (DATA / "article_typography.brief.html").read_text(encoding="utf-8")
    visible = check_telegram_html(html)
    assert "2\u00a0450\u00a0000 грн" in visible and '"' not in visible and " - " not in visible


def test_source_text_is_escaped_once() -> None:
    html = render_brief('A <b>"x"</b> & y', ["Ціна < 5 & > 3 грн."], "<i>1 & 2</i>", "S&P", "")
    visible = check_telegram_html(html)
    assert "A <b>«x»</b> & y" in visible  # typeset, then escaped once
    assert "Ціна < 5 & > 3 грн." in visible
    assert "<i>1 & 2</i>" in visible
    assert "&amp;amp;" not in html


def test_no_link_for_a_non_http_url() -> None:
    html = render_brief("Заголовок", [], None, "Джерело", "javascript:alert(1)")
    assert "<a " not in html
    assert html == "<b>Заголовок</b>\n\nДжерело"


def test_link_attribute_is_escaped() -> None:
    html = render_brief("Т", [], None, "Сайт", 'https://x.ua/a?b=1&c="2"')
    assert html.endswith(
        'Сайт · <a href="https://x.ua/a?b=1&amp;c=&quot;2&quot;">Читати повністю</a>'
    )
    check_telegram_html(html)


def test_budget_keeps_leading_whole_sentences() -> None:
    sentences = ["Перше речення тут.", "Друге речення тут.", "Третє речення тут."]
    rendered = compose_brief("Т", sentences, None, "S", "", budget=40)
    assert rendered.sentences == ("Перше речення тут.", "Друге речення тут.")


def test_caption_limit_drops_summary_sentences_then_shortens_the_title() -> None:
    sentence = "Дуже довге речення про важливу подію в місті. " * 4
    sentences = [sentence.strip()] * 3
    rendered = compose_brief("Заголовок " * 45, sentences, COUNTER, "Джерело", "", budget=900)
    assert visible_length(check_telegram_html(rendered.html)) <= CAPTION_LIMIT
    assert len(rendered.sentences) < 3
    huge = compose_brief("Слово " * 400, sentences, COUNTER, "Джерело", "", budget=900)
    visible = check_telegram_html(huge.html)
    assert visible_length(visible) <= CAPTION_LIMIT
    assert huge.sentences == ()
    assert huge.title.endswith("…")
    assert COUNTER in visible


def test_emoji_count_as_two_units() -> None:
    title = "🇺🇦" * 600
    html = render_brief(title, [], None, "Дж", "")
    assert visible_length(check_telegram_html(html)) <= CAPTION_LIMIT


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("коротко", 20, "коротко"),
        ("один два три чотири", 12, "один два…"),
        ("одне-довге-слово-без-пробілів", 10, "одне-довг…"),
        ("будь-що", 1, ""),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


def test_escape() -> None:
    assert escape('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
