"""Quiet hours and digest times on Kyiv's wall clock: windows across midnight, the summer-time
change, the slot a digest is built for."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.clock import KYIV
from bot.subscribers.times import DigestTimes, QuietHours, TimeFormatError, parse_clock_time


def kyiv(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=KYIV).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", time(9)), ("9:05", time(9, 5)), (" 23:59 ", time(23, 59)), ("00:00", time(0))],
)
def test_clock_times_read(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "09-00", "", "9:5", "09:00:00", "нуль"])
def test_bad_clock_times_are_refused(text: str) -> None:
    with pytest.raises(TimeFormatError, match="HH:MM"):
        parse_clock_time(text)


def test_a_window_across_midnight() -> None:
    quiet = QuietHours.parse("23:00-08:00")
    assert str(quiet) == "23:00–08:00"
    inside = [kyiv(2025, 3, 29, 23), kyiv(2025, 3, 30, 0, 30), kyiv(2025, 3, 30, 7, 59)]
    outside = [kyiv(2025, 3, 29, 22, 59), kyiv(2025, 3, 30, 8), kyiv(2025, 3, 30, 12)]
    assert all(quiet.contains(m) for m in inside)
    assert not any(quiet.contains(m) for m in outside)


def test_a_window_within_one_day_and_the_dashes_people_type() -> None:
    quiet = QuietHours.parse(" 13:00 – 14:30 ")
    assert quiet == QuietHours(time(13), time(14, 30))
    assert quiet.contains(kyiv(2025, 7, 1, 13)) and quiet.contains(kyiv(2025, 7, 1, 14, 29))
    assert not quiet.contains(kyiv(2025, 7, 1, 14, 30)) and not quiet.contains(kyiv(2025, 7, 1, 12))


def test_the_window_is_kyiv_time_in_winter_and_in_summer() -> None:
    quiet = QuietHours.parse("23:00-08:00")
    # 05:30 UTC is 07:30 in Kyiv in winter (quiet) and 08:30 in summer (not quiet)
    assert quiet.contains(datetime(2025, 1, 15, 5, 30, tzinfo=UTC))
    assert not quiet.contains(datetime(2025, 7, 15, 5, 30, tzinfo=UTC))


@pytest.mark.parametrize("text", ["23:00", "23:00-23:00", "23:00-8", "вночі", "23:00-08:00-09:00"])
def test_bad_windows_are_refused(text: str) -> None:
    with pytest.raises(TimeFormatError):
        QuietHours.parse(text)


def test_digest_slots_latest_next_previous() -> None:
    times = DigestTimes.parse(["19:00", "09:00"])
    assert str(times) == "09:00, 19:00"
    assert times.latest(kyiv(2025, 3, 29, 12)) == kyiv(2025, 3, 29, 9)
    assert times.latest(kyiv(2025, 3, 29, 9)) == kyiv(2025, 3, 29, 9)  # at the moment itself
    assert times.latest(kyiv(2025, 3, 29, 8, 59)) == kyiv(2025, 3, 28, 19)
    assert times.next(kyiv(2025, 3, 29, 9)) == kyiv(2025, 3, 29, 19)
    assert times.next(kyiv(2025, 3, 29, 20)) == kyiv(2025, 3, 30, 9)
    assert times.previous(kyiv(2025, 3, 29, 9)) == kyiv(2025, 3, 28, 19)
    one = DigestTimes.parse(["08:30"])
    assert one.latest(kyiv(2025, 3, 29, 8, 29)) == kyiv(2025, 3, 28, 8, 30)
    assert one.previous(kyiv(2025, 3, 29, 8, 30)) == kyiv(2025, 3, 28, 8, 30)


def test_digest_slots_across_the_spring_change() -> None:
    # Kyiv moves from +02:00 to +03:00 at 03:00 on 30 March 2025: the day has 23 hours.
    times = DigestTimes.parse(["09:00"])
    before, after = times.latest(kyiv(2025, 3, 29, 10)), times.latest(kyiv(2025, 3, 30, 10))
    assert (after - before).total_seconds() == 23 * 3600
    assert after.astimezone(KYIV).hour == 9


@pytest.mark.parametrize("texts", [[], ["09:00", "9:00"], ["09:00", "25:00"]])
def test_bad_digest_times_are_refused(texts: list[str]) -> None:
    with pytest.raises(TimeFormatError):
        DigestTimes.parse(texts)
