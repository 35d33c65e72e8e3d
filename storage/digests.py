"""Digests: the stories since the previous digest, built once per digest time and fanned out
through the ledger to the chats in mode 'digest'.

:func:`build_digest` does it all in one transaction, keyed by the digest time (``slot_at`` is
unique): the digest row, its message, one ledger row (kind 'digest', ref = the message) per
active digest chat, and the per-chat variants.  So a digest time yields one digest whatever
runs it — the daily job, the catch-up after a restart, both — and a crash leaves nothing
half-sent: either everything is recorded or nothing is, and then it is built again.

Most chats get the same message.  A chat whose mutes or switched-off sources leave out one
of the digest's stories, or that already got one of them at once because it follows a word
(:data:`storage.audience.DIGEST_EXCLUDED`), gets a variant: the first stories of the
candidate list it keeps.  Variants are shared between chats that keep the same stories, found
from the words' and switches' indexes, and streamed chat by chat; a chat that keeps none gets
no digest.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage import audience
from storage.db import Database, from_db, to_db

__all__ = [
    "BuiltDigest",
    "DigestRecord",
    "DigestStory",
    "build_digest",
    "digest_candidates",
    "digest_messages",
    "get_digest",
    "previous_digest",
]

KIND_DIGEST = "digest"
PRIORITY_DIGEST = 1  # news, like stories
_BATCH = 2000  # chats read at a time when handing out variants


@dataclass(frozen=True, slots=True)
class DigestStory:
    """What a digest shows of a story."""

    id: int
    title: str
    url: str | None  # the best report's address
    source_count: int
    is_top: bool


@dataclass(frozen=True, slots=True)
class DigestRecord:
    id: int
    slot_at: datetime
    since_at: datetime
    until_at: datetime
    stories: tuple[int, ...]  # the candidates, most important first
    recipients: int


@dataclass(frozen=True, slots=True)
class BuiltDigest:
    digest_id: int
    stories: int  # candidates
    recipients: int  # ledger rows made
    variants: int  # messages other than the common one


Render = Callable[[Sequence[DigestStory]], str]


def _record(r: aiosqlite.Row) -> DigestRecord:
    return DigestRecord(
        id=r["id"],
        slot_at=from_db(r["slot_at"]),  # type: ignore[arg-type]
        since_at=from_db(r["since_at"]),  # type: ignore[arg-type]
        until_at=from_db(r["until_at"]),  # type: ignore[arg-type]
        stories=tuple(json.loads(r["stories"])),
        recipients=r["recipients"],
    )


async def get_digest(db: Database, slot_at: datetime) -> DigestRecord | None:
    async with db.conn.execute("SELECT * FROM digests WHERE slot_at = ?", (to_db(slot_at),)) as cur:
        row = await cur.fetchone()
    return _record(row) if row else None


async def previous_digest(db: Database, before: datetime) -> DigestRecord | None:
    """The last digest built for a digest time before ``before``."""
    async with db.conn.execute(
        "SELECT * FROM digests WHERE slot_at < ? ORDER BY slot_at DESC LIMIT 1", (to_db(before),)
    ) as cur:
        row = await cur.fetchone()
    return _record(row) if row else None


async def digest_candidates(
    db: Database, since: datetime, until: datetime, limit: int, *, after: int | None = None
) -> list[DigestStory]:
    """Up to ``limit`` stories handed to delivery, or become top, after ``since`` and up to
    ``until``, most important first: top stories first, then by how many sources reported
    them, their importance, the newest first.  Stories a message of digest ``after`` listed
    are left out (a story that became top after it was in the previous digest)."""
    async with db.conn.execute(
        "SELECT st.id, st.title, st.source_count, st.is_top, a.url FROM stories st"
        " LEFT JOIN briefs b ON b.id = st.best_brief_id"
        " LEFT JOIN articles a ON a.id = b.article_id"
        " WHERE st.pushed_at IS NOT NULL"
        " AND ((st.pushed_at > :since AND st.pushed_at <= :until)"
        "  OR (st.top_at > :since AND st.top_at <= :until))"
        " AND st.id NOT IN (SELECT j.value FROM digest_messages m, json_each(m.stories) AS j"
        "  WHERE m.digest_id = :after)"
        " ORDER BY st.is_top DESC, st.source_count DESC, st.importance DESC,"
        " st.first_seen_at DESC, st.id DESC LIMIT :limit",
        {"since": to_db(since), "until": to_db(until), "after": after, "limit": limit},
    ) as cur:
        return [
            DigestStory(r["id"], r["title"], r["url"], r["source_count"], bool(r["is_top"]))
            for r in await cur.fetchall()
        ]


async def build_digest(
    db: Database,
    slot_at: datetime,
    since: datetime,
    until: datetime,
    candidates: Sequence[DigestStory],
    render: Render,
    *,
    per_message: int,
    expires_at: datetime | None = None,
) -> BuiltDigest | None:
    """Record the digest of ``slot_at`` and fan it out (see the module docstring), in one
    transaction.  Returns None, and writes nothing, if that digest time has one already.
    Rows still pending at ``expires_at`` (the next digest's time) end as ``expired``."""
    ids = [c.id for c in candidates]
    by_id = {c.id: c for c in candidates}
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT OR IGNORE INTO digests (slot_at, since_at, until_at, stories)"
            " VALUES (?, ?, ?, ?)",
            (to_db(slot_at), to_db(since), to_db(until), json.dumps(ids)),
        )
        if cur.rowcount == 0:
            return None
        assert cur.lastrowid is not None
        digest_id = cur.lastrowid
        common = tuple(ids[:per_message])
        if not common:
            return BuiltDigest(digest_id, 0, 0, 0)
        await _find_excluded(conn, ids)
        stamp = to_db(until)
        cur = await conn.execute(
            "INSERT INTO digest_messages (digest_id, stories, html) VALUES (?, ?, ?)",
            (digest_id, json.dumps(list(common)), render([by_id[s] for s in common])),
        )
        assert cur.lastrowid is not None
        common_id = cur.lastrowid  # the newest message: ids above it are free
        # Every digest chat whose choices leave none of the stories out: the common message.
        expiry = None if expires_at is None else to_db(expires_at)
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (kind, ref, chat_id, priority, created_at,"
            " expires_at) SELECT ?, ?, id, ?, ?, ? FROM chats"
            " WHERE status = 'active' AND mode = 'digest'"
            " AND id NOT IN (SELECT chat_id FROM temp.digest_excluded)",
            (KIND_DIGEST, common_id, PRIORITY_DIGEST, stamp, expiry),
        )
        recipients = cur.rowcount
        # Chats whose choices leave some stories out: the first stories they keep, in a
        # message shared by every chat that keeps the same ones (none kept: no digest).
        # The transaction holds the write lock, so the messages' ids can be given here.
        messages: dict[tuple[int, ...], int] = {common: common_id}
        last_id = common_id
        async for batch in _excluded_by_chat(conn):
            kept = {c: tuple([s for s in ids if s not in out][:per_message]) for c, out in batch}
            new = []
            for k in kept.values():
                if k and k not in messages:
                    last_id += 1
                    messages[k] = last_id
                    html = render([by_id[s] for s in k])
                    new.append((last_id, digest_id, json.dumps(list(k)), html))
            await conn.executemany(
                "INSERT INTO digest_messages (id, digest_id, stories, html) VALUES (?, ?, ?, ?)",
                new,
            )
            cur = await conn.execute(  # one statement per batch: the rows bound as JSON
                "INSERT OR IGNORE INTO deliveries (kind, ref, chat_id, priority, created_at,"
                " expires_at) SELECT ?, json_extract(value, '$[1]'), json_extract(value, '$[0]'),"
                " ?, ?, ? FROM json_each(?)",
                (
                    KIND_DIGEST,
                    PRIORITY_DIGEST,
                    stamp,
                    expiry,
                    json.dumps([(c, messages[k]) for c, k in kept.items() if k]),
                ),
            )
            recipients += cur.rowcount
        await conn.execute("DELETE FROM temp.digest_excluded")
        await conn.execute(
            "UPDATE digests SET recipients = ? WHERE id = ?", (recipients, digest_id)
        )
    return BuiltDigest(digest_id, len(ids), recipients, len(messages) - 1)


async def _find_excluded(conn: aiosqlite.Connection, ids: list[int]) -> None:
    """Fill ``temp.digest_excluded`` with the (digest chat, story) pairs its choices leave
    out (:data:`storage.audience.DIGEST_EXCLUDED`), found from the words' and switches'
    indexes."""
    facts = await audience.story_facts(conn, ids)
    await conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS digest_excluded (chat_id INTEGER NOT NULL,"
        " story INTEGER NOT NULL)"
    )
    await conn.execute(
        "CREATE INDEX IF NOT EXISTS temp.digest_excluded_by_chat ON digest_excluded (chat_id)"
    )
    await conn.execute("DELETE FROM temp.digest_excluded")
    await conn.execute(
        "INSERT INTO temp.digest_excluded (chat_id, story)"
        f" WITH {audience.CANDIDATES} SELECT p.chat_id, p.story"
        f" FROM ({audience.DIGEST_EXCLUDED}) AS p JOIN chats c ON c.id = p.chat_id"
        " WHERE c.status = 'active' AND c.mode = 'digest'",
        {"candidates": audience.candidates_json(facts)},
    )


async def _excluded_by_chat(
    conn: aiosqlite.Connection,
) -> AsyncIterator[list[tuple[int, set[int]]]]:
    """``temp.digest_excluded`` as ``(chat, stories left out)`` in chat order, :data:`_BATCH`
    chats at a time (never all in memory)."""
    async with conn.execute(
        "SELECT chat_id, group_concat(story) FROM temp.digest_excluded"
        " GROUP BY chat_id ORDER BY chat_id"
    ) as cur:
        while rows := list(await cur.fetchmany(_BATCH)):
            yield [(int(c), {int(s) for s in str(out).split(",")}) for c, out in rows]


async def digest_messages(db: Database, digest_id: int) -> list[tuple[int, tuple[int, ...], str]]:
    """``(message id, story ids, html)`` of each message of a digest (tests, diagnostics)."""
    async with db.conn.execute(
        "SELECT id, stories, html FROM digest_messages WHERE digest_id = ? ORDER BY id",
        (digest_id,),
    ) as cur:
        return [(int(r[0]), tuple(json.loads(r[1])), str(r[2])) for r in await cur.fetchall()]
