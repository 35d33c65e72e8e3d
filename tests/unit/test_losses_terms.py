"""Category titles from the API's /terms/uk: URL, defensive parsing, and how labels use them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.fakes.telegram import check_telegram_html
from bot.losses.format import CATEGORIES, category_label, table_html
from bot.losses.model import BadPayload, Snapshot
from bot.losses.terms import parse_terms, terms_url, unknown_keys

DATA = Path(__file__).resolve().parent.parent / "data" / "losses"


@pytest.mark.parametrize(
    ("latest", "terms"),
    [
        (
            "https://russianwarship.rip/api/v2/statistics/latest",
            "https://russianwarship.rip/api/v2/terms/uk",
        ),
        (
            "http://127.0.0.1:8080/api/v2/statistics/latest/",
            "http://127.0.0.1:8080/api/v2/terms/uk",
        ),
        ("http://h/api/v2/statistics/latest?x=1", "http://h/api/v2/terms/uk"),
    ],
)
def test_terms_url_is_derived_from_the_configured_latest_url(latest: str, terms: str) -> None:
    assert terms_url(latest) == terms


def test_parse_terms_keeps_usable_titles_only() -> None:
    titles = parse_terms((DATA / "api_terms_uk.json").read_bytes())
    assert titles == {
        "personnel_units": "Особовий склад",
        "tanks": "Танки",
        "ground_robotic_systems": "Наземні робототехнічні комплекси",  # capitalised
        "spaced_title": "Засоби РЕБ",  # whitespace and control characters collapsed
    }


def test_parse_terms_drops_an_absurdly_long_title() -> None:
    body = '{"data": {"x": {"title": "%s"}}}' % ("дуже " * 40)
    assert parse_terms(body.encode()) == {}


@pytest.mark.parametrize(
    "body",
    [b"<html>502</html>", b'{"message": "ok"}', b'{"data": []}', b"[1, 2]", b"\xff\xfe"],
)
def test_parse_terms_refuses_a_broken_response(body: bytes) -> None:
    with pytest.raises(BadPayload):
        parse_terms(body)


def test_the_real_english_terms_sample_parses(shared_data: Path) -> None:
    sample = shared_data / "losses" / "russianwarship_v2_terms_en.sample.json"
    if not sample.is_file():
        pytest.skip(f"{sample} is not in the shared data")
    titles = parse_terms(sample.read_bytes())
    assert titles["tanks"] == "Tanks"
    assert set(titles) >= {"personnel_units", "planes", "helicopters"}


def test_unknown_keys_are_those_without_built_in_wording() -> None:
    assert unknown_keys(["tanks", "ground_robotic_systems", "personnel_units", "x"]) == [
        "ground_robotic_systems",
        "x",
    ]


@pytest.mark.parametrize(
    ("key", "titles", "label"),
    [
        ("ground_robotic_systems", {"ground_robotic_systems": "Наземні РТК"}, "Наземні РТК"),
        ("ground_robotic_systems", {}, "Ground robotic systems"),
        ("ground_robotic_systems", None, "Ground robotic systems"),
        ("ground_robotic_systems", {"ground_robotic_systems": ""}, "Ground robotic systems"),
        ("tanks", {"tanks": "Танки (API)"}, "Танки"),  # the General Staff's wording stays
        ("mlrs", {"mlrs": "Реактивні системи залпового вогню"}, "РСЗВ"),
    ],
)
def test_category_label_prefers_built_in_wording_then_api_title(
    key: str, titles: dict[str, str] | None, label: str
) -> None:
    assert category_label(key, titles) == label


def test_every_built_in_category_ignores_api_titles() -> None:
    titles = dict.fromkeys(CATEGORIES, "API")
    assert all(category_label(key, titles) == c.label for key, c in CATEGORIES.items())


def test_table_shows_the_api_title_for_a_new_category_escaped() -> None:
    snapshot = Snapshot(
        day=date(2026, 8, 8),
        stats={"personnel_units": 1_200_000, "ground_robotic_systems": 41, "new_x": 3},
        increase={"ground_robotic_systems": 2},
        source="russianwarship",
        fetched_at=datetime(2026, 8, 8, 7, tzinfo=UTC),
    )
    titles = {"ground_robotic_systems": "Наземні робототехнічні комплекси", "new_x": "А<б>"}
    html = table_html(snapshot, datetime(2026, 8, 8, 9, tzinfo=UTC), titles=titles)
    assert "Наземні робототехнічні комплекси — <b>41</b> (+2)" in html
    assert "А&lt;б&gt; — <b>3</b>" in html
    check_telegram_html(html)
    plain = table_html(snapshot, datetime(2026, 8, 8, 9, tzinfo=UTC))
    assert "Ground robotic systems — <b>41</b> (+2)" in plain
