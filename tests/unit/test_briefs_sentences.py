"""Ukrainian sentence splitting: tokenize-uk plus the repairs in bot.briefs.sentences."""

from __future__ import annotations

import pytest

from bot.briefs.sentences import clean_text, is_complete, split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(clean_text(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "У м. Києві зібрали 5 тис. підписів. Далі буде.",
            ["У м. Києві зібрали 5 тис. підписів.", "Далі буде."],
        ),
        (
            "У 2024 р. ціни зросли на 2,5 відсотка. Так кажуть.",
            ["У 2024 р. ціни зросли на 2,5 відсотка.", "Так кажуть."],
        ),
        (
            "В. Зеленський та Т. Г. Шевченко тут ні до чого. Друге речення.",
            ["В. Зеленський та Т. Г. Шевченко тут ні до чого.", "Друге речення."],
        ),
    ],
)
def test_tokenize_uk_abbreviations_initials_decimals(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_quoted_speech_stays_one_sentence() -> None:
    text = "Він сказав: «Так. Ні!» — і пішов. Наступне речення."
    assert texts(text) == ["Він сказав: «Так. Ні!» — і пішов.", "Наступне речення."]


def test_straight_quotes_are_balanced_too() -> None:
    text = '"Ми готові. Чекаємо", - заявив мер. Інше речення.'
    assert texts(text) == ['"Ми готові. Чекаємо", - заявив мер.', "Інше речення."]


def test_month_abbreviation_before_a_year_does_not_end_the_sentence() -> None:
    text = "Зустріч відбулася 5 лют. 2024 р. у Києві. Далі."
    assert texts(text) == ["Зустріч відбулася 5 лют. 2024 р. у Києві.", "Далі."]


def test_paragraphs_and_positions() -> None:
    sentences = split_sentences("Перше речення. Друге речення.\n\nТретє речення.")
    assert [(s.paragraph, s.index) for s in sentences] == [(0, 0), (0, 1), (2, 2)]


def test_clean_text_strips_tags_entities_and_control_characters() -> None:
    raw = "<p>Ціна &amp; якість&nbsp;—\x00 <b>важливі</b>.</p>\r\n\r\n  Друге  речення. "
    assert clean_text(raw) == "Ціна & якість — важливі .\nДруге речення."


@pytest.mark.parametrize(
    ("sentence", "complete"),
    [
        ("Це речення.", True),
        ("Чому?", True),
        ("Ось так…", True),
        ("«Так!»", True),
        ("Фото: прес-служба", False),
        ("Читайте також: новина", False),
        ("", False),
    ],
)
def test_is_complete(sentence: str, complete: bool) -> None:
    assert is_complete(sentence) is complete


def test_empty_and_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(clean_text(" \n\t\n ")) == []
