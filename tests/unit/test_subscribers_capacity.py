"""The capacity arithmetic of benchmarks/README.md."""

from __future__ import annotations

import pytest

from bot.subscribers.capacity import capacity, reach_within


def test_the_daily_bound_and_the_time_to_reach_everyone() -> None:
    every = capacity("all", 1000)
    assert every.largest_audience == 2592  # 30 × 86 400 / 1 000
    assert every.seconds_to_everyone == pytest.approx(86.4)
    digest = capacity("digest", 2)
    assert digest.largest_audience == 1_296_000
    assert digest.seconds_to_everyone == pytest.approx(43_200)  # half a day: one per slot
    assert capacity("top", 40, rate=1000).largest_audience == 2_160_000
    assert capacity("all", 1000, share=0.5).largest_audience == 1296


def test_reach_within_a_deadline() -> None:
    assert reach_within(600) == 18_000
    assert reach_within(60, rate=1000) == 60_000


@pytest.mark.parametrize(("m", "rate", "share"), [(0, 30, 1), (5, 0, 1), (5, 30, 0), (5, 30, 2)])
def test_nonsense_is_refused(m: float, rate: float, share: float) -> None:
    with pytest.raises(ValueError):
        capacity("x", m, rate=rate, share=share)
