"""``newsbot cluster FILE.jsonl``: the bot's story assignment over items from a file.

Each line is one item ``{"id", "title", "text", "source", "published"}`` (``published``
optional, an ISO time; an item without it takes the time of the item before it).  Items are
assigned in the order given with the same :class:`~bot.stories.matcher.StoryIndex` the bot
uses; the output is one JSON line per item, ``{"id": …, "story": …}``, where a story is named
by the id of its first item.  No config, no network.  Errors are one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.stories.features import FeatureExtractor
from bot.stories.matcher import DEFAULT_WINDOW, Match, StoryIndex
from bot.stories.similarity import THRESHOLD

__all__ = ["ClusterItem", "InputError", "cluster_items", "read_items", "run_cluster"]

EXIT_INPUT = 2
_REQUIRED = ("id", "title", "text", "source")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InputError(Exception):
    """A problem with the input file, phrased as one line."""


@dataclass(frozen=True, slots=True)
class ClusterItem:
    id: str | int
    title: str
    text: str
    source: str
    published: datetime | None = None


def _item(data: Any, where: str) -> ClusterItem:
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object")
    for key in _REQUIRED:
        if key not in data:
            raise InputError(f"{where}: missing field {key!r}")
    item_id = data["id"]
    if isinstance(item_id, bool) or not isinstance(item_id, str | int):
        raise InputError(f"{where}: field 'id' must be a string or an integer")
    for key in ("title", "text", "source"):
        if not isinstance(data[key], str):
            raise InputError(f"{where}: field {key!r} must be a string")
    published = data.get("published")
    when: datetime | None = None
    if published is not None:
        try:
            when = datetime.fromisoformat(str(published))
        except ValueError:
            raise InputError(f"{where}: field 'published' is not an ISO time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return ClusterItem(item_id, data["title"], data["text"], data["source"], when)


def read_items(path: Path) -> list[ClusterItem]:
    """Every item of a JSONL file, validated; InputError names the line of the first problem."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"{path}: cannot be read ({reason})") from None
    items: list[ClusterItem] = []
    seen: set[str | int] = set()
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        item = _item(data, where)
        if item.id in seen:
            raise InputError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items


def cluster_items(
    items: Sequence[ClusterItem],
    extractor: FeatureExtractor,
    window: timedelta = DEFAULT_WINDOW,
    threshold: float = THRESHOLD,
) -> Iterable[tuple[ClusterItem, str | int, Match | None]]:
    """(item, story id, match or None) for each item, assigned in order."""
    index = StoryIndex(window=window, threshold=threshold)
    at = next((i.published for i in items if i.published is not None), _EPOCH)
    for item in items:
        at = item.published or at
        features = extractor.extract(item.title, item.text)
        story, match = index.assign(item.id, features, item.source, at)
        yield item, story.story_id, match


def run_cluster(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """The ``cluster`` subcommand (``out``/``err`` default to the current stdout/stderr)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        items = read_items(Path(args.file))
    except InputError as exc:
        print(f"newsbot cluster: {exc}", file=err)
        return EXIT_INPUT
    window = timedelta(hours=args.window_hours)
    for item, story, match in cluster_items(items, FeatureExtractor(), window):
        print(json.dumps({"id": item.id, "story": story}, ensure_ascii=False), file=out)
        if args.explain:
            reason = match.explain() if match else "opens a new story"
            print(f"{item.id}: {reason}", file=err)
    return 0
