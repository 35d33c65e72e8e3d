"""Ukrainian sentence splitting: tokenize-uk plus repairs for the mistakes it makes on news text.

tokenize-uk knows «м.», «р.», «тис.», initials and decimals, but it splits inside quoted speech
(``сказав: «Так. Ні!» — і пішов.`` becomes three pieces) and after some abbreviations
(``5 лют. 2024 р.``).  :func:`split_sentences` glues such pieces back so that every sentence it
returns is a whole sentence of the source; the summariser only ever picks from these.

A quotation is never cut: a quote of several sentences, even one interrupted by its attribution
(``«Село … козирі, – розповідає Максим. – Я взяв участь … допомогти!»``), stays one unit, and
:attr:`Sentence.parts` says how many sentences a reader sees in it (here eight) — so the
summariser's limit of three sentences counts what the reader counts.  A quotation that is not
closed within its paragraph is left as tokenize-uk split it (its pieces are then unbalanced and
never picked).

Pure and CPU-bound: async callers run it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from tokenize_uk import tokenize_sents

from bot.briefs.quotes import open_depth

__all__ = ["Sentence", "clean_text", "count_sentences", "is_complete", "split_sentences"]

# Abbreviations after which tokenize-uk sometimes ends a sentence that goes on.
_ABBREVIATION_WORDS = (
    "січ лют берез бер квіт трав черв лип серп вер верес жовт лист груд ст стор п пп рис табл с "
    "т тис млн млрд трлн грн дол коп км см мм кг обл р-н вул просп пл буд кв ім див проф доц "
    "акад д-р англ нім рос укр лат напр зокр тел прим ред авт і.о ін "
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
# Of those, the ones that also end sentences («… у XXI ст. Яскравими…», «… 49 млн грн. Станом
# на…»): after them a capital letter starts a new sentence.
_FINAL_ABBREVIATION_WORDS = "ст тис млн млрд трлн грн дол коп км см мм кг ін "
_FINAL_ABBREVIATIONS = frozenset(_FINAL_ABBREVIATION_WORDS.split())
_LAST_WORD = re.compile(r"([\w.-]+)\.$")
_TERMINAL = re.compile(r"[.!?…]['\"»”’)]*$")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,400})?/?>", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f\u200b\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_PARAGRAPH = 20_000  # a longer "paragraph" is cut at a newline-free boundary first
_MAX_MERGES = 4
_MAX_QUOTE_PIECES = 12  # a quotation longer than this many pieces is not looked for
_MAX_QUOTE_CHARS = 3000
_DASHES = "—–- "
_HEAD_MARKS = "—–- «„“\"'(["
# «…дітей).«На жаль…»: a sentence glued to the next, which opens a quotation.
_GLUED = re.compile(r"([.!?…][)»”]?)([«„][^\W\d_])")
# «… до початку XXI ст. Яскравими представниками …»: tokenize-uk reads on after a century.
_CENTURY_END = re.compile(r"(\b[IVXLC]{1,5} ст\.) (?=[А-ЯІЇЄҐ][а-яіїєґ'’ʼ])")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the article: its text, paragraph number and position in the article."""

    text: str
    paragraph: int
    index: int
    parts: int = 1  # sentences a reader sees: more than one only in a quotation of several


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


def _starts_sentence(previous: str, following: str) -> bool:
    """Whether ``following`` begins a new sentence for a reader (inside a quotation too)."""
    head = following.lstrip(_HEAD_MARKS)
    return is_complete(previous) and bool(head) and (head[0].isupper() or head[0].isdigit())


def _continues(previous: str, following: str) -> bool:
    """True when ``following`` is really the rest of ``previous`` (a wrong split)."""
    head = following.lstrip(_DASHES)
    if head[:1].islower():
        return True
    if previous.endswith(("…", "...")):
        return False
    match = _LAST_WORD.search(previous)
    if match is None:
        return False
    word = match.group(1)
    if word.lower() not in _ABBREVIATIONS:
        return False
    if word.lower() in _FINAL_ABBREVIATIONS and head[:1].isupper():
        return False
    return head[:1].isdigit() or word[:1].islower()


def _quote_end(pieces: list[str], first: int, text: str) -> int | None:
    """The index of the piece that closes the quotation open at the end of ``text`` (pieces
    from ``first`` on continue it), or None when it is not closed soon enough."""
    length = len(text)
    for j in range(first, min(len(pieces), first + _MAX_QUOTE_PIECES)):
        text = f"{text} {pieces[j]}"
        length += len(pieces[j]) + 1
        if length > _MAX_QUOTE_CHARS:
            return None
        depth = open_depth(text)
        if depth <= 0:
            return j if depth == 0 else None
    return None


def _split_paragraph(paragraph: str) -> list[tuple[str, int]]:
    """The paragraph's sentences, each with the number of sentences a reader sees in it."""
    pieces = [
        part.strip()
        for piece in tokenize_sents(_GLUED.sub(r"\1 \2", paragraph))
        for part in _CENTURY_END.sub("\\1\n", piece).split("\n")
        if part.strip()
    ]
    out: list[tuple[str, int]] = []
    merges = 0
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if out and open_depth(out[-1][0]) > 0:
            end = _quote_end(pieces, i, out[-1][0])
            if end is not None:
                text, parts = out[-1]
                for following in pieces[i : end + 1]:
                    parts += _starts_sentence(text, following)
                    text = f"{text} {following}"
                out[-1] = (text, parts)
                i = end + 1
                merges = 0
                continue
        if out and merges < _MAX_MERGES and _continues(out[-1][0], piece):
            out[-1] = (f"{out[-1][0]} {piece}", out[-1][1])
            merges += 1
        else:
            out.append((piece, 1))
            merges = 0
        i += 1
    return out


def count_sentences(text: str) -> int:
    """How many sentences a reader sees in ``text`` (a quotation of three counts three)."""
    return sum(s.parts for s in split_sentences(clean_text(text)))


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
            for piece, parts in _split_paragraph(chunk):
                sentences.append(Sentence(piece, number, len(sentences), parts))
    return sentences
