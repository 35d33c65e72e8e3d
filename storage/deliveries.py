"""The delivery ledger: one row per (what is delivered) × chat, and what became of it.

What a row delivers is a *kind* and a *ref*: a story (``stories.id``), a digest's message
(``digest_messages.id``, see :mod:`storage.digests`) or an admin broadcast (``broadcasts.id``);
later kinds (loss-counter posts) fit the same row.  Its queue is
the ``priority`` column (1 story, 2 broadcast: the engine's fair shares, :data:`KINDS`).  A
story row carries no text: the story's message is read when the row is sent, so a row sent
later lists the sources known by then.  A row is ``pending`` until it ends as one of:

* ``sent`` — Telegram answered OK (its ``message_id`` is stored);
* ``failed`` — Telegram refused it, or it kept failing; the reason is stored;
* ``skipped`` — its chat blocked the bot, vanished, unsubscribed, or already has it;
* ``expired`` — it was still pending at its ``expires_at`` (news no longer): never sent;
* ``unknown`` — the send timed out: Telegram may have delivered it, so it is not sent again.

Rows are created with one ``INSERT … SELECT`` (fan-out never holds the subscriber list in
memory), and the unique index on (kind, ref, chat) makes it idempotent: a chat never gets the
same story twice, however often the story is handed over.  The queue queries (:func:`due_by_kind`,
:func:`next_retry_at`, :func:`expire_due`) each walk one partial index, so they cost
O(log n) at 100 000 pending rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage import audience
from storage.db import Database, from_db, to_db

KIND_STORY = "story"
KIND_BROADCAST = "broadcast"
PRIORITY_STORY = 1
PRIORITY_BROADCAST = 2
KINDS = (PRIORITY_STORY, PRIORITY_BROADCAST)  # every queue of rows, as stored in ``priority``
# Which chats a story goes to, by their mode: every story to 'all'; a top story also to 'top'.
STORY_MODES = ("all",)
TOP_STORY_MODES = ("all", "top")

OutcomeKind = Literal["sent", "retry", "failed", "blocked", "gone", "skipped", "unknown"]


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """A row to send, with what to send: the story's HTML or the broadcast's plain text."""

    id: int
    chat_id: int
    kind: str
    ref: int
    priority: int
    attempts: int
    story_html: str | None  # a story's or a digest's message
    broadcast_text: str | None
    expires_at: datetime | None = None
    quiet: bool = False  # the chat has quiet hours on (the sender checks the window)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one send; recorded in batches by :func:`record_outcomes`."""

    delivery_id: int
    chat_id: int
    kind: OutcomeKind
    message_id: int | None = None
    error: str | None = None
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    pending: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    expired: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.finished

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.skipped + self.expired + self.unknown


def _pending(r: sqlite3.Row) -> PendingDelivery:
    return PendingDelivery(
        id=r["id"],
        chat_id=r["chat_id"],
        kind=r["kind"],
        ref=r["ref"],
        priority=r["priority"],
        attempts=r["attempts"],
        story_html=r["html"],
        broadcast_text=r["text"],
        expires_at=from_db(r["expires_at"]),
        quiet=bool(r["quiet"]),
    )


async def fan_out_story(
    db: Database,
    story_id: int,
    now: datetime,
    *,
    top: bool = False,
    expires_at: datetime | None = None,
) -> int:
    """One pending row for each active chat that wants the story and has no row for it yet
    (one ``INSERT … SELECT``, streamed inside SQLite); returns the rows created.

    Who wants it is :func:`storage.audience.story_audience`: every story goes to the chats in
    mode 'all', a ``top`` story also to those in mode 'top', and a story that mentions a word
    a chat follows to that chat whatever its mode; muted words and switched-off sources keep
    it away.  Handing a story over again (a later report, or the moment it becomes top) adds
    rows only for chats that do not have it.  The story is marked handed over (``pushed_at``).
    Rows still pending at ``expires_at`` end as ``expired`` (None: never).
    """
    modes = TOP_STORY_MODES if top else STORY_MODES
    stamp = to_db(now)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE stories SET pushed_at = COALESCE(pushed_at, ?) WHERE id = ?", (stamp, story_id)
        )
        facts = await audience.story_facts(conn, [story_id])
        if not facts:
            return 0
        # NOT EXISTS skips the chats that have the story at the cost of one index probe each
        # (cheaper than letting every insert fail); OR IGNORE stays the guarantee.
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (kind, ref, chat_id, priority, created_at,"
            f" expires_at) WITH {audience.CANDIDATES}"
            " SELECT :kind, :ref, c.id, :priority, :now, :expires FROM chats c"
            f" WHERE {audience.story_audience(modes)} AND NOT EXISTS"
            " (SELECT 1 FROM deliveries d"
            "  WHERE d.kind = :kind AND d.ref = :ref AND d.chat_id = c.id)",
            {
                "candidates": audience.candidates_json(facts),
                "kind": KIND_STORY,
                "ref": story_id,
                "priority": PRIORITY_STORY,
                "now": stamp,
                "expires": None if expires_at is None else to_db(expires_at),
            },
        )
        return cur.rowcount


async def start_broadcast(
    db: Database, broadcast_id: int, progress_chat_id: int, progress_message_id: int, now: datetime
) -> int | None:
    """Draft → sending and one pending row per active subscriber, in one transaction.

    Returns the number of rows, or None if the broadcast was not a draft (a second press on
    "Надіслати всім", or it was cancelled): then nothing is written.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE broadcasts SET status = 'sending', started_at = ?,"
            " progress_chat_id = ?, progress_message_id = ?"
            " WHERE id = ? AND status = 'draft'",
            (to_db(now), progress_chat_id, progress_message_id, broadcast_id),
        )
        if cur.rowcount == 0:
            return None
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (kind, ref, chat_id, priority, created_at)"
            " SELECT ?, ?, id, ?, ? FROM chats WHERE status = 'active'",
            (KIND_BROADCAST, broadcast_id, PRIORITY_BROADCAST, to_db(now)),
        )
        return cur.rowcount


async def enqueue_broadcast(db: Database, broadcast_id: int, now: datetime) -> int:
    """One pending row per active subscriber (every mode: a broadcast is for everyone); also
    moves the broadcast to ``sending`` (same transaction)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET status = 'sending', started_at = COALESCE(started_at, ?)"
            " WHERE id = ? AND status IN ('draft', 'sending')",
            (to_db(now), broadcast_id),
        )
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (kind, ref, chat_id, priority, created_at)"
            " SELECT ?, ?, id, ?, ? FROM chats WHERE status = 'active'",
            (KIND_BROADCAST, broadcast_id, PRIORITY_BROADCAST, to_db(now)),
        )
        return cur.rowcount


_DUE_SELECT = (
    "SELECT d.id, d.chat_id, d.kind, d.ref, d.priority, d.attempts, d.expires_at,"
    " COALESCE(s.html, g.html) AS html, bc.text,"
    " (SELECT c.quiet FROM chats c WHERE c.id = d.chat_id) AS quiet"
    " FROM deliveries d"
    " LEFT JOIN stories s ON d.kind = 'story' AND s.id = d.ref"
    " LEFT JOIN digest_messages g ON d.kind = 'digest' AND g.id = d.ref"
    " LEFT JOIN broadcasts bc ON d.kind = 'broadcast' AND bc.id = d.ref"
    " WHERE d.status = 'pending' AND (d.expires_at IS NULL OR d.expires_at > :now){chats}"
)
# Never sent before, one kind, oldest first: walks deliveries_pending (priority, NULL, id …).
_FRESH = " AND d.priority = {kind} AND d.not_before IS NULL ORDER BY d.id LIMIT :limit"
# Held back by a backoff that has expired, longest waiting first: walks deliveries_retry.
_RETRY = " AND d.not_before IS NOT NULL AND d.not_before <= :now ORDER BY d.not_before LIMIT :limit"


async def due_by_kind(
    db: Database,
    now: datetime,
    limit: int,
    exclude: Collection[int] = (),
    exclude_chats: Collection[int] = (),
    kinds: Sequence[int] = KINDS,
) -> dict[int, list[PendingDelivery]]:
    """Pending rows that may be sent now, per kind: due retries first, then the oldest.

    Up to ``limit`` rows whose backoff has passed (longest waiting first), filed under their
    kind, then up to ``limit`` never-tried rows of each kind (oldest first).  ``exclude`` holds the
    ids already being sent (still ``pending`` in the ledger); rows of the chats in
    ``exclude_chats`` (busy now) are left for a later call; expired rows are never returned.
    """
    chat_filter = ""
    params: dict[str, object] = {"now": to_db(now), "limit": limit + len(exclude)}
    if exclude_chats:
        chat_filter = " AND d.chat_id NOT IN (SELECT value FROM json_each(:chats))"
        params["chats"] = json.dumps(list(exclude_chats))
    head = _DUE_SELECT.format(chats=chat_filter)
    parts = [f"SELECT * FROM ({head}{_RETRY})"]  # SQLite returns UNION ALL parts in order
    parts += [f"SELECT * FROM ({head}{_FRESH.format(kind=int(k))})" for k in kinds]
    out: dict[int, list[PendingDelivery]] = {int(k): [] for k in kinds}
    async with db.conn.execute(" UNION ALL ".join(parts), params) as cur:
        rows = await cur.fetchall()
    for r in rows:
        if r["id"] not in exclude:
            out.setdefault(r["priority"], []).append(_pending(r))
    return out


async def due_deliveries(
    db: Database,
    now: datetime,
    limit: int,
    exclude: Collection[int] = (),
    exclude_chats: Collection[int] = (),
) -> list[PendingDelivery]:
    """Up to ``limit`` rows that may be sent now, kind by kind, oldest first (see
    :func:`due_by_kind`; the engine shares the budget between kinds itself)."""
    found = await due_by_kind(db, now, limit, exclude, exclude_chats)
    rows = sorted((r for queue in found.values() for r in queue), key=lambda r: (r.priority, r.id))
    return rows[:limit]


async def next_retry_at(db: Database, after: datetime | None = None) -> datetime | None:
    """The earliest ``not_before`` (later than ``after``) among pending rows in a backoff."""
    query = "SELECT MIN(not_before) FROM deliveries WHERE status = 'pending'"
    params: tuple[str, ...] = ()
    if after is None:
        query += " AND not_before IS NOT NULL"
    else:
        query += " AND not_before IS NOT NULL AND not_before > ?"
        params = (to_db(after),)
    async with db.conn.execute(query, params) as cur:
        row = await cur.fetchone()
    return from_db(row[0]) if row and row[0] else None


async def expire_due(
    db: Database, now: datetime, exclude: Collection[int] = (), batch: int = 1000
) -> int:
    """Mark up to ``batch`` pending rows whose ``expires_at`` has passed ``expired``.

    ``exclude`` holds the rows being sent right now (their outcome decides).  One short
    transaction; call again while it returns ``batch``.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE deliveries SET status = 'expired', last_error = 'expired before it was sent'"
            " WHERE id IN (SELECT id FROM deliveries"
            "  WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?"
            "  AND id NOT IN (SELECT value FROM json_each(?)) LIMIT ?)",
            (to_db(now), json.dumps(list(exclude)), batch),
        )
        return cur.rowcount


async def record_outcomes(db: Database, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Record a batch of send results in one transaction (group commit).

    ``blocked``/``gone`` also change the chat's status and skip every pending row of the chat.
    """
    if not outcomes:
        return
    stamp = to_db(now)
    async with db.transaction() as conn:
        for o in outcomes:
            if o.kind == "sent":
                await conn.execute(
                    # Telegram accepted it: that is the truth even if the chat stopped or
                    # blocked meanwhile and the row was skipped (or expired) while the send
                    # was in flight.
                    "UPDATE deliveries SET status = 'sent', message_id = ?, sent_at = ?,"
                    " attempts = attempts + 1, last_error = NULL"
                    " WHERE id = ? AND status IN ('pending', 'skipped', 'expired')",
                    (o.message_id, stamp, o.delivery_id),
                )
            elif o.kind == "retry":
                await conn.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, not_before = ?"
                    " WHERE id = ? AND status = 'pending'",
                    (o.error, to_db(o.not_before or now), o.delivery_id),
                )
            elif o.kind in ("failed", "skipped", "unknown"):
                # 'unknown' may have reached the chat, so like 'sent' it overrides a skip.
                await conn.execute(
                    "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?"
                    " WHERE id = ? AND status IN ('pending', ?)",
                    (
                        o.kind,
                        o.error,
                        o.delivery_id,
                        "skipped" if o.kind == "unknown" else "pending",
                    ),
                )
            else:
                await conn.execute(
                    "UPDATE chats SET status = ?, updated_at = ?"
                    " WHERE id = ? AND status = 'active'",
                    (o.kind, stamp, o.chat_id),
                )
                await conn.execute(
                    "UPDATE deliveries SET attempts = attempts + 1 WHERE id = ?",
                    (o.delivery_id,),
                )
                await conn.execute(
                    "UPDATE deliveries SET status = 'skipped', last_error = ?"
                    " WHERE chat_id = ? AND status = 'pending'",
                    (o.error, o.chat_id),
                )


async def count_pending(db: Database) -> int:
    async with db.conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def broadcast_counts(db: Database, broadcast_id: int) -> DeliveryCounts:
    async with db.conn.execute(
        "SELECT status, COUNT(*) FROM deliveries WHERE kind = ? AND ref = ? GROUP BY status",
        (KIND_BROADCAST, broadcast_id),
    ) as cur:
        counts = {str(status): int(n) for status, n in await cur.fetchall()}
    return DeliveryCounts(
        pending=counts.get("pending", 0),
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        skipped=counts.get("skipped", 0),
        expired=counts.get("expired", 0),
        unknown=counts.get("unknown", 0),
    )


async def uncertain_counts(db: Database) -> tuple[int, int]:
    """``(expired, unknown)`` rows in the ledger (for /stats; a small partial index)."""
    async with db.conn.execute(
        "SELECT status, COUNT(*) FROM deliveries"
        " WHERE status IN ('expired', 'unknown') GROUP BY status"
    ) as cur:
        counts = {str(status): int(n) for status, n in await cur.fetchall()}
    return counts.get("expired", 0), counts.get("unknown", 0)


async def deliveries_for_chat(db: Database, chat_id: int) -> list[sqlite3.Row]:
    """Every ledger row of a chat (for tests and diagnostics)."""
    async with db.conn.execute(
        "SELECT * FROM deliveries WHERE chat_id = ? ORDER BY id", (chat_id,)
    ) as cur:
        return list(await cur.fetchall())
