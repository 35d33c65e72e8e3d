"""Kyiv wall-clock times the subscribers' settings speak in: the quiet-hours window and the
digest times (pure functions, ``now`` passed in).

- :class:`QuietHours` — ``"23:00-08:00"``: a window of the day that may cross midnight;
  :meth:`QuietHours.contains` says whether a moment falls inside it (Kyiv time, so it follows
  the clocks when they change for summer).
- :class:`DigestTimes` — ``["09:00", "19:00"]``: the moments of each day a digest is due;
  :meth:`DigestTimes.latest` is the last one at or before a moment (the slot a digest is built
  for), :meth:`DigestTimes.next` the first one after it.

Parsing raises :class:`TimeFormatError` with a short English reason; the config names the key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.clock import KYIV

__all__ = ["DigestTimes", "QuietHours", "TimeFormatError", "parse_clock_time"]

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_WINDOW = re.compile(r"\s*(\S+?)\s*[-–—]\s*(\S+)\s*")


class TimeFormatError(ValueError):
    """A time or window that cannot be read; the message says what was expected."""


def parse_clock_time(text: str) -> time:
    """``"09:00"`` → ``time(9, 0)``; ``"9:05"`` is accepted too, ``"24:00"`` and ``"9"`` are not."""
    m = _CLOCK.fullmatch(text.strip())
    if m is None:
        raise TimeFormatError(f"expected a time as HH:MM (e.g. 09:00), got {text!r}")
    return time(int(m.group(1)), int(m.group(2)))


def _at(day: date, moment: time) -> datetime:
    """``moment`` on Kyiv ``day`` as an aware UTC datetime (a time the clocks skip in spring
    lands an hour later, as a Kyiv wall clock would show it)."""
    return datetime.combine(day, moment, tzinfo=KYIV).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A window of the day in Kyiv time, ``start`` inclusive, ``end`` exclusive; it crosses
    midnight when ``end`` is not after ``start`` (``23:00-08:00``)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"23:00-08:00"`` (an en dash or spaces around the dash are fine)."""
        m = _WINDOW.fullmatch(text)
        try:
            if m is None:
                raise TimeFormatError(text)
            start, end = parse_clock_time(m.group(1)), parse_clock_time(m.group(2))
        except TimeFormatError:
            raise TimeFormatError(
                f"expected a window as HH:MM-HH:MM (e.g. 23:00-08:00), got {text!r}"
            ) from None
        if start == end:
            raise TimeFormatError(f"the window {text!r} starts and ends at the same time")
        return cls(start, end)

    def contains(self, now: datetime) -> bool:
        """Whether ``now`` (aware) falls inside the window, on Kyiv's wall clock."""
        local = now.astimezone(KYIV).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class DigestTimes:
    """The Kyiv times of day a digest is due, sorted, each once."""

    times: tuple[time, ...]

    @classmethod
    def parse(cls, texts: Sequence[str]) -> DigestTimes:
        if not texts:
            raise TimeFormatError('expected at least one time (e.g. ["09:00", "19:00"])')
        parsed = [parse_clock_time(t) for t in texts]
        if len(set(parsed)) != len(parsed):
            raise TimeFormatError(f"a time is listed twice in {list(texts)!r}")
        return cls(tuple(sorted(parsed)))

    def _around(self, now: datetime) -> list[datetime]:
        """Every digest moment from the day before ``now`` to the day after (Kyiv days)."""
        today = now.astimezone(KYIV).date()
        days = (today - timedelta(days=1), today, today + timedelta(days=1))
        return [_at(day, t) for day in days for t in self.times]

    def latest(self, now: datetime) -> datetime:
        """The last digest moment at or before ``now`` (UTC)."""
        return max(m for m in self._around(now) if m <= now)

    def next(self, now: datetime) -> datetime:
        """The first digest moment after ``now`` (UTC)."""
        return min(m for m in self._around(now) if m > now)

    def previous(self, slot: datetime) -> datetime:
        """The digest moment before ``slot`` (UTC)."""
        return self.latest(slot - timedelta(microseconds=1))

    def __str__(self) -> str:
        return ", ".join(f"{t:%H:%M}" for t in self.times)
