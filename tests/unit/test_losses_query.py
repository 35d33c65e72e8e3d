"""What /losses arguments ask for."""

from __future__ import annotations

from datetime import date

import pytest

from bot.losses.query import Chart, ForDay, Latest, LossesRequest, Unclear, parse_request

TODAY = date(2025, 3, 29)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], Latest()),
        (["chart"], Chart()),
        (["Графік"], Chart()),
        (["29.03.2025"], ForDay(date(2025, 3, 29))),
        (["2025-03-29"], ForDay(date(2025, 3, 29))),
        (["1.4.2022"], ForDay(date(2022, 4, 1))),
        (["01/04/22"], ForDay(date(2022, 4, 1))),
        (["28.03"], ForDay(date(2025, 3, 28))),  # this year
        (["30.03"], ForDay(date(2024, 3, 30))),  # not yet this year: last year's
        (["31.02.2025"], Unclear("31.02.2025")),
        (["2025-13-01"], Unclear("2025-13-01")),
        (["вчора"], Unclear("вчора")),
        (["29", "березня"], Unclear("29 березня")),
    ],
)
def test_parse_request(args: list[str], expected: LossesRequest) -> None:
    assert parse_request(args, TODAY) == expected
