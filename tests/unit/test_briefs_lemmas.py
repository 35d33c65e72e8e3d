"""Lemmas for sentence comparison: noun readings preferred over pymorphy3's first parse."""

from __future__ import annotations

import pytest

from bot.briefs.lemmas import LEMMA_CACHE_SIZE, Lemmatizer, words
from tests.unit.word_forms import distinct_words


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


def test_the_cache_keeps_only_the_most_recent_words() -> None:
    lemmatizer = Lemmatizer(cache_size=64)
    for word in distinct_words(500):
        lemmatizer.lemma(word)
    assert lemmatizer.cached_words == 64
    # A word that left the cache is parsed again, to the same lemma.
    first = lemmatizer.lemma("києві")
    for word in distinct_words(100):
        lemmatizer.lemma(word)
    assert lemmatizer.lemma("києві") == first == "київ"
    assert lemmatizer.cached_words == 64


def test_numbers_and_latin_words_are_not_cached() -> None:
    lemmatizer = Lemmatizer()
    for n in range(1000):
        assert lemmatizer.lemma(str(n)) == str(n)
    assert lemmatizer.lemma("isw") == "isw"
    assert lemmatizer.lemma("року") == "рік"  # an override: no parse, no cache entry
    assert lemmatizer.cached_words == 0


def test_the_default_cache_is_a_few_mebibytes_at_most() -> None:
    # ~230 bytes a word when full (the soak benchmark's figure): at most ~4.5 MiB.
    assert 4096 <= LEMMA_CACHE_SIZE <= 20_000
