"""Article text: trafilatura extraction and Ukrainian outlet boilerplate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sources.extract import extract_article, html_to_text, strip_boilerplate

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def test_strip_boilerplate_drops_outlet_furniture() -> None:
    text = "\n".join(
        [
            "Втрати російських окупантів",
            "912 490",
            "ОСОБОВИЙ СКЛАД",
            "",
            "Перший абзац новини про важливу подію.",
            "Фото: ЕРА",
            "Читайте також: Інша новина дня",
            "Другий абзац новини.",
            "Підписуйтесь на наш Telegram-канал!",
            "Дивіться також відео про події на фронті",
            "Ілюстративне фото",
            'Останній абзац. Як читати "ГОРДОН" на тимчасово окупованих територіях Читати',
        ]
    )
    assert strip_boilerplate(text) == (
        "Перший абзац новини про важливу подію.\nДругий абзац новини.\nОстанній абзац."
    )


def test_strip_boilerplate_keeps_sentences_that_merely_start_alike() -> None:
    text = (
        "Фотографи з усього світу приїхали до Львова на фестиваль.\n"
        "Відео з місця подій поширили в соцмережах очевидці, і його вже переглянули "
        "понад мільйон разів за одну добу."
    )
    assert strip_boilerplate(text) == text


def test_html_to_text_unescapes_double_escaped_markup() -> None:
    twice = "&amp;lt;p&amp;gt;Київ &amp;amp;laquo;тест&amp;amp;raquo;&amp;lt;/p&amp;gt;"
    once = "&lt;p&gt;Перший&lt;/p&gt;&lt;p&gt;Другий&lt;/p&gt;"
    assert html_to_text(twice) == "Київ «тест»"
    assert html_to_text(once) == "Перший\n\nДругий"
    assert html_to_text("<p>Ціни <b>зросли</b> на 5 &lt; 10%</p>") == "Ціни зросли на 5 < 10%"


def test_extract_article_from_a_page() -> None:
    got = extract_article((FEEDS / "article.html").read_bytes(), "https://news.example.ua/bridge")
    assert got is not None
    assert got.title == "У Києві відкрили новий міст через Дніпро"
    assert got.text.startswith("У суботу, 29 березня, у Києві відкрили рух новим мостом")
    assert "дев'яти мільярдів гривень" in got.text
    for junk in ("Читайте також", "Підписуйтесь", "Фото: КМДА", "Популярне", "Усі права"):
        assert junk not in got.text


@pytest.mark.parametrize("page", [b"", "   ", "<html><body></body></html>", b"\x00\xff garbage"])
def test_extract_article_gives_none_for_no_article(page: str | bytes) -> None:
    assert extract_article(page) is None


@pytest.mark.shared_data
def test_real_gordonua_capture_loses_widget_and_footer(shared_data: Path) -> None:
    text = (shared_data / "seed" / "gordonua_article_page_2025.txt").read_text("utf-8")
    clean = strip_boilerplate(text)
    assert clean.startswith("Росія й далі демонструє поглиблення відносин")
    assert clean.endswith('а росіян – "братнім народом".')
    assert "912 490" not in clean and "Фото: ЕРА" not in clean
    assert "тимчасово окупованих" not in clean


@pytest.mark.shared_data
def test_real_epravda_page_matches_expected_paragraphs(shared_data: Path) -> None:
    html = (shared_data / "html" / "epravda_2025-10-24_fundus.html").read_bytes()
    expected = json.loads(
        (shared_data / "html" / "epravda_2025-10-24_fundus.expected.json").read_text("utf-8")
    )["V1"]
    got = extract_article(html, "https://www.epravda.com.ua/tehnologiji/x-813313")
    assert got is not None
    assert got.title == expected["title"]
    paragraphs = [p for s in expected["body"]["sections"] for p in s["paragraphs"]]
    found = sum(1 for p in paragraphs if p in got.text)
    assert found >= len(paragraphs) * 0.8, (found, len(paragraphs))


@pytest.mark.shared_data
def test_real_russian_edition_page_is_extracted(shared_data: Path) -> None:
    html = (shared_data / "html" / "pravda_rus_2026-01-08_fundus.html").read_bytes()
    got = extract_article(html, "https://www.pravda.com.ua/rus/articles/2026/01/08/8015225/")
    assert got is not None
    assert got.title.startswith("157 миллионов за бездействие")
    assert len(got.text) > 10_000
