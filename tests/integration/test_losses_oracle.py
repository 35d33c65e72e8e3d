"""The public daily history (PetroIvaniuk dataset, 2022-02-25 … 2026-08-08) as an oracle.

Needs ../shared/data; skips with the fixture's reason when it is absent.  The dataset is
turned into russianwarship.rip v2 records, served by FakeNews, and must come out of the
service unchanged: every day accepted, figures equal, the counter line equal to the loss
widget of the reference page (912 490 / 10 478 / 370 / 335 on 2025-03-29).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.clock import KYIV, ManualClock
from bot.config import LossesConfig
from bot.fakes.news import FakeNews
from bot.losses.api import parse_record
from bot.losses.model import check_against
from bot.losses.service import LossService
from bot.uk import NBSP
from storage import Database
from storage import losses as store

API = "/api/v2/statistics"

# dataset column -> v2 key ("military auto" and "fuel tank" were one category from mid-2022)
COLUMNS = {
    "personnel": "personnel_units",
    "tank": "tanks",
    "APC": "armoured_fighting_vehicles",
    "field artillery": "artillery_systems",
    "MRL": "mlrs",
    "anti-aircraft warfare": "aa_warfare_systems",
    "aircraft": "planes",
    "helicopter": "helicopters",
    "vehicles and fuel tanks": "vehicles_fuel_tanks",
    "military auto": "vehicles_fuel_tanks",
    "fuel tank": "vehicles_fuel_tanks",
    "naval ship": "warships_cutters",
    "cruise missiles": "cruise_missiles",
    "drone": "uav_systems",
    "special equipment": "special_military_equip",
    "mobile SRBM system": "atgm_srbm_systems",
    "submarines": "submarines",
    "ground robotic systems": "ground_robotic_systems",  # a category the bot does not know
}


def oracle_records(shared: Path) -> list[dict[str, Any]]:
    """The dataset as v2 records, oldest first, increases as day-to-day differences."""
    folder = shared / "losses"
    equipment = json.loads((folder / "petroivaniuk_russia_losses_equipment.json").read_text())
    personnel = {
        r["date"]: r
        for r in json.loads((folder / "petroivaniuk_russia_losses_personnel.json").read_text())
    }
    out: list[dict[str, Any]] = []
    previous: dict[str, int] = {}
    for row in equipment:
        merged = {**row, **personnel[row["date"]]}
        stats: dict[str, int] = {}
        for column, key in COLUMNS.items():
            value = merged.get(column)
            if isinstance(value, int | float) and not isinstance(value, bool):
                stats[key] = stats.get(key, 0) + int(value)
        increase = {k: v - previous[k] for k, v in stats.items() if k in previous}
        out.append({"date": row["date"], "day": row["day"], "stats": stats, "increase": increase})
        previous = stats
    return out


@pytest.fixture
def records(shared_data: Path) -> list[dict[str, Any]]:
    return oracle_records(shared_data)


def test_every_day_of_the_public_history_passes_validation(records: list[dict[str, Any]]) -> None:
    fetched = datetime(2026, 8, 9, tzinfo=UTC)
    snapshots = [parse_record(r, fetched_at=fetched) for r in records]
    assert len(snapshots) == 1626
    problems = [
        (cur.day, check_against(cur, prev))
        for prev, cur in itertools.pairwise(snapshots)
        if check_against(cur, prev) is not None
    ]
    assert problems == []
    assert [s.war_day for s in snapshots] == [r["day"] for r in records]


@pytest.fixture
async def served(
    records: list[dict[str, Any]], db: Database
) -> AsyncIterator[tuple[FakeNews, LossService, ManualClock]]:
    by_day = {r["date"]: r for r in records}
    clock = ManualClock(datetime(2025, 3, 29, 10, 0, tzinfo=KYIV))
    async with FakeNews() as news, httpx.AsyncClient(timeout=5.0) as http:
        news.set_json(f"{API}/latest", {"data": by_day["2025-03-29"]})
        first, last = date(2024, 12, 30), date(2025, 3, 28)
        window = [
            by_day[(last - timedelta(days=i)).isoformat()] for i in range((last - first).days + 1)
        ]
        news.set_json(API, {"data": {"records": window}})
        config = LossesConfig(url=news.url_for(f"{API}/latest"), backfill_days=90)
        service = LossService(db, http, clock, config)
        await service.start()
        yield news, service, clock


async def test_counter_line_equals_the_reference_widget(
    served: tuple[FakeNews, LossService, ManualClock], shared_data: Path
) -> None:
    _, service, clock = served
    await service.refresh()
    line = service.counter_line(clock.now())
    assert line is not None
    widget = (shared_data / "seed" / "gordonua_article_page_2025.txt").read_text("utf-8")[:200]
    figures = re.findall(r"^\d[\d ]*\d$", widget, re.M)
    assert figures == ["912 490", "10 478", "370", "335"]
    personnel, tanks, planes, helicopters = (f.replace(" ", NBSP) for f in figures)
    assert line == (
        f"Втрати ворога: {personnel} осіб (+1{NBSP}740) · {tanks} танків · "
        f"{planes} літаків · {helicopters} гелікоптерів"
    )


async def test_backfill_of_90_days_matches_the_oracle(
    served: tuple[FakeNews, LossService, ManualClock],
    records: list[dict[str, Any]],
    db: Database,
) -> None:
    news, service, _ = served
    await service.refresh()
    await service.backfill()
    assert await store.count_records(db) == 90
    by_day = {r["date"]: r for r in records}
    for rec in await store.records_between(db, date(2024, 12, 30), date(2025, 3, 29)):
        expected = by_day[rec.day.isoformat()]
        assert dict(rec.stats) == expected["stats"]
        assert dict(rec.increase) == expected["increase"]
        assert rec.war_day == expected["day"]
    requests = len(news.requests)
    await service.backfill()
    assert len(news.requests) == requests
    png = await service.chart_png()
    assert png is not None and png.startswith(b"\x89PNG")
