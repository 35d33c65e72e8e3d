"""The one list of openings that lean on the sentence before (bot.briefs.openings)."""

from __future__ import annotations

import pytest

from bot.briefs.openings import (
    DANGLING,
    DEBUNKING,
    back_reference,
    dangling_opening,
    debunking_opening,
)


@pytest.mark.parametrize(
    ("sentence", "opening"),
    [
        # the list
        ("За його словами, роботи завершать у травні.", "за його"),
        ("За її словами, щоб допомогти переселенцям, програму доповнили.", "за її"),
        ("За їхніми словами, чекати більше не будуть.", "за їхніми"),
        ("Хоча, з іншої сторони, бізнес шукатиме нові шляхи.", "хоча"),
        ("Однак такі дії породили колізії.", "однак"),
        ("Проте мешканці кажуть, що чекати не будуть.", "проте"),
        ("Водночас ціни на пальне не змінилися.", "водночас"),
        ("Крім того, 203 людини живуть у модульному містечку.", "крім того"),
        ("Більше того, уряд скоротив фінансування.", "більше того"),
        ("До речі, заходи ALIVE можливі не тільки в Амфітеатрі.", "до речі"),
        ("Також 2,5 тис. переселенців отримали картки.", "також"),
        ("Тому необов'язковість печатки була удаваною.", "тому"),
        ("Отже, про туристичні принади села.", "отже"),
        ("Перша – тривалість карантину.", "перша"),
        ("Друге, що змінилося, — спосіб вірити.", "друге"),
        ("Третя причина – бідність.", "третя причина"),
        ("Другий крок — заміна лічильників.", "другий крок"),
        ("По-друге, ціни зросли.", "по-друге"),
        ("1. Село Дерцен лежить на туристичному шляху.", "1."),
        # pronouns and demonstratives referring back
        ("Він додав, що роботи завершать у травні.", "він"),
        ("Їхні діти навчаються у місцевій школі.", "їхні"),
        ("Такого висновку дійшли учасники засідання.", "такого"),
        ("Ці гроші підуть на ремонт.", "ці"),
        ("Про це йдеться у звіті ISW.", "про це"),
        ("Через це рейс затримали.", "через це"),
        ("Цього разу обійшлося без жертв.", "цього разу"),
        ("Днями вони отримали тепловізор.", "днями вони"),
        ("Озвучив це заступник командувача.", "озвучив це"),
        ("Все це відбувається на очах у глядачів.", "все це"),
        ("Минулого року цей показник становив 5 %.", "минулого року цей"),
        ("— Ми готові, — сказав мер.", "—"),
        ("«Однак ми готові», — сказав мер.", "однак"),
        ("Насправді жінки багато працювали.", "насправді"),
        ("Обʼєднання Мінського та Київського напрямків — далі.", None),  # «Об'єднання», a noun
    ],
)
def test_dangling_openings(sentence: str, opening: str | None) -> None:
    assert dangling_opening(sentence) == opening


@pytest.mark.parametrize(
    "sentence",
    [
        "Цього року врожай зібрали раніше.",
        "У цьому році ціни зросли.",
        "Цієї зими в Карпатах випало багато снігу.",
        "Те, що ми бачимо, вражає.",
        "Ті, хто прийшов, отримали подарунки.",
        "Так звана «Жива бібліотека» приїде до Краматорська.",
        "Перш ніж почати ремонт, міська рада провела конкурс.",
        "Останнім часом ціни зростають.",
        "Перший етап будівництва завершили у травні.",
        "Другий тур виборів відбудеться 21 квітня.",
        "Головне – це люди.",
        "Два роки тому ціни були нижчі.",
        "Кіборги та ветерани прийшли на прем'єру.",
        "Ситуація була така: ціни зростали щотижня.",
        "Про ремонт мосту повідомили в ОВА.",
        "У Черкасах відкрили центр для операторів безпілотників.",
        "За словами міського голови, центр обійшовся у 12,5 млн грн.",
        "Мокра печатка – пережиток минулого?",
    ],
)
def test_openings_that_stand_on_their_own(sentence: str) -> None:
    assert dangling_opening(sentence) is None


def test_every_connective_and_phrase_of_the_list_is_recognised() -> None:
    """The list is data: each of its entries, opening a sentence, makes it lean back."""
    for word in DANGLING.connectives | DANGLING.pronouns:
        sentence = f"{word.capitalize()} у Києві відкрили центр для операторів дронів."
        assert dangling_opening(sentence) is not None, word
    for phrase in DANGLING.phrases:
        sentence = f"{' '.join(phrase).capitalize()}, у Києві відкрили центр."
        assert dangling_opening(sentence) == " ".join(phrase), phrase
    for word in DANGLING.prepositions:
        sentence = f"{word.capitalize()} нього у Києві відкрили центр."
        assert dangling_opening(sentence) == f"{word} нього", word


def test_apostrophes_of_every_kind_match_the_list() -> None:
    for apostrophe in "'’ʼ`":
        assert dangling_opening(f"У зв{apostrophe}язку з цим рейс скасували.") == "у зв'язку з цим"


@pytest.mark.parametrize(
    ("sentence", "reference"),
    [
        ("Україна не виняток, а лише підтвердження цього правила.", "цього правила"),
        ("Політологи вважають, що ця ситуація не нова.", "ця ситуація"),
        ("Організатори хочуть розвіяти цим проєктом міфи.", "цим проєктом"),
    ],
)
def test_back_references_anywhere_in_the_sentence(sentence: str, reference: str) -> None:
    assert back_reference(sentence) == reference


@pytest.mark.parametrize(
    "sentence",
    [
        "Врожай цього року зібрали раніше.",
        "Головне завдання – це безпека людей.",
        "Мер сказав таке бачення, що ціни зростуть.",
        "У Черкасах відкрили центр для операторів безпілотників.",
    ],
)
def test_no_back_reference(sentence: str) -> None:
    assert back_reference(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "marker"),
    [
        ("Насправді жінки багато працювали.", "насправді"),
        ("Однак це не так.", "однак це не так"),
        ("Чому це не так.", "чому це не так"),
        ("Це міф: вакцина не послаблює імунітет.", "це міф"),
        ("Жінки багато працювали.", None),
    ],
)
def test_debunking_openings(sentence: str, marker: str | None) -> None:
    assert debunking_opening(sentence) == marker
    assert marker is None or tuple(marker.split()) in DEBUNKING
