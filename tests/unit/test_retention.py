"""Retention's pure parts: the cutoff, the config key, and what /latest needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import KYIV
from bot.config import ConfigError, parse_config
from bot.retention import LATEST_KEPT, cutoff
from handlers.latest import MAX_COUNT

TOKEN = "123456:ABC"
WINDOW = timedelta(hours=12)


def test_the_cutoff_is_keep_days_back() -> None:
    now = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
    assert cutoff(now, 30, WINDOW) == now - timedelta(days=30)


@pytest.mark.parametrize("hour", range(24))
def test_nothing_of_today_in_kyiv_is_older_than_the_cutoff(hour: int) -> None:
    now = datetime(2025, 3, 29, hour, 5, tzinfo=KYIV).astimezone(UTC)
    midnight = datetime(2025, 3, 29, 0, 0, tzinfo=KYIV)
    assert cutoff(now, 1, WINDOW) < midnight  # what /stats counts for today stays


def test_on_the_day_summer_time_ends_one_day_back_is_still_today() -> None:
    now = datetime(2025, 10, 26, 23, 30, tzinfo=KYIV).astimezone(UTC)  # a 25-hour day
    midnight = datetime(2025, 10, 26, 0, 0, tzinfo=KYIV)
    assert now - timedelta(days=1) > midnight
    assert cutoff(now, 1, WINDOW) == midnight


def test_the_cutoff_leaves_the_story_window_alone() -> None:
    now = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
    assert cutoff(now, 1, timedelta(hours=48)) == now - timedelta(hours=48)


def test_every_story_latest_can_show_is_kept() -> None:
    assert LATEST_KEPT == MAX_COUNT


def test_keep_days_defaults_to_thirty_and_must_be_a_whole_positive_number() -> None:
    assert parse_config({"telegram": {"token": TOKEN}}, env={}).storage.keep_days == 30
    config = parse_config({"telegram": {"token": TOKEN}, "storage": {"keep_days": 7}}, {})
    assert config.storage.keep_days == 7
    env = parse_config({"telegram": {"token": TOKEN}}, {"NEWSBOT_STORAGE_KEEP_DAYS": "90"})
    assert env.storage.keep_days == 90
    for bad in (0, -1):
        with pytest.raises(ConfigError, match=r"storage\.keep_days: must be greater than 0"):
            parse_config({"telegram": {"token": TOKEN}, "storage": {"keep_days": bad}}, {})
    for bad_type in (1.5, "30", True):
        with pytest.raises(ConfigError, match=r"storage\.keep_days: expected an integer"):
            parse_config({"telegram": {"token": TOKEN}, "storage": {"keep_days": bad_type}}, {})
