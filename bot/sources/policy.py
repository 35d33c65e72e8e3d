"""Pure decisions of the poller: what to do with new items, and when to retry a failing source.

Nothing here touches the network, the database or the clock: ``now`` and the known facts are
passed in, a decision comes out (in the spirit of reader's ``Decider``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

MAX_BACKOFF = timedelta(hours=6)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Action = Literal[
    "push",  # brief it and hand it to delivery
    "first_poll",  # brief it (visible in /latest), push nothing: the source's first poll
    "baseline",  # first poll, beyond the few briefed: record only
    "too_old",  # published more than max_age before first seen: record only
    "skipped",  # over the per-poll push cap: record only
    "duplicate",  # same content as an article already recorded: record only
]
BRIEFED_ACTIONS: frozenset[str] = frozenset({"push", "first_poll"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A feed item the source has not recorded before (by identity)."""

    position: int  # index in the feed document (feeds list newest first, as a rule)
    identity: str
    content_hash: str | None
    published: datetime | None


@dataclass(frozen=True, slots=True)
class Decision:
    candidate: Candidate
    action: Action


def _newest_first(items: Sequence[Candidate]) -> list[Candidate]:
    """By publish date when every item has one, else in the feed's own order."""
    if items and all(c.published is not None for c in items):
        by_position = sorted(items, key=lambda c: c.position)
        return sorted(by_position, key=lambda c: c.published or _EPOCH, reverse=True)
    return sorted(items, key=lambda c: c.position)


def decide(
    new: Sequence[Candidate],
    *,
    first_poll: bool,
    now: datetime,
    known_hashes: Collection[str],
    max_age: timedelta,
    max_pushes: int,
    first_poll_briefs: int,
) -> list[Decision]:
    """One action per new item, in the order they should be processed (oldest first, so a
    chat receives a source's news in the order it happened)."""
    seen_hashes = set(known_hashes)
    actions: dict[int, Action] = {}
    budget = first_poll_briefs if first_poll else max_pushes
    for cand in _newest_first(new):
        if cand.content_hash is not None and cand.content_hash in seen_hashes:
            actions[cand.position] = "duplicate"
            continue
        if cand.content_hash is not None:
            seen_hashes.add(cand.content_hash)
        too_old = cand.published is not None and now - cand.published > max_age
        if too_old:
            actions[cand.position] = "baseline" if first_poll else "too_old"
        elif budget > 0:
            actions[cand.position] = "first_poll" if first_poll else "push"
            budget -= 1
        else:
            actions[cand.position] = "baseline" if first_poll else "skipped"
    ordered = list(reversed(_newest_first(new)))
    return [Decision(c, actions[c.position]) for c in ordered]


def backoff(failures: int, poll_seconds: float) -> timedelta:
    """How long a source that failed ``failures`` times in a row waits before the next try:
    one poll interval, then doubling, at most :data:`MAX_BACKOFF`."""
    if failures <= 0:
        return timedelta(0)
    seconds = poll_seconds * 2 ** min(failures - 1, 30)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def next_poll_at(now: datetime, failures: int, poll_seconds: float) -> datetime:
    """When a failing source is due again.

    Half an interval is taken off so that the cycle that comes round at about that moment
    (cycles are jittered) does pick it up, rather than the one after.
    """
    delay = backoff(failures, poll_seconds)
    return now + max(delay - timedelta(seconds=poll_seconds / 2), timedelta(0))
