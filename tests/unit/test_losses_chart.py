"""The chart's data (pure) and its rendering (a real PNG)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.losses.chart import daily_series, render_personnel_chart
from bot.losses.model import Snapshot

NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
LAST = date(2025, 3, 29)


def history(
    days: int, *, increase: bool = True, skip: frozenset[date] = frozenset()
) -> list[Snapshot]:
    out = []
    total = 900_000
    for i in range(days, 0, -1):
        day = LAST - timedelta(days=i - 1)
        loss = 1000 + 10 * (days - i)
        total += loss
        if day in skip:
            continue
        out.append(
            Snapshot(
                day=day,
                stats={"personnel_units": total},
                increase={"personnel_units": loss} if increase else {},
                source="russianwarship",
                fetched_at=NOW,
            )
        )
    return out


def test_series_covers_the_window_with_a_full_average() -> None:
    s = daily_series(history(36), LAST, 30)
    assert len(s.days) == len(s.losses) == len(s.average) == 30
    assert s.days[0] == LAST - timedelta(days=29) and s.days[-1] == LAST
    assert s.losses[-1] == 1000 + 10 * 35
    # the mean of the last seven daily figures
    assert s.average[-1] == sum(1000 + 10 * k for k in range(29, 36)) / 7


def test_missing_increase_comes_from_totals_and_gaps_stay_empty() -> None:
    gap = LAST - timedelta(days=3)
    s = daily_series(history(36, increase=False, skip=frozenset({gap})), LAST, 30)
    assert s.losses[-1] == 1350
    assert s.losses[s.days.index(gap)] is None
    assert s.losses[s.days.index(gap) + 1] is None  # no previous total to diff against
    assert s.average[-1] is not None


def test_short_history_has_no_average_at_first() -> None:
    s = daily_series(history(3), LAST, 30)
    assert s.losses.count(None) == 27
    assert all(a is None for a in s.average)


def test_render_is_a_png() -> None:
    png = render_personnel_chart(daily_series(history(36), LAST, 30))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert 10_000 < len(png) < 400_000


def test_render_copes_with_sparse_data() -> None:
    for days in (1, 3):
        png = render_personnel_chart(daily_series(history(days), LAST, 30))
        assert png.startswith(b"\x89PNG")
