"""The typed loss snapshot and the rules that decide whether a payload may be trusted.

A :class:`Snapshot` is one General Staff report: totals per category for one date (Kyiv), the
increase since the previous report, the war day, where it came from and when we fetched it.
Categories are keyed by the russianwarship.rip v2 names (``personnel_units``, ``tanks`` …);
keys we do not know are kept as they are, so a category added later is shown, not dropped.

Validation is pure: :func:`check_against` compares a snapshot with its stored neighbours and
returns the reason to reject it, or ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType

PERSONNEL = "personnel_units"
WAR_START = date(2022, 2, 24)  # day 1 of the full-scale invasion

# A category total that drops below the previous report is normally a correction by the
# General Staff: the public history (2022-2026) has 13 such drops, the largest 2.2 %
# (special equipment, 2024-11-30).  A larger drop means a broken payload (a truncated number,
# swapped fields), and personnel has never gone down.
MAX_CORRECTION = 0.05


class BadPayload(ValueError):
    """A loss-counter response we refuse to use; the message says why, in plain words."""


def war_day(day: date) -> int:
    """The ordinal day of the war: 24 February 2022 is day 1, 29 March 2025 is day 1130."""
    return (day - WAR_START).days + 1


def _frozen(values: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One daily report. ``stats`` and ``increase`` keep the source's category order."""

    day: date
    stats: Mapping[str, int]
    increase: Mapping[str, int]
    source: str  # "russianwarship" | "minfin"
    fetched_at: datetime
    war_day: int = field(default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stats", _frozen(self.stats))
        object.__setattr__(self, "increase", _frozen(self.increase))
        if self.war_day <= 0:
            object.__setattr__(self, "war_day", war_day(self.day))

    @property
    def personnel(self) -> int:
        return self.stats[PERSONNEL]

    def with_increase_from(self, previous: Snapshot | None) -> Snapshot:
        """Fill in increases the source did not give, from the previous day's totals."""
        if previous is None or previous.day != self.day - timedelta(days=1):
            return self
        merged = dict(self.increase)
        for key, value in self.stats.items():
            if key not in merged and key in previous.stats:
                merged[key] = value - previous.stats[key]
        if len(merged) == len(self.increase):
            return self
        return replace(self, increase=merged)


def check_against(
    snapshot: Snapshot, previous: Snapshot | None, following: Snapshot | None = None
) -> str | None:
    """Why ``snapshot`` contradicts its stored neighbours (older, newer), or None if it fits.

    Totals are cumulative: personnel may never go down, and another category only by a small
    correction (see :data:`MAX_CORRECTION`).  Only categories present on both sides compare.
    """
    if previous is not None:
        drop = _drop(previous, snapshot)
        if drop:
            key, old, new = drop
            return f"{key} {new} is lower than {old} on {previous.day.isoformat()}"
    if following is not None:
        drop = _drop(snapshot, following)
        if drop:
            key, old, new = drop
            return f"{key} {old} is higher than {new} on the later {following.day.isoformat()}"
    return None


def _drop(older: Snapshot, newer: Snapshot) -> tuple[str, int, int] | None:
    """The first category whose total falls from ``older`` to ``newer`` beyond a correction."""
    for key, old in older.stats.items():
        new = newer.stats.get(key)
        if new is None or new >= old:
            continue
        if key == PERSONNEL or old - new > max(1, old * MAX_CORRECTION):
            return key, old, new
    return None
