"""How much a story matters, why, and whether it is *top* (pure; ``now`` is passed in).

    score = 10 · distinct sources within the window        (the strongest signal)
          +  6 · reported by a ``top = true`` source       (an editor-curated feed)
          +  6 · a breaking marker in a title               (see :data:`BREAKING_MARKERS`)
          +  0…3 recency (3 for a report just now, 0 at the window's end)

A story is **top** when it reaches ``top_min_sources`` distinct sources, or comes from a top
source, or carries a breaking marker.  A bot with fewer enabled sources than that threshold
uses their number instead (one source: every story is top), so a small deployment is never
silent.  :meth:`Importance.explain` gives all of it in one log line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "BREAKING_MARKERS",
    "DEFAULT_TOP_MIN_SOURCES",
    "Importance",
    "Report",
    "breaking_marker",
    "importance",
]

DEFAULT_TOP_MIN_SOURCES = 3
W_SOURCE, W_TOP_SOURCE, W_BREAKING, W_RECENCY = 10.0, 6.0, 6.0, 3.0

# Words outlets put in a title to flag breaking news (Ukrainian and Russian editions), and
# emoji used the same way.  A word counts as a marker when written in capitals anywhere
# («ТЕРМІНОВО»), or at the start of the title or in brackets followed by «:», «!», «|» or a
# dash («Терміново: …», «(Наживо)») — not inside a sentence («терміново скликав засідання»).
BREAKING_MARKERS: tuple[str, ...] = (
    "терміново",
    "блискавка",
    "наживо",
    "срочно",
    "молния",
    "breaking",
    "⚡",
    "‼",
    "❗",
    "🔴",
)
_WORD_MARKERS = [m for m in BREAKING_MARKERS if m.isalpha()]
_SIGN_MARKERS = [m for m in BREAKING_MARKERS if not m.isalpha()]
_WORDS = "|".join(_WORD_MARKERS)
_LEADING = re.compile(rf"^\W*({_WORDS})\s*[:!|—–-]", re.IGNORECASE)
_BRACKETED = re.compile(rf"[(\[]\s*({_WORDS})\s*[)\]]", re.IGNORECASE)
_CAPITALS = re.compile(rf"\b({_WORDS.upper()})\b")


def breaking_marker(title: str) -> str | None:
    """The breaking marker in ``title`` as written, or None."""
    for sign in _SIGN_MARKERS:
        if sign in title:
            return sign
    for pattern in (_LEADING, _BRACKETED, _CAPITALS):
        found = pattern.search(title)
        if found:
            return found.group(1)
    return None


@dataclass(frozen=True, slots=True)
class Report:
    """One article of a story, as importance sees it."""

    source: str
    title: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Importance:
    score: float
    is_top: bool
    sources: tuple[str, ...]  # distinct sources within the window, first reporter first
    top_sources: tuple[str, ...]
    breaking: str | None
    age: timedelta  # since the newest report
    threshold: int  # distinct sources that make a story top in this deployment

    def explain(self) -> str:
        """One line for the log: score, verdict and every reason."""
        why: list[str] = []
        if len(self.sources) >= self.threshold:
            why.append(f"{len(self.sources)} sources >= {self.threshold}")
        if self.top_sources:
            why.append("top source " + ", ".join(self.top_sources))
        if self.breaking:
            why.append(f"breaking marker {self.breaking!r}")
        verdict = f"top ({'; '.join(why)})" if self.is_top else "not top"
        hours = self.age.total_seconds() / 3600
        names = ", ".join(self.sources) or "none"
        return (
            f"importance {self.score:.1f}: {verdict}; {len(self.sources)} sources in window "
            f"({names}), latest report {hours:.1f} h ago"
        )


def importance(
    reports: Sequence[Report],
    now: datetime,
    *,
    window: timedelta,
    top_sources: Collection[str] = (),
    top_min_sources: int = DEFAULT_TOP_MIN_SOURCES,
    enabled_sources: int | None = None,
) -> Importance:
    """The importance of the story told by ``reports`` at ``now``.

    Only reports within ``window`` before ``now`` count.  ``enabled_sources`` is how many
    sources the bot polls (None: unknown, the threshold is ``top_min_sources``).
    """
    recent = sorted((r for r in reports if now - window <= r.at <= now), key=lambda r: r.at)
    sources = tuple(dict.fromkeys(r.source for r in recent))
    tops = tuple(s for s in sources if s in top_sources)
    breaking = next((m for m in (breaking_marker(r.title) for r in recent) if m), None)
    threshold = max(1, top_min_sources)
    if enabled_sources is not None and 0 < enabled_sources < threshold:
        threshold = enabled_sources
    age = now - recent[-1].at if recent else window
    freshness = max(0.0, 1.0 - age / window) if window else 0.0
    score = (
        W_SOURCE * len(sources)
        + (W_TOP_SOURCE if tops else 0.0)
        + (W_BREAKING if breaking else 0.0)
        + W_RECENCY * freshness
    )
    is_top = bool(recent) and (len(sources) >= threshold or bool(tops) or breaking is not None)
    return Importance(round(score, 2), is_top, sources, tops, breaking, age, threshold)
