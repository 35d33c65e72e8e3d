"""A story's best brief and its «Про це пишуть: …» line (budget in UTF-16 units, links)."""

from __future__ import annotations

from bot.briefs.render import visible_length
from bot.stories.present import BriefCandidate, best_brief, sources_line

UP = ("Українська правда", "https://www.pravda.com.ua/news/1")
UKRINFORM = ("Укрінформ", "https://www.ukrinform.ua/rubric/2")
UNIAN = ("УНІАН", "https://www.unian.ua/3")


def test_best_brief_is_the_most_complete_ukrainian_summary() -> None:
    short = BriefCandidate(1, "Удар по Дніпру", "Загинули четверо людей.")
    full = BriefCandidate(
        2, "Удар по Дніпру", "Ракета влучила в будинок. Загинули четверо людей, 20 поранені."
    )
    russian = BriefCandidate(
        3, "Удар по Днепру", "Ракета попала в дом. Погибли четыре человека. Ещё 20 ранены."
    )
    title_only = BriefCandidate(4, "Удар по Дніпру", "")
    assert best_brief([short, title_only, russian, full]) == full
    assert best_brief([title_only, short]) == short
    assert best_brief([russian]) is None
    assert best_brief([]) is None


def test_best_brief_keeps_the_earlier_on_a_tie() -> None:
    a = BriefCandidate("a", "Заголовок", "Одне речення про подію.")
    b = BriefCandidate("b", "Заголовок", "Одне речення про подію.")
    assert best_brief([a, b]) == a


def test_sources_line_lists_each_source_once_with_its_link() -> None:
    line = sources_line([UP, UKRINFORM, (UP[0], "https://other"), UNIAN], budget=1024)
    assert line.text == "Про це пишуть: Українська правда, Укрінформ, УНІАН"
    assert line.shown == ("Українська правда", "Укрінформ", "УНІАН") and line.hidden == 0
    assert line.html == (
        'Про це пишуть: <a href="https://www.pravda.com.ua/news/1">Українська правда</a>, '
        '<a href="https://www.ukrinform.ua/rubric/2">Укрінформ</a>, '
        '<a href="https://www.unian.ua/3">УНІАН</a>'
    )


def test_names_and_links_are_escaped_once() -> None:
    line = sources_line([("A&B <news>", 'https://x.ua/?a=1&b="2"'), UNIAN], budget=200)
    assert line.html.startswith(
        'Про це пишуть: <a href="https://x.ua/?a=1&amp;b=&quot;2&quot;">A&amp;B &lt;news&gt;</a>'
    )


def test_a_source_without_a_usable_link_is_plain_text() -> None:
    line = sources_line([("Радіо", "not a link"), UNIAN], budget=200)
    assert line.html.startswith("Про це пишуть: Радіо, <a href=")


def test_names_past_the_budget_are_summed_up() -> None:
    reports = [UP, UKRINFORM, UNIAN, ("Суспільне", "https://s.ua/4"), ("NV", "https://nv.ua/5")]
    full = sources_line(reports, budget=1024).text
    budget = visible_length("Про це пишуть: Українська правда, Укрінформ та ще 3 джерела")
    line = sources_line(reports, budget=budget)
    assert line.text == "Про це пишуть: Українська правда, Укрінформ та ще 3 джерела"
    assert visible_length(line.text) <= budget < visible_length(full)
    assert line.hidden == 3 and line.html.endswith("</a> та ще 3 джерела")
    assert sources_line(reports, budget=budget - 1).text.endswith("правда та ще 4 джерела")
    assert sources_line(reports[:2], budget=30).text == ""  # not even one name fits


def test_budget_counts_utf16_units() -> None:
    emoji = ("🇺🇦 Новини", "https://e.ua")
    text = "Про це пишуть: 🇺🇦 Новини, УНІАН"
    assert sources_line([emoji, UNIAN], budget=visible_length(text)).text == text
    assert sources_line([emoji, UNIAN], budget=len(text)).text != text  # len() undercounts


def test_links_stop_at_the_html_budget() -> None:
    plain = sources_line([UP, UKRINFORM, UNIAN], budget=1024).text
    first_link = len('<a href="https://www.pravda.com.ua/news/1"></a>')
    line = sources_line([UP, UKRINFORM, UNIAN], budget=1024, html_budget=len(plain) + first_link)
    assert line.html.count("<a href=") == 1
    assert len(line.html) <= len(plain) + first_link
