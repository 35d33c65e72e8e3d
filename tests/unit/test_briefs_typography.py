"""Ukrainian typography in briefs: golden cases, and properties of typeset()."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.briefs.typography import typeset

DATA = Path(__file__).resolve().parent.parent / "data" / "briefs"


def golden_cases() -> list[tuple[str, str]]:
    lines = (DATA / "typography.txt").read_text(encoding="utf-8").splitlines()
    sources = [line[2:] for line in lines if line.startswith("< ")]
    shown = [line[2:] for line in lines if line.startswith("> ")]
    assert len(sources) == len(shown) > 0
    return [
        (a.replace("{nbsp}", "\u00a0"), b.replace("{nbsp}", "\u00a0"))
        for a, b in zip(sources, shown, strict=True)
    ]


@pytest.mark.parametrize(("source", "shown"), golden_cases())
def test_golden(source: str, shown: str) -> None:
    assert typeset(source) == shown


PIECES = st.sampled_from(
    [
        "Київ", "м'ясо", "обʼєкт", "п`ять", "don't", " ", " ", " - ", " – ", "-", '"', "«", "»",
        "„", "“", "”", "912 490", "1 234,5", "2024", "https://x.ua/a-b?q=\"1\"", "<b>", "</b>",
        "&amp;", "&", "<", ">", ".", ",", "\n", "\u00a0", "Ми", "готові", "5 - 7",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_typeset_replaces_characters_one_for_one_and_is_idempotent(text: str) -> None:
    shown = typeset(text)
    assert len(shown) == len(text)
    assert typeset(shown) == shown
    allowed = {'"': "«»„“", "-": "—", "–": "—", "'": "’", "ʼ": "’", "`": "’", " ": "\u00a0"}
    allowed.update(dict.fromkeys("«»„“”", "«»„“"))
    for a, b in zip(text, shown, strict=True):
        assert a == b or b in allowed.get(a, ""), (a, b)
    if 'https://x.ua/a-b?q="1"' in text:
        assert 'https://x.ua/a-b?q="1"' in shown  # links are never typeset


def test_escaping_is_left_to_the_caller() -> None:
    assert typeset('A <b>"x"</b> & y < 5') == "A <b>«x»</b> & y < 5"
    assert typeset("") == ""
