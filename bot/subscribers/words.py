"""The words a chat follows or mutes (``/follow СЛОВО``, ``/mute СЛОВО``): what counts as one,
and the lemma it is matched by.

A story matches a word when the word's lemma is among the lemmas of the story's title and
summary (``stories.lemmas``, made by the same :class:`~bot.briefs.lemmas.Lemmatizer`), so
«Харків» matches «у Харкові» and «дрони» matches «дронів».  A word is therefore exactly one
token as the lemmatiser splits text — letters with inner hyphens or apostrophes — and not a
stop word (which is never among a story's lemmas, so it could never match).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.briefs.lemmas import STOP_LEMMAS, Lemmatizer, words

__all__ = ["MAX_WORDS", "MAX_WORD_CHARS", "Word", "WordProblem", "check_word"]

MAX_WORD_CHARS = 32  # longer than any word a headline uses
MAX_WORDS = 20  # per chat, for following and for muting each


class WordProblem(enum.Enum):
    """Why the text after /follow or /mute is not a word the bot can match."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_WORD = "not_a_word"  # digits, punctuation, emoji
    SEVERAL = "several"  # more than one word
    TOO_COMMON = "too_common"  # a stop word: never among a story's lemmas


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # as the subscriber wrote it (trimmed), for lists and replies
    lemma: str  # what stories are matched by


_AROUND = "«»\"'“”„‘’`.,!?;:"


def check_word(text: str, lemmatizer: Lemmatizer) -> Word | WordProblem:
    """The word in ``text`` (the argument of /follow or /mute), or why it is not one."""
    cleaned = " ".join(text.split()).strip(_AROUND).strip()
    if not cleaned:
        return WordProblem.EMPTY
    if len(cleaned) > MAX_WORD_CHARS:
        return WordProblem.TOO_LONG
    tokens = words(cleaned)
    if not tokens or any(not t[0].isalpha() for t in tokens):
        return WordProblem.NOT_A_WORD
    if len(tokens) > 1 or " " in cleaned:
        return WordProblem.SEVERAL
    token = tokens[0]
    if len(token) != len(cleaned):  # something around the word that is not part of it
        return WordProblem.NOT_A_WORD
    if len(token) < 2 or token in STOP_LEMMAS:
        return WordProblem.TOO_COMMON
    lemma = lemmatizer.lemma(token)
    if lemma in STOP_LEMMAS:
        return WordProblem.TOO_COMMON
    return Word(cleaned, lemma)
