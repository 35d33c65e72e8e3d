"""What users and admins read: greetings, help, /latest packing, broadcast preview, /stats.

Texts are compared with golden files in tests/data/delivery/ (``UPDATE_GOLDEN=1`` rewrites
them; review the diff).
"""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import texts
from bot.briefs.render import render_brief
from bot.fakes.telegram import check_telegram_html, utf16_len
from bot.losses.model import Snapshot
from bot.stories.message import MessageBrief, story_message
from bot.subscribers.times import DigestTimes
from bot.subscribers.view import mode_line
from handlers.admin import Today, broadcast_body, preview_html, stats_html
from handlers.commands import help_text, how_often, welcome_text
from handlers.latest import latest_messages, pack, parse_count, without_counter
from storage.sources import SourceRecord

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "delivery"
NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, "utf-8")
    assert text == path.read_text("utf-8")


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (300, "кожні 5 хвилин"),
        (60, "щохвилини"),
        (120, "кожні 2 хвилини"),
        (1260, "кожну 21 хвилину"),
        (90, "кожні 90 секунд"),
        (3600, "щогодини"),
        (7200, "кожні 2 години"),
    ],
)
def test_how_often(seconds: int, phrase: str) -> None:
    assert how_often(seconds) == phrase


def test_welcome() -> None:
    mode = mode_line("top", DigestTimes.parse(["09:00", "19:00"]), texts.WELCOME_MODE)
    text = welcome_text(300, "Втрати ворога: 912 490 осіб (+1 740) · 10 478 танків", mode)
    check_telegram_html(text)
    golden("welcome.txt", text)


def test_welcome_without_counter_escapes_nothing_it_should_not() -> None:
    text = welcome_text(300, None)
    assert "Втрати ворога" not in text and "/stop" in text


def test_help_for_admins_lists_admin_commands() -> None:
    assert "/broadcast" not in help_text(admin=False)
    golden("help_admin.txt", help_text(admin=True))


@pytest.mark.parametrize(
    ("args", "n"),
    [
        ([], 5),
        (["3"], 3),
        (["03"], 3),
        (["10"], 10),
        (["50"], 10),
        (["9" * 5000], 10),
        (["0"], None),
        (["x"], None),
        (["²"], None),
        (["①"], None),
        (["-1"], None),
        (["1", "2"], None),
    ],
)
def test_latest_count(args: list[str], n: int | None) -> None:
    assert parse_count(args) == n


def test_pack_never_splits_a_brief_and_keeps_order() -> None:
    briefs = [f"<b>{i}</b> " + "x" * 1000 for i in range(10)]
    messages = pack(briefs)
    assert all(len(m) <= 4096 for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(briefs)
    assert len(messages) == 3  # four briefs of ~1 010 characters fit in one message


def _brief(title: str, summary: str, counter: str | None) -> str:
    return render_brief(title, [summary], counter, "ГОРДОН", "https://gordonua.com/news/1.html")


TODAY = (
    "Втрати ворога: 912\u00a0490 осіб (+1\u00a0740) · 10\u00a0478 танків · 370 літаків · "
    "335 гелікоптерів"
)


def test_latest_shows_the_counter_once_after_the_list() -> None:
    """Stored briefs carry the counter of the day they were made (in older wordings too):
    /latest drops those and shows today's line once, at the end."""
    briefs = [
        (_brief("Нова новина", "Сили оборони відбили 47 атак.", TODAY), 1),
        (
            _brief(
                "Вчорашня новина",
                "Енергетики відновили живлення.",
                "Втрати ворога станом на 27 березня 2025: 1\u00a0013\u00a0570 особового складу "
                "(+1\u00a0120) · 11\u00a0186 танків",
            ),
            1,
        ),
        # made without a counter; its summary starts like one, but it is a sentence
        (
            _brief(
                "Новина без лічильника", "Втрати ворога: 1 740 осіб за добу, за Генштабом.", None
            ),
            1,
        ),
        (
            story_message(
                MessageBrief("Історія трьох джерел", "Про неї пишуть усі.", ""),
                TODAY,
                [
                    ("ГОРДОН", "https://gordonua.com/1"),
                    ("NV", "https://nv.ua/2"),
                    ("УНІАН", "https://unian.ua/3"),
                ],
            ),
            3,
        ),
    ]
    (text,) = latest_messages(briefs, TODAY)
    check_telegram_html(text)
    assert text.count(TODAY) == 1 and text.endswith(TODAY)
    assert "особового складу" not in text
    assert "Втрати ворога: 1\u00a0740 осіб за добу, за Генштабом." in text  # typeset
    visible = check_telegram_html(text)
    assert visible.count("\n1 джерело\n") == 3
    assert "Про це пишуть: ГОРДОН, NV, УНІАН\n3 джерела\n" in visible
    golden("latest.html", text)


def test_latest_without_a_counter_and_briefs_without_one_are_left_whole() -> None:
    plain = _brief("Заголовок", "Речення.", None)
    assert without_counter(plain) == plain
    assert latest_messages([(plain, 1)], None) == [plain + "\n<i>1 джерело</i>"]


def test_broadcast_body_keeps_newlines() -> None:
    assert broadcast_body("/broadcast Привіт\nусім  ") == "Привіт\nусім"
    assert broadcast_body("/broadcast@newsbot_test_bot   текст") == "текст"
    assert broadcast_body("/broadcast") == ""


def test_preview_escapes_the_text_and_agrees_with_the_number() -> None:
    text = preview_html("<b>не тег</b> & 5 > 3", 21)
    check_telegram_html(text)
    assert "її отримає 21 підписник:" in text
    assert "&lt;b&gt;не тег&lt;/b&gt; &amp; 5 &gt; 3" in text
    assert "отримають 1\u00a0200 підписників" in preview_html("x", 1200)


def test_preview_of_an_emoji_text_fits_telegram() -> None:
    """3 000 emoji are 3 000 characters but 6 000 UTF-16 units: cut by len() at 3 500 the
    preview was over 4 096 units; it is cut in units now, never inside a surrogate pair."""
    text = preview_html("🔥" * 3000, 5)
    assert utf16_len(text) <= 4096
    check_telegram_html(text)
    assert text.endswith("🔥…")


def _source(name: str, **kw: object) -> SourceRecord:
    """A SourceRecord with every field empty but ``name`` and ``kw`` (robust to new fields)."""
    base: dict[str, object] = {f.name: None for f in fields(SourceRecord)}
    base.update(id=1, name=name, url="https://e.com/rss", origin="config", enabled=True)
    base.update(consecutive_failures=0, created_at=NOW)
    base.update(kw)
    return SourceRecord(**base)  # type: ignore[arg-type]


def test_stats() -> None:
    ok = datetime(2025, 3, 29, 9, 5, tzinfo=UTC)
    sources = [
        _source("ГОРДОН", last_success_at=ok),
        _source(
            "УНІАН", last_success_at=ok, last_error="HTTP 503 <Service>", consecutive_failures=3
        ),
        _source("NV"),
        _source("Старе", enabled=False),
    ]
    snapshot = Snapshot(
        day=date(2025, 3, 29),
        stats={"personnel_units": 912490},
        increase={"personnel_units": 1740},
        source="russianwarship",
        fetched_at=ok,
    )
    by_status = {"active": 1200, "stopped": 35, "blocked": 12, "gone": 3}
    text = stats_html(by_status, Today(items=1742, stories=911, top=21), 7, sources, snapshot, NOW)
    check_telegram_html(text)
    golden("stats.html", text)


def test_stats_with_a_stale_counter_and_no_sources() -> None:
    snapshot = Snapshot(
        day=date(2025, 3, 25),
        stats={"personnel_units": 1},
        increase={},
        source="minfin",
        fetched_at=NOW,
    )
    text = stats_html({}, Today(), 0, [], snapshot, NOW)
    assert "застарілі на 4 дні" in text and "джерел немає" in text
    assert "даних ще немає" in stats_html({}, Today(), 0, [], None, NOW)
    assert "Сьогодні: 0 нових матеріалів, 0 історій, з них 0 головних" in text
