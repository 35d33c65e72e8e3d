"""How many stories the real feed captures make: the merge ratio behind the throughput note.

    .venv/bin/python benchmarks/merge_ratio.py [--data ../shared/data/rss] [--window-hours 12]

Every feed capture in the folder (real RSS of Ukrainian outlets, Sept 2020; see SOURCES.md
there) is parsed by the bot's own feed parser, the items are put in publish order and
assigned to stories by the same code as ``newsbot cluster`` (the bot's matcher).  Prints the
items and stories per feed and day, every story with more than one source (to be checked by
eye: a wrong merge is the worse error), and the pairs of items from different outlets whose
titles share the most words without being merged (to look for missed merges).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sources.feeds import parse_feed  # noqa: E402
from bot.stories.cluster import ClusterItem, cluster_items  # noqa: E402
from bot.stories.features import FeatureExtractor  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "rss"
CAPTURED = datetime(2020, 10, 1, tzinfo=UTC)  # after the captures: their dates are kept
_WORD = re.compile(r"\w{4,}")


def read_items(folder: Path) -> list[ClusterItem]:
    items: list[ClusterItem] = []
    for path in sorted(folder.glob("*.xml")):
        outlet = path.stem.split("_rss")[0]
        for i, item in enumerate(parse_feed(path.read_bytes(), now=CAPTURED).items):
            text = item.full_text or item.summary
            items.append(ClusterItem(f"{outlet}#{i}", item.title, text, outlet, item.published))
    return sorted(items, key=lambda it: (it.published is None, it.published, str(it.id)))


def _words(title: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(title)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--window-hours", type=float, default=12.0)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no feed captures in {args.data}", file=sys.stderr)
        return 2
    items = read_items(args.data)
    assigned = list(cluster_items(items, FeatureExtractor(), timedelta(hours=args.window_hours)))
    story_of = {item.id: story for item, story, _ in assigned}
    members: defaultdict[object, list[ClusterItem]] = defaultdict(list)
    for item, story, _ in assigned:
        members[story].append(item)

    per_feed: Counter[tuple[str, str]] = Counter()
    for item in items:
        day = item.published.date().isoformat() if item.published else "?"
        per_feed[(item.source, day)] += 1
    print("items per feed and day:")
    for (source, day), n in sorted(per_feed.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"  {day} {source:<28} {n}")
    multi = [m for m in members.values() if len({it.source for it in m}) > 1]
    same_source = [m for m in members.values() if len(m) > 1 and len({it.source for it in m}) == 1]
    print(
        f"\n{len(items)} items → {len(members)} stories (ratio {len(items) / len(members):.2f});"
        f" {len(multi)} with several outlets, {len(same_source)} with several items of one outlet"
    )
    for m in [*multi, *same_source]:
        print("  story:")
        for it in m:
            print(f"    {it.published:%d.%m %H:%M} {it.source:<22} {it.title}")

    print("\nclosest unmerged title pairs of different outlets within the window:")
    window = timedelta(hours=args.window_hours)
    pairs = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.source == b.source or story_of[a.id] == story_of[b.id]:
                continue
            if a.published and b.published and abs(a.published - b.published) > window:
                continue
            shared = _words(a.title) & _words(b.title)
            if len(shared) >= 2:
                pairs.append((len(shared), a, b))
    for n, a, b in sorted(pairs, key=lambda p: -p[0])[:10]:
        print(f"  {n} shared words: [{a.source}] {a.title}\n{'':18}[{b.source}] {b.title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
