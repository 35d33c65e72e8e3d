"""Article text → story features: language, lemmas, names, numbers, JSON round trip."""

from __future__ import annotations

import json

import pytest

from bot.stories.crosslang import skeleton
from bot.stories.features import ArticleFeatures, FeatureExtractor, lede_of


@pytest.fixture(scope="module")
def extractor() -> FeatureExtractor:
    return FeatureExtractor()


def test_ukrainian_article(extractor: FeatureExtractor) -> None:
    f = extractor.extract(
        "Харків уночі атакували дрони: троє поранених",
        "Росіяни вночі вдарили безпілотниками по Київському району Харкова. "
        "Поранено трьох мешканців, повідомив мер Ігор Терещенко.",
    )
    assert f.language == "uk"
    assert {"харків", "дрон", "поранений"} <= set(f.title)
    assert f.numbers == ("3",)  # «троє» is a number
    assert "харків" in f.names  # title-initial, but capitalised inside the text too
    assert {"терещенко", "київський"} <= set(f.text_names)
    assert "дрон" in f.lede  # «безпілотниками» and «дрони» are one word for the matcher


def test_russian_article_uses_the_russian_dictionary(extractor: FeatureExtractor) -> None:
    f = extractor.extract(
        "В Харькове ночью горела многоэтажка",
        "Беспилотники атаковали Киевский район Харькова, ранены 3 человека.",
    )
    assert f.language == "ru"
    assert {"харьков", "многоэтажка", "гореть"} <= set(f.title)
    assert "харьков" in f.names


def test_numbers_are_normalised(extractor: FeatureExtractor) -> None:
    f = extractor.extract("Ставка 15,5% і 1 706 випадків за 2025 рік", "")
    assert set(f.numbers) == {"15.5", "1706", "2025"}


def test_labels_and_sentence_starts_are_not_names(extractor: FeatureExtractor) -> None:
    f = extractor.extract("ТЕРМІНОВО: Уряд ухвалив бюджет. Депутати підтримали ЗСУ", "")
    assert "терміново" not in f.names
    assert "уряд" not in f.names and "депутат" not in f.names
    assert "зсу" in f.names


def test_lede_is_whole_sentences() -> None:
    text = "Перше речення тут. " * 10 + "Останнє."
    lede = lede_of(text, chars=50)
    assert lede.endswith("тут.")
    assert 50 <= len(lede) < 100


def test_json_round_trip(extractor: FeatureExtractor) -> None:
    f = extractor.extract("НБУ зберіг облікову ставку 15,5%", "Нацбанк не змінив ставку.")
    stored = json.dumps(f.to_json(), ensure_ascii=False)
    assert ArticleFeatures.from_json(json.loads(stored)) == f


def test_features_of_another_version_are_refused(extractor: FeatureExtractor) -> None:
    data = extractor.extract("Заголовок новини", "").to_json()
    with pytest.raises(ValueError, match="version"):
        ArticleFeatures.from_json({**data, "v": 0})
    with pytest.raises(ValueError, match="title"):
        ArticleFeatures.from_json({**data, "title": "not a list"})


@pytest.mark.parametrize(
    ("ru", "uk"),
    [
        ("харьков", "харків"),
        ("обстрел", "обстріл"),
        ("зеленский", "зеленський"),
        ("запорожье", "запоріжжя"),
        ("сбить", "збити"),
        ("взрыв", "вибух"),  # not a cognate: from the small dictionary
        ("сентябрь", "вересень"),
    ],
)
def test_cross_language_keys_meet(ru: str, uk: str) -> None:
    assert skeleton(ru, "ru") == skeleton(uk, "uk")


def test_cross_language_keys_keep_numbers_and_latin() -> None:
    assert skeleton("2025", "uk") == "2025"
    assert skeleton("brent", "ru") == "brent"
    assert skeleton("рада", "uk") != skeleton("харків", "uk")
