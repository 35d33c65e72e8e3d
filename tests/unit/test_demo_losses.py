"""The loss history ``newsbot demo`` ships: every day from 25 February 2022, and a
continuation to any later date."""

from __future__ import annotations

import fnmatch
import itertools
import json
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.demo_losses import (
    HISTORY_FILE,
    ORIGIN_MADE_UP,
    continued,
    derive_csv,
    load_history,
    v2_answer,
)
from bot.losses.api import parse_latest
from bot.losses.format import COUNTER_KEYS
from bot.losses.model import war_day

ROOT = Path(__file__).resolve().parents[2]
DEMO_DATA = ROOT / "bot" / "demo_data"


def test_the_history_has_every_day_from_the_first_report() -> None:
    days = load_history()
    assert days[0].day == date(2022, 2, 25)
    assert all(b.day - a.day == timedelta(days=1) for a, b in itertools.pairwise(days))
    assert all(d.real for d in days)
    assert (DEMO_DATA / HISTORY_FILE).stat().st_size <= 150_000  # compact


def test_29_march_2025_is_the_reference_pages_report() -> None:
    days = {d.day: d for d in load_history()}
    day, previous = days[date(2025, 3, 29)], days[date(2025, 3, 28)]
    answer = v2_answer(day, previous)
    snapshot = parse_latest(json.dumps(answer).encode(), fetched_at=_noon(date(2025, 3, 29)))
    assert [snapshot.stats[k] for k in COUNTER_KEYS] == [912_490, 10_478, 370, 335]
    assert snapshot.increase["personnel_units"] == 1_740
    assert snapshot.war_day == 1130


@pytest.mark.parametrize("today", [date(2025, 3, 29), date(2026, 12, 1), date(2031, 6, 15)])
def test_the_history_reaches_any_date(today: date) -> None:
    history = load_history()
    days = continued(history, today)
    assert days[-1].day == today
    assert all(b.day - a.day == timedelta(days=1) for a, b in itertools.pairwise(days))
    for a, b in itertools.pairwise(days):
        assert b.stats["personnel_units"] >= a.stats["personnel_units"]
        if not b.real:  # made-up days only grow (real ones carry the General Staff's corrections)
            assert all(b.stats[k] >= v for k, v in a.stats.items())
    assert [d.real for d in days] == [d.day <= history[-1].day for d in days]
    made_up = v2_answer(days[-1], days[-2])
    assert (made_up["message"] == ORIGIN_MADE_UP) is (today > history[-1].day)
    assert made_up["data"]["day"] == war_day(today)


def test_before_the_first_report_there_is_nothing() -> None:
    assert continued(load_history(), date(2022, 2, 24)) == []


def test_every_demo_data_file_is_packaged() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["*"]
    for path in DEMO_DATA.iterdir():
        if path.is_file() and path.suffix != ".py":
            assert any(fnmatch.fnmatch(path.name, p) for p in patterns), path.name


@pytest.mark.shared_data
def test_the_shipped_history_is_derived_from_the_public_dataset(shared_data: Path) -> None:
    folder = shared_data / "losses"
    equipment = json.loads((folder / "petroivaniuk_russia_losses_equipment.json").read_bytes())
    personnel = json.loads((folder / "petroivaniuk_russia_losses_personnel.json").read_bytes())
    assert derive_csv(equipment, personnel) == (DEMO_DATA / HISTORY_FILE).read_text("utf-8")


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)
