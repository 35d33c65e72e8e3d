"""The Minfin fallback page, parsed by label."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.losses.minfin import category_for, decode_page, parse_minfin
from bot.losses.model import BadPayload

DATA = Path(__file__).resolve().parent.parent / "data" / "losses"
NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)


def page(name: str) -> str:
    return decode_page((DATA / name).read_bytes())


def test_newest_block_with_increases_any_order() -> None:
    s = parse_minfin(page("minfin_2025-03-29.html"), fetched_at=NOW)
    assert s.day == date(2025, 3, 29) and s.war_day == 1130 and s.source == "minfin"
    assert s.stats["personnel_units"] == 912490 and s.increase["personnel_units"] == 1740
    assert s.stats["tanks"] == 10478 and s.increase["tanks"] == 23
    assert s.stats["armoured_fighting_vehicles"] == 21796
    assert s.stats["artillery_systems"] == 25451
    assert s.stats["vehicles_fuel_tanks"] == 42398
    assert s.stats["planes"] == 370 and "planes" not in s.increase  # no "(+N)": unknown
    assert s.stats["uav_systems"] == 31234 and s.stats["warships_cutters"] == 28
    # a label we do not know is kept under its own name
    assert s.stats["Наземні робототехнічні комплекси"] == 12


def test_old_page_sums_split_vehicle_categories() -> None:
    s = parse_minfin(page("minfin_2022-04-03_old.html"), fetched_at=NOW)
    assert s.day == date(2022, 4, 3)
    assert s.stats["personnel_units"] == 18000  # "близько 18000 осіб, 460 полонених"
    assert s.stats["vehicles_fuel_tanks"] == 1249 + 76  # "Автомобілі" + "Цистерни з ППМ"
    assert s.stats["atgm_srbm_systems"] == 4
    assert s.stats["uav_systems"] == 89
    assert len(s.stats) == 13


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Особовий склад", "personnel_units"),
        ("ББМ", "armoured_fighting_vehicles"),
        ("Бойові броньовані машини", "armoured_fighting_vehicles"),
        ("Гармати", "artillery_systems"),
        ("Артилерійські системи", "artillery_systems"),
        ("БпЛА оперативно-тактичного рівня", "uav_systems"),
        ("Кораблі / катери", "warships_cutters"),
        ("Кораблі (катери)", "warships_cutters"),
        ("Автомобільна техніка та автоцистерни", "vehicles_fuel_tanks"),
        ("Пускові установки ОТРК", "atgm_srbm_systems"),
        ("Засоби\u00a0ППО", "aa_warfare_systems"),
        ("Щось нове", "Щось нове"),
    ],
)
def test_labels(label: str, key: str) -> None:
    assert category_for(label) == key


@pytest.mark.parametrize(
    "html",
    [
        "<html><body>Сторінка на обслуговуванні</body></html>",
        "<ul><li class='gold'><span class='black'>03.04.2022</span>"
        "<div class='casualties'><ul><li>Танки&nbsp;&mdash; 644</li></ul></div></li></ul>",
        "<ul><li class='gold'><span class='black'>03.04.2022</span>"
        "<div class='casualties'><ul><li>Особовий склад&nbsp;&mdash; уточнюється</li>"
        "</ul></div></li></ul>",
    ],
)
def test_pages_without_personnel_are_refused(html: str) -> None:
    with pytest.raises(BadPayload):
        parse_minfin(html, fetched_at=NOW)


def test_windows_1251_page_is_decoded() -> None:
    assert decode_page("Танки".encode("cp1251")) == "Танки"


def test_real_capture_matches_its_text_export(shared_data: Path) -> None:
    """The captured page (41 daily blocks) against the same site's text export."""
    html = (shared_data / "losses" / "minfin_casualties_ua_2022-04-03.html").read_text("utf-8")
    s = parse_minfin(html, fetched_at=NOW)
    text = (shared_data / "losses" / "minfin_casualties_text_ua_2022-04-02_03.txt").read_text(
        "utf-8"
    )
    block = text.split("02.04.2022")[0]
    expected = {
        category_for(m[1]): int(m[2]) for m in re.finditer(r"^(.+?) — \D*(\d+)", block, re.M)
    }
    assert s.day == date(2022, 4, 3)
    assert s.stats["personnel_units"] == expected["personnel_units"] == 18000
    for key in ("tanks", "planes", "helicopters", "mlrs", "uav_systems", "atgm_srbm_systems"):
        assert s.stats[key] == expected[key], key
    assert s.stats["vehicles_fuel_tanks"] == 1249 + 76
