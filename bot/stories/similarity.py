"""Are two articles the same event?  One pair score, two guards, weights from the window.

The score (0..1) mixes three IDF-weighted views of the two articles:

    score = 0.4 · title support + 0.3 · cosine(title + lede) + 0.3 · cosine(title + body)

*Title support* is the weaker of the two directions "how much of A's title (by weight) appears
anywhere in B" — a reworded title is still told by the other article's text.  Weights are IDF
over the articles of the current window (:class:`DocumentFrequencies`): words every story uses
(«Україна», «область») weigh little, names and numbers of one event weigh much.

Two guards veto a pair whatever its score, because many different events share topic and place:

- **names**: the titles name someone or somewhere, and no title name of either article appears
  anywhere in the other (Брест / Гомель; «Кофемания» / «На спорте»);
- **numbers**: both titles carry numbers and none of either appears in the other's title or
  lede (прогноз на 8 / на 18 листопада).

Articles in different languages (a Ukrainian and a Russian edition) are compared on
:func:`~bot.stories.crosslang.skeleton` keys instead of lemmas.  The weights and the threshold
were tuned on ``ru_honey_pool.tsv`` only (see benchmarks/stories.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.stories.crosslang import skeleton
from bot.stories.features import ArticleFeatures

__all__ = [
    "THRESHOLD",
    "DocumentFrequencies",
    "Idf",
    "PairScore",
    "Prepared",
    "compare",
]

THRESHOLD = 0.55  # lowest score with pairwise precision ≥ 0.95 on ru_honey_pool.tsv
W_TITLE, W_HEAD, W_BODY = 0.4, 0.3, 0.3
_PRIOR_DOCS = 20  # pseudo-documents, so that a near-empty window still weighs words sensibly
_Weight = Callable[[str], float]


class _View:
    """One key space (lemmas, or cross-language skeletons) of an article, as frozensets."""

    __slots__ = ("all", "full", "head", "lede_numbers", "names", "numbers", "title")

    def __init__(self, f: ArticleFeatures, key: str | None) -> None:
        def keys(values: Iterable[str]) -> frozenset[str]:
            return frozenset(values) if key is None else frozenset(skeleton(v, key) for v in values)

        self.title = keys(f.title)
        self.head = self.title | keys(f.lede)
        self.full = self.title | keys(f.body)
        self.names = keys(f.names)
        self.all = self.full | self.names | keys(f.text_names)
        self.numbers = frozenset(f.numbers)
        self.lede_numbers = self.numbers | frozenset(f.lede_numbers)


class Prepared:
    """An article's features ready to compare: sets built once, norms cached per IDF snapshot."""

    __slots__ = ("_cross", "_norms", "features", "plain")

    def __init__(self, features: ArticleFeatures) -> None:
        self.features = features
        self.plain = _View(features, None)
        self._cross: _View | None = None
        self._norms: dict[tuple[int, bool], tuple[float, float, float]] = {}

    @property
    def language(self) -> str:
        return self.features.language

    def cross(self) -> _View:
        if self._cross is None:
            self._cross = _View(self.features, self.features.language)
        return self._cross

    def view(self, cross: bool) -> _View:
        return self.cross() if cross else self.plain

    def norms(self, idf: Idf, cross: bool) -> tuple[float, float, float]:
        """(Σ weight of title, ‖title + lede‖, ‖title + body‖) under ``idf``."""
        cache_key = (idf.generation, cross)
        norms = self._norms.get(cache_key)
        if norms is None:
            view = self.view(cross)
            weight = idf.cross if cross else idf.plain
            norms = (
                sum(weight(k) for k in view.title),
                math.sqrt(sum(weight(k) ** 2 for k in view.head)),
                math.sqrt(sum(weight(k) ** 2 for k in view.full)),
            )
            self._norms = {cache_key: norms}
        return norms


class Idf:
    """IDF weights frozen at one moment (a snapshot of :class:`DocumentFrequencies`)."""

    __slots__ = ("_cross", "_default", "_log_total", "_plain", "generation")

    def __init__(self, plain: Counter[str], cross: Counter[str], docs: int, generation: int):
        self._plain = plain
        self._cross = cross
        self._log_total = math.log(docs + _PRIOR_DOCS)
        self._default = self._log_total - math.log(0.5)
        self.generation = generation

    def plain(self, key: str) -> float:
        df = self._plain.get(key)
        return self._default if df is None else self._log_total - math.log(df + 0.5)

    def cross(self, key: str) -> float:
        df = self._cross.get(key)
        return self._default if df is None else self._log_total - math.log(df + 0.5)


class DocumentFrequencies:
    """How many articles of the window contain each key; IDF snapshots are refreshed every
    ``refresh`` changes (so cached norms stay valid between refreshes)."""

    def __init__(self, refresh: int = 64) -> None:
        self._plain: Counter[str] = Counter()
        self._cross: Counter[str] = Counter()
        self._docs = 0
        self._refresh = refresh
        self._changes = 0
        self._generation = 0
        self._idf: Idf | None = None

    def __len__(self) -> int:
        return self._docs

    def add(self, article: Prepared) -> None:
        self._update(article, 1)

    def remove(self, article: Prepared) -> None:
        self._update(article, -1)

    def _update(self, article: Prepared, sign: int) -> None:
        for counter, view in ((self._plain, article.plain), (self._cross, article.cross())):
            for key in view.all:
                count = counter[key] + sign
                if count > 0:
                    counter[key] = count
                else:
                    del counter[key]
        self._docs += sign
        self._changes += 1

    def idf(self) -> Idf:
        """The current snapshot (a copy of the counts, taken again after ``refresh`` changes)."""
        if self._idf is None or self._changes >= self._refresh:
            self._generation += 1
            self._idf = Idf(
                Counter(self._plain), Counter(self._cross), self._docs, self._generation
            )
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
    weight = idf.cross if cross else idf.plain
    title_a, head_a, full_a = a.norms(idf, cross)
    title_b, head_b, full_b = b.norms(idf, cross)
    support = min(
        _share(va.title & vb.all, weight, title_a), _share(vb.title & va.all, weight, title_b)
    )
    head = _cosine(va.head & vb.head, weight, head_a * head_b)
    body = _cosine(va.full & vb.full, weight, full_a * full_b)
    score = W_TITLE * support + W_HEAD * head + W_BODY * body
    return PairScore(score, support, head, body, _veto(va, vb))


def _share(common: frozenset[str], weight: _Weight, total: float) -> float:
    return sum(weight(k) for k in common) / total if total else 0.0


def _cosine(common: frozenset[str], weight: _Weight, norms: float) -> float:
    return sum(weight(k) ** 2 for k in common) / norms if norms else 0.0


def _veto(a: _View, b: _View) -> str | None:
    if (a.names or b.names) and a.names.isdisjoint(b.all) and b.names.isdisjoint(a.all):
        return "names"
    if (
        a.numbers
        and b.numbers
        and a.numbers.isdisjoint(b.lede_numbers)
        and b.numbers.isdisjoint(a.lede_numbers)
    ):
        return "numbers"
    return None
