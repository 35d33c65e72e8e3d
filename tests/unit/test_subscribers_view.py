"""/settings' buttons: every button's data reads back as what it says, fits Telegram's 64
bytes, and the sources page in pages of eight."""

from __future__ import annotations

import pytest

from bot.subscribers.view import (
    PAGE_SIZE,
    ShowMain,
    ShowSources,
    SourceChoice,
    SwitchMode,
    SwitchQuiet,
    SwitchSource,
    parse_callback,
    settings_keyboard,
    sources_keyboard,
)
from storage.settings import ChatSettings

CHAT = ChatSettings(1, True, "digest", True, ("Харків",), (), frozenset({3}))
SOURCES = [SourceChoice(n, f"Джерело {n}", n != 3) for n in range(1, 18)]


def test_the_settings_buttons_say_what_they_set() -> None:
    rows = settings_keyboard(CHAT)
    actions = [parse_callback(data) for row in rows for _, data in row]
    assert actions == [
        SwitchMode("all"), SwitchMode("top"), SwitchMode("digest"), SwitchQuiet(False),
        ShowSources(0),
    ]  # fmt: skip
    assert [label for label, _ in rows[0]] == ["Усі новини", "Головне", "✓ Дайджест"]


def test_sources_come_in_pages_with_arrows() -> None:
    first = sources_keyboard(SOURCES, 0)
    assert sum(len(r) for r in first[:-2]) == PAGE_SIZE
    assert [label for label, _ in first[-2]] == ["Наступні ›"]
    assert first[1][0] == ("✗ Джерело 3", "set:t:0:3:1")  # off: pressing switches it on
    assert parse_callback(first[0][0][1]) == SwitchSource(1, False, 0)
    last = sources_keyboard(SOURCES, 99)  # past the end: the last page
    assert [label for row in last for label, _ in row] == [
        "✓ Джерело 17", "‹ Попередні", "« Налаштування",
    ]  # fmt: skip
    assert parse_callback(last[-1][0][1]) == ShowMain()
    assert sources_keyboard([], 0) == [[("« Налаштування", "set:main")]]


def test_callback_data_fits_telegram() -> None:
    big = [SourceChoice(10**17 + n, "Д" * 60, True) for n in range(PAGE_SIZE * 3)]
    for page in range(3):
        for row in sources_keyboard(big, page):
            for _, data in row:
                assert len(data.encode()) <= 64
                assert parse_callback(data) is not None


@pytest.mark.parametrize(
    "data",
    ["", "set:", "set:m:", "set:m:All", "set:m:weekly", "set:q:yes", "set:s:-1", "set:t:0:1",
     "set:t:0:1:2", "set:main:0", "bc:send:1", "set:s:12345"],
)  # fmt: skip
def test_what_no_button_carries_is_refused(data: str) -> None:
    assert parse_callback(data) is None
