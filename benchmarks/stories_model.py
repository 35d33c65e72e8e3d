"""Would a learned pair model beat the hand-weighted story score?  Measured, not shipped.

    .venv/bin/python benchmarks/stories_model.py [--data DIR]

Logistic regression (scikit-learn, the ``bench`` extra) over 10 pair features — the three parts
of :func:`bot.stories.similarity.compare` (title support, title + lede and title + body cosines
on IDF-weighted lemmas), the other direction of title support, the title-only cosine, character
3–5-gram TF-IDF cosines of titles, of title + lede and of the first 2 000 characters (they see
through Ukrainian/Russian morphology), names overlap and shared numbers — trained on
``ru_honey_pool.tsv`` only.  The guards stay hard vetoes (a vetoed pair is "different"), as in
the bot; the model scores the other pairs.  Folds group pairs that share an article (five
folds, repeated five times), and the threshold is the lowest with precision ≥ 0.95 on the
out-of-fold predictions, so the figure is comparable with the hand score's threshold chosen
on the same pool.  Then the model fitted on the whole pool scores ``uk_dev`` pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stories import DEFAULT_DATA, HELD_OUT, OWN, TUNE, Doc, Pair, load_pairs  # noqa: E402

from bot.stories.features import BODY_CHARS, FeatureExtractor, lede_of  # noqa: E402
from bot.stories.similarity import DocumentFrequencies, Idf, Prepared, compare  # noqa: E402

FEATURES = ("support", "support_max", "head", "body", "title_cos", "char_title", "char_head",
            "char_body", "names", "numbers")  # fmt: skip
HAND = ("support", "head", "body")


class Corpus:
    """Articles with their features, IDF over all of them, character n-gram vectors."""

    def __init__(self, docs: Sequence[Doc], extractor: FeatureExtractor) -> None:
        self.docs = list(dict.fromkeys(docs))
        self.prepared = {d: Prepared(extractor.extract(*d)) for d in self.docs}
        frequencies = DocumentFrequencies()
        for n, article in enumerate(self.prepared.values()):
            frequencies.add(article, n)
        self.idf: Idf = frequencies.idf()
        views = {
            "title": [t for t, _ in self.docs],
            "head": [f"{t} {lede_of(x)}" for t, x in self.docs],
            "body": [f"{t} {x[:BODY_CHARS]}" for t, x in self.docs],
        }
        self.chars = {}
        for name, texts in views.items():
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
            matrix = vectorizer.fit_transform([t.lower() for t in texts])
            self.chars[name] = {d: matrix[i] for i, d in enumerate(self.docs)}

    def pair(self, a: Doc, b: Doc) -> tuple[list[float], bool, float]:
        """(features, vetoed, hand score) of a pair."""
        pa, pb = self.prepared[a], self.prepared[b]
        score = compare(pa, pb, self.idf)
        cross = pa.language != pb.language
        va, vb = pa.view(cross), pb.view(cross)
        weight, square = self.idf.weights(cross)

        def total(keys: frozenset[str], table: dict[str, float] = weight) -> float:
            return sum(table[k] for k in keys)

        def share(part: float, whole: float) -> float:
            return part / whole if whole else 0.0

        other = max(share(total(vb.found(va.title)), total(va.title)),
                    share(total(va.found(vb.title)), total(vb.title)))  # fmt: skip
        title_cos = share(total(va.title & vb.title, square),
                          math.sqrt(total(va.title, square) * total(vb.title, square)))  # fmt: skip
        names_a, names_b = va.names | va.text_names, vb.names | vb.text_names
        values = {
            "support": score.title_support,
            "support_max": other,
            "head": score.head_cosine,
            "body": score.body_cosine,
            "title_cos": title_cos,
            **{
                f"char_{k}": float(self.chars[k][a].multiply(self.chars[k][b]).sum())
                for k in ("title", "head", "body")
            },
            "names": share(total(names_a & names_b), total(names_a | names_b)),
            "numbers": 1.0 if va.lede_numbers & vb.lede_numbers else 0.0,
        }
        return [values[f] for f in FEATURES], score.veto is not None, score.score


def _groups(pairs: Sequence[Pair]) -> list[int]:
    """Connected components of the pairs' articles: a fold never splits one."""
    parent: dict[Doc, Doc] = {}

    def find(d: Doc) -> Doc:
        while parent.setdefault(d, d) != d:
            d = parent[d]
        return d

    for a, b, _ in pairs:
        parent[find(a)] = find(b)
    roots = {r: n for n, r in enumerate(dict.fromkeys(find(a) for a, _, _ in pairs))}
    return [roots[find(a)] for a, _, _ in pairs]


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
    scaler = StandardScaler().fit(x)
    return scaler, LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(x), y)


def out_of_fold(
    x: np.ndarray, y: np.ndarray, groups: Sequence[int], repeats: int = 5
) -> np.ndarray:
    """Each pair's probability from models that never saw its group (averaged over repeats)."""
    rng = np.random.default_rng(13)
    distinct = sorted(set(groups))
    total = np.zeros(len(y))
    for _ in range(repeats):
        fold_of = dict(zip(distinct, rng.permutation(len(distinct)) % 5, strict=True))
        folds = np.array([fold_of[g] for g in groups])
        for k in range(5):
            scaler, model = _fit(x[folds != k], y[folds != k])
            total[folds == k] += model.predict_proba(scaler.transform(x[folds == k]))[:, 1]
    return total / repeats


def recall_at(scores: np.ndarray, y: np.ndarray, precision: float = 0.95) -> tuple[float, float]:
    """(recall, threshold) at the lowest threshold with at least ``precision``."""
    for threshold in sorted(set(scores)):
        chosen = scores >= threshold
        tp, fp = int((chosen & (y == 1)).sum()), int((chosen & (y == 0)).sum())
        if tp and tp / (tp + fp) >= precision:
            return tp / int(y.sum()), float(threshold)
    return 0.0, 1.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    extractor = FeatureExtractor()
    honey = load_pairs(args.data / "stories" / TUNE)
    held = load_pairs(args.data / "stories" / HELD_OUT)
    corpus = Corpus([d for a, b, _ in [*honey, *held] for d in (a, b)], extractor)
    rows = [corpus.pair(a, b) for a, b, _ in honey]
    x = np.array([r[0] for r in rows])
    vetoed = np.array([r[1] for r in rows])
    hand = np.array([0.0 if r[1] else r[2] for r in rows])
    y = np.array([int(gold) for *_, gold in honey])
    groups = _groups(honey)
    keep = ~vetoed
    print(f"{TUNE}: {len(y)} pairs ({int(y.sum())} same); guards veto {int(vetoed.sum())}")
    r, t = recall_at(hand, y)
    print(f"  hand score (3 weights chosen on this pool): AP "
          f"{average_precision_score(y, hand):.3f}, recall {r:.3f} at precision ≥ 0.95 "
          f"(threshold {t:.2f})")  # fmt: skip
    kept_groups = [g for g, k in zip(groups, keep, strict=True) if k]
    for subset in (HAND, FEATURES):
        columns = [FEATURES.index(f) for f in subset]
        scores = np.zeros(len(y))
        scores[keep] = out_of_fold(x[keep][:, columns], y[keep], kept_groups)
        r, t = recall_at(scores, y)
        print(f"  logistic regression on {len(subset)} features, out of fold: AP "
              f"{average_precision_score(y, scores):.3f}, recall {r:.3f} at precision ≥ 0.95 "
              f"(threshold {t:.2f})")  # fmt: skip
    scaler, model = _fit(x[keep], y[keep])
    print(
        "  coefficients (standardised): "
        + ", ".join(f"{f} {c:+.2f}" for f, c in zip(FEATURES, model.coef_[0], strict=True))
    )
    _, full_threshold = recall_at(
        np.where(keep, model.predict_proba(scaler.transform(x))[:, 1], 0.0), y
    )
    items = [json.loads(line) for line in (OWN / "uk_dev.jsonl").read_text("utf-8").splitlines()]
    docs = [(i["title"], i["text"]) for i in items]
    uk = Corpus(docs, extractor)
    pairs = [(a, b, i["story"] == j["story"])
             for n, (a, i) in enumerate(zip(docs, items, strict=True))
             for b, j in zip(docs[n + 1 :], items[n + 1 :], strict=True)]  # fmt: skip
    uk_rows = [uk.pair(a, b) for a, b, _ in pairs]
    uy = np.array([int(g) for *_, g in pairs])
    learned = np.array([
        0.0 if vetoed_pair else model.predict_proba(scaler.transform([f]))[0, 1]
        for f, vetoed_pair, _ in uk_rows
    ])  # fmt: skip
    hand_uk = np.array([0.0 if v else s for _, v, s in uk_rows])
    for name, scores, threshold in (("hand score", hand_uk, 0.53),
                                    ("logistic regression", learned, full_threshold)):  # fmt: skip
        chosen = scores >= threshold
        tp, fp = int((chosen & (uy == 1)).sum()), int((chosen & (uy == 0)).sum())
        print(f"  uk_dev pairs, {name} at its honey threshold {threshold:.2f}: precision "
              f"{tp / max(1, tp + fp):.3f}, recall {tp / int(uy.sum()):.3f}; AP "
              f"{average_precision_score(uy, scores):.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
