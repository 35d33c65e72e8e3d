"""Whether a sentence of an article can stand in a brief, and what it tells a reader.

A brief is read without its article.  A sentence may stand there when it is whole (not a
caption, a link, a fragment), makes a statement (not a question, not the myth that the next
paragraph debunks), and quotes nobody anonymously (its quotations are closed and someone says
them).  A sentence that *leans back* («За її словами…», «…, – сказав він.») may stand only after
the sentence it leans on.  :func:`facts` measures how much of who / what / where / when a
sentence carries: names, places, dates, numbers; :func:`announces` finds the sentence that
says when an announced event takes place («Концерт відбудеться 22 квітня у …»).

Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.briefs.openings import WEAK_DEBUNKING, dangling_opening, debunking_opening
from bot.briefs.quotes import balanced, outside
from bot.briefs.references import back_reference
from bot.briefs.sentences import Sentence

__all__ = ["announces", "contradicted", "facts", "leans_back", "stands_alone"]

_BOILERPLATE = re.compile(
    r"^(?:читайте|дивіться|слухайте|підписуйтес[ья]|підпишіться|приєднуйтес[ья]|стежте|"
    r"слідкуйте|фото|відео|джерело|ілюстрац|реклама|теги|теґи|автор|коментар|оновлено|"
    r"по темі|на цю тему|також читайте|раніше ми писали|нагадаємо, що раніше)\b",
    re.IGNORECASE,
)
_LINKISH = re.compile(r"https?://|www\.|@\w{3,}|#\w{3,}")
_OPENING = re.compile(r"^[\"«“„'(]*[\w—–-]", re.UNICODE)
_QUESTION = re.compile(r"\?[\"'»”“)\s]*$")
_WORD = re.compile(r"[^\W\d_]+")
# «…, – сказав він.»: speech attributed to someone named only in an earlier sentence.
_PRONOUN_SPEAKER = re.compile(r"\b(?:він|вона|вони)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"[A-ZА-ЯІЇЄҐ]")
_MYTH_HEADING = re.compile(r"^(?:міф|міфи)\b", re.IGNORECASE)
_MYTH_HEADING_WORDS = 6
_DEBUNK_REACH = 3  # a debunking sentence this many sentences on still refutes the claim
_DEBUNK_PARAGRAPHS = 2  # … and no more paragraphs on

_NAME = re.compile(r"(?<=[\s(«„\"“])[A-ZА-ЯІЇЄҐ][\w'’ʼ-]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DATE = re.compile(
    r"\b(?:січ|лют|берез|квіт|трав|черв|лип|серп|верес|жовт|листопад|груд)(?:ня|ого|ні|ому|а)\b"
    r"|\b(?:понеділ|вівтор|серед|четвер|п['’ʼ]ятниц|субот|неділ)\w*"
    r"|\b(?:сьогодні|вчора|учора|завтра|позавчора|післязавтра)\b"
    r"|\b(?:1[89]|20)\d\d\b",
    re.IGNORECASE,
)
_ENOUGH = 2  # names, or numbers, beyond this many add nothing
_FACTS_FULL = 2.0 * _ENOUGH + 2  # two names, two numbers and a date: "full of facts"
_CALENDAR_DAY = re.compile(
    r"\b\d{1,2}(?:[-–]\d{1,2})? (?:січня|лютого|березня|квітня|травня|червня|липня|серпня|"
    r"вересня|жовтня|листопада|грудня)\b"
    r"|\b(?:у|в|во) (?:понеділок|вівторок|середу|четвер|п['’ʼ]ятницю|суботу|неділю)\b"
    r"|\b(?:сьогодні|завтра)\b",
    re.IGNORECASE,
)
_WILL_TAKE_PLACE = re.compile(
    r"\b(?:відбудеться|відбудуться|пройде|пройдуть|стартує|стартують|розпочнеться|"
    r"розпочнуться|почнеться|почнуться|триватиме|триватимуть|відкриється|відкриються|"
    r"запрацює|запрацюють)\b",
    re.IGNORECASE,
)


def _starts_well(text: str) -> bool:
    """A sentence starts with a capital letter, a digit, a quote or a bracket — not mid-word."""
    head = text.lstrip("\"«“„'(—–- ")
    return bool(head) and (head[0].isupper() or head[0].isdigit()) and bool(_OPENING.match(text))


def _anonymous_quote(text: str) -> bool:
    """Quoted speech with no word of the author's own: «…».  Out of context, nobody's words."""
    if not any(mark in text for mark in '«„“"'):
        return False
    return not _WORD.search(outside(text))


def stands_alone(text: str, *, min_chars: int, min_words: int, max_chars: int) -> bool:
    """Whether ``text`` is a whole statement fit for a brief on its own (or after the sentence
    it leans on, see :func:`leans_back`)."""
    return (
        min_chars <= len(text) <= max_chars
        and _starts_well(text)
        and not _QUESTION.search(text)
        and not _BOILERPLATE.match(text)
        and not _LINKISH.search(text)
        and balanced(text)
        and not _anonymous_quote(text)
        and len(text.split()) >= min_words
    )


def leans_back(text: str) -> bool:
    """Whether ``text`` needs the sentence before it: a dangling opening or a demonstrative
    pointing back (see :mod:`bot.briefs.openings`,
    :mod:`bot.briefs.references`), or speech attributed to «він» / «вона»
    with no name."""
    if dangling_opening(text) is not None or back_reference(text) is not None:
        return True
    if not any(mark in text for mark in '«„“"'):
        return False
    own = outside(text)
    return own != text and bool(_PRONOUN_SPEAKER.search(own)) and not _CAPITALISED.search(own)


def contradicted(sentences: Sequence[Sentence]) -> set[int]:
    """Indices of the sentences the article refutes: a claim followed closely by «Насправді…»,
    «Однак це не так», «Чому це не так», or a claim under a «Міф 8.» heading."""
    out: set[int] = set()
    for i, sentence in enumerate(sentences):
        marker = debunking_opening(sentence.text)
        if marker is not None:
            reach = 1 if marker in WEAK_DEBUNKING else _DEBUNK_REACH
            for j in range(max(0, i - reach), i):
                if sentence.paragraph - sentences[j].paragraph <= _DEBUNK_PARAGRAPHS:
                    out.add(j)
        text = sentence.text
        if _MYTH_HEADING.match(text) and len(text.split()) <= _MYTH_HEADING_WORDS:
            out.update(range(i, min(len(sentences), i + _DEBUNK_REACH)))
    return out


def facts(text: str) -> float:
    """How much of who / what / where / when ``text`` carries, 0..1: proper names and places
    (capitalised words past the first; two are enough), numbers (two are enough) and a date
    (which counts twice).  What counts is having each, not piling them up: a list of ten names
    is no more a news lead than a sentence with two."""
    names = min(_ENOUGH, len(set(_NAME.findall(text))))
    numbers = min(_ENOUGH, len(_NUMBER.findall(text)))
    dated = _DATE.search(text) is not None
    return (names + numbers + 2 * dated) / _FACTS_FULL


def announces(text: str) -> bool:
    """Whether ``text`` says when an event will take place: «відбудеться 22 квітня»,
    «триватиме з 3 по 27 червня», «Сьогодні … відбудеться показ»."""
    return bool(_WILL_TAKE_PLACE.search(text)) and bool(_CALENDAR_DAY.search(text))
