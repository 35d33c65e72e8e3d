"""The story's message: one source keeps its brief; several get «Про це пишуть: …» within the
1 024-unit budget (counted in UTF-16, links while the HTML fits)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fakes import check_telegram_html, parse_telegram_html
from bot.stories.message import MessageBrief, story_message
from bot.telegram_text import utf16_len

BRIEF = MessageBrief(
    title="Удар по Дніпру: зруйновано багатоповерхівку",
    summary="Ракета влучила в житловий будинок уночі. Загинули четверо людей, 20 поранені.",
    html="<b>Удар по Дніпру</b>\n\n…\n\nУНІАН · <a href='https://u.ua/1'>Читати повністю</a>",
)
COUNTER = "Втрати ворога: 912\u00a0490 особового складу (+1\u00a0740)"
UP = ("Українська правда", "https://www.pravda.com.ua/news/1")
UKRINFORM = ("Укрінформ", "https://www.ukrinform.ua/rubric/2")
UNIAN = ("УНІАН", "https://www.unian.ua/3")


def test_a_one_source_story_keeps_its_briefs_own_message() -> None:
    assert story_message(BRIEF, COUNTER, [UNIAN]) == BRIEF.html
    # two reports of the same outlet are still one source
    assert story_message(BRIEF, COUNTER, [UNIAN, ("УНІАН", "https://www.unian.ua/9")]) == BRIEF.html


def test_several_sources_are_listed_with_links_after_the_counter_line() -> None:
    html = story_message(BRIEF, COUNTER, [UP, UKRINFORM, UNIAN])
    visible, entities = parse_telegram_html(html)
    assert visible.split("\n\n") == [
        BRIEF.title,
        BRIEF.summary,
        COUNTER,
        "Про це пишуть: Українська правда, Укрінформ, УНІАН",
    ]
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links == [UP[1], UKRINFORM[1], UNIAN[1]]
    assert html.startswith(f"<b>{BRIEF.title}</b>\n\n")


def test_text_is_escaped_exactly_once() -> None:
    brief = MessageBrief("Tom & Jerry <шоу>", "Перше речення & друге.", "")
    html = story_message(brief, None, [("A&B", "https://a.ua/?x=1&y=2"), UNIAN])
    assert check_telegram_html(html).split("\n\n") == [
        "Tom & Jerry <шоу>",
        "Перше речення & друге.",
        "Про це пишуть: A&B, УНІАН",
    ]
    assert "&amp;amp;" not in html


def test_long_urls_leave_later_names_as_plain_text_within_the_html_budget() -> None:
    long = [(f"Джерело {i}", "https://example.ua/" + "x" * 200 + str(i)) for i in range(6)]
    html = story_message(BRIEF, COUNTER, long)
    _, entities = parse_telegram_html(html)
    links = [e for e in entities if e["type"] == "text_link"]
    assert 0 < len(links) < 6  # the first ones linked, the rest plain
    assert utf16_len(html) <= 1024
    assert "Джерело 5" in check_telegram_html(html)


def test_a_full_brief_gives_up_summary_sentences_for_the_sources_line() -> None:
    sentence = "Це речення потрібне лише для того, щоб заповнити бюджет повідомлення повністю. "
    brief = MessageBrief("Заголовок події", (sentence * 12).strip(), "")
    reports = [(f"Видання номер {i}", f"https://v{i}.ua/n") for i in range(8)]
    visible = check_telegram_html(story_message(brief, COUNTER, reports))
    assert utf16_len(visible) <= 1024
    assert visible.split("\n\n")[-1].startswith("Про це пишуть: Видання номер 0, Видання номер 1")
    summary = visible.split("\n\n")[1]
    assert summary.endswith(".") and sentence.strip() in summary  # whole sentences only


def test_emoji_count_twice() -> None:
    brief = MessageBrief("🔥" * 300, "😀 " * 150 + "кінець.", "")
    reports = [("🇺🇦 Новини", "https://a.ua/1"), ("⚡ Блискавка", "https://b.ua/2")]
    html = story_message(brief, "🪖" * 100, reports)
    assert utf16_len(check_telegram_html(html)) <= 1024
    assert "Про це пишуть: 🇺🇦 Новини" in check_telegram_html(html)


_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
)


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(min_size=1, max_size=300),
    summary=st.text(max_size=600),
    counter=st.one_of(st.none(), st.text(max_size=300)),
    names=st.lists(_names, min_size=2, max_size=12),
)
def test_any_story_message_is_valid_html_within_the_budget(
    title: str, summary: str, counter: str | None, names: list[str]
) -> None:
    reports = [(name, f"https://s{i}.ua/{i}") for i, name in enumerate(names)]
    html = story_message(MessageBrief(title, summary, "<b>x</b>"), counter, reports)
    assert utf16_len(check_telegram_html(html)) <= 1024


@pytest.mark.parametrize("count", [2, 3, 7])
def test_the_whole_html_stays_within_the_limit_with_typical_links(count: int) -> None:
    reports = [
        (f"Видання {i}", f"https://www.site{i}.ua/news/2025/03/29/750{i}000/") for i in range(count)
    ]
    html = story_message(BRIEF, COUNTER, reports)
    assert utf16_len(html) <= 1024
