"""The story matcher's word caches stay bounded however many new words a news stream brings.

Both used to be dicts that kept every word up to 200 000 entries (tens of MiB), growing with
the vocabulary for weeks — the pattern the soak benchmark found in the Ukrainian lemmatiser.
"""

from __future__ import annotations

from bot.stories.crosslang import skeleton
from bot.stories.features import RussianLemmatizer
from bot.stories.similarity import SKELETON_CACHE_SIZE, SkeletonCache
from tests.unit.word_forms import distinct_words


def test_the_skeleton_cache_keeps_only_the_most_recent_lemmas() -> None:
    cache = SkeletonCache(size=64)
    uk, ru = cache.key_function("uk"), cache.key_function("ru")
    for lemma in distinct_words(500):
        assert uk(lemma) == skeleton(lemma, "uk")
    assert cache.cached_keys == 64
    assert ru("украина") == skeleton("украина", "ru") == uk("україна")
    assert cache.cached_keys == 64


def test_other_languages_share_the_ukrainian_entries_and_latin_is_not_cached() -> None:
    cache = SkeletonCache()
    cache.key_function("uk")("харків")
    assert cache.key_function("other")("харків") == skeleton("харків", "other")
    for key in ("brent", "2025", "isw"):
        assert cache.key_function("ru")(key) == key
    assert cache.cached_keys == 1


def test_the_default_skeleton_cache_is_a_few_mebibytes_at_most() -> None:
    assert 4096 <= SKELETON_CACHE_SIZE <= 20_000


def test_the_russian_lemmatiser_keeps_only_the_most_recent_words() -> None:
    lemmatizer = RussianLemmatizer(cache_size=64)
    first = lemmatizer.parse("москве")
    for word in distinct_words(500):
        lemmatizer.parse(word)
    assert lemmatizer.cached_words == 64
    assert lemmatizer.parse("москве") == first == ("москва", True)  # parsed again, the same
    for number in range(100):
        lemmatizer.parse(str(number))
    assert lemmatizer.parse("brent") == ("brent", False)
    assert lemmatizer.cached_words == 64
