"""Feed parsing against golden files (tests/data/feeds/*.xml → *.expected.json) and the real
captures in ../shared/data/rss.

Regenerate the golden files after a deliberate change with ``UPDATE_GOLDEN=1 pytest …`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.sources.feeds import FeedError, ParsedFeed, parse_feed
from bot.uk import detect_language

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"
NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
GOLDEN = ["rss20", "rdf", "atom", "cp1251"]


def as_json(feed: ParsedFeed) -> dict[str, Any]:
    return {
        "version": feed.version,
        "title": feed.title,
        "warnings": list(feed.warnings),
        "items": [
            {
                "guid": i.guid,
                "link": i.link,
                "title": i.title,
                "summary": i.summary,
                "full_text": i.full_text,
                "published": i.published.isoformat() if i.published else None,
            }
            for i in feed.items
        ],
    }


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_feed(name: str) -> None:
    body = (FEEDS / f"{name}.xml").read_bytes()
    parsed = parse_feed(
        body,
        content_type="application/rss+xml",
        base_url="https://news.example.ua/rss.xml",
        now=NOW,
    )
    got = as_json(parsed)
    expected_path = FEEDS / f"{name}.expected.json"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", "utf-8")
    assert got == json.loads(expected_path.read_text("utf-8"))


def test_cp1251_decodes_from_bytes_even_if_http_says_nothing() -> None:
    body = (FEEDS / "cp1251.xml").read_bytes()
    for content_type in (None, "text/xml", "application/xml; charset=windows-1251"):
        item = parse_feed(body, content_type=content_type, now=NOW).items[0]
        assert item.title.startswith("Їжак, ґудзик")


def test_http_charset_is_honoured_when_the_document_declares_none() -> None:
    body = (
        '<rss version="2.0"><channel><title>т</title><item><title>Київ і Львів</title>'
        "<link>https://a.example/1</link></item></channel></rss>"
    ).encode("cp1251")
    parsed = parse_feed(body, content_type="application/rss+xml; charset=windows-1251", now=NOW)
    assert parsed.items[0].title == "Київ і Львів"


def test_html_page_is_not_a_feed() -> None:
    body = b"<!DOCTYPE html><html><head><title>Hi</title></head><body><p>page</p></body></html>"
    with pytest.raises(FeedError, match="HTML-сторінка"):
        parse_feed(body, content_type="text/html", now=NOW)


def test_malformed_xml_without_items_is_an_error() -> None:
    with pytest.raises(FeedError, match="XML"):
        parse_feed(b"<?xml version='1.0'?><rss><channel><title>x</ti", now=NOW)


def test_truncated_feed_keeps_the_items_it_could_read() -> None:
    body = (FEEDS / "rss20.xml").read_bytes()
    cut = body[: body.index("<title>Ціни на пальне".encode())]
    parsed = parse_feed(cut, now=NOW)
    assert [i.title for i in parsed.items] == ["Сили оборони знищили 40 ворожих дронів за ніч"]
    assert parsed.warning is not None and "пошкоджений XML" in parsed.warning


def test_empty_feed_is_an_error() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    with pytest.raises(FeedError, match="жодного запису"):
        parse_feed(body, now=NOW)


def test_empty_body_is_an_error() -> None:
    with pytest.raises(FeedError, match="порожню"):
        parse_feed(b"  \n", now=NOW)


# -- the real captures in ../shared/data/rss ---------------------------------------------------


@pytest.mark.shared_data
def test_real_cp1251_feed(shared_data: Path) -> None:
    body = (shared_data / "rss" / "pravda_rus_rss_2020-09-29_cp1251.xml").read_bytes()
    parsed = parse_feed(
        body,
        content_type="text/xml",
        base_url="https://www.pravda.com.ua/rus/rss/",
        now=datetime(2020, 9, 30, tzinfo=UTC),
    )
    # one item's <link> is a bare video id ("b2VjML1MLnE"): dropped, with a warning
    assert len(parsed.items) == 19
    assert parsed.warnings == ("1 запис без посилання чи заголовка пропущено",)
    assert parsed.title == "Украинская правда"
    first = parsed.items[0]
    assert first.title == 'День сердца: инфаркты и инсульты значительно "помолодели"'
    assert first.link == "https://life.pravda.com.ua/columns/2020/09/29/242489/"
    assert detect_language(" ".join(i.title + " " + i.summary for i in parsed.items)) == "ru"


@pytest.mark.shared_data
def test_real_yandex_full_text_is_unescaped_twice(shared_data: Path) -> None:
    body = (shared_data / "rss" / "ukranews_rss_2020-09-28_yandex_fulltext.xml").read_bytes()
    parsed = parse_feed(body, now=datetime(2020, 9, 30, tzinfo=UTC))
    text = parsed.items[0].full_text
    assert text.startswith("Глава Херсонской обладминистрации Юрий Гусев купил квартиру")
    assert "&lt;" not in text and "<p>" not in text and "&quot;" not in text
    assert '"Сейчас мы с женой' in text
    assert parsed.items[0].summary == ""


@pytest.mark.shared_data
def test_real_cdata_padding_is_trimmed(shared_data: Path) -> None:
    body = (shared_data / "rss" / "unian_ukr_rss_2020-09-28.xml").read_bytes()
    parsed = parse_feed(body, now=datetime(2020, 9, 30, tzinfo=UTC))
    assert len(parsed.items) == 50
    first = parsed.items[0]
    assert first.title == (
        '"Зір вдалося зберегти": у Дніпрі лікарі рятують сапера, який підірвався на Донбасі'
    )
    assert first.summary == "У лікарню військового доправили в суботу ґвинтокрилом."
    assert first.guid == "1f3011bb42f36737c5ac0fd6d7cd3278"
    assert all(i.title == i.title.strip() and "\n" not in i.title for i in parsed.items)
    assert detect_language(" ".join(i.title for i in parsed.items)) == "uk"


@pytest.mark.shared_data
def test_real_liga_feed_parses(shared_data: Path) -> None:
    body = (shared_data / "rss" / "liga_rus_rss_2020-09-29.xml").read_bytes()
    parsed = parse_feed(body, now=datetime(2020, 9, 30, tzinfo=UTC))
    assert len(parsed.items) == 20
    assert not parsed.warnings
