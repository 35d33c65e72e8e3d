"""Sentence openings that lean on the sentence before: the one list of them.

A brief is read without the article around it, so a sentence that opens with «Однак…»,
«За її словами…», «Тому…», «Це…» or «Друга причина – …» says nothing on its own: its
«однак» contradicts, its «її» names, its «друга» counts something the reader never saw.
:func:`dangling_opening` recognises such openings; the extractive summariser takes these
sentences only together with the one they lean on, and ``benchmarks/summary_quality.py``
counts the summaries where one slipped through — both use :data:`DANGLING`, this one object.

What counts as leaning back:

* a dash (a line of dialogue) or a list number («1.», «2)»);
* a connective that needs a predecessor («Однак», «Хоча», «Крім того», «До речі», «Також»,
  «Тому», «Отже», «По-друге» …);
* a personal or possessive pronoun («Він», «Її», «Їхні») or a demonstrative («Це», «Такого»,
  «Ці») — but not the deictic «Цього року», «Цієї зими», and not the forward-pointing «Те, що…»,
  «Ті, хто…»;
* a preposition with such a pronoun («За його словами», «На її думку», «Про це», «Через це»),
  also a word or two in («Половина з них…»);
* a demonstrative among the first three words («Озвучив це…», «Все це…», «Механізм такої…»),
  a subject pronoun among the first six with no name before it («Днями вони…», «Щодо «…», він
  зазначив…» but not «За словами Іванова, він…»), the particle «ж» («Орнітологи ж…»);
* an ordinal that counts list items («Перша – …», «Друге, що…», «Третя причина…»).

:func:`debunking_opening` finds the openings that refute what came before («Насправді…», «Однак це
не так»); :mod:`bot.briefs.references` a demonstrative pointing back anywhere in a sentence.

Pure; the words are matched lower-cased with every apostrophe written as ``'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.briefs.quotes import outside

__all__ = [
    "DANGLING",
    "DEBUNKING",
    "DanglingOpenings",
    "dangling_opening",
    "debunking_opening",
    "lowered",
    "points_forward",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class DanglingOpenings:
    """The words and phrases that make a sentence's opening lean on the sentence before."""

    connectives: frozenset[str]  # «Однак», «Тому», «Також»: a first word that needs a predecessor
    phrases: tuple[tuple[str, ...], ...]  # «Крім того», «До речі»: the same, several words
    pronouns: frozenset[str]  # «Він», «Її», «Їхні»: who is meant was said before
    demonstratives: frozenset[str]  # «Це», «Такого», «Ці»: what is meant was said before
    prepositions: frozenset[str]  # «За» її словами, «Про» це, «Через» це
    deictic_nouns: frozenset[str]  # «цього року», «цієї зими»: the demonstrative means "now"
    forward: frozenset[str]  # «Те, що…», «Ті, хто…»: the demonstrative points forward
    subjects: frozenset[str]  # «Днями вони…», «Зараз він…»: a subject pronoun among the first words
    near_demonstratives: frozenset[str]  # «Озвучив це…», «Все це…», «Минулого року цей…»
    same: frozenset[str]  # «тієї самої», «того ж самого»: after a demonstrative, points back
    ordinals: tuple[str, ...]  # stems of ordinal numerals: «Перша – …», «Друга причина…»
    list_nouns: frozenset[str]  # «причина», «крок»: an ordinal before one counts list items


DANGLING = DanglingOpenings(
    connectives=_words(
        "але а і й та проте однак хоча хоч утім втім тож отож тому отже відтак адже бо зате "
        "натомість водночас причому також ще зокрема наприклад тобто мовляв щоправда навпаки "
        "відповідно звідси звідти тоді там тут потім згодом далі нагадаємо саме так відтоді "
        "по-перше по-друге по-третє по-четверте по-п'яте нарешті насамкінець наостанок зрештою "
        "врешті врешті-решт або насправді зазначимо нагадуємо додамо решта ось"
    ),
    phrases=tuple(
        tuple(p.split())
        for p in (
            "крім того",
            "окрім того",
            "більше того",
            "понад те",
            "до того ж",
            "до речі",
            "цього разу",
            "разом з тим",
            "разом із тим",
            "у той же час",
            "в той же час",
            "у той самий час",
            "в той самий час",
            "тим часом",
            "між тим",
            "тим не менше",
            "тим не менш",
            "з іншого боку",
            "з іншої сторони",
            "з одного боку",
            "з одної сторони",
            "із одного боку",
            "із іншого боку",
            "з другого боку",
            "із другого боку",
            "у свою чергу",
            "в свою чергу",
            "таким чином",
            "як наслідок",
            "іншими словами",
            "інакше кажучи",
            "на додачу",
            "у зв'язку з цим",
            "в зв'язку з цим",
            "з огляду на це",
            "незважаючи на це",
            "не зважаючи на це",
            "як зазначалося",
            "варто зазначити",
            "варто додати",
            "слід зазначити",
            "слід додати",
            "одним словом",
            "як уже зазначалося",
        )
    ),
    pronouns=_words(
        "він вона воно вони його її їх їм йому їй ним нею ними нього неї них ньому ній їхній "
        "їхня їхнє їхні їхнього їхньої їхніх їхньому їхній їхнім їхніми їхню"
    ),
    demonstratives=_words(
        "це цей ця ці цього цьому цим цій цієї цих цими цю той те ті того тим тій тієї тих тими ту "
        "такий така таке такі такого такому таким такій такої таких такими таку згаданий "
        "згадана згадане згадані згаданого згаданої згаданих згаданому згаданій згаданим "
        "згаданими згадану вищезгаданий вищезгадана вищезгадане вищезгадані обидва обидві"
    ),
    prepositions=_words(
        "про при після у в з із зі до на за через для від крім окрім як попри завдяки внаслідок "
        "перед над під між серед щодо без біля навколо поза понад"
    ),
    deictic_nouns=_words(
        "рік року році роком тиждень тижня тижні місяць місяця місяці сезон сезону сезоні "
        "зима зими зиму зимою взимку весна весни весну навесні літо літа літку влітку осінь "
        "осені восени понеділок понеділка вівторок вівторка середа середи середу четвер четверга "
        "п'ятниця п'ятниці п'ятницю субота суботи суботу неділя неділі неділю "
        "вихідні вихідних ранку вечора ночі"
    ),
    forward=_words("що хто який яка яке які де коли як куди звідки чий чия чиє чиї"),
    subjects=_words("він вона воно вони"),
    near_demonstratives=_words(
        "це цей ця ці цього цьому цим цій цієї цих цими цю відповідний відповідна відповідне "
        "відповідні відповідного відповідної відповідних відповідному відповідним відповідними "
        "відповідну зазначений зазначена зазначене зазначені зазначеного зазначеної зазначених "
        "такий така таке такі такого такої такому такій таким такими таких таку"
    ),
    same=_words("самий сама саме самі самого самої самих самому самій самим самими саму"),
    ordinals=(
        "перш",
        "друг",
        "трет",
        "четверт",
        "п'ят",
        "шост",
        "сьом",
        "восьм",
        "дев'ят",
        "десят",
        "останн",
        "наступн",
        "інш",
    ),
    list_nouns=_words(
        "причина причиною фактор момент аспект пункт крок порада правило умова вимога варіант "
        "спосіб особливість перевага недолік теза аргумент питання річ група категорія напрям "
        "напрямок завдання ідея складова помилка урок висновок принцип проблема міф пропозиція "
        "новина зміна відмінність риса"
    ),
)

# Openings that refute the sentences before them: the claim before «Однак це не так» is a myth
# the article debunks, not its news.  «Насправді…» alone refutes only the sentence before it.
DEBUNKING = tuple(
    tuple(p.split())
    for p in (
        "це не так",
        "але це не так",
        "однак це не так",
        "проте це не так",
        "та це не так",
        "чому це не так",
        "насправді це не так",
        "це міф",
        "це лише міф",
        "це неправда",
        "це не відповідає дійсності",
        "насправді",
    )
)
WEAK_DEBUNKING = ("насправді",)

_APOSTROPHE = re.compile("[’ʼ`\u02b9]")
_PUNCTUATION = ".,;:!?…«»„“”\"'()[]—–-"
_LEADING = "\"'«„“‘([ \u00a0"
_DASHES = "—–-"
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]\s")
_WORD = re.compile(r"[^\W\d_](?:[\w'-]*[^\W\d_])?")
_HEAD = 6  # words of the opening that are looked at (a subject pronoun among them leans back)
_NEAR = 3  # a demonstrative among this many first words leans back
_CAPITAL_WORD = re.compile(r"\b[A-ZА-ЯІЇЄҐ]")
_ORDINAL_ENDINGS = _words("ий а е і ій я є ого ої ому ою")


def points_forward(opening: str, word: str, following: str, openings: DanglingOpenings) -> bool:
    """«Те, що…», «Ситуація така: …», «Головне – це …»: the demonstrative announces what
    follows, or is the copula of a definition."""
    at = re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", opening)
    if at is None:
        return False
    after = opening[at.end() :].lstrip()
    before = opening[: at.start()].rstrip()
    return (
        (following in openings.forward and after.startswith(","))
        or after.startswith(":")
        or (word == "це" and before[-1:] != "" and before[-1:] in _DASHES)
    )


def _named_before(head: str, pronoun: str) -> bool:
    """«За словами Іванова, він…»: a name (a capital past the first word, outside quotations)
    before the pronoun, which may then mean that name."""
    at = re.search(rf"(?<![\w'’ʼ]){pronoun}(?![\w'’ʼ])", head, re.IGNORECASE)
    before = outside(head[: at.start()]) if at else head
    return bool(_CAPITAL_WORD.search(before.split(maxsplit=1)[1] if " " in before else ""))


def _ordinal(word: str, stems: tuple[str, ...]) -> bool:
    """«друга», «третій», «перше», «останні»: a stem of the list plus an adjective ending."""
    return any(word.startswith(s) and word[len(s) :] in _ORDINAL_ENDINGS for s in stems)


def lowered(text: str) -> str:
    """``text`` lower-cased, every apostrophe written as ``'`` (str.translate is slower)."""
    return _APOSTROPHE.sub("'", text.lower())


def _opening_words(text: str) -> tuple[str, list[str]]:
    """The opening of ``text`` lower-cased (apostrophes as ``'``) and its first words."""
    opening = lowered(text.lstrip(_LEADING)[:80])
    return opening, _WORD.findall(opening)[:_HEAD]


def debunking_opening(text: str) -> str | None:
    """«насправді», «однак це не так», «це міф» …: the opening of ``text`` that refutes what was
    said before it, or None."""
    words = _opening_words(text)[1]
    for phrase in DEBUNKING:
        if tuple(words[: len(phrase)]) == phrase:
            return " ".join(phrase)
    return None


def dangling_opening(text: str, openings: DanglingOpenings = DANGLING) -> str | None:
    """The opening of ``text`` that leans on the sentence before (lower-cased, e.g. «за її»,
    «крім того», «—»), or None when the sentence can open a brief."""
    head = text.lstrip(_LEADING)
    if not head:
        return None
    if head[0] in _DASHES:
        return head[0]
    number = _LIST_NUMBER.match(head)
    if number:
        return number.group().strip()
    opening, words = _opening_words(head)
    if not words:
        return None
    first = words[0]
    for phrase in openings.phrases:
        if phrase[0] == first and tuple(words[: len(phrase)]) == phrase:
            return " ".join(phrase)
    if first == "так" and len(words) > 1 and words[1].startswith("зван"):
        return None  # «Так звана…» is an adjective, not «Так, …»
    if first in openings.connectives or first in openings.pronouns:
        return first
    second = words[1] if len(words) > 1 else ""
    third = words[2] if len(words) > 2 else ""
    rest = opening[opening.find(first) + len(first) :].lstrip()
    if first in openings.demonstratives:
        if second in openings.deictic_nouns or points_forward(opening, first, second, openings):
            return None
        return first
    if (
        first in openings.prepositions
        and (second in openings.pronouns or second in openings.demonstratives)
        and third not in openings.deictic_nouns
    ):
        return f"{first} {second}"
    if second in ("ж", "же"):
        return f"{first} {second}"  # «Орнітологи ж …»: as opposed to whom?
    for k in range(1, min(len(words) - 1, _NEAR)):  # «Половина з них…»
        if words[k] in openings.prepositions and words[k + 1] in openings.pronouns:
            return " ".join(words[: k + 2])
    for k in range(1, len(words)):  # «Днями вони…», «Озвучив це…», «Все це…»
        word = words[k]
        following = words[k + 1] if k + 1 < len(words) else ""
        if (word in openings.subjects and not _named_before(head, word)) or (
            k < _NEAR
            and word in openings.near_demonstratives
            and following not in openings.deictic_nouns
            and not points_forward(opening, word, following, openings)
        ):
            return f"{' '.join(words[:k])} {word}"
    if _ordinal(first, openings.ordinals):
        counts_on = not first.startswith(("перш", "інш"))  # «Друге, що…» but not «Перше, що…»
        if rest[:1] in ":" + _DASHES or (counts_on and rest[:1] == ","):
            return first
        if second in openings.list_nouns:
            return f"{first} {second}"
    return None
