"""What each chat chooses: its mode, quiet hours, the words it follows or mutes, and the
sources it switched off.  Fan-outs read these in SQL (:mod:`storage.audience`); this module
reads and changes one chat's at a time.

Words are stored by lemma (one row per chat, kind and lemma), with the form the subscriber
wrote for showing back.  Following a word stops muting it and the other way round: a chat
cannot want a word both ways.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from storage.chats import ChatMode
from storage.db import Database, to_db

__all__ = [
    "MODES",
    "ChatSettings",
    "Mode",
    "WordKind",
    "WordResult",
    "add_word",
    "get_settings",
    "remove_word",
    "set_quiet",
    "set_source",
]

Mode = ChatMode  # the mode itself is set with storage.chats.set_mode
MODES: tuple[Mode, ...] = get_args(ChatMode)
WordKind = Literal["follow", "mute"]


@dataclass(frozen=True, slots=True)
class ChatSettings:
    chat_id: int
    active: bool  # subscribed now
    mode: Mode
    quiet: bool
    follow: tuple[str, ...]  # the words, as written, in the order they were added
    mute: tuple[str, ...]
    sources_off: frozenset[int]


class WordResult(enum.Enum):
    ADDED = "added"
    MOVED = "moved"  # added, and taken off the other list (followed ↔ muted)
    ALREADY = "already"
    FULL = "full"  # the list holds its most words already
    NO_CHAT = "no_chat"  # the chat never subscribed


async def get_settings(db: Database, chat_id: int) -> ChatSettings | None:
    """The chat's settings, or None for a chat that never subscribed."""
    async with db.conn.execute(
        "SELECT status, mode, quiet FROM chats WHERE id = ?", (chat_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    words: dict[str, list[str]] = {"follow": [], "mute": []}
    async with db.conn.execute(
        "SELECT kind, word FROM chat_words WHERE chat_id = ? ORDER BY created_at, lemma",
        (chat_id,),
    ) as cur:
        for kind, word in await cur.fetchall():
            words[str(kind)].append(str(word))
    async with db.conn.execute(
        "SELECT source_id FROM chat_sources_off WHERE chat_id = ?", (chat_id,)
    ) as cur:
        off = frozenset(int(r[0]) for r in await cur.fetchall())
    return ChatSettings(
        chat_id=chat_id,
        active=row["status"] == "active",
        mode=row["mode"],
        quiet=bool(row["quiet"]),
        follow=tuple(words["follow"]),
        mute=tuple(words["mute"]),
        sources_off=off,
    )


async def set_quiet(db: Database, chat_id: int, on: bool, now: datetime) -> bool:
    """Quiet hours on or off; returns False for a chat that never subscribed."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE chats SET quiet = ?, updated_at = ? WHERE id = ?",
            (int(on), to_db(now), chat_id),
        )
        return cur.rowcount > 0


async def add_word(
    db: Database, chat_id: int, kind: WordKind, word: str, lemma: str, now: datetime, limit: int
) -> WordResult:
    """Follow or mute ``word`` (matched by ``lemma``); at most ``limit`` words of a kind."""
    other = "mute" if kind == "follow" else "follow"
    async with db.transaction() as conn:
        async with conn.execute("SELECT 1 FROM chats WHERE id = ?", (chat_id,)) as cur:
            if await cur.fetchone() is None:
                return WordResult.NO_CHAT
        async with conn.execute(
            "SELECT COUNT(*), SUM(lemma = ?) FROM chat_words WHERE chat_id = ? AND kind = ?",
            (lemma, chat_id, kind),
        ) as cur:
            row = await cur.fetchone()
        held, present = (int(row[0]), int(row[1] or 0)) if row else (0, 0)
        if present:
            return WordResult.ALREADY
        if held >= limit:
            return WordResult.FULL
        await conn.execute(
            "INSERT INTO chat_words (chat_id, kind, lemma, word, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (chat_id, kind, lemma, word, to_db(now)),
        )
        cur = await conn.execute(
            "DELETE FROM chat_words WHERE chat_id = ? AND kind = ? AND lemma = ?",
            (chat_id, other, lemma),
        )
        return WordResult.MOVED if cur.rowcount > 0 else WordResult.ADDED


async def remove_word(db: Database, chat_id: int, kind: WordKind, lemma: str) -> str | None:
    """Stop following or muting the word with ``lemma``; returns the word as it was written,
    or None if the chat had no such word."""
    async with db.transaction() as conn:
        async with conn.execute(
            "DELETE FROM chat_words WHERE chat_id = ? AND kind = ? AND lemma = ? RETURNING word",
            (chat_id, kind, lemma),
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None


async def set_source(db: Database, chat_id: int, source_id: int, on: bool) -> bool:
    """Switch one source on or off for the chat.  Returns False (and changes nothing) for a
    chat that never subscribed or a source that does not exist or was removed."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT (SELECT 1 FROM chats WHERE id = ?),"
            " (SELECT 1 FROM sources WHERE id = ? AND deleted_at IS NULL)",
            (chat_id, source_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None or row[0] is None or row[1] is None:
            return False
        if on:
            await conn.execute(
                "DELETE FROM chat_sources_off WHERE chat_id = ? AND source_id = ?",
                (chat_id, source_id),
            )
        else:
            await conn.execute(
                "INSERT OR IGNORE INTO chat_sources_off (chat_id, source_id) VALUES (?, ?)",
                (chat_id, source_id),
            )
        return True
