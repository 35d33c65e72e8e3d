"""Ukrainian presentation helpers: digit grouping, plural forms, dates, language guess."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.uk import (
    NBSP,
    Forms,
    agree,
    count,
    counted,
    detect_language,
    format_date,
    format_kyiv_time,
    format_numeric_date,
    group_digits,
    kyiv_today,
    plural,
    signed_increase,
)


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0"), (7, "7"), (999, "999"), (1000, "1 000"), (912490, "912 490"),
     (1234567, "1 234 567"), (-1740, "-1 740")],
)  # fmt: skip
def test_group_digits_uses_no_break_space(number: int, expected: str) -> None:
    assert group_digits(number) == expected.replace(" ", NBSP)


def test_signed_increase() -> None:
    assert signed_increase(1740) == f"+1{NBSP}740"
    assert signed_increase(0) == "+0"
    assert signed_increase(-3) == "\u22123"


@pytest.mark.parametrize(
    ("number", "form"),
    [(0, "танків"), (1, "танк"), (2, "танки"), (4, "танки"), (5, "танків"), (11, "танків"),
     (12, "танків"), (14, "танків"), (21, "танк"), (22, "танки"), (25, "танків"),
     (101, "танк"), (111, "танків"), (1001, "танк"), (10478, "танків"), (1234, "танки")],
)  # fmt: skip
def test_plural_forms(number: int, form: str) -> None:
    assert plural(number, "танк", "танки", "танків") == form


def test_count_groups_and_agrees() -> None:
    assert count(1200, "підписник", "підписники", "підписників") == f"1{NBSP}200 підписників"
    assert count(3, "стаття", "статті", "статей") == "3 статті"


def test_forms_agree_and_count() -> None:
    person = Forms("особа", "особи", "осіб")
    assert [agree(n, person) for n in (1, 3, 7, 11, 21)] == [
        "особа",
        "особи",
        "осіб",
        "осіб",
        "особа",
    ]
    assert counted(912490, person) == f"912{NBSP}490 осіб"
    assert counted(912491, person) == f"912{NBSP}491 особа"
    assert person.after == "number"


def test_dates_read_as_ukrainian() -> None:
    assert format_date(date(2025, 3, 29)) == "29 березня 2025"
    assert format_date(date(2024, 1, 1)) == "1 січня 2024"
    assert format_numeric_date(date(2022, 2, 24)) == "24.02.2022"
    assert format_numeric_date(date(2025, 3, 9)) == "09.03.2025"
    # 22:30 UTC on 28 March is already 29 March, 00:30 in Kyiv (UTC+2 in winter time)
    late = datetime(2025, 3, 28, 22, 30, tzinfo=UTC)
    assert kyiv_today(late) == date(2025, 3, 29)
    assert format_kyiv_time(late) == "29 березня 2025, 00:30"
    assert format_kyiv_time(datetime(2025, 7, 1, 6, 5, tzinfo=UTC)) == "1 липня 2025, 09:05"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Збройні сили України відбили атаку біля Покровська, повідомив Генштаб.", "uk"),
        ("Вооруженные силы отбили атаку под Покровском, сообщил Генштаб в четверг.", "ru"),
        ("Russian forces continued offensive operations near Pokrovsk on February 28.", "en"),
        ("123 456 !!!", "unknown"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
