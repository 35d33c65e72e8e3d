"""Ukrainian sentence splitting: tokenize-uk plus repairs for the mistakes it makes on news text.

tokenize-uk knows «м.», «р.», «тис.», initials and decimals, but it splits inside quoted speech
(``сказав: «Так. Ні!» — і пішов.`` becomes three pieces) and after some abbreviations
(``5 лют. 2024 р.``).  :func:`split_sentences` glues such pieces back so that every sentence it
returns is a whole sentence of the source; the summariser only ever picks from these.

Pure and CPU-bound: async callers run it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from tokenize_uk import tokenize_sents

__all__ = ["Sentence", "clean_text", "is_complete", "split_sentences"]

# Abbreviations after which tokenize-uk sometimes ends a sentence that goes on.
_ABBREVIATION_WORDS = (
    "січ лют берез бер квіт трав черв лип серп вер верес жовт лист груд ст стор п пп рис табл с "
    "т тис млн млрд трлн грн дол коп км см мм кг обл р-н вул просп пл буд кв ім див проф доц "
    "акад д-р англ нім рос укр лат напр зокр тел прим ред авт і.о ін "
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_LAST_WORD = re.compile(r"([\w.-]+)\.$")
_TERMINAL = re.compile(r"[.!?…]['\"»”’)]*$")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,400})?/?>", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f\u200b\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_PARAGRAPH = 20_000  # a longer "paragraph" is cut at a newline-free boundary first
_MAX_MERGES = 4
_DASHES = "—–- "


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the article: its text, paragraph number and position in the article."""

    text: str
    paragraph: int
    index: int


def clean_text(text: str) -> str:
    """Plain text from whatever a source gave: stray tags removed, entities decoded once,
    control characters and repeated blanks collapsed, one paragraph per line."""
    if "<" in text:
        text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def is_complete(sentence: str) -> bool:
    """A sentence that ends like one (., !, ?, … possibly followed by a closing quote)."""
    return bool(_TERMINAL.search(sentence))


def _quotes_open(text: str) -> bool:
    return (
        text.count("«") > text.count("»")
        or text.count('"') % 2 == 1
        or (text.count("“") > text.count("”"))
    )


def _continues(previous: str, following: str) -> bool:
    """True when ``following`` is really the rest of ``previous`` (a wrong split)."""
    if _quotes_open(previous):
        return True
    head = following.lstrip(_DASHES)
    if head[:1].islower():
        return True
    if previous.endswith(("…", "...")):
        return False
    match = _LAST_WORD.search(previous)
    if match is None:
        return False
    word = match.group(1)
    return word.lower() in _ABBREVIATIONS and (head[:1].isdigit() or word[:1].islower())


def _split_paragraph(paragraph: str) -> list[str]:
    pieces = [p.strip() for p in tokenize_sents(paragraph) if p.strip()]
    out: list[str] = []
    merges = 0
    for piece in pieces:
        if out and merges < _MAX_MERGES and _continues(out[-1], piece):
            out[-1] = f"{out[-1]} {piece}"
            merges += 1
        else:
            out.append(piece)
            merges = 0
    return out


def split_sentences(text: str, limit: int | None = None) -> list[Sentence]:
    """The sentences of ``text`` (already cleaned; one paragraph per line), in order; with
    ``limit``, splitting stops once that many have been found."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(text.split("\n")):
        if limit is not None and len(sentences) >= limit:
            break
        if not paragraph.strip():
            continue
        chunks = [
            paragraph[i : i + _MAX_PARAGRAPH] for i in range(0, len(paragraph), _MAX_PARAGRAPH)
        ]
        for chunk in chunks:
            for piece in _split_paragraph(chunk):
                sentences.append(Sentence(piece, number, len(sentences)))
    return sentences
