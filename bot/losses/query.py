"""What a /losses command asks for, parsed from its arguments (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CHART_WORDS = frozenset(("chart", "графік", "график", "graph"))

_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True, slots=True)
class Latest:
    pass


@dataclass(frozen=True, slots=True)
class Chart:
    pass


@dataclass(frozen=True, slots=True)
class ForDay:
    day: date


@dataclass(frozen=True, slots=True)
class Unclear:
    text: str


LossesRequest = Latest | Chart | ForDay | Unclear


def parse_day(text: str, today: date) -> date | None:
    """'29.03.2025', '29.03.25', '2025-03-29', or '29.03' (the latest such date up to today)."""
    text = text.strip()
    iso = _ISO.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        dmy = _DMY.fullmatch(text)
        if not dmy:
            return None
        day, month = int(dmy[1]), int(dmy[2])
        if dmy[3] is None:
            candidate = date(today.year, month, day)
            return candidate if candidate <= today else date(today.year - 1, month, day)
        year = int(dmy[3])
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:  # 31.02, month 13 …
        return None


def parse_request(args: list[str], today: date) -> LossesRequest:
    if not args:
        return Latest()
    text = " ".join(args).strip()
    if text.lower() in CHART_WORDS:
        return Chart()
    day = parse_day(text, today)
    return ForDay(day) if day else Unclear(text)
