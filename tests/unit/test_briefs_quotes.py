"""Quotation marks: balanced or not, and what is said outside them (bot.briefs.quotes)."""

from __future__ import annotations

import pytest

from bot.briefs.quotes import balanced, open_depth, outside


@pytest.mark.parametrize(
    "text",
    [
        "Без лапок.",
        "«Ми готові», — сказав мер.",
        '"Ми готові. Чекаємо", - заявив мер.',
        "«Компанія „Нафтогаз“ звітує», — повідомили в уряді.",
        '«Компанія "Нафтогаз" звітує».',
        '"Компанія "Нафтогаз"" звітує.',
        "Він сказав: “Yes”.",
        "Пісня „Два кольори” лунала.",
    ],
)
def test_balanced(text: str) -> None:
    assert balanced(text)
    assert open_depth(text) == 0


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("«Село Дерцен розташоване на туристичному шляху.", 1),
        ('"Ми готові.', 1),
        ("«Компанія „Нафтогаз звітує.", 2),
        ("Треба лише трохи йому допомогти!».", -1),
        ("«а» » б", -1),
        ('"a «b" c»', -1),
    ],
)
def test_unbalanced(text: str, depth: int) -> None:
    assert not balanced(text)
    assert open_depth(text) == depth


@pytest.mark.parametrize(
    ("text", "own"),
    [
        ("«Ми готові», — сказав мер.", ", — сказав мер."),
        ("«Ми готові. Чекаємо».", "."),
        ("Мер: «Ми готові».", "Мер: ."),
        ("Без лапок.", "Без лапок."),
        ("«Відкрито", "«Відкрито"),  # unbalanced: nothing is taken for a quotation
    ],
)
def test_outside(text: str, own: str) -> None:
    assert outside(text) == own
