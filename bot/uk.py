"""Ukrainian presentation helpers shared by every part of the bot (pure functions).

Numbers are grouped with a no-break space ("912 490"), nouns after numbers take the right
plural form, dates read as a Ukrainian would write them ("29 березня 2025").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import KYIV

NBSP = "\u00a0"

MONTHS_GENITIVE = (
    "січня", "лютого", "березня", "квітня", "травня", "червня",
    "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
)  # fmt: skip


def group_digits(number: int) -> str:
    """912490 -> '912 490' (no-break space); negative numbers keep their sign."""
    sign = "-" if number < 0 else ""
    digits = str(abs(number))
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return sign + NBSP.join(reversed(groups))


def signed_increase(number: int) -> str:
    """1740 -> '+1 740', -3 -> '−3', 0 -> '+0'."""
    return ("+" if number >= 0 else "\u2212") + group_digits(abs(number))


def plural(number: int, one: str, few: str, many: str) -> str:
    """Pick the form for ``number``: 1 танк, 2 танки, 5 танків, 11 танків, 21 танк."""
    n = abs(number) % 100
    if 11 <= n <= 14:
        return many
    last = n % 10
    if last == 1:
        return one
    if 2 <= last <= 4:
        return few
    return many


def count(number: int, one: str, few: str, many: str) -> str:
    """'5 статей', '1 стаття', '1 200 підписників' — number grouped, noun agreed."""
    return f"{group_digits(number)} {plural(number, one, few, many)}"


@dataclass(frozen=True, slots=True)
class Forms:
    """The three forms a word takes after a number (see :func:`plural`), and what governs
    them (``after``), so a test can check each form's case and number:

    - ``"number"``: a plain count, nominative — 1 танк, 2 танки, 5 танків;
    - ``"about"``: after «близько», genitive — близько 21 особи, 22 осіб, 25 осіб;
    - ``"every"``: after «кожну/кожні», accusative — кожну 21 хвилину, кожні 2 хвилини;
    - ``"verb"``: a verb agreeing with its subject — 21 підписник отримає, 22 … отримають.
    """

    one: str
    few: str
    many: str
    after: str = "number"


def agree(number: int, forms: Forms) -> str:
    """The form of ``forms`` that agrees with ``number``."""
    return plural(number, forms.one, forms.few, forms.many)


def counted(number: int, forms: Forms) -> str:
    """'912 490 осіб', '21 танк': the number grouped, the word agreed."""
    return f"{group_digits(number)} {agree(number, forms)}"


def format_date(day: date) -> str:
    """date(2025, 3, 29) -> '29 березня 2025'."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


def format_numeric_date(day: date) -> str:
    """date(2025, 3, 29) -> '29.03.2025' (as the General Staff dates its reports)."""
    return f"{day:%d.%m.%Y}"


def format_kyiv_time(moment: datetime) -> str:
    """An aware datetime shown as Kyiv wall-clock time: '29 березня 2025, 09:05'."""
    local = moment.astimezone(KYIV)
    return f"{format_date(local.date())}, {local:%H:%M}"


def kyiv_today(moment: datetime) -> date:
    return moment.astimezone(KYIV).date()


_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
_LATIN = re.compile(r"[A-Za-z]")


def has_russian_letters(text: str) -> bool:
    """Whether ``text`` holds a letter of the Russian alphabet that Ukrainian lacks (ы э ъ ё)."""
    return _RU_ONLY.search(text) is not None


def detect_language(text: str) -> str:
    """A cheap, dependable guess: 'uk', 'ru', 'en' (any Latin-script text) or 'unknown'.

    Ukrainian and Russian share most of the alphabet; each has letters the other lacks, and a
    news article of a few sentences always contains some of them.
    """
    sample = text[:5000]
    cyr = len(_CYRILLIC.findall(sample))
    lat = len(_LATIN.findall(sample))
    if cyr + lat < 20:
        return "unknown"
    if lat > cyr:
        return "en"
    uk, ru = len(_UK_ONLY.findall(sample)), len(_RU_ONLY.findall(sample))
    if uk == ru == 0:
        return "unknown"
    return "uk" if uk >= ru * 2 else "ru"
