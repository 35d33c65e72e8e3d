"""An article's text → the features a story match needs (pure, cached lemmas, JSON-friendly).

What is kept (all lower-case lemmas, Ukrainian or Russian, numbers as written without spaces):

- ``title``, ``lede`` (the first sentences, about :data:`LEDE_CHARS`), ``body`` (the first
  :data:`BODY_CHARS` of the text): sets of content lemmas — function words and verbs of saying
  left out;
- ``names``: proper names in the title (persons, places, organisations, brands), found by case
  (a capital letter not at a sentence start, an abbreviation, a Latin word) or, at a sentence
  start, by the Russian dictionary's tags or by the same lemma capitalised elsewhere;
  ``text_names``: the same for the body;
- ``numbers`` in the title and ``lede_numbers`` in the lede.

:meth:`ArticleFeatures.to_json` / :meth:`ArticleFeatures.from_json` store them beside the article
(about 2–4 KB); reloading them costs no lemmatisation.  :data:`FEATURES_VERSION` changes when
the extraction changes, so stored features of an older version are recomputed.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.briefs.lemmas import LEMMA_CACHE_SIZE, STOP_LEMMAS, Lemmatizer
from bot.stories.crosslang import RU_STOP_LEMMAS
from bot.stories.vocabulary import NUMERAL_WORDS, SYNONYMS
from bot.uk import detect_language

__all__ = [
    "BODY_CHARS",
    "FEATURES_VERSION",
    "LEDE_CHARS",
    "ArticleFeatures",
    "FeatureExtractor",
    "RussianLemmatizer",
]

FEATURES_VERSION = 1
LEDE_CHARS = 300  # whole sentences until at least this many characters
BODY_CHARS = 2000

_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)?)"
    r"|(?P<word>[^\W\d_](?:[\w'’ʼ-]*[^\W\d_])?)"
    r"|(?P<stop>[.!?…:;]+|\n)"
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"”)]*\s+(?=[«\"„(]?[A-ZА-ЯЁІЇЄҐ0-9])")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
_UK_ONLY = re.compile(r"[іїєґ]")
_RU_ONLY = re.compile(r"[ыэъё]")
_PROPER_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# Capitalised words that are labels, not names («ВІДЕО», «Терміново: …»).
_LABELS = (
    "фото відео видео онлайн наживо терміново блискавка срочно молния оновлено обновлено "
    "ексклюзив эксклюзив інфографіка инфографика релиз реліз новини новости"
)
_NOT_NAMES = frozenset(_LABELS.split())
_ABBREVIATION_MAX = 6  # an all-capitals word up to this long is an abbreviation (ЗСУ, МАГАТЕ)


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """What the matcher compares; tuples of sorted unique strings so that JSON round-trips."""

    language: str  # "uk", "ru" or "other"
    title: tuple[str, ...]
    lede: tuple[str, ...]
    body: tuple[str, ...]
    names: tuple[str, ...]
    text_names: tuple[str, ...]
    numbers: tuple[str, ...]
    lede_numbers: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (store it beside the article; :meth:`from_json` reads it back)."""
        return {
            "v": FEATURES_VERSION,
            "lang": self.language,
            "title": list(self.title),
            "lede": list(self.lede),
            "body": list(self.body),
            "names": list(self.names),
            "text_names": list(self.text_names),
            "numbers": list(self.numbers),
            "lede_numbers": list(self.lede_numbers),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArticleFeatures:
        """Features stored by :meth:`to_json`; ValueError when they are of another version."""
        if data.get("v") != FEATURES_VERSION:
            found = data.get("v")
            raise ValueError(f"story features of version {found!r}, need {FEATURES_VERSION}")

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"story features: {key!r} is not a list of strings")
            return tuple(map(sys.intern, value))  # one copy of each word for the whole index

        return cls(
            language=str(data.get("lang", "other")),
            title=strings("title"),
            lede=strings("lede"),
            body=strings("body"),
            names=strings("names"),
            text_names=strings("text_names"),
            numbers=strings("numbers"),
            lede_numbers=strings("lede_numbers"),
        )


class RussianLemmatizer:
    """Word → lemma with pymorphy3-dicts-ru (its dictionary has frequencies: first parse wins);
    the most recent :data:`~bot.briefs.lemmas.LEMMA_CACHE_SIZE` words cached, like the
    Ukrainian :class:`~bot.briefs.lemmas.Lemmatizer` (a cache that kept every word grew with
    the news stream's vocabulary).  Numbers and non-Cyrillic words are not cached."""

    def __init__(self, cache_size: int = LEMMA_CACHE_SIZE) -> None:
        self._morph: Any = None
        self._lock = threading.Lock()
        self._cached_parse = functools.lru_cache(maxsize=max(1, cache_size))(self._parse)

    @property
    def cached_words(self) -> int:
        """How many words' parses the cache holds now."""
        return self._cached_parse.cache_info().currsize

    def _analyser(self) -> Any:
        if self._morph is None:
            with self._lock:
                if self._morph is None:
                    import pymorphy3

                    self._morph = pymorphy3.MorphAnalyzer(lang="ru")
        return self._morph

    def parse(self, word: str) -> tuple[str, bool]:
        """(lemma, is a proper name) of a lower-case word."""
        if word[0].isdigit() or not "\u0400" <= word[0] <= "\u04ff":
            return (word, False)
        return self._cached_parse(word)

    def _parse(self, word: str) -> tuple[str, bool]:
        best = self._analyser().parse(word)[0]
        return (
            str(best.normal_form).replace("ё", "е"),
            not _PROPER_TAGS.isdisjoint(best.tag.grammemes),
        )

    def lemma(self, word: str) -> str:
        return self.parse(word)[0]


def _language(title: str, text: str) -> str:
    sample = f"{title}\n{text[:2000]}"
    detected = detect_language(sample)
    if detected in ("uk", "ru"):
        return detected
    lower = sample.lower()
    uk, ru = len(_UK_ONLY.findall(lower)), len(_RU_ONLY.findall(lower))
    if uk or ru:
        return "uk" if uk >= ru else "ru"
    return "other"


def _number(raw: str) -> str:
    digits = re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", ".")
    if "." in digits:
        return digits.rstrip("0").rstrip(".") or "0"
    return digits.lstrip("0") or "0"


def lede_of(text: str, chars: int = LEDE_CHARS) -> str:
    """The first whole sentences of ``text`` adding up to at least ``chars`` characters."""
    out: list[str] = []
    length = 0
    for sentence in _SENTENCE_END.split(text.strip(), maxsplit=20):
        if length >= chars:
            break
        out.append(sentence)
        length += len(sentence) + 1
    return " ".join(out)[: chars * 2]


@dataclass(slots=True)
class _Scan:
    lemmas: list[str]
    numbers: list[str]
    names: list[str]
    initial: list[tuple[str, str]]  # (lemma, word) of capitalised sentence-initial words


class FeatureExtractor:
    """Text → :class:`ArticleFeatures`; one per process (it owns the lazily loaded dictionaries).

    Pass the Ukrainian :class:`~bot.briefs.lemmas.Lemmatizer` the briefs already use to share
    its dictionary and cache.  CPU-bound (≈ 1 ms per article once warm): async callers run it
    via ``asyncio.to_thread``.
    """

    def __init__(self, uk: Lemmatizer | None = None, ru: RussianLemmatizer | None = None) -> None:
        self._uk = uk or Lemmatizer()
        self._ru = ru or RussianLemmatizer()

    def extract(self, title: str, text: str) -> ArticleFeatures:
        title = " ".join(title.split())
        text = text.strip()
        language = _language(title, text)
        lede = lede_of(text)
        body = text[:BODY_CHARS]
        head = self._scan(title, language)
        first = self._scan(lede, language)
        rest = self._scan(body, language)
        seen = {*head.names, *rest.names}
        for scan in (head, rest):
            scan.names.extend(
                lemma
                for lemma, word in scan.initial
                if self._initial_name(lemma, word, language, seen)
            )
        return ArticleFeatures(
            language=language,
            title=_sorted(head.lemmas),
            lede=_sorted(first.lemmas),
            body=_sorted(rest.lemmas),
            names=_sorted(head.names),
            text_names=_sorted(rest.names),
            numbers=_sorted(head.numbers),
            lede_numbers=_sorted(first.numbers),
        )

    def _initial_name(self, lemma: str, word: str, language: str, seen: set[str]) -> bool:
        if lemma in seen:
            return True
        return language == "ru" and self._ru.parse(word.lower())[1]

    def _lemma(self, word: str, language: str) -> str:
        if language == "ru" or (language == "other" and _RU_ONLY.search(word)):
            return self._ru.lemma(word)
        return self._uk.lemma(word)

    def _scan(self, text: str, language: str) -> _Scan:
        table = "ru" if language == "ru" else "uk"
        stop = RU_STOP_LEMMAS if table == "ru" else STOP_LEMMAS
        numerals, synonyms = NUMERAL_WORDS[table], SYNONYMS[table]
        scan = _Scan([], [], [], [])
        at_start = True
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "stop":
                at_start = True
                continue
            raw = match.group()
            numeral = numerals.get(raw.lower().translate(_APOSTROPHES)) if kind == "word" else None
            if kind == "num" or numeral:
                number = numeral or _number(raw)
                scan.numbers.append(number)
                scan.lemmas.append(number)
                at_start = False
                continue
            word = raw.translate(_APOSTROPHES)
            lower = word.lower()
            starts = at_start
            at_start = False
            if len(lower) < 2 or lower in stop:
                continue
            lemma = self._lemma(lower, language)
            lemma = synonyms.get(lemma, lemma)
            if lemma in stop:
                continue
            scan.lemmas.append(lemma)
            if not word[0].isupper() and not (word.isascii() and not word.islower()):
                continue
            if lemma in _NOT_NAMES or lower in _NOT_NAMES:
                continue
            if word.isupper() and len(word) > 1:
                if len(word) <= _ABBREVIATION_MAX or word.isascii():
                    scan.names.append(lemma)
            elif word.isascii() or not starts:
                scan.names.append(lemma)
            else:
                scan.initial.append((lemma, word))
        return scan


def _sorted(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))
