"""Lemmas of Ukrainian words for comparing sentences: pymorphy3 with the Ukrainian dictionary.

The Ukrainian dictionary has no frequency scores, so pymorphy3's first parse is often a rare
reading: «Києві» → «кий» (a name), «Харкові» → «харко» (a surname), «року» → «рок».  We prefer
a common-noun reading, then any noun, then the first parse, and keep a short list of overrides
for frequent news words whose wrong reading is also a common noun.

One :class:`Lemmatizer` per process: the analyser loads lazily on first use and the lemmas of
the most recently used words are cached, so a news article costs a few dictionary look-ups.
The cache is a bounded LRU (:data:`LEMMA_CACHE_SIZE` words): a news stream keeps bringing new
word forms (names, places), and an unbounded cache grew the bot by about 13 KiB per article
(benchmarks/soak.py).  Numbers and non-Cyrillic words are their own lemmas and are not cached.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

__all__ = ["LEMMA_CACHE_SIZE", "STOP_LEMMAS", "Lemmatizer", "words"]

_WORD = re.compile(r"[^\W\d_](?:[\w'’ʼ-]*[^\W\d_])?|\d+(?:[.,]\d+)?")
_APOSTROPHES = re.compile("[’ʼ`]")
_PROPER = frozenset({"Name", "Surn", "Patr"})
_OVERRIDES = {
    "року": "рік",
    "році": "рік",
    "рік": "рік",
    "роком": "рік",
    "мир": "мир",
    "миру": "мир",
    "світу": "світ",
    "країни": "країна",
}
# About 230 bytes a word (the word, its lemma, the LRU's links): ~3.7 MiB when full.  On the
# Brown-UK press texts it misses 36 % of content words against 32 % for an unbounded cache
# (most misses are words seen once); 8 192 would miss 45 %.
LEMMA_CACHE_SIZE = 16_384

# Function words and news verbs of saying that carry no topic.
_STOP_WORDS = (
    "а аби адже але б без би бо був бути в вже ви від для до же з за значить і із із-за їх й "
    "його як який яка які яке коли ми між мій на над наш не ні ним них ну о об один однак от "
    "отже по поки при про під раз саме свій себе собі так також там те тим то тобто того тож "
    "той тому тут у хоч хоча це цей ця ці чи що щоб якщо я він вона воно вони ще де чому де-не- "
    "де мати могти може можна має дуже лише тільки ж через після перед понад щодо близько вона "
    "усе все весь всі усі інший інша інші кожен наразі зокрема нібито ніби навіть більш більше "
    "менш менше так-само сказати заявити повідомити зазначити розповісти додати наголосити "
    "казати говорити "
)
STOP_LEMMAS = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """Word tokens (letters, with inner apostrophes and hyphens) and numbers, lower-cased."""
    return _WORD.findall(_APOSTROPHES.sub("'", text.lower()))  # faster than str.translate


class Lemmatizer:
    """Word → lemma with pymorphy3-dicts-uk, noun readings preferred, the recent ones cached."""

    def __init__(self, cache_size: int = LEMMA_CACHE_SIZE) -> None:
        self._morph: Any = None
        self._lock = threading.Lock()
        # Per instance, not per module: no cache outlives its lemmatiser.
        self._cached_lemma = functools.lru_cache(maxsize=max(1, cache_size))(self._parse)

    @property
    def cached_words(self) -> int:
        """How many words' lemmas the cache holds now."""
        return self._cached_lemma.cache_info().currsize

    def _analyser(self) -> Any:
        if self._morph is None:
            with self._lock:
                if self._morph is None:
                    import pymorphy3

                    self._morph = pymorphy3.MorphAnalyzer(lang="uk")
        return self._morph

    def lemma(self, word: str) -> str:
        """The lemma of a lower-cased word; numbers and non-Cyrillic words stay as they are."""
        if word[0].isdigit() or not _is_cyrillic(word):
            return word
        return _OVERRIDES.get(word) or self._cached_lemma(word)

    def _parse(self, word: str) -> str:
        return _pick(self._analyser().parse(word), word)

    def lemmas(self, text: str) -> list[str]:
        """Lemmas of the content words of ``text`` (stop words and one-letter words left out)."""
        lemma = self.lemma
        out = []
        for word in words(text):
            if len(word) < 2 or word in STOP_LEMMAS:
                continue
            form = lemma(word)
            if form not in STOP_LEMMAS:
                out.append(form)
        return out


def _is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[0] <= "\u04ff"


def _pick(parses: list[Any], word: str) -> str:
    """The most likely lemma: a common noun, else any noun, else the first reading."""
    if not parses:
        return word
    best: Any = None
    best_rank = 9
    for parse in parses:
        tag = parse.tag
        rank = 3
        if tag.POS == "NOUN":
            rank = 1 if _PROPER.isdisjoint(tag.grammemes) else 2
        if rank < best_rank:
            best, best_rank = parse, rank
            if rank == 1:
                break
    return str(best.normal_form)
