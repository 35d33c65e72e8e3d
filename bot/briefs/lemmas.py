"""Lemmas of Ukrainian words for comparing sentences: pymorphy3 with the Ukrainian dictionary.

The Ukrainian dictionary has no frequency scores, so pymorphy3's first parse is often a rare
reading: «Києві» → «кий» (a name), «Харкові» → «харко» (a surname), «року» → «рок».  We prefer
a common-noun reading, then any noun, then the first parse, and keep a short list of overrides
for frequent news words whose wrong reading is also a common noun.

One :class:`Lemmatizer` per process: the analyser loads lazily on first use and every word's
lemma is cached, so a news article costs a few dictionary look-ups.
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["STOP_LEMMAS", "Lemmatizer", "words"]

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
_CACHE_LIMIT = 200_000

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
    """Word → lemma with pymorphy3-dicts-uk, noun readings preferred, cached per process."""

    def __init__(self) -> None:
        self._morph: Any = None
        self._cache: dict[str, str] = dict(_OVERRIDES)
        self._lock = threading.Lock()

    def _analyser(self) -> Any:
        if self._morph is None:
            with self._lock:
                if self._morph is None:
                    import pymorphy3

                    self._morph = pymorphy3.MorphAnalyzer(lang="uk")
        return self._morph

    def lemma(self, word: str) -> str:
        """The lemma of a lower-cased word; numbers and unknown words stay as they are."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if word[0].isdigit() or not _is_cyrillic(word):
            lemma = word
        else:
            lemma = _pick(self._analyser().parse(word), word)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = lemma
        return lemma

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
