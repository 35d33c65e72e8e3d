"""LossService against a fake loss-counter server (FakeNews) and a real in-memory database."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.clock import ManualClock
from bot.config import LossesConfig
from bot.fakes.news import FakeNews
from bot.losses.model import war_day
from bot.losses.service import LossService
from bot.uk import NBSP
from storage import Database
from storage import losses as store

DATA = Path(__file__).resolve().parent.parent / "data" / "losses"
API = "/api/v2/statistics"
LATEST = f"{API}/latest"
MINFIN = "/ua/russian-invading/casualties/"
DAY = date(2025, 3, 29)  # the clock fixture's Kyiv date


def record(day: date, *, personnel: int | None = None, **overrides: Any) -> dict[str, Any]:
    """A v2 record whose totals grow by a fixed amount a day (so any range is consistent)."""
    n = (day - date(2025, 1, 1)).days
    stats = {
        "personnel_units": 780_000 + 1_500 * n if personnel is None else personnel,
        "tanks": 10_000 + 5 * n,
        "planes": 370,
        "helicopters": 330 + n // 30,
    }
    rec: dict[str, Any] = {
        "date": day.isoformat(),
        "day": war_day(day),
        "resource": None,
        "stats": stats,
        "increase": {"personnel_units": 1_500, "tanks": 5, "planes": 0},
    }
    rec.update(overrides)
    return rec


def envelope(data: Any) -> dict[str, Any]:
    return {"message": "The data were fetched successfully.", "data": data}


@dataclass
class Rig:
    news: FakeNews
    db: Database
    clock: ManualClock
    service: LossService

    async def count(self) -> int:
        return await store.count_records(self.db)

    def set_latest(self, rec: dict[str, Any]) -> None:
        self.news.set_json(LATEST, envelope(rec))

    def set_range(self, first: date, last: date, *, skip: frozenset[date] = frozenset()) -> None:
        days = [last - timedelta(days=i) for i in range((last - first).days + 1)]
        self.news.set_json(API, envelope({"records": [record(d) for d in days if d not in skip]}))

    def set_minfin(self, name: str = "minfin_2025-03-29.html") -> None:
        self.news.set(MINFIN, (DATA / name).read_bytes(), content_type="text/html; charset=utf-8")


@pytest.fixture
async def rig(db: Database, clock: ManualClock) -> AsyncIterator[Rig]:
    async with FakeNews() as news, httpx.AsyncClient(timeout=5.0) as http:
        config = LossesConfig(
            url=news.url_for(LATEST), fallback_url=news.url_for(MINFIN), backfill_days=10
        )
        service = LossService(db, http, clock, config)
        await service.start()
        yield Rig(news, db, clock, service)


async def test_happy_path_stores_and_serves_the_latest_report(rig: Rig) -> None:
    rig.news.set(
        LATEST, (DATA / "api_latest_2025-03-29.json").read_bytes(), content_type="application/json"
    )
    assert rig.service.counter_line(rig.clock.now()) is None
    await rig.service.refresh()
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.day == DAY and snapshot.source == "russianwarship"
    line = rig.service.counter_line(rig.clock.now())
    assert line is not None
    assert line.replace(NBSP, " ") == (
        "Втрати ворога: 912 490 осіб (+1 740) · 10 478 танків · 370 літаків · 335 гелікоптерів"
    )
    assert f"912{NBSP}490" in line
    await rig.service.refresh()  # the same report again: nothing new
    assert await rig.count() == 1
    assert rig.news.hits(MINFIN) == 0
    assert rig.service.last_error is None


async def test_start_loads_the_newest_stored_report_without_network(rig: Rig) -> None:
    rig.set_latest(record(DAY - timedelta(days=1)))
    await rig.service.refresh()
    http = httpx.AsyncClient()
    try:
        fresh = LossService(rig.db, http, rig.clock, LossesConfig(url="http://192.0.2.1/x"))
        await fresh.start()
        snapshot = fresh.latest_snapshot()
        assert snapshot is not None and snapshot.day == DAY - timedelta(days=1)
        assert (fresh.counter_line(rig.clock.now()) or "").startswith(
            "Втрати ворога на 28 березня 2025: "
        )
    finally:
        await http.aclose()
    assert rig.news.hits(LATEST) == 1


BAD_PAYLOADS = {
    "missing personnel": lambda r: r["stats"].pop("personnel_units"),
    "non-numeric value": lambda r: r["stats"].update(tanks="n/a"),
    "non-numeric personnel": lambda r: r["stats"].update(personnel_units="близько 900 тис."),
    "totals lower than the previous day": lambda r: r["stats"].update(personnel_units=1000),
    "tanks far lower than the previous day": lambda r: r["stats"].update(tanks=10),
    "not JSON": None,
}


@pytest.mark.parametrize("case", BAD_PAYLOADS)
async def test_a_bad_payload_is_rejected_and_the_last_good_report_stays(
    rig: Rig, case: str
) -> None:
    yesterday = DAY - timedelta(days=1)
    rig.set_latest(record(yesterday))
    await rig.service.refresh()
    change = BAD_PAYLOADS[case]
    if change is None:
        rig.news.set(LATEST, "<html>upstream error</html>", content_type="text/html")
    else:
        bad = record(DAY)
        change(bad)
        rig.set_latest(bad)
    await rig.service.refresh()
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.day == yesterday
    assert await rig.count() == 1
    assert await store.get_record(rig.db, DAY) is None
    assert rig.service.last_error is not None
    assert rig.news.hits(MINFIN) == 0  # one failed refresh is not yet a reason to fall back


async def test_api_down_longer_than_one_refresh_uses_the_fallback(rig: Rig) -> None:
    rig.set_latest(record(DAY - timedelta(days=1)))
    await rig.service.refresh()
    rig.news.fault(LATEST, "status", status=503)
    rig.set_minfin()
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 0
    rig.clock.advance(3600)
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 1
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.day == DAY and snapshot.source == "minfin"
    assert snapshot.stats["personnel_units"] == 912_490
    assert (rig.service.counter_line(rig.clock.now()) or "").startswith("Втрати ворога: 912")

    # The API is back with the same day: its fuller report replaces the fallback's.
    rig.news.clear_fault(LATEST)
    rig.set_latest(
        record(
            DAY,
            personnel=912_490,
            stats={
                "personnel_units": 912_490,
                "tanks": 10_478,
                "planes": 370,
                "helicopters": 335,
                "submarines": 1,
            },
        )
    )
    await rig.service.refresh()
    stored = await store.get_record(rig.db, DAY)
    assert stored is not None and stored.source == "russianwarship"
    assert rig.service.last_error is None


async def test_fallback_never_replaces_the_primary_report_of_the_same_day(rig: Rig) -> None:
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    rig.news.fault(LATEST, "reset")
    rig.set_minfin()
    await rig.service.refresh()
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 1
    stored = await store.get_record(rig.db, DAY)
    assert stored is not None and stored.source == "russianwarship"


async def test_with_no_report_at_all_the_fallback_is_tried_at_once(rig: Rig) -> None:
    rig.news.fault(LATEST, "status", status=500)
    rig.set_minfin()
    await rig.service.refresh()
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.source == "minfin" and snapshot.day == DAY


@pytest.mark.parametrize("fault", ["status", "reset", "huge"])
async def test_both_down_keeps_the_last_good_report_with_its_date(rig: Rig, fault: str) -> None:
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    rig.news.fault(LATEST, fault, size=6_000_000)  # type: ignore[arg-type]
    rig.news.fault(MINFIN, "status", status=502)
    for _ in range(3):
        rig.clock.advance(timedelta(hours=20))
        await rig.service.refresh()  # never raises
    assert rig.news.hits(MINFIN) == 2
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.day == DAY
    line = rig.service.counter_line(rig.clock.now())  # 60 h later
    assert line is not None and line.startswith("Втрати ворога станом на 29 березня 2025: ")
    assert "minfin" in (rig.service.last_error or "")


async def test_no_report_and_both_down_means_no_line(rig: Rig) -> None:
    rig.news.fault(LATEST, "status", status=500)
    rig.news.fault(MINFIN, "status", status=500)
    await rig.service.refresh()
    assert rig.service.latest_snapshot() is None
    assert rig.service.counter_line(rig.clock.now()) is None


async def test_backfill_twice_stores_nothing_twice(rig: Rig) -> None:
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    rig.set_range(DAY - timedelta(days=9), DAY)
    await rig.service.backfill()
    assert await rig.count() == 10
    hits = len(rig.news.requests)
    await rig.service.backfill()
    assert await rig.count() == 10
    assert len(rig.news.requests) == hits  # nothing missing: no request at all
    days = await store.stored_days(rig.db, DAY - timedelta(days=30), DAY)
    assert days == {DAY - timedelta(days=i) for i in range(10)}


async def test_backfill_asks_for_the_missing_range_only(rig: Rig) -> None:
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    rig.set_range(DAY - timedelta(days=9), DAY)
    await rig.service.backfill()
    [query] = [r.target for r in rig.news.requests if r.path == API]
    assert query == f"{API}?date_from=2025-03-20&date_to=2025-03-28"


async def test_backfill_fetches_days_the_range_missed_one_by_one(rig: Rig) -> None:
    gap = DAY - timedelta(days=4)
    rig.set_range(DAY - timedelta(days=9), DAY, skip=frozenset({gap}))
    rig.news.set_json(f"{API}/{gap.isoformat()}", envelope(record(gap)))
    await rig.service.backfill()
    assert await rig.count() == 10
    assert rig.news.hits(f"{API}/{gap.isoformat()}") == 1


async def test_backfill_with_the_range_query_down_goes_day_by_day(rig: Rig) -> None:
    rig.news.fault(API, "status", status=404)
    for i in range(10):
        d = DAY - timedelta(days=i)
        rig.news.set_json(f"{API}/{d.isoformat()}", envelope(record(d)))
    await rig.service.backfill()
    assert await rig.count() == 10
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.day == DAY


async def test_backfill_stops_asking_day_by_day_when_the_server_does_not_answer(
    rig: Rig,
) -> None:
    for path in (API, *(f"{API}/{(DAY - timedelta(days=i)).isoformat()}" for i in range(10))):
        rig.news.fault(path, "reset")  # the connection is cut: no HTTP answer at all
    await rig.service.backfill()
    assert await rig.count() == 0
    asked_days = [r for r in rig.news.requests if r.path.startswith(f"{API}/")]
    assert len(asked_days) == 1  # one try, then it gives up instead of 14 doomed requests


async def test_backfill_skips_a_bad_record_and_one_that_contradicts_history(rig: Rig) -> None:
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    first = DAY - timedelta(days=9)
    records = [record(first + timedelta(days=i)) for i in range(9)]
    del records[3]["stats"]["personnel_units"]
    records[5]["stats"]["personnel_units"] = 999_999_999  # above the newer stored day
    rig.news.set_json(API, envelope({"records": records}))
    await rig.service.backfill()
    assert await rig.count() == 8
    assert await store.get_record(rig.db, first + timedelta(days=5)) is None


async def test_a_past_date_is_fetched_once_then_served_from_history(rig: Rig) -> None:
    past = date(2024, 5, 1)
    rig.news.set_json(f"{API}/2024-05-01", envelope(record(past, personnel=480_000)))
    first = await rig.service.snapshot_for(past)
    second = await rig.service.snapshot_for(past)
    assert first is not None and second is not None
    assert first.personnel == second.personnel == 480_000
    assert rig.news.hits(f"{API}/2024-05-01") == 1
    assert await rig.service.snapshot_for(date(2024, 5, 2)) is None  # 404 upstream
    assert await rig.service.snapshot_for(DAY + timedelta(days=1)) is None  # future: no request
    assert rig.news.hits(f"{API}/2025-03-30") == 0


async def test_chart_png_from_history(rig: Rig) -> None:
    assert await rig.service.chart_png() is None
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    assert await rig.service.chart_png() is None  # one day is not a chart
    rig.set_range(DAY - timedelta(days=9), DAY)
    await rig.service.backfill()
    png = await rig.service.chart_png()
    assert png is not None and png.startswith(b"\x89PNG")
    assert await rig.service.chart_png() is png  # unchanged figures: rendered once


async def test_minfin_increase_is_completed_from_the_previous_day(rig: Rig) -> None:
    rig.set_latest(
        record(date(2022, 4, 2), personnel=17_800, stats={"personnel_units": 17_800, "tanks": 631})
    )
    await rig.service.refresh()
    rig.news.fault(LATEST, "status", status=500)
    rig.set_minfin("minfin_2022-04-03_old.html")
    rig.clock.advance(60)
    await rig.service.refresh()
    await rig.service.refresh()
    stored = await store.get_record(rig.db, date(2022, 4, 3))
    assert stored is not None and stored.source == "minfin"
    assert stored.increase["personnel_units"] == 200 and stored.increase["tanks"] == 13
    assert json.loads(json.dumps(dict(stored.stats)))["vehicles_fuel_tanks"] == 1325


async def test_backfill_follows_the_paginator(rig: Rig) -> None:
    first, last = DAY - timedelta(days=9), DAY
    query = f"{API}?date_from={first.isoformat()}&date_to={last.isoformat()}"
    page2 = f"{API}?page=2&date_from={first.isoformat()}&date_to={last.isoformat()}"
    newest = [record(DAY - timedelta(days=i)) for i in range(5)]
    oldest = [record(DAY - timedelta(days=i)) for i in range(5, 10)]
    rig.news.set_json(query, envelope({"records": newest, "paginator": {"next_page_url": page2}}))
    rig.news.set_json(page2, envelope({"records": oldest, "paginator": {"next_page_url": None}}))
    await rig.service.backfill()
    assert await rig.count() == 10
    assert rig.news.hits(page2) == 1


# -- category titles from /api/v2/terms/uk ----------------------------------------------------

TERMS = "/api/v2/terms/uk"
ROBOTS = "ground_robotic_systems"


def with_robots(day: date, robots: int = 41) -> dict[str, Any]:
    rec = record(day)
    rec["stats"][ROBOTS] = robots
    return rec


def set_terms(rig: Rig) -> None:
    rig.news.set(TERMS, (DATA / "api_terms_uk.json").read_bytes(), content_type="application/json")


async def test_a_new_category_gets_its_ukrainian_title_from_the_api(rig: Rig) -> None:
    set_terms(rig)
    rig.set_latest(with_robots(DAY))
    await rig.service.refresh()  # the counter refresh fetches the titles it needs
    assert rig.news.hits(TERMS) == 1
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None
    titles = await rig.service.category_titles(snapshot)
    assert titles[ROBOTS] == "Наземні робототехнічні комплекси"
    await rig.service.refresh()
    await rig.service.category_titles(snapshot)
    assert rig.news.hits(TERMS) == 1  # cached

    rig.clock.advance(timedelta(hours=25))  # a day later the titles are asked for again
    rig.set_latest(with_robots(DAY + timedelta(days=1), robots=43))
    await rig.service.refresh()
    assert rig.news.hits(TERMS) == 2


async def test_no_terms_request_without_a_new_category(rig: Rig) -> None:
    set_terms(rig)
    rig.set_latest(record(DAY))
    await rig.service.refresh()
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None
    assert await rig.service.category_titles(snapshot) == {}
    assert rig.news.hits(TERMS) == 0


@pytest.mark.parametrize("fault", ["status", "reset", "not json"])
async def test_terms_failure_keeps_the_readable_label_and_retries_after_an_hour(
    rig: Rig, fault: str
) -> None:
    if fault == "not json":
        rig.news.set(TERMS, "<html>oops</html>", content_type="text/html")
    else:
        rig.news.fault(TERMS, fault, status=500)  # type: ignore[arg-type]
    rig.set_latest(with_robots(DAY))
    await rig.service.refresh()  # never raises
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.stats[ROBOTS] == 41
    assert await rig.service.category_titles(snapshot) == {}
    assert rig.news.hits(TERMS) == 1  # not asked again at once
    assert rig.service.last_error is None  # titles are not the counter's health

    rig.news.clear_fault(TERMS)
    set_terms(rig)
    rig.clock.advance(timedelta(minutes=30))
    assert await rig.service.category_titles(snapshot) == {}
    rig.clock.advance(timedelta(minutes=31))
    titles = await rig.service.category_titles(snapshot)
    assert titles[ROBOTS] == "Наземні робототехнічні комплекси"
    assert rig.news.hits(TERMS) == 2


async def test_terms_without_the_key_are_asked_again_only_after_an_hour(rig: Rig) -> None:
    rig.news.set_json(TERMS, {"data": {"tanks": {"title": "Танки"}}})
    rig.set_latest(with_robots(DAY))
    await rig.service.refresh()
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None
    assert ROBOTS not in await rig.service.category_titles(snapshot)
    rig.clock.advance(timedelta(minutes=59))
    await rig.service.category_titles(snapshot)
    assert rig.news.hits(TERMS) == 1
    rig.clock.advance(timedelta(minutes=2))
    await rig.service.category_titles(snapshot)
    assert rig.news.hits(TERMS) == 2


# -- a primary that answers with an old report ------------------------------------------------

STALE_LOG = "older than 36 h"


def stale_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if STALE_LOG in r.getMessage()]


async def test_a_stale_primary_is_a_soft_failure_and_the_newer_fallback_is_kept(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.losses.service")
    two_days_ago = DAY - timedelta(days=2)  # 09:30 UTC on the 29th: more than 36 h old
    rig.set_latest(record(two_days_ago))
    rig.set_minfin()
    await rig.service.refresh()  # the API answered normally, yet the fallback is asked at once
    assert rig.news.hits(MINFIN) == 1
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.day == DAY and snapshot.source == "minfin"
    assert (rig.service.counter_line(rig.clock.now()) or "").startswith("Втрати ворога: 912")
    old = await store.get_record(rig.db, two_days_ago)
    assert old is not None and old.source == "russianwarship"  # the primary's report is kept
    assert "2025-03-27" in (rig.service.last_error or "")
    assert len(stale_warnings(caplog)) == 1

    rig.clock.advance(3600)
    await rig.service.refresh()  # still stale: the fallback is asked again, logged once only
    assert rig.news.hits(MINFIN) == 2
    assert len(stale_warnings(caplog)) == 1
    assert await rig.count() == 2

    # The API catches up: it is current again, said once, and the fallback rests.
    rig.set_latest(record(DAY, personnel=912_490))
    await rig.service.refresh()
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 2
    stored = await store.get_record(rig.db, DAY)
    assert stored is not None and stored.source == "russianwarship"
    assert rig.service.last_error is None
    current = [r.getMessage() for r in caplog.records if "current again" in r.getMessage()]
    assert len(current) == 1


async def test_a_stale_primary_stays_when_the_fallback_is_not_newer(rig: Rig) -> None:
    rig.set_latest(record(DAY - timedelta(days=2)))
    rig.set_minfin("minfin_2022-04-03_old.html")  # answers, but with an older report still
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 1
    snapshot = rig.service.latest_snapshot()
    assert snapshot is not None and snapshot.source == "russianwarship"
    assert await rig.count() == 1  # the older fallback report is not stored

    rig.news.fault(MINFIN, "status", status=502)
    rig.clock.advance(timedelta(hours=6))
    await rig.service.refresh()  # both unhelpful: never raises, says so
    assert "minfin" in (rig.service.last_error or "")
    line = rig.service.counter_line(rig.clock.now())
    assert line is not None and line.startswith("Втрати ворога станом на 27 березня 2025: ")


async def test_a_primary_younger_than_36_hours_never_asks_the_fallback(rig: Rig) -> None:
    rig.set_latest(record(DAY - timedelta(days=1)))  # 35.5 h old at 09:30 UTC on the 29th
    rig.set_minfin()
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 0
    rig.clock.advance(timedelta(minutes=31))  # now 36 h and a minute
    await rig.service.refresh()
    assert rig.news.hits(MINFIN) == 1
