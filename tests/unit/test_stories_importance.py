"""Importance of a story and the top rule: sources, top feeds, breaking markers, small bots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.stories.importance import Report, breaking_marker, importance

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=12)


def _reports(*sources: str, title: str = "Звичайна новина", ago: float = 1.0) -> list[Report]:
    return [Report(s, title, NOW - timedelta(hours=ago)) for s in sources]


def test_more_sources_weigh_most() -> None:
    one = importance(_reports("УНІАН"), NOW, window=WINDOW)
    three = importance(_reports("УНІАН", "Суспільне", "NV"), NOW, window=WINDOW)
    breaking_one = importance(_reports("УНІАН", title="Терміново: вибухи"), NOW, window=WINDOW)
    assert three.score > breaking_one.score > one.score
    assert not one.is_top
    assert three.is_top and three.sources == ("УНІАН", "Суспільне", "NV")


def test_repeated_reports_of_one_source_count_once() -> None:
    result = importance(_reports("УНІАН", "УНІАН", "УНІАН"), NOW, window=WINDOW)
    assert result.sources == ("УНІАН",) and not result.is_top


def test_threshold_is_configurable() -> None:
    reports = _reports("УНІАН", "Суспільне")
    assert not importance(reports, NOW, window=WINDOW).is_top
    assert importance(reports, NOW, window=WINDOW, top_min_sources=2).is_top


def test_a_top_source_makes_a_story_top() -> None:
    result = importance(_reports("УП Головне"), NOW, window=WINDOW, top_sources={"УП Головне"})
    assert result.is_top and result.top_sources == ("УП Головне",)
    assert "top source УП Головне" in result.explain()


@pytest.mark.parametrize(
    ("enabled", "sources", "top"),
    [(1, 1, True), (2, 1, False), (2, 2, True), (3, 2, False), (7, 3, True), (0, 1, False)],
)
def test_a_small_deployment_uses_its_number_of_sources(
    enabled: int, sources: int, top: bool
) -> None:
    reports = _reports(*[f"S{i}" for i in range(sources)])
    result = importance(reports, NOW, window=WINDOW, enabled_sources=enabled)
    assert result.is_top is top


def test_only_reports_within_the_window_count() -> None:
    reports = [*_reports("A", "B", ago=13), *_reports("C", ago=1)]
    result = importance(reports, NOW, window=WINDOW)
    assert result.sources == ("C",) and not result.is_top
    assert not importance(_reports("A", "B", "C", ago=13), NOW, window=WINDOW).is_top


def test_recency_breaks_ties() -> None:
    fresh = importance(_reports("A", ago=0), NOW, window=WINDOW)
    old = importance(_reports("A", ago=11), NOW, window=WINDOW)
    assert fresh.score > old.score
    assert fresh.age == timedelta(0)


@pytest.mark.parametrize(
    ("title", "marker"),
    [
        ("Терміново: у Києві лунають вибухи", "Терміново"),
        ("ТЕРМІНОВО. Повітряна тривога по всій країні", "ТЕРМІНОВО"),
        ("⚡️ Сили ППО працюють над Одесою", "⚡"),
        ("Засідання Ради (НАЖИВО)", "НАЖИВО"),
        ("Наживо | Обмін полоненими", "Наживо"),
        ("Блискавка! Зеленський підписав закон", "Блискавка"),
        ("Срочно: взрывы в Харькове", "Срочно"),
        ("Президент терміново скликав засідання Ставки", None),
        ("Блискавка влучила в будинок на Львівщині", None),
        ("Трансляція матчу наживо і без реклами", None),
    ],
)
def test_breaking_markers(title: str, marker: str | None) -> None:
    assert breaking_marker(title) == marker


def test_a_breaking_marker_makes_a_story_top_and_is_explained() -> None:
    result = importance(_reports("УНІАН", title="⚡ Вибухи в Києві"), NOW, window=WINDOW)
    assert result.is_top and result.breaking == "⚡"
    line = result.explain()
    assert "\n" not in line
    assert line.startswith(f"importance {result.score:.1f}: top (breaking marker '⚡')")
    assert "1 sources in window (УНІАН), latest report 1.0 h ago" in line


def test_explain_says_not_top() -> None:
    line = importance(_reports("A", "B"), NOW, window=WINDOW).explain()
    assert ": not top; 2 sources in window (A, B)" in line
