"""Item identity and canonical links (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.identity import canonical_url, content_hash, item_identity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://News.Example.UA/a/b?id=7#top", "https://news.example.ua/a/b?id=7"),
        (
            "https://e.ua/x?utm_source=rss&utm_medium=feed&id=7&fbclid=1",
            "https://e.ua/x?id=7",
        ),
        ("https://e.ua/x?ref=tg&gclid=2", "https://e.ua/x"),
        ("http://e.ua:80/x", "http://e.ua/x"),
        ("https://e.ua:443", "https://e.ua/"),
        ("https://e.ua:8443/x", "https://e.ua:8443/x"),
        ("  https://e.ua/x?a=1&b=%20  ", "https://e.ua/x?a=1&b=%20"),  # untouched query kept
        ("https://user:pw@e.ua/x", "https://e.ua/x"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "b2VjML1MLnE", "/relative/path", "javascript:alert(1)", "ftp://e.ua/x",
     "https://", "https://e.ua:99999/", "https://e ua/x", "mailto:a@e.ua"],
)  # fmt: skip
def test_not_a_link(raw: str) -> None:
    assert canonical_url(raw) is None


def test_identity_prefers_guid() -> None:
    assert item_identity("abc123", "https://e.ua/x", "T") == "guid:abc123"


def test_url_guid_is_canonicalised_like_a_link() -> None:
    a = item_identity("https://E.ua/x?utm_source=rss", None, "T")
    b = item_identity(None, "https://e.ua/x#comments", "Other title")
    assert a == b == "link:https://e.ua/x"


def test_identity_falls_back_to_title_and_link_hash() -> None:
    one = item_identity(None, None, "Заголовок")
    assert one.startswith("hash:")
    assert one == item_identity("  ", "", "  заголовок ")
    assert one != item_identity(None, None, "Інший заголовок")


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    a = content_hash("«Київ»: новини дня", "Сили оборони збили 40 дронів за ніч.")
    b = content_hash("КИЇВ — новини  дня", "сили оборони збили 40 дронів за ніч")
    assert a is not None and a == b
    assert a != content_hash("Київ: новини дня", "Сили оборони збили 41 дрон за ніч.")


def test_content_hash_needs_enough_text() -> None:
    assert content_hash("Новини", "") is None


@given(st.text(max_size=200))
def test_canonical_url_never_raises_and_is_idempotent(raw: str) -> None:
    once = canonical_url(raw)
    if once is not None:
        assert canonical_url(once) == once
