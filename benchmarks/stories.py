"""Story merging: pairwise precision/recall on real Russian pairs and our Ukrainian set, speed.

    .venv/bin/python benchmarks/stories.py [--data DIR] [--json] [--skip-speed]

1. Russian pairs (``DIR/stories/*.tsv``, crowd-labelled "same event?" pairs; see SOURCES.md).
   The pair decision is the matcher's own: "would article B join the story of article A"
   (:func:`bot.stories.similarity.compare` + guards + threshold), with IDF weights from every
   article of both files (no labels), as the index would have them.  The threshold was chosen
   on ``ru_honey_pool.tsv`` only (the lowest with precision ≥ 0.95); ``ru_train_pool.tsv`` is
   held out.  Baseline: Jaccard overlap of the word sets of title + text.
2. Our Ukrainian set (``tests/data/stories/uk_{dev,test}.jsonl``, in the repository): the items
   in order through the same code as ``newsbot cluster``; pairwise precision/recall over all
   item pairs, and how many gold stories were split or merged — once alone in the index (as
   ``newsbot cluster FILE``) and once interleaved in time with Brown-UK press pseudo-articles,
   :data:`WINDOW_STORIES` other stories per window, as the bot's index holds.  ``uk_dev`` was
   looked at while choosing features; ``uk_test`` is reported as held out.
3. Speed and memory: an index of 1 000 stories built from real text (sentence windows of the
   Russian pairs' and the Brown-UK press texts in ``DIR``), then 1 000 more articles assigned
   to it: median and p99 of one assignment (``match`` + ``add``; features precomputed) in CPU
   time of the thread (what the code costs) and wall time (what a shared machine adds,
   garbage collection included), of feature extraction, and the index's memory (tracemalloc)
   and stored JSON per article.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.stories.cluster import cluster_items, read_items  # noqa: E402
from bot.stories.features import ArticleFeatures, FeatureExtractor  # noqa: E402
from bot.stories.matcher import StoryIndex  # noqa: E402
from bot.stories.similarity import (  # noqa: E402
    THRESHOLD,
    DocumentFrequencies,
    PairScore,
    Prepared,
    compare,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data"
OWN = ROOT / "tests" / "data" / "stories"
TUNE, HELD_OUT = "ru_honey_pool.tsv", "ru_train_pool.tsv"
THRESHOLDS = sorted({0.30, 0.35, 0.40, 0.45, 0.50, THRESHOLD, 0.55, 0.60, 0.65, 0.70})
_WORD = re.compile(r"\w+")
WINDOW_STORIES = 1000  # other stories in the window around our Ukrainian set (as in the bot)
BACKGROUND_ARTICLES = 3000  # enough for a day and a half at that rate

Doc = tuple[str, str]  # (title, text)
Pair = tuple[Doc, Doc, bool]


def load_pairs(path: Path) -> list[Pair]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        (
            (r["INPUT:first_title"], r["INPUT:first_text"]),
            (r["INPUT:second_title"], r["INPUT:second_text"]),
            r["GOLDEN:quality"] == "OK",
        )
        for r in rows
    ]


def precision_recall(decisions: Sequence[tuple[bool, bool]]) -> tuple[float, float, int, int]:
    """(precision, recall, true positives, false positives) of (predicted, gold) pairs."""
    tp = sum(1 for p, g in decisions if p and g)
    fp = sum(1 for p, g in decisions if p and not g)
    positives = sum(1 for _, g in decisions if g)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / positives if positives else 1.0), tp, fp


def jaccard(a: Doc, b: Doc) -> float:
    wa = set(_WORD.findall(f"{a[0]} {a[1]}".lower()))
    wb = set(_WORD.findall(f"{b[0]} {b[1]}".lower()))
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def russian_pairs(data: Path, extractor: FeatureExtractor) -> dict[str, Any]:
    files = {name: load_pairs(data / "stories" / name) for name in (TUNE, HELD_OUT)}
    prepared: dict[Doc, Prepared] = {}
    for pairs in files.values():
        for a, b, _ in pairs:
            for doc in (a, b):
                if doc not in prepared:
                    prepared[doc] = Prepared(extractor.extract(*doc))
    frequencies = DocumentFrequencies()
    for n, article in enumerate(prepared.values()):
        frequencies.add(article, n)  # each article its own story, as before a merge
    idf = frequencies.idf()
    out: dict[str, Any] = {"articles": len(prepared)}
    for name, pairs in files.items():
        scores: list[tuple[PairScore, bool]] = [
            (compare(prepared[a], prepared[b], idf), gold) for a, b, gold in pairs
        ]
        table = []
        for threshold in THRESHOLDS:
            p, r, tp, fp = precision_recall([(s.same_story(threshold), g) for s, g in scores])
            table.append({"threshold": threshold, "precision": p, "recall": r, "tp": tp, "fp": fp})
        overlap = [(jaccard(a, b), gold) for a, b, gold in pairs]
        baseline = []
        for threshold in (0.10, 0.15, 0.20, 0.25, 0.30, 0.40):
            p, r, tp, fp = precision_recall([(j >= threshold, g) for j, g in overlap])
            baseline.append({"threshold": threshold, "precision": p, "recall": r})
        p, r, _, _ = precision_recall([(s.same_story(), g) for s, g in scores])
        part = {
            "pairs": len(pairs),
            "same": sum(g for *_, g in pairs),
            "precision": p,
            "recall": r,
            "vetoed": {"same": sum(1 for s, g in scores if g and s.veto),
                       "different": sum(1 for s, g in scores if not g and s.veto)},
            "table": table,
            "baseline": baseline,
            "baseline_at_recall_0.8": _at_recall(overlap, 0.8),
        }  # fmt: skip
        if name == TUNE:
            part["chosen_threshold"] = _lowest_threshold(scores, 0.95)
        out[name] = part
    return out


def _at_recall(scores: Sequence[tuple[float, bool]], recall: float) -> dict[str, float]:
    """The baseline's precision at the highest threshold that still reaches ``recall``."""
    for threshold in sorted({s for s, _ in scores}, reverse=True):
        p, r, _, _ = precision_recall([(s >= threshold, g) for s, g in scores])
        if r >= recall:
            return {"threshold": round(threshold, 3), "precision": p, "recall": r}
    return {"threshold": 0.0, "precision": 0.0, "recall": 0.0}


def _lowest_threshold(scores: Sequence[tuple[PairScore, bool]], precision: float) -> float:
    """The lowest threshold on a 0.01 grid whose pairwise precision is at least ``precision``."""
    for step in range(1, 101):
        p, _, tp, _ = precision_recall([(s.same_story(step / 100), g) for s, g in scores])
        if tp and p >= precision:
            return step / 100
    return 1.0


def ukrainian_set(
    extractor: FeatureExtractor, background: Sequence[ArticleFeatures] = ()
) -> dict[str, Any]:
    """Both halves of our set, each item assigned in order; with ``background``, inside a window
    that also holds about :data:`WINDOW_STORIES` other stories (as the bot's does), else alone
    (as ``newsbot cluster FILE`` does)."""
    out: dict[str, Any] = {}
    for name in ("uk_dev.jsonl", "uk_test.jsonl"):
        path = OWN / name
        gold = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            gold[item["id"]] = item["story"]
        items = read_items(path)
        features = [extractor.extract(item.title, item.text) for item in items]
        rows = []
        for threshold in THRESHOLDS:
            if background:
                predicted = _in_window(items, features, background, threshold)
            else:
                assigned = cluster_items(items, extractor, threshold=threshold)
                predicted = {item.id: story for item, story, _ in assigned}
            p, r, tp, fp = precision_recall(
                [
                    (predicted[a] == predicted[b], gold[a] == gold[b])
                    for a, b in itertools.combinations(gold, 2)
                ]
            )
            members: dict[str, set[Any]] = {}
            clusters: dict[Any, set[str]] = {}
            for item_id, story in gold.items():
                members.setdefault(story, set()).add(predicted[item_id])
                clusters.setdefault(predicted[item_id], set()).add(story)
            rows.append({
                "threshold": threshold, "precision": p, "recall": r, "tp": tp, "fp": fp,
                "split": sum(1 for v in members.values() if len(v) > 1),
                "merged": sum(1 for v in clusters.values() if len(v) > 1),
                "predicted_stories": len(clusters),
            })  # fmt: skip
        out[name] = {
            "items": len(gold),
            "stories": len(set(gold.values())),
            "pairs_same": sum(1 for a, b in itertools.combinations(gold, 2) if gold[a] == gold[b]),
            "table": rows,
        }
    return out


def _in_window(
    items: Sequence[Any],
    features: Sequence[ArticleFeatures],
    background: Sequence[ArticleFeatures],
    threshold: float,
) -> dict[Any, Any]:
    """Story of each item when other stories keep arriving around it: background articles (one
    story each, :data:`WINDOW_STORIES` per window) from 12 hours before the first item to the
    last, interleaved by time; an item that joins a background story counts as split off."""
    index = StoryIndex(threshold=threshold)
    times = [item.published for item in items]
    start = min(times) - index.window
    step = index.window / WINDOW_STORIES
    queue = iter(enumerate(background))
    pending = next(queue, None)
    predicted: dict[Any, Any] = {}
    for item, item_features, at in zip(items, features, times, strict=True):
        while pending is not None and start + step * pending[0] <= at:
            n, bg = pending
            index.add(f"bg{n}", f"bg{n}", bg, "background", start + step * n)
            pending = next(queue, None)
        story, _ = index.assign(item.id, item_features, item.source, at)
        predicted[item.id] = story.story_id
    return predicted


def background_features(data: Path, extractor: FeatureExtractor) -> list[ArticleFeatures]:
    """Ukrainian pseudo-articles from the Brown-UK press texts, for :func:`ukrainian_set`."""
    pool = _pool(_brown(data))
    return [extractor.extract(title, text) for title, text in pool[:BACKGROUND_ARTICLES]]


def _brown(data: Path) -> list[Doc]:
    """The Brown-UK press texts (Ukrainian, real) in ``data``."""
    brown = data / "summ_eval" / "brownuk_press_lede_eval.jsonl"
    docs = []
    for line in brown.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        docs.append((article["title"], f"{article['summary']}\n{article['text']}"))
    return docs


def _pool(docs: Sequence[Doc]) -> list[Doc]:
    """Distinct pseudo-articles of at least 80 characters from real text."""
    return [d for d in dict.fromkeys(_windows(list(dict.fromkeys(docs)))) if len(d[1]) > 80]


def _windows(docs: Sequence[Doc]) -> Iterator[Doc]:
    """Pseudo-articles from real text: each sentence as a title, the next three as the text."""
    for title, text in docs:
        yield title, text
        sentences = re.split(r"(?<=[.!?])\s+", text)
        for i in range(0, len(sentences) - 3, 2):
            yield sentences[i][:200], " ".join(sentences[i + 1 : i + 4])


def speed(
    data: Path, extractor: FeatureExtractor, stories: int = 1000, queries: int = 1000
) -> dict[str, Any]:
    docs: list[Doc] = []
    for name in (TUNE, HELD_OUT):
        for a, b, _ in load_pairs(data / "stories" / name):
            docs.extend((a, b))
    pool = _pool([*docs, *_brown(data)])
    extract_ms = []
    features: list[ArticleFeatures] = []
    for title, text in pool[: stories * 3 + queries + 100]:
        started = time.perf_counter()
        features.append(extractor.extract(title, text))
        extract_ms.append((time.perf_counter() - started) * 1000)
    # As after a restart: features reloaded from their stored JSON (the bot's rebuild path),
    # inside the measurement, so that the index's memory includes the features it holds.
    stored = [json.dumps(f.to_json(), ensure_ascii=False) for f in features]
    del features
    start = datetime(2025, 6, 10, tzinfo=UTC)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = StoryIndex()
    used = 0
    while len(index) < stories and used < len(stored) - queries:
        at = start + timedelta(seconds=20 * used)
        features = ArticleFeatures.from_json(json.loads(stored[used]))
        index.assign(f"a{used}", features, f"source{used % 7}", at)
        used += 1
    index_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    articles_in_index = index.articles()
    assign_ms, assign_cpu_ms = [], []
    for n, blob in enumerate(stored[used : used + queries]):
        f = ArticleFeatures.from_json(json.loads(blob))
        at = start + timedelta(seconds=20 * (used + n))
        started, cpu = time.perf_counter(), time.thread_time()
        index.assign(f"q{n}", f, "query", at)
        assign_cpu_ms.append((time.thread_time() - cpu) * 1000)
        assign_ms.append((time.perf_counter() - started) * 1000)
    json_bytes = [len(blob.encode()) for blob in stored]
    return {
        "stories": stories if len(index) >= stories else len(index),
        "articles_in_index": articles_in_index,
        "assign_ms": _percentiles(assign_ms),
        "assign_cpu_ms": _percentiles(assign_cpu_ms),
        "extract_ms": _percentiles(extract_ms),
        "index_mb": round(index_bytes / 2**20, 1),
        "json_bytes_per_article": int(statistics.median(json_bytes)),
    }


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"median": round(statistics.median(ordered), 3), "p99": round(p99, 3), "n": len(values)}


def _row(row: dict[str, Any]) -> str:
    return f"{row['threshold']:.2f}     {row['precision']:.3f}     {row['recall']:.3f}"


def _print_uk_table(part: dict[str, Any]) -> None:
    print("  threshold  precision  recall  split  merged  predicted stories")
    for row in part["table"]:
        print(f"    {_row(row)}   {row['split']:>4}  {row['merged']:>5}  "
              f"{row['predicted_stories']:>6}")  # fmt: skip


def _print(figures: dict[str, Any]) -> None:
    ru = figures.get("russian")
    if ru is None:
        print(f"Russian pairs: skipped ({figures['russian_skipped']})")
    else:
        for name in (TUNE, HELD_OUT):
            part = ru[name]
            role = "tuning" if name == TUNE else "held out"
            print(f"\n{name} ({role}): {part['pairs']} pairs, {part['same']} same event")
            print(f"  at threshold {THRESHOLD}: precision {part['precision']:.3f}, "
                  f"recall {part['recall']:.3f}; guards vetoed {part['vetoed']['same']} same / "
                  f"{part['vetoed']['different']} different pairs")  # fmt: skip
            if "chosen_threshold" in part:
                print(f"  lowest threshold with precision ≥ 0.95 here: {part['chosen_threshold']}")
            print("  threshold  precision  recall   (newsbot)")
            for row in part["table"]:
                print(f"    {_row(row)}   tp {row['tp']} fp {row['fp']}")
            print("  threshold  precision  recall   (baseline: word-set Jaccard of title + text)")
            for row in part["baseline"]:
                print(f"    {_row(row)}")
            at = part["baseline_at_recall_0.8"]
            print(f"  baseline at recall ≥ 0.8: precision {at['precision']:.3f} "
                  f"(Jaccard ≥ {at['threshold']})")  # fmt: skip
    for regime, label in (("ukrainian", "alone in the index, as `newsbot cluster FILE`"),
                          ("ukrainian_window", f"among {WINDOW_STORIES} other stories, as in "
                                               "the bot")):  # fmt: skip
        if regime not in figures:
            continue
        for name, part in figures[regime].items():
            print(f"\n{name} ({label}): {part['items']} items, {part['stories']} stories, "
                  f"{part['pairs_same']} same-story pairs")  # fmt: skip
            _print_uk_table(part)
    s = figures.get("speed")
    if s is None:
        print(f"\nspeed: skipped ({figures.get('speed_skipped', 'not asked')})")
    else:
        print(f"\nspeed: index of {s['stories']} stories ({s['articles_in_index']} articles); "
              f"one assignment ({s['assign_ms']['n']} articles): CPU median "
              f"{s['assign_cpu_ms']['median']} ms, p99 {s['assign_cpu_ms']['p99']} ms; wall median "
              f"{s['assign_ms']['median']} ms, p99 {s['assign_ms']['p99']} ms; "
              f"features median {s['extract_ms']['median']} ms, "
              f"p99 {s['extract_ms']['p99']} ms; index memory {s['index_mb']} MB; stored features "
              f"{s['json_bytes_per_article']} bytes/article (median JSON)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)
    extractor = FeatureExtractor()
    figures: dict[str, Any] = {"threshold": THRESHOLD}
    if (args.data / "stories" / TUNE).is_file():
        figures["russian"] = russian_pairs(args.data, extractor)
    else:
        figures["russian_skipped"] = f"{args.data / 'stories'} is absent"
    figures["ukrainian"] = ukrainian_set(extractor)
    if (args.data / "summ_eval").is_dir():
        figures["ukrainian_window"] = ukrainian_set(
            extractor, background_features(args.data, extractor)
        )
    if args.skip_speed:
        figures["speed_skipped"] = "--skip-speed"
    elif (args.data / "summ_eval").is_dir() and "russian" in figures:
        figures["speed"] = speed(args.data, extractor)
    else:
        figures["speed_skipped"] = f"needs real text from {args.data}, which is absent"
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        _print(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
