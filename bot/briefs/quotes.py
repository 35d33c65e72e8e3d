"""Quotation marks in news text: are they balanced, what is said outside them.

Ukrainian texts quote with «…» (nested „…“), but sources also use straight "…" and English
“…”.  A brief must never show a quotation opened and not closed, and quoted speech must come
with whoever said it; the splitter and the summariser decide both with these functions, and
``benchmarks/summary_quality.py`` counts with them.

Pure.
"""

from __future__ import annotations

__all__ = ["QUOTE_MARKS", "balanced", "open_depth", "outside"]

QUOTE_MARKS = '«»„“”"'
_MALFORMED = -1


def _walk(text: str) -> tuple[int, list[int]]:
    """(depth after ``text`` or -1 when a mark closes what was never opened, the indices of the
    top-level quotations' first and last characters, in pairs)."""
    stack: list[str] = []
    spans: list[int] = []
    for i, ch in enumerate(text):
        if ch not in QUOTE_MARKS:
            continue
        if ch in "«„" or (ch == "“" and (not stack or stack[-1] != "„")):
            opening = True
        elif ch == '"':
            opening = not stack or stack[-1] != '"'
        else:
            opening = False
        if opening:
            if not stack:
                spans.append(i)
            stack.append(ch)
            continue
        top = stack[-1] if stack else ""
        closes = {"»": "«", "“": "„", '"': '"'}.get(ch)
        if (closes is not None and top != closes) or (ch == "”" and top not in ("„", "“")):
            return _MALFORMED, spans
        stack.pop()
        if not stack:
            spans.append(i)
    return len(stack), spans


def open_depth(text: str) -> int:
    """How many quotations are still open at the end of ``text``; -1 when a closing mark has
    no opening one (the text cannot be a whole quotation, whatever follows)."""
    return _walk(text)[0]


def balanced(text: str) -> bool:
    """Every «», „“, “” and "" of ``text`` is closed, in order, and none closes too early."""
    return _walk(text)[0] == 0


def outside(text: str) -> str:
    """``text`` without its (balanced) quotations: what the author says in their own words."""
    depth, spans = _walk(text)
    if depth != 0:
        return text
    out = []
    start = 0
    for first, last in zip(spans[::2], spans[1::2], strict=True):
        out.append(text[start:first])
        start = last + 1
    out.append(text[start:])
    return " ".join(part.strip() for part in out if part.strip())
