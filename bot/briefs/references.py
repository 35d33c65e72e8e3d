"""Demonstratives anywhere in a sentence that point at something said before it.

«Україна не виняток, а лише підтвердження цього правила.» needs the sentence that states the
rule: out of context «цього правила» names nothing.  :func:`back_reference` finds such a
demonstrative («цього правила», «тієї самої ВРЮ», «відповідне рішення») past the opening
(openings are :func:`bot.briefs.openings.dangling_opening`'s), and the summariser takes the
sentence only with the one before it.

Not every demonstrative points outside its sentence.  These do not count:

* the deictic «цього року», «на цей час» (now), «…, цього разу» (this time), and one that
  announces what follows («те, що…»);
* one used as a pronoun (the next word does not agree with it) after a clause of its own,
  which is what it means: «…отримають більше повноважень, разом із цим зросте і
  відповідальність», «…доходи зросли, але при цьому збільшився і збиток»;
* one before a noun the sentence has already named: «виконувати барокову музику … любити цю
  музику», «формування комісій, … за яким ці комісії формувалися»;
* «одних і тих самих» (the same ones) and «…, тим самим» (thereby);
* «відповідний» past the opening: «звертатися до відповідного підрозділу», «на підставі
  відповідної ліцензії» — the appropriate one, not the one just named («Відповідне рішення
  ухвалили…» at the start still leans back).

Pure; words are matched lower-cased with every apostrophe written as ``'``.
"""

from __future__ import annotations

import re

from bot.briefs.openings import DANGLING, DanglingOpenings, lowered, points_forward

__all__ = ["back_reference"]

# back_reference: words, and the marks that end a clause («-» only when spaced, as a dash).
_TOKEN = re.compile(r"[^\W\d_](?:[\w'-]*[^\W\d_])?|[,;:—–.!?…(]|(?<!\S)-(?!\S)")
_CLAUSE_MARKS = frozenset(",;:—–.!?…(")
_CLAUSE_WORDS = 4  # a clause this long before a mark can hold what a pronoun «цим» means
# The endings of a noun or adjective that agrees with «цього» / «цьому» / «цим»; any other word
# after one of them («при цьому збільшився», «із цього таємниці») makes it a pronoun.
_AGREEING = {
    "цього": ("а", "я", "у", "ю", "ого", "ього"),
    "цьому": ("у", "ю", "і", "ові", "еві", "єві", "ому", "ьому"),
    "цим": ("ом", "ем", "єм", "им", "ім", "ам", "ям"),
}
_APPROPRIATE = 3  # past this many words «відповідний» means "appropriate"
_STEM = 5  # letters two forms of one noun share at least
_ENDING = 3  # letters of a case ending


def back_reference(text: str, openings: DanglingOpenings = DANGLING) -> str | None:
    """A demonstrative anywhere in ``text`` that points at something said before it: «Україна
    не виняток, а лише підтвердження цього правила.» → «цього правила».  Not the deictic
    «цього року», not «це» (too often a copula), not a demonstrative that announces a clause —
    and not one whose referent is in the sentence itself (:func:`_said_here`)."""
    lower = lowered(text)
    tokens = _TOKEN.findall(lower)
    words: list[str] = []
    clause = 0  # words before the last clause mark seen so far (0: none yet)
    for k, token in enumerate(tokens):
        if token in _CLAUSE_MARKS or token == "-":
            clause = len(words)
            continue
        words.append(token)
        following, after = _next_words(tokens, k)
        if not following:
            continue
        if token in openings.demonstratives and following in openings.same:
            if not _same_here(words, clause, token):
                return f"{token} {following}"  # «тієї самої ВРЮ»
            continue
        if token == "це" or token.startswith("так") or token not in openings.near_demonstratives:
            continue  # «це» is too often a copula, «такі …, як» too often points forward
        if token.startswith("відповідн") and len(words) > _APPROPRIATE:
            continue  # «для відповідного реагування»: appropriate, not «the one just named»
        if following in openings.deictic_nouns or points_forward(lower, token, following, openings):
            continue
        if _said_here(words, clause, token, following, after):
            continue
        return f"{token} {following}"
    return None


def _next_words(tokens: list[str], k: int) -> tuple[str, str]:
    """The two words after ``tokens[k]`` (marks and a particle «ж» skipped), or ""."""
    out: list[str] = []
    for token in tokens[k + 1 : k + 6]:
        if token not in _CLAUSE_MARKS and token not in ("-", "ж", "же"):
            out.append(token)
            if len(out) == 2:
                break
    out += ["", ""]
    return out[0], out[1]


def _said_here(words: list[str], clause: int, word: str, following: str, after: str) -> bool:
    """Whether the demonstrative ``word`` (the last of ``words``) means something said earlier in
    the same sentence:

    * used as a pronoun (the next word does not agree with it) after a clause of its own:
      «…отримають більше повноважень, разом із цим зросте і їхня відповідальність», «…доходи
      трохи зросли, але при цьому збільшився і збиток» — the clause before is what it means;
    * before a noun the sentence has already named: «виконувати барокову музику … любити цю
      музику»;
    * «на цей час», «на цей момент»: now; «цього разу» past the opening: this time, as
      opposed to the times the sentence compares it with.
    """
    agreeing = _AGREEING.get(word)
    if agreeing is not None and not following.endswith(agreeing):
        return clause >= _CLAUSE_WORDS
    if following in ("час", "момент") and len(words) > 1 and words[-2] == "на":
        return True
    if following == "разу" and len(words) > 1:
        return True
    earlier = words[:-1]
    return any(_same_stem(noun, w) for noun in (following, after) if noun for w in earlier)


def _same_here(words: list[str], clause: int, word: str) -> bool:
    """«одних і тих самих», «…, тим самим позбудетесь»: «the same ones» and «thereby», not
    «the same X as before»."""
    if word == "тим" and clause == len(words) - 1:
        return True
    return len(words) > 2 and words[-2] in ("і", "й") and words[-3].startswith("одн")


def _same_stem(a: str, b: str) -> bool:
    """«музику» and «музика», «територій» and «територіями»: one noun in two cases (a shared
    beginning long enough not to join «правило» and «право», «музейного» and «музейників»)."""
    need = max(_STEM, len(a) - _ENDING, len(b) - _ENDING)
    return len(a) >= _STEM and len(b) >= _STEM and a[:need] == b[:need]
