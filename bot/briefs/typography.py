"""Ukrainian typography for text the bot shows: quotes, dashes, apostrophes, number grouping.

:func:`typeset` is what a Ukrainian editor does to copy from a source before it is published:

* straight quotes become «…», a quotation inside a quotation „…“ (``"Компанія "Нафтогаз""``
  → «Компанія „Нафтогаз“», ``«Компанія «Нафтогаз»»`` likewise); when the quotation marks of
  a text cannot be paired they are left as they are rather than guessed;
* a hyphen (or an en dash) standing between spaces as a dash becomes an em dash « — »; a
  hyphen that opens a line of dialogue becomes «— »;
* the apostrophe inside a Ukrainian word is ’ (U+2019): ``м'ясо``, ``обʼєкт``, ``п`ять`` →
  ``м’ясо``, ``об’єкт``, ``п’ять``;
* digit groups of a number are joined by a no-break space: ``912 490`` → ``912\u00a0490``.

Links (``https://…``, ``www.…``), HTML tags and character entities are never touched, so the
function is safe on plain text and on Telegram HTML alike; it replaces characters one for one
(the text keeps its length, as Telegram counts it) and is idempotent.  Apply it to plain text
*before* escaping it for HTML — escaping stays the caller's, exactly once.

Pure.
"""

from __future__ import annotations

import re

__all__ = ["typeset"]

_PROTECTED = re.compile(
    r"https?://\S+|www\.\S+"  # links
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"  # tags (not «Курс < 42 грн … >»)
    r"|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"  # entities
)
_CYRILLIC = "А-Яа-яІіЇїЄєҐґ"
_APOSTROPHE = re.compile(rf"(?<=[{_CYRILLIC}])['ʼ`](?=[{_CYRILLIC}])")
_SPACED_DASH = re.compile(r"(?<=\S)([ \u00a0])[-–](?= )(?<!\d[ \u00a0][-–](?= \d))")
_DIALOGUE_DASH = re.compile(r"^-(?= )", re.MULTILINE)
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u202f\u2009\u00a0]\d{3})+(?![\d])")
_GROUP_SPACE = re.compile(r"[ \u202f\u2009]")
_OPEN_CONTEXT = " \t\n\u00a0([{«„“—–-/"
_CLOSE_CONTEXT = " \t\n\u00a0.,;:!?…)]}»“”-—–"
_MARKS = '«»„“”"'


def _masked(text: str) -> list[bool]:
    """For each character, whether it lies in a link, a tag or an entity."""
    mask = [False] * len(text)
    for match in _PROTECTED.finditer(text):
        for i in range(match.start(), match.end()):
            mask[i] = True
    return mask


def _quote_pairs(text: str, mask: list[bool]) -> list[tuple[int, int, int]] | None:
    """(opening index, closing index, depth) of every quotation of ``text`` marked by «», „“ or
    straight quotes; None when the marks do not pair.  English “…” stays out of it."""
    pairs: list[tuple[int, int, int]] = []
    stack: list[tuple[int, str]] = []  # (index, opening mark) of every open quotation
    for i, ch in enumerate(text):
        if mask[i] or ch not in _MARKS:
            continue
        top = stack[-1][1] if stack else ""
        mark = ch
        if ch == '"':
            before = text[i - 1] if i and not mask[i - 1] else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            opens = before in _OPEN_CONTEXT and after not in " \t\n"
            closes = after in _CLOSE_CONTEXT or before not in _OPEN_CONTEXT
            if top == '"' and (closes or not opens):
                mark = "»"  # closes the straight quotation below
            elif opens or top != '"':
                mark = "«"
        if mark in "«„":
            stack.append((i, ch))
        elif stack and ((mark == "»" and top in '«"') or (mark in "“”" and top == "„")):
            start, _ = stack.pop()
            pairs.append((start, i, len(stack)))
        elif mark == "»":
            return None
    return None if stack else pairs


def _quotes(text: str, mask: list[bool]) -> str:
    """Quotations as «…», nested ones as „…“ — straight quotes included; the text unchanged
    when its quotation marks do not pair (better as the source wrote it than guessed)."""
    if not any(mark in text for mark in _MARKS):
        return text
    pairs = _quote_pairs(text, mask)
    if pairs is None:
        return text
    chars = list(text)
    for start, end, depth in pairs:
        chars[start], chars[end] = ("«", "»") if depth == 0 else ("„", "“")
    return "".join(chars)


def _outside(pattern: re.Pattern[str], text: str, mask: list[bool], replace: str) -> str:
    """``pattern`` replaced by ``replace`` wherever the match does not touch a protected span."""

    def sub(match: re.Match[str]) -> str:
        if any(mask[match.start() : match.end()]):
            return match.group()
        return match.expand(replace)

    return pattern.sub(sub, text)


def typeset(text: str) -> str:
    """``text`` with Ukrainian quotes, dashes, apostrophes and no-break number groups (see the
    module's description); links, HTML tags and entities stay as they are."""
    if not text:
        return text
    mask = _masked(text)
    text = _quotes(text, mask)
    text = _outside(_SPACED_DASH, text, mask, r"\1—")
    text = _outside(_DIALOGUE_DASH, text, mask, "—")
    text = _outside(_APOSTROPHE, text, mask, "’")
    return _DIGIT_GROUPS.sub(
        lambda m: (
            m.group() if any(mask[m.start() : m.end()]) else _GROUP_SPACE.sub("\u00a0", m.group())
        ),
        text,
    )
