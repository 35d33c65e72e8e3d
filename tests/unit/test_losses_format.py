"""Ukrainian formatting of loss snapshots: table-driven, plus a golden /losses table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.fakes.telegram import check_telegram_html
from bot.losses.format import (
    UNAVAILABLE,
    category_label,
    chart_caption_html,
    counter_line,
    is_counter_line,
    is_stale,
    ordered_keys,
    table_html,
    war_day_text,
)
from bot.losses.model import Snapshot
from bot.uk import NBSP, count

DATA = Path(__file__).resolve().parent.parent / "data" / "losses"
FETCHED = datetime(2025, 3, 29, 7, 0, tzinfo=UTC)

STATS = {
    "personnel_units": 912490,
    "tanks": 10478,
    "armoured_fighting_vehicles": 21796,
    "artillery_systems": 25451,
    "mlrs": 1345,
    "aa_warfare_systems": 1122,
    "planes": 370,
    "helicopters": 335,
    "vehicles_fuel_tanks": 42398,
    "warships_cutters": 28,
    "cruise_missiles": 3121,
    "uav_systems": 31234,
    "special_military_equip": 3787,
    "submarines": 1,
}
INCREASE = {"personnel_units": 1740, "tanks": 23, "planes": 0, "uav_systems": 164}


def snap(day: date = date(2025, 3, 29), **changes: object) -> Snapshot:
    fields: dict[str, object] = {
        "day": day,
        "stats": STATS,
        "increase": INCREASE,
        "source": "russianwarship",
        "fetched_at": FETCHED,
    }
    fields.update(changes)
    return Snapshot(**fields)  # type: ignore[arg-type]


def kyiv(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """A Kyiv wall-clock moment (EET/EEST) as aware UTC: March 29 2025 is still EET (+2)."""
    from bot.clock import KYIV

    return datetime(y, m, d, hh, mm, tzinfo=KYIV).astimezone(UTC)


TODAY_LINE = "Втрати ворога: 912 490 осіб (+1 740) · 10 478 танків · 370 літаків · 335 гелікоптерів"


def test_counter_line_matches_the_reference_page_figures() -> None:
    line = counter_line(snap(), kyiv(2025, 3, 29, 12))
    assert line is not None
    assert line.replace(NBSP, " ") == TODAY_LINE
    assert f"912{NBSP}490" in line and f"10{NBSP}478" in line and f"+1{NBSP}740" in line


@pytest.mark.parametrize(
    ("now", "prefix"),
    [
        (kyiv(2025, 3, 29, 0, 5), "Втрати ворога: "),  # today's report, Kyiv date
        (kyiv(2025, 3, 29, 23, 59), "Втрати ворога: "),
        (kyiv(2025, 3, 30, 8, 0), "Втрати ворога на 29 березня 2025: "),  # 32 h: dated
        # Kyiv moves to summer time in the night to March 30 2025: 36 real hours after
        # midnight of the 29th is 13:00 on the wall clock, not 12:00.
        (kyiv(2025, 3, 30, 12, 59), "Втрати ворога на 29 березня 2025: "),
        (kyiv(2025, 3, 30, 13, 1), "Втрати ворога станом на 29 березня 2025: "),
        (kyiv(2025, 4, 2, 9, 0), "Втрати ворога станом на 29 березня 2025: "),
    ],
)
def test_counter_line_dates_and_staleness(now: datetime, prefix: str) -> None:
    line = counter_line(snap(), now)
    assert line is not None and line.startswith(prefix), line


def test_counter_line_uses_kyiv_date_not_utc() -> None:
    # 23:30 UTC on March 28 is already March 29 in Kyiv: the report is today's.
    line = counter_line(snap(), datetime(2025, 3, 28, 23, 30, tzinfo=UTC))
    assert line is not None and line.startswith("Втрати ворога: ")


def test_no_snapshot_no_line() -> None:
    assert counter_line(None, FETCHED) is None


@pytest.mark.parametrize(
    ("stats", "increase", "expected"),
    [
        (
            {"personnel_units": 1, "tanks": 1, "planes": 1, "helicopters": 1},
            {},
            "1 особа · 1 танк · 1 літак · 1 гелікоптер",
        ),
        (
            {"personnel_units": 2, "tanks": 2, "planes": 3, "helicopters": 4},
            {"personnel_units": 0},
            "2 особи · 2 танки · 3 літаки · 4 гелікоптери",
        ),
        (
            {"personnel_units": 11, "tanks": 11, "planes": 12, "helicopters": 14},
            {},
            "11 осіб · 11 танків · 12 літаків · 14 гелікоптерів",
        ),
        (
            {"personnel_units": 21, "tanks": 21, "planes": 22, "helicopters": 25},
            {"personnel_units": -5},
            "21 особа (−5) · 21 танк · 22 літаки · 25 гелікоптерів",
        ),
        (
            {"personnel_units": 1000, "tanks": 111, "planes": 101, "helicopters": 1002},
            {"personnel_units": 1000},
            "1 000 осіб (+1 000) · 111 танків · 101 літак · 1 002 гелікоптери",
        ),
        ({"personnel_units": 5}, {}, "5 осіб"),  # missing categories are skipped
    ],
)
def test_counter_line_plural_forms(
    stats: dict[str, int], increase: dict[str, int], expected: str
) -> None:
    line = counter_line(snap(stats=stats, increase=increase), kyiv(2025, 3, 29, 12))
    assert line is not None
    assert line.replace(NBSP, " ") == "Втрати ворога: " + expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "0 танків"),
        (1, "1 танк"),
        (2, "2 танки"),
        (4, "4 танки"),
        (5, "5 танків"),
        (11, "11 танків"),
        (12, "12 танків"),
        (14, "14 танків"),
        (21, "21 танк"),
        (22, "22 танки"),
        (101, "101 танк"),
        (111, "111 танків"),
        (10478, "10 478 танків"),
        (10471, "10 471 танк"),
        (10473, "10 473 танки"),
    ],
)
def test_plural_table(number: int, expected: str) -> None:
    assert count(number, "танк", "танки", "танків").replace(NBSP, " ") == expected


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("personnel_units", "Особовий склад"),
        ("armoured_fighting_vehicles", "Бойові броньовані машини"),
        ("artillery_systems", "Артилерійські системи"),
        ("mlrs", "РСЗВ"),
        ("aa_warfare_systems", "Засоби ППО"),
        ("uav_systems", "БпЛА оперативно-тактичного рівня"),
        ("warships_cutters", "Кораблі / катери"),
        ("submarines", "Підводні човни"),
        ("vehicles_fuel_tanks", "Автомобільна техніка та автоцистерни"),
        ("special_military_equip", "Спеціальна техніка"),
        ("ground_robotic_systems", "Ground robotic systems"),  # new: readable, not dropped
        ("Наземні робототехнічні комплекси", "Наземні робототехнічні комплекси"),
    ],
)
def test_category_labels(key: str, label: str) -> None:
    assert category_label(key) == label


@pytest.mark.parametrize(
    ("number", "text"), [(1, "1-й день війни"), (3, "3-й день війни"), (1130, "1130-й день війни")]
)
def test_war_day(number: int, text: str) -> None:
    assert war_day_text(number) == text


def test_unknown_categories_come_after_known_ones_in_source_order() -> None:
    s = snap(stats={"zeta_new": 1, "tanks": 2, "personnel_units": 3, "alpha_new": 4})
    assert ordered_keys(s) == ["personnel_units", "tanks", "zeta_new", "alpha_new"]


def test_table_matches_golden_file() -> None:
    html = table_html(snap(), kyiv(2025, 3, 29, 12))
    golden = (DATA / "table_2025-03-29.golden.html").read_text(encoding="utf-8")
    assert html == golden.rstrip("\n")
    check_telegram_html(html)


def test_stale_latest_table_says_so_but_a_past_date_does_not() -> None:
    now = kyiv(2025, 4, 2, 10)
    assert "Станом на 29 березня 2025: новіших даних поки немає" in table_html(snap(), now)
    assert "новіших даних" not in table_html(snap(), now, latest=False)


def test_table_escapes_inserted_text_once() -> None:
    s = snap(stats={"personnel_units": 5, "a<b>&c": 7}, increase={}, source="minfin")
    html = table_html(s, kyiv(2025, 3, 29, 12))
    assert "A&lt;b&gt;&amp;c — <b>7</b>" in html
    assert "&amp;amp;" not in html
    check_telegram_html(html)
    assert "index.minfin.com.ua" in html


@pytest.mark.parametrize(
    ("day", "fresh_until"),
    [
        (date(2025, 3, 29), kyiv(2025, 3, 30, 13, 0)),  # across the spring DST change
        (date(2025, 6, 10), kyiv(2025, 6, 11, 12, 0)),
        (date(2025, 10, 25), kyiv(2025, 10, 26, 11, 0)),  # across the autumn change
    ],
)
def test_is_stale_after_36_real_hours(day: date, fresh_until: datetime) -> None:
    from datetime import timedelta

    assert not is_stale(snap(day=day), fresh_until)
    assert is_stale(snap(day=day), fresh_until + timedelta(minutes=1))


@pytest.mark.parametrize(
    ("days", "words"), [(30, "За 30 днів"), (21, "За 21 день"), (22, "За 22 дні")]
)
def test_chart_caption(days: int, words: str) -> None:
    caption = chart_caption_html(snap(), days)
    assert words in caption.replace(NBSP, " ")
    assert "до 29 березня 2025" in caption and "середнє за 7 днів" in caption
    check_telegram_html(caption)


def test_unavailable_text_is_plain_ukrainian() -> None:
    assert UNAVAILABLE.startswith("Дані про втрати ворога тимчасово недоступні")


def test_table_opens_and_ends_as_the_general_staff_post() -> None:
    html = table_html(snap(day=date(2025, 4, 2), source="minfin"), kyiv(2025, 4, 2, 10))
    lines = html.split("\n")
    assert lines[0] == (
        "<b>Загальні бойові втрати противника з 24.02.2022 по 02.04.2025 орієнтовно склали:</b>"
    )
    assert lines[-2:] == ["Дані уточнюються.", "<i>Дані Генштабу ЗСУ, за index.minfin.com.ua</i>"]


@pytest.mark.parametrize(
    ("personnel", "increase", "row"),
    [
        (912490, 1740, "Особовий склад — близько <b>912 490</b> (+1 740) осіб"),
        (912491, 1741, "Особовий склад — близько <b>912 491</b> (+1 741) особи"),
        (912492, 0, "Особовий склад — близько <b>912 492</b> осіб"),
        (912511, 21, "Особовий склад — близько <b>912 511</b> (+21) осіб"),
    ],
)
def test_personnel_row_reads_as_the_general_staff_writes_it(
    personnel: int, increase: int, row: str
) -> None:
    s = snap(stats={"personnel_units": personnel}, increase={"personnel_units": increase})
    html = table_html(s, kyiv(2025, 3, 29, 12)).replace(NBSP, " ")
    assert row in html.split("\n")


@pytest.mark.parametrize(
    ("paragraph", "is_counter"),
    [
        (TODAY_LINE, True),
        ("Втрати ворога на 28 березня 2025: 910 750 осіб (+1 310) · 10 455 танків", True),
        ("Втрати ворога станом на 27 березня 2025: 909 440 особового складу (+1 120)", True),
        ("Втрати ворога: 1 740 осіб за добу, повідомив Генштаб.", False),
        ("Втрати ворога зростають щодня", False),
        ("ГОРДОН · Читати повністю", False),
    ],
)
def test_counter_lines_are_recognised_in_every_wording(paragraph: str, is_counter: bool) -> None:
    assert is_counter_line(paragraph) is is_counter


def test_every_counter_line_made_is_recognised() -> None:
    for now in (kyiv(2025, 3, 29, 12), kyiv(2025, 3, 30, 8), kyiv(2025, 4, 2, 9)):
        line = counter_line(snap(), now)
        assert line is not None and is_counter_line(line), line
