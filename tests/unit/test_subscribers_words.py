"""/follow and /mute words: one word, matched by its lemma; clear reasons otherwise."""

from __future__ import annotations

import pytest

from bot.briefs.lemmas import Lemmatizer
from bot.subscribers.words import MAX_WORD_CHARS, Word, WordProblem, check_word


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.mark.parametrize(
    ("text", "word", "lemma"),
    [
        ("Харків", "Харків", "харків"),
        ("  «Харків»  ", "Харків", "харків"),
        ("Шахеди", "Шахеди", "шахед"),
        ("ЗСУ", "ЗСУ", "зсу"),
        ("Бахмут!", "Бахмут", "бахмут"),
        ("п’ятниця", "п’ятниця", "п'ятниця"),
        ("Kyiv", "Kyiv", "kyiv"),
    ],
)
def test_a_word_and_its_lemma(lemmatizer: Lemmatizer, text: str, word: str, lemma: str) -> None:
    assert check_word(text, lemmatizer) == Word(word, lemma)


def test_the_lemma_matches_the_forms_a_story_uses(lemmatizer: Lemmatizer) -> None:
    followed = check_word("Харків", lemmatizer)
    assert isinstance(followed, Word)
    assert followed.lemma in lemmatizer.lemmas("Удар по Харкову: у Харкові пролунали вибухи")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", WordProblem.EMPTY),
        ("  «» ", WordProblem.EMPTY),
        ("а" * (MAX_WORD_CHARS + 1), WordProblem.TOO_LONG),
        ("16", WordProblem.NOT_A_WORD),
        ("F-16", WordProblem.NOT_A_WORD),
        ("🔥", WordProblem.NOT_A_WORD),
        ("#війна", WordProblem.NOT_A_WORD),
        ("у Харкові", WordProblem.SEVERAL),
        ("Харків Київ", WordProblem.SEVERAL),
        ("що", WordProblem.TOO_COMMON),
        ("заявив", WordProblem.TOO_COMMON),
        ("я", WordProblem.TOO_COMMON),
    ],
)
def test_what_is_not_a_word(lemmatizer: Lemmatizer, text: str, problem: WordProblem) -> None:
    assert check_word(text, lemmatizer) is problem
