"""Telegram's length limits, counted the way Telegram counts them, and one message splitter.

Telegram measures a message in UTF-16 code units of its visible text (after entity parsing):
an emoji outside the Basic Multilingual Plane ("🇺🇦", "🔥") is two units, a Cyrillic letter
one.  ``len()`` counts code points, so text full of emoji that ``len()`` says fits can be
refused with 400 "message is too long".  Every limit in the bot is checked here.

The HTML source of a message is never shorter than the text Telegram counts (tags and
entities only add), so checking the source against a limit is safe.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_TEXT = 4096  # a text message
MAX_CAPTION = 1024  # a photo caption
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def truncate(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits ``limit`` UTF-16 units, else its longest prefix that fits together
    with ``ellipsis`` (a character is never cut in half)."""
    if utf16_len(text) <= limit:
        return text
    room = limit - utf16_len(ellipsis)
    if room <= 0:
        return ""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            return text[:index] + ellipsis
    return text  # pragma: no cover - the whole text fits, handled above


def pack(blocks: Sequence[str], limit: int = MAX_TEXT, separator: str = "\n\n") -> list[str]:
    """Join ``blocks`` with ``separator`` into as few messages of at most ``limit`` UTF-16
    units as they fit in, in order, never splitting a block.

    A block longer than ``limit`` on its own becomes a message of its own (the caller keeps
    blocks short; this function does not cut markup).
    """
    messages: list[str] = []
    current: list[str] = []
    size = 0
    gap = utf16_len(separator)
    for block in blocks:
        length = utf16_len(block)
        if current and size + gap + length > limit:
            messages.append(separator.join(current))
            current, size = [], 0
        size += (gap if current else 0) + length
        current.append(block)
    if current:
        messages.append(separator.join(current))
    return messages


def split_lines(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` split between lines into messages of at most ``limit`` UTF-16 units.

    For texts whose markup never spans a line break (/stats); blank lines at the edges of a
    part are dropped, so no part is empty.
    """
    parts = pack(text.split("\n"), limit, "\n")
    return [stripped for part in parts if (stripped := part.strip("\n"))]
