"""The extractive summariser: whole, self-contained sentences, chosen deterministically."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.briefs.extractive import ExtractiveSummariser, _dependent
from bot.briefs.sentences import clean_text, split_sentences

DATA = Path(__file__).resolve().parent.parent / "data" / "briefs"


@pytest.fixture(scope="module")
def summariser() -> ExtractiveSummariser:
    return ExtractiveSummariser()


def load(name: str) -> tuple[str, str]:
    title, _, text = (DATA / name).read_text(encoding="utf-8").partition("\n")
    return title, text


@pytest.mark.parametrize("name", ["article_drones.txt", "article_court.txt"])
def test_golden_summary(summariser: ExtractiveSummariser, name: str) -> None:
    title, text = load(name)
    summary = summariser.summarise(title, text, 450)
    golden = DATA / name.replace(".txt", ".summary.txt")
    assert summary.reason is None
    assert "\n".join(summary.sentences) + "\n" == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["article_drones.txt", "article_court.txt"])
def test_summary_is_whole_sentences_in_article_order(
    summariser: ExtractiveSummariser, name: str
) -> None:
    title, text = load(name)
    source = [s.text for s in split_sentences(clean_text(text))]
    summary = summariser.summarise(title, text, 450)
    positions = [source.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    assert 1 <= len(summary.sentences) <= 3
    assert len(summary.text) <= 450


def test_deterministic(summariser: ExtractiveSummariser) -> None:
    title, text = load("article_drones.txt")
    assert summariser.summarise(title, text, 450) == ExtractiveSummariser().summarise(
        title, text, 450
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Читайте також: У Києві запрацював ще один пункт незламності.",
        "Фото: прес-служба міської ради.",
        "«Ми бачимо, скільки охочих, і черга вже на два місяці вперед».",
        "Коротке речення.",
        "без великої літери на початку речення і так далі.",
        "Речення без крапки в кінці і воно довге достатньо",
        "Детальніше на сайті https://example.com про цю подію розповіли.",
    ],
)
def test_sentences_unfit_for_a_brief(summariser: ExtractiveSummariser, sentence: str) -> None:
    assert not summariser.eligible(sentence, 450)


def test_a_budget_never_cuts_a_sentence(summariser: ExtractiveSummariser) -> None:
    title, text = load("article_drones.txt")
    for budget in (60, 90, 120, 200):
        summary = summariser.summarise(title, text, budget)
        assert len(summary.text) <= budget
        source = {s.text for s in split_sentences(clean_text(text))}
        assert set(summary.sentences) <= source


def test_anaphoric_sentence_is_not_picked_without_its_antecedent(
    summariser: ExtractiveSummariser,
) -> None:
    text = (
        "На околиці села вчора зранку сталася пожежа на складі пального.\n"
        "Він згорів повністю разом із технікою, пальним і запасами складу пального.\n"
        "Рятувальники гасили вогонь на складі пального понад чотири години поспіль."
    )
    summary = summariser.summarise("Склад пального згорів", text, 450)
    for sentence in summary.sentences:
        if sentence.startswith("Він"):
            assert summary.sentences[0].startswith("На околиці")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the article has no text"),
        ("Фото: ЕРА\nВідео: УНІАН", "no complete sentence in the text"),
        ("Так.\nНі.", "no sentence fit for a brief (too short, too long, or a caption)"),
    ],
)
def test_reason_when_there_is_no_summary(
    summariser: ExtractiveSummariser, text: str, reason: str
) -> None:
    summary = summariser.summarise("Заголовок", text, 450)
    assert summary.sentences == ()
    assert summary.reason == reason


def test_repeated_sentences_are_picked_once(summariser: ExtractiveSummariser) -> None:
    sentence = "У Черкасах відкрили навчальний центр для операторів безпілотників."
    summary = summariser.summarise("Центр для операторів", f"{sentence}\n" * 50, 450)
    assert summary.sentences == (sentence,)


@pytest.mark.parametrize(
    ("sentence", "dependent"),
    [
        ("Про це йдеться у звіті Інституту вивчення війни.", True),
        ("При цьому ціни на пальне не змінилися.", True),
        ("Він додав, що роботи завершать у травні.", True),
        ("Але мешканці кажуть, що чекати більше не будуть.", True),
        ("— Ми готові, — сказав мер.", True),
        ("Цього разу обійшлося без жертв.", True),
        ("Цього року врожай зібрали раніше.", False),
        ("Про ремонт мосту повідомили в ОВА.", False),
        ("У Черкасах відкрили центр.", False),
    ],
)
def test_dependent_openers(sentence: str, dependent: bool) -> None:
    assert _dependent(sentence) is dependent


def test_a_dependent_sentence_comes_with_the_one_before_it(
    summariser: ExtractiveSummariser,
) -> None:
    text = (
        "Погода у країні цього тижня буде мінливою, з дощами на заході.\n"
        "Про це йдеться у звіті Інституту вивчення війни про співпрацю Росії з Китаєм.\n"
        "Сі Цзіньпін прийняв у Пекіні секретаря Радбезу Росії Сергія Шойгу."
    )
    summary = summariser.summarise("Звіт Інституту вивчення війни про Росію і Китай", text, 450)
    sentences = list(summary.sentences)
    if any(s.startswith("Про це") for s in sentences):
        assert sentences[0].startswith("Погода")
    one = ExtractiveSummariser(params=replace(summariser.params, max_sentences=1))
    assert not one.summarise("Звіт ISW", text, 450).text.startswith("Про це")


def test_a_text_cut_off_by_the_feed_loses_its_last_sentence(
    summariser: ExtractiveSummariser,
) -> None:
    text = (
        "Столиця продовжує збільшувати кількість тестувань на коронавірус щодня. "
        "Про це мер Києва Віталій Кличко заявив під час онлайн..."
    )
    summary = summariser.summarise("Кличко про тестування у Києві", text, 450)
    assert summary.sentences == (
        "Столиця продовжує збільшувати кількість тестувань на коронавірус щодня.",
    )
