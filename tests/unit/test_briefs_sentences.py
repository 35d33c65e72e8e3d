"""Ukrainian sentence splitting: tokenize-uk plus the repairs in bot.briefs.sentences."""

from __future__ import annotations

import pytest

from bot.briefs.sentences import clean_text, count_sentences, is_complete, split_sentences


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


def parts(text: str) -> list[tuple[str, int]]:
    return [(s.text, s.parts) for s in split_sentences(clean_text(text))]


def test_a_quotation_interrupted_by_its_attribution_stays_whole_and_is_counted() -> None:
    """«…, – розповідає Максим. – …»: one quotation, eight sentences a reader sees (summ_eval
    line 181 kept it as one "sentence" and a brief showed all eight)."""
    quotation = (
        "«Село Дерцен розташоване на туристичному шляху з Мукачева на Берегово і Косино. "
        "Мені стало дивно, чому туристичний трафік оминає це село? "
        "Тим більше, що на сільському пагорбі встановлено найбільший хрест України! "
        "А крім нього село має інші туристичні козирі, – розповідає Максим. – "
        "Я взяв участь у конкурсі проєктів Українського культурного фонду і мою ідею обрали. "
        "Під час її втілення я дізнався значно більше про історію села, аніж очікував! "
        "Село приречене на туристичний успіх! Треба лише трохи йому допомогти!»."
    )
    text = f"І причин сюди завітати – щонайменше 15, – пише Varosh.\n{quotation}\nДалі буде."
    assert parts(text) == [
        ("І причин сюди завітати – щонайменше 15, – пише Varosh.", 1),
        (quotation, 8),
        ("Далі буде.", 1),
    ]
    assert count_sentences(quotation) == 8


def test_short_quotations_count_what_a_reader_sees() -> None:
    assert parts("Він сказав: «Так. Ні!» — і пішов. Далі.") == [
        ("Він сказав: «Так. Ні!» — і пішов.", 2),
        ("Далі.", 1),
    ]
    assert count_sentences("«Ми готові», — сказав мер. Далі буде.") == 2


def test_a_quotation_never_closed_in_its_paragraph_is_not_glued_to_the_rest() -> None:
    text = "«Ми готові до всього. Чекаємо на вас. Приходьте всі.\nНаступний абзац тут."
    assert [t for t, _ in parts(text)] == [
        "«Ми готові до всього.",
        "Чекаємо на вас.",
        "Приходьте всі.",
        "Наступний абзац тут.",
    ]


def test_a_sentence_glued_to_a_quotation_is_split() -> None:
    text = "У містечку 9 дітей (в т.ч. 2 немовлят).«На жаль, ці сім'ї чекають», - зазначила вона."
    assert [t for t, _ in parts(text)] == [
        "У містечку 9 дітей (в т.ч. 2 немовлят).",
        "«На жаль, ці сім'ї чекають», - зазначила вона.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Документи охоплюють період до початку XXI ст. Яскравими представниками є митці.",
            ["Документи охоплюють період до початку XXI ст.", "Яскравими представниками є митці."],
        ),
        (
            "Фінансування становить 49 млн грн. Станом на 1 червня виділено 19 млн грн.",
            ["Фінансування становить 49 млн грн.", "Станом на 1 червня виділено 19 млн грн."],
        ),
        (
            "Будинок збудували у XIX ст. за проєктом Городецького. Далі.",
            ["Будинок збудували у XIX ст. за проєктом Городецького.", "Далі."],
        ),
    ],
)
def test_abbreviations_that_end_a_sentence(text: str, expected: list[str]) -> None:
    assert texts(text) == expected
