"""Parsing loss-counter payloads defensively, and the rules that reject a bad one."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.losses.api import parse_latest, parse_list, parse_record
from bot.losses.model import BadPayload, Snapshot, check_against, war_day

DATA = Path(__file__).resolve().parent.parent / "data" / "losses"
NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)


def latest_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "api_latest_2025-03-29.json").read_text("utf-8"))
    return doc


def test_latest_payload_parses_into_a_typed_snapshot() -> None:
    s = parse_latest((DATA / "api_latest_2025-03-29.json").read_bytes(), fetched_at=NOW)
    assert s.day == date(2025, 3, 29)
    assert s.war_day == 1130
    assert s.personnel == 912490
    assert s.stats["tanks"] == 10478 and s.increase["personnel_units"] == 1740
    assert s.source == "russianwarship" and s.fetched_at == NOW
    assert list(s.stats)[:2] == ["personnel_units", "tanks"]  # the source's order is kept


def test_old_shape_without_war_status_and_submarines() -> None:
    body = (DATA / "api_2022-10-03_old_shape.json").read_bytes()
    s = parse_latest(body, fetched_at=NOW)
    assert s.day == date(2022, 10, 3) and s.war_day == 222
    assert "submarines" not in s.stats and s.stats["atgm_srbm_systems"] == 4


def test_new_category_is_kept() -> None:
    body = (DATA / "api_new_category_2026-08-08.json").read_bytes()
    s = parse_latest(body, fetched_at=datetime(2026, 8, 8, 7, tzinfo=UTC))
    assert s.stats["ground_robotic_systems"] == 2162
    assert s.increase["ground_robotic_systems"] == 11
    assert "armoured_fighting_vehicles" not in s.stats  # missing keys are simply absent


def _mutated(change: Any) -> bytes:
    doc = latest_doc()
    change(doc["data"])
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["stats"].pop("personnel_units"), "no personnel"),
        (lambda d: d["stats"].update(personnel_units=None), "no personnel"),
        (lambda d: d.pop("stats"), "no personnel"),
        (lambda d: d["stats"].update(tanks="багато"), "not a whole number"),
        (lambda d: d["stats"].update(tanks=12.5), "not a whole number"),
        (lambda d: d["stats"].update(tanks=True), "not a number"),
        (lambda d: d["stats"].update(tanks=[1]), "not a whole number"),
        (lambda d: d["stats"].update(tanks=-3), "negative"),
        (lambda d: d["increase"].update(tanks="+?"), "not a whole number"),
        (lambda d: d.update(stats=[1, 2]), "expected an object"),
        (lambda d: d.update(date="вчора"), "not a date"),
        (lambda d: d.update(date="2021-12-31"), "outside the war"),
        (lambda d: d.update(date="2025-04-05"), "outside the war"),  # far in the future
        (lambda d: d.update(day=12), "does not match"),
    ],
)
def test_bad_payloads_are_refused(change: Any, reason: str) -> None:
    with pytest.raises(BadPayload, match=reason):
        parse_latest(_mutated(change), fetched_at=NOW)


@pytest.mark.parametrize(
    "body",
    [b"<html>502 Bad Gateway</html>", b"[]", b'{"message": "x"}', b"\xff\xfe", b""],
)
def test_broken_envelopes_are_refused(body: bytes) -> None:
    with pytest.raises(BadPayload):
        parse_latest(body, fetched_at=NOW)


def test_lenient_on_harmless_variations() -> None:
    def change(d: dict[str, Any]) -> None:
        d["stats"]["tanks"] = "10478"  # numeric text
        d["stats"]["planes"] = 370.0  # a whole float
        d["stats"]["new_thing"] = None  # null: treated as absent
        d.pop("increase")
        d.pop("day")  # computed from the date

    s = parse_latest(_mutated(change), fetched_at=NOW)
    assert s.stats["tanks"] == 10478 and s.stats["planes"] == 370
    assert "new_thing" not in s.stats and dict(s.increase) == {}
    assert s.war_day == 1130


def test_list_skips_bad_records_and_keeps_good_ones() -> None:
    good = latest_doc()["data"]
    older = copy.deepcopy(good)
    older["date"], older["day"] = "2025-03-28", 1129
    bad = copy.deepcopy(good)
    bad["date"] = "2025-03-27"
    del bad["stats"]["personnel_units"]
    body = json.dumps({"data": {"records": [good, bad, older]}}).encode()
    snapshots, next_url = parse_list(body, fetched_at=NOW)
    assert [s.day for s in snapshots] == [date(2025, 3, 29), date(2025, 3, 28)]
    assert next_url is None


def test_list_reports_the_next_page() -> None:
    body = json.dumps(
        {"data": {"records": [], "paginator": {"next_page_url": "/api/v2/statistics?page=2"}}}
    ).encode()
    assert parse_list(body, fetched_at=NOW) == ([], "/api/v2/statistics?page=2")


def test_list_without_records_is_refused() -> None:
    with pytest.raises(BadPayload, match="records"):
        parse_list(b'{"data": {"paginator": {}}}', fetched_at=NOW)


def test_war_day_numbering() -> None:
    assert war_day(date(2022, 2, 24)) == 1
    assert war_day(date(2022, 4, 14)) == 50
    assert war_day(date(2025, 3, 29)) == 1130


def snapshot(day: date, **stats: int) -> Snapshot:
    return Snapshot(day=day, stats=stats, increase={}, source="russianwarship", fetched_at=NOW)


D1, D2, D3 = date(2025, 3, 27), date(2025, 3, 28), date(2025, 3, 29)


@pytest.mark.parametrize(
    ("previous", "current", "following", "problem"),
    [
        (snapshot(D1, personnel_units=10, tanks=5), snapshot(D2, personnel_units=11), None, None),
        (snapshot(D1, personnel_units=10), snapshot(D2, personnel_units=9), None, "lower"),
        # a small correction of equipment happens (the General Staff corrects its counts)
        (
            snapshot(D1, personnel_units=1, special_military_equip=3700),
            snapshot(D2, personnel_units=2, special_military_equip=3617),
            None,
            None,
        ),
        # a large drop is a broken payload
        (
            snapshot(D1, personnel_units=1, tanks=10478),
            snapshot(D2, personnel_units=2, tanks=1047),
            None,
            "tanks 1047 is lower than 10478",
        ),
        # a category absent on one side does not compare
        (snapshot(D1, personnel_units=1, tanks=9), snapshot(D2, personnel_units=2), None, None),
        # a backfilled day must not exceed the newer stored one
        (None, snapshot(D2, personnel_units=20), snapshot(D3, personnel_units=15), "higher"),
        (None, snapshot(D2, personnel_units=10), snapshot(D3, personnel_units=15), None),
    ],
)
def test_check_against_neighbours(
    previous: Snapshot | None, current: Snapshot, following: Snapshot | None, problem: str | None
) -> None:
    result = check_against(current, previous, following)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_increase_filled_from_the_previous_day_only() -> None:
    prev = snapshot(D2, personnel_units=100, tanks=10)
    cur = Snapshot(
        day=D3,
        stats={"personnel_units": 150, "tanks": 12, "new": 1},
        increase={"tanks": 3},
        source="minfin",
        fetched_at=NOW,
    )
    filled = cur.with_increase_from(prev)
    assert dict(filled.increase) == {"tanks": 3, "personnel_units": 50}  # given values win
    assert cur.with_increase_from(snapshot(D1, personnel_units=1)) is cur  # not adjacent


def test_record_must_be_an_object() -> None:
    with pytest.raises(BadPayload):
        parse_record([], fetched_at=NOW)
