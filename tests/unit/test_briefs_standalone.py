"""Whether a sentence can stand in a brief, and what it tells (bot.briefs.standalone)."""

from __future__ import annotations

import pytest

from bot.briefs.sentences import clean_text, split_sentences
from bot.briefs.standalone import announces, contradicted, facts, leans_back, stands_alone


def fits(text: str) -> bool:
    return stands_alone(text, min_chars=20, min_words=4, max_chars=450)


@pytest.mark.parametrize(
    "text",
    [
        "У Черкасах відкрили центр для операторів безпілотників.",
        "«Ми готові до переговорів», — заявив міський голова Черкас.",
        "Мер заявив: «Ми готові до переговорів і чекаємо на відповідь».",
        "Компанія «Нафтогаз України» звітує про рекордний видобуток газу.",
    ],
)
def test_statements_stand(text: str) -> None:
    assert fits(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Чи все це системні дії уряду для підриву безпеки?", "a question"),
        ("Чому Франківськ не має свого літературного фестивалю?»", "a question"),
        ("«Ми готові до переговорів і чекаємо на відповідь».", "nobody's words"),
        ("«Село Дерцен розташоване на туристичному шляху з Мукачева.", "unclosed quotation"),
        ("Треба лише трохи йому допомогти, – розповідає Максим!».", "quotation closed, not opened"),
        ("Читайте також: у Києві запрацював пункт незламності.", "a link"),
    ],
)
def test_sentences_that_do_not_stand(text: str, why: str) -> None:
    assert not fits(text), why


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("За її словами, програму доповнили пільговим кредитуванням.", True),
        ("Україна не виняток, а лише підтвердження цього правила.", True),
        ("«Ми готові до переговорів», — сказав він.", True),
        ("«Ми готові до переговорів», — сказала вона журналістам.", True),
        ("«Ми готові до переговорів», — сказав мер Черкас Анатолій Бондаренко.", False),
        ("«Він готовий», — сказав Бондаренко.", True),  # who is «він»?
        ("«Ми готові», — сказав Бондаренко.", False),
        ("У Черкасах відкрили центр для операторів безпілотників.", False),
    ],
)
def test_leans_back(text: str, leans: bool) -> None:
    assert leans_back(text) is leans


def sentences(text: str) -> list[str]:
    return [s.text for s in split_sentences(clean_text(text))]


def test_a_myth_the_article_debunks_is_contradicted() -> None:
    text = (
        "Міф 8.\n"
        "Жінки були безправними та неосвіченими\n"
        "Середньовічні жінки не працювали, не мали прав і мовчки корилися чоловікам.\n"
        "Ситуація з правами жінок у Європі ще століття тому була доволі скрутна.\n"
        "Чому це не так.\n"
        "Насправді жінки багато працювали та могли заробляти гроші.\n"
        "Міські майстерні часто були сімейними закладами."
    )
    split = split_sentences(clean_text(text))
    refuted = {split[i].text for i in contradicted(split)}
    assert "Середньовічні жінки не працювали, не мали прав і мовчки корилися чоловікам." in refuted
    assert "Ситуація з правами жінок у Європі ще століття тому була доволі скрутна." in refuted
    assert "Насправді жінки багато працювали та могли заробляти гроші." not in refuted
    assert "Міські майстерні часто були сімейними закладами." not in refuted


def test_naspravdi_refutes_only_the_sentence_before_it() -> None:
    split = split_sentences(
        clean_text(
            "У місті відкрили новий парк.\n"
            "Кажуть, що парк коштував мільярд.\n"
            "Насправді ремонт обійшовся у 40 млн грн."
        )
    )
    assert contradicted(split) == {1}


def test_facts_prefer_who_what_where_when() -> None:
    plain = facts("Учасники обговорили плани на майбутнє і домовилися зустрітися ще раз.")
    rich = facts("Концерт відбудеться 22 квітня у Національному будинку органної музики.")
    assert plain == 0.0
    assert 0.5 <= rich <= 1.0
    pair = facts("Виступили бандуристи Василь Ємець та Григорій Китастий зі своїми учнями.")
    roll = facts(
        "Виступили бандуристи Василь Ємець, Григорій Китастий, Олександр Кошиць, Павло "
        "Маценко, Володимир Мота та Роман Придаткевич."
    )
    assert roll == pair  # a list of names is no more a lead than a sentence with two


@pytest.mark.parametrize(
    ("text", "announcement"),
    [
        ("Концерт відбудеться 22 квітня у Національному будинку органної музики.", True),
        ("Виставка триватиме до 13 вересня, вхід вільний.", True),
        ("Фестиваль стартує 5 травня у Львові.", True),
        ("Концерт відбувся 22 квітня у Національному будинку органної музики.", False),
        ("Концерт відбудеться найближчим часом.", False),
    ],
)
def test_announces(text: str, announcement: bool) -> None:
    assert announces(text) is announcement
