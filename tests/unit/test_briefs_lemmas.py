"""Lemmas for sentence comparison: noun readings preferred over pymorphy3's first parse."""

from __future__ import annotations

import pytest

from bot.briefs.lemmas import Lemmatizer, words


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("києві", "київ"),  # first parse: «кий»
        ("харкові", "харків"),  # first parse: the surname «харко»
        ("року", "рік"),  # first parse: «рок»
        ("війни", "війна"),  # first parse: the verb «війнути»
        ("росії", "росія"),
        ("заявив", "заявити"),
        ("2025", "2025"),
        ("isw", "isw"),
    ],
)
def test_lemma(lemmatizer: Lemmatizer, word: str, lemma: str) -> None:
    assert lemmatizer.lemma(word) == lemma


def test_lemmas_skip_stop_words_and_keep_content(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("Він заявив, що у Києві цього року не було війни") == [
        "київ",
        "рік",
        "війна",
    ]


def test_words_keep_apostrophes_and_hyphens() -> None:
    assert words("Об’єднання північно-східних громад, 2,5 млн") == [
        "об'єднання",
        "північно-східних",
        "громад",
        "2,5",
        "млн",
    ]


def test_analyser_loads_lazily() -> None:
    fresh = Lemmatizer()
    assert fresh._morph is None
    fresh.lemma("1234")
    assert fresh._morph is None  # numbers need no dictionary
    fresh.lemma("києві")
    assert fresh._morph is not None
