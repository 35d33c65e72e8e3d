"""Are two articles the same event?  One pair score, two guards, weights from the window.

The score (0..1) mixes three IDF-weighted views of the two articles:

    score = 0.4 · title support + 0.3 · cosine(title + lede) + 0.3 · cosine(title + body)

*Title support* is the weaker of the two directions "how much of A's title (by weight) appears
anywhere in B" — a reworded title is still told by the other article's text.  Weights are IDF
over the stories of the current window (:class:`DocumentFrequencies`): words every story uses
(«Україна», «область») weigh little, names and numbers of one event weigh much.

Two guards veto a pair whatever its score, because many different events share topic and place:

- **names**: the titles name someone or somewhere, and no title name of either article appears
  anywhere in the other (Брест / Гомель; «Кофемания» / «На спорте»); the country names every
  report carries (:data:`GENERIC_NAMES`) do not count;
- **numbers**: both titles carry numbers and none of either appears in the other's title or
  lede (прогноз на 8 / на 18 листопада).

Articles in different languages (a Ukrainian and a Russian edition) are compared on
:func:`~bot.stories.crosslang.skeleton` keys instead of lemmas.  The threshold is the lowest
with pairwise precision ≥ 0.95 on ``ru_honey_pool.tsv``; weights and guards were chosen on it
and on ``tests/data/stories/uk_dev.jsonl`` (figures and held-out sets: benchmarks/stories.py).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from bot.stories.crosslang import skeleton
from bot.stories.features import ArticleFeatures

__all__ = [
    "GENERIC_NAMES",
    "SKELETON_CACHE_SIZE",
    "THRESHOLD",
    "DocumentFrequencies",
    "Idf",
    "PairScore",
    "Prepared",
    "SkeletonCache",
    "compare",
]

# Names nearly every report here carries: a title that names only these names no one in
# particular, so they neither vouch for a pair nor veto it (measured on uk_dev: half of the
# same-event pairs the names guard split were «Україна» in one title only).
GENERIC_NAMES = frozenset({"україна", "украина", "росія", "россия", "рф"})
THRESHOLD = 0.53  # the lowest with pairwise precision ≥ 0.95 on ru_honey_pool.tsv (benchmark)
W_TITLE, W_HEAD, W_BODY = 0.4, 0.3, 0.3
# Lemmas whose cross-language keys are memoised, ~250-300 bytes each (~2.2 MiB when full); a
# lemma that left the memo costs one translate() and one regex when it comes back, and its
# key one more string.  An index of 875 stories (12 hours of a real bot) takes the same
# memory with 4 096, 8 192 or 16 384 entries; 16 384 took 30 minutes of the soak to fill.
SKELETON_CACHE_SIZE = 8_192
_PRIOR_DOCS = 20  # pseudo-documents, so that a near-empty window still weighs words sensibly


class _View:
    """One key space (lemmas, or cross-language skeletons) of an article, as frozensets."""

    __slots__ = ("full", "head", "lede_numbers", "names", "numbers", "text_names", "title")

    def __init__(self, f: ArticleFeatures, key: Callable[[str], str] | None) -> None:
        def keys(values: Iterable[str]) -> frozenset[str]:
            return frozenset(values) if key is None else frozenset(map(key, values))

        self.title = keys(f.title)
        self.head = self.title | keys(f.lede)
        self.full = self.title | keys(f.body)
        self.names = keys(n for n in f.names if n not in GENERIC_NAMES)
        self.text_names = keys(f.text_names)
        self.numbers = frozenset(f.numbers)
        self.lede_numbers = self.numbers | frozenset(f.lede_numbers)

    def found(self, keys: frozenset[str]) -> frozenset[str]:
        """The ``keys`` that occur anywhere in this article (words or names)."""
        return (keys & self.full) | (keys & self.names) | (keys & self.text_names)

    def every_key(self) -> frozenset[str]:
        return self.full | self.names | self.text_names


class SkeletonCache:
    """:func:`~bot.stories.crosslang.skeleton` with a bounded LRU memo (one per index).

    The memo also makes articles share one string per key.  It keeps the keys of the
    :data:`SKELETON_CACHE_SIZE` most recently used lemmas: a news stream keeps bringing new
    ones, and a memo that kept every lemma grew the bot by ~6 KiB per article
    (benchmarks/soak.py).  Latin words and numbers are their own keys and are not cached.
    """

    def __init__(self, size: int = SKELETON_CACHE_SIZE) -> None:
        self._cached = functools.lru_cache(maxsize=max(1, size))(skeleton)

    @property
    def cached_keys(self) -> int:
        """How many lemmas' keys the memo holds now."""
        return self._cached.cache_info().currsize

    def key_function(self, language: str) -> Callable[[str], str]:
        # skeleton() tells only Russian from the rest: one entry per lemma for the others.
        language = "ru" if language == "ru" else "uk"
        cached = self._cached

        def key(lemma: str) -> str:
            return lemma if lemma.isascii() else cached(lemma, language)

        return key


class Prepared:
    """An article's features ready to compare: sets built once, norms cached per IDF snapshot."""

    __slots__ = ("_cross", "_norms", "_skeletons", "features", "plain")

    def __init__(self, features: ArticleFeatures, skeletons: SkeletonCache | None = None) -> None:
        self.features = features
        self.plain = _View(features, None)
        self._skeletons = skeletons
        self._cross: _View | None = None
        self._norms: dict[tuple[int, bool], tuple[float, float, float]] = {}

    @property
    def language(self) -> str:
        return self.features.language

    def cross(self) -> _View:
        if self._cross is None:
            language = self.features.language
            key = (
                self._skeletons.key_function(language)
                if self._skeletons is not None
                else lambda lemma: skeleton(lemma, language)
            )
            self._cross = _View(self.features, key)
        return self._cross

    def view(self, cross: bool) -> _View:
        return self.cross() if cross else self.plain

    def norms(self, idf: Idf, cross: bool) -> tuple[float, float, float]:
        """(Σ weight of title, ‖title + lede‖, ‖title + body‖) under ``idf``."""
        cache_key = (idf.generation, cross)
        norms = self._norms.get(cache_key)
        if norms is None:
            view = self.view(cross)
            weight, square = idf.weights(cross)
            norms = (
                _sum(weight, view.title),
                math.sqrt(_sum(square, view.head)),
                math.sqrt(_sum(square, view.full)),
            )
            if len(self._norms) > 1:
                self._norms.clear()
            self._norms[cache_key] = norms
        return norms


class _Weights(dict[str, float]):
    """key → IDF weight (or its square), computed from the live counts on first use."""

    def __init__(self, counts: Counter[str], log_total: float, square: bool) -> None:
        super().__init__()
        self._counts = counts
        self._log_total = log_total
        self._square = square

    def __missing__(self, key: str) -> float:
        weight = self._log_total - math.log(self._counts.get(key, 0) + 0.5)
        if self._square:
            weight *= weight
        self[key] = weight
        return weight


class Idf:
    """IDF weights of one snapshot: each key's weight is fixed when first used in it."""

    __slots__ = ("_cross", "_plain", "generation")

    def __init__(self, plain: Counter[str], cross: Counter[str], docs: int, generation: int):
        log_total = math.log(docs + _PRIOR_DOCS)
        self._plain = (_Weights(plain, log_total, False), _Weights(plain, log_total, True))
        self._cross = (_Weights(cross, log_total, False), _Weights(cross, log_total, True))
        self.generation = generation

    def weights(self, cross: bool) -> tuple[_Weights, _Weights]:
        """(weight, squared weight) look-ups of the lemma or the cross-language key space."""
        return self._cross if cross else self._plain

    def plain(self, key: str) -> float:
        return self._plain[0][key]

    def cross(self, key: str) -> float:
        return self._cross[0][key]


class DocumentFrequencies:
    """In how many stories of the window each key occurs (IDF counts *stories*: the words all
    reports of one event share must not lose weight because four outlets used them).

    The IDF snapshot is renewed once the window has changed by an eighth (stories opened or
    dropped since the last renewal), so that cached norms stay valid between renewals and the
    weights follow the window as it grows.
    """

    def __init__(self, refresh_share: int = 8) -> None:
        self._plain: Counter[str] = Counter()
        self._cross: Counter[str] = Counter()
        self._stories: dict[Hashable, tuple[Counter[str], Counter[str]]] = {}
        self._share = refresh_share
        self._changes = 0
        self._generation = 0
        self._idf: Idf | None = None

    def __len__(self) -> int:
        return len(self._stories)

    def add(self, article: Prepared, story: Hashable) -> None:
        """Count the article's keys for ``story`` (new keys of the story count once)."""
        keys = self._stories.get(story)
        if keys is None:
            keys = self._stories[story] = (Counter(), Counter())
            self._changes += 1
        for total, own, view in (
            (self._plain, keys[0], article.plain),
            (self._cross, keys[1], article.cross()),
        ):
            for key in view.every_key():
                if not own[key]:
                    total[key] += 1
                own[key] += 1

    def remove_story(self, story: Hashable) -> None:
        keys = self._stories.pop(story, None)
        if keys is None:
            return
        for total, own in ((self._plain, keys[0]), (self._cross, keys[1])):
            for key in own:
                count = total[key] - 1
                if count > 0:
                    total[key] = count
                else:
                    del total[key]
        self._changes += 1

    def idf(self) -> Idf:
        """The current snapshot (renewed after enough changes)."""
        stories = len(self._stories)
        if self._idf is None or self._changes >= max(1, stories // self._share):
            self._generation += 1
            self._idf = Idf(self._plain, self._cross, stories, self._generation)
            self._changes = 0
        return self._idf


@dataclass(frozen=True, slots=True)
class PairScore:
    """The score of a pair, its parts, and the guard that vetoed it (None when none did)."""

    score: float
    title_support: float
    head_cosine: float
    body_cosine: float
    veto: str | None = None  # "names" or "numbers"

    def same_story(self, threshold: float = THRESHOLD) -> bool:
        return self.veto is None and self.score >= threshold

    def explain(self) -> str:
        parts = (
            f"score {self.score:.2f} (title {self.title_support:.2f}, "
            f"lede {self.head_cosine:.2f}, body {self.body_cosine:.2f})"
        )
        return f"{parts}, vetoed: {self.veto} disagree" if self.veto else parts


def compare(a: Prepared, b: Prepared, idf: Idf) -> PairScore:
    """The pair score of two articles under ``idf`` (symmetric)."""
    cross = a.language != b.language and "other" not in (a.language, b.language)
    va, vb = a.view(cross), b.view(cross)
    weight, square = idf.weights(cross)
    title_a, head_a, full_a = a.norms(idf, cross)
    title_b, head_b, full_b = b.norms(idf, cross)
    support = min(
        _ratio(_sum(weight, vb.found(va.title)), title_a),
        _ratio(_sum(weight, va.found(vb.title)), title_b),
    )
    head = _ratio(_sum(square, va.head & vb.head), head_a * head_b)
    body = _ratio(_sum(square, va.full & vb.full), full_a * full_b)
    score = W_TITLE * support + W_HEAD * head + W_BODY * body
    return PairScore(score, support, head, body, _veto(va, vb))


def _sum(weights: _Weights, keys: frozenset[str]) -> float:
    return sum(map(weights.__getitem__, keys))


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _veto(a: _View, b: _View) -> str | None:
    if (a.names or b.names) and not b.found(a.names) and not a.found(b.names):
        return "names"
    if (
        a.numbers
        and b.numbers
        and a.numbers.isdisjoint(b.lede_numbers)
        and b.numbers.isdisjoint(a.lede_numbers)
    ):
        return "numbers"
    return None
