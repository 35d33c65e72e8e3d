"""The ledger's queue queries: per kind, retries, expiry, and the indexes that keep them cheap.

The index guard runs each storage function against a ledger with thousands of pending rows,
captures the SQL it really executes (SQLite's trace, parameters expanded) and asks SQLite for
the plan: every query must search a partial index, never scan the table.  The timings at
100 000 pending rows, before and after, are in ``benchmarks/delivery.py --only index``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from storage import Database, broadcasts, chats, deliveries
from storage.deliveries import PRIORITY_BROADCAST, PRIORITY_STORY, Outcome
from tests.integration.delivery_support import numbered_story


async def _statuses(db: Database) -> dict[int, str]:
    async with db.conn.execute("SELECT id, status FROM deliveries ORDER BY id") as cur:
        return {int(r[0]): str(r[1]) for r in await cur.fetchall()}


async def test_due_rows_per_kind_with_retries_first(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(c, "private", "") for c in (1, 2, 3)], clock.now())
    bc = await broadcasts.create_broadcast(db, 9, "усім", clock.now())
    await deliveries.enqueue_broadcast(db, bc, clock.now())
    brief = await numbered_story(db, clock)
    await deliveries.fan_out_story(db, brief, clock.now())
    due = await deliveries.due_by_kind(db, clock.now(), 10)
    assert {k: [r.chat_id for r in rows] for k, rows in due.items()} == {
        PRIORITY_STORY: [1, 2, 3],
        PRIORITY_BROADCAST: [1, 2, 3],
    }
    # Chat 2's brief failed with a 502 and waits 30 s; then it comes first among its kind.
    row = due[PRIORITY_STORY][1]
    later = clock.now() + timedelta(seconds=30)
    await deliveries.record_outcomes(
        db, [Outcome(row.id, 2, "retry", error="502", not_before=later)], clock.now()
    )
    due = await deliveries.due_by_kind(db, clock.now(), 10)
    assert [r.chat_id for r in due[PRIORITY_STORY]] == [1, 3]
    clock.advance(timedelta(seconds=31))
    due = await deliveries.due_by_kind(db, clock.now(), 10, exclude_chats={3})
    assert [r.chat_id for r in due[PRIORITY_STORY]] == [2, 1]
    assert [r.chat_id for r in due[PRIORITY_BROADCAST]] == [1, 2]
    assert await deliveries.next_retry_at(db, after=clock.now()) is None
    assert await deliveries.next_retry_at(db) == later


async def test_expired_rows_are_never_due_and_end_as_expired(
    db: Database, clock: ManualClock
) -> None:
    await chats.import_chats(db, [(c, "private", "") for c in (1, 2, 3)], clock.now())
    brief = await numbered_story(db, clock)
    expires = clock.now() + timedelta(hours=6)
    await deliveries.fan_out_story(db, brief, clock.now(), expires_at=expires)
    bc = await broadcasts.create_broadcast(db, 9, "усім", clock.now())
    await deliveries.enqueue_broadcast(db, bc, clock.now())  # broadcasts never expire
    (first, *_) = (await deliveries.due_by_kind(db, clock.now(), 10))[PRIORITY_STORY]

    clock.advance(timedelta(hours=6))
    due = await deliveries.due_by_kind(db, clock.now(), 10)
    assert due[PRIORITY_STORY] == [] and len(due[PRIORITY_BROADCAST]) == 3
    # The row being sent right now is left to its outcome.
    assert await deliveries.expire_due(db, clock.now(), exclude={first.id}, batch=1) == 1
    assert await deliveries.expire_due(db, clock.now(), exclude={first.id}, batch=1) == 1
    assert await deliveries.expire_due(db, clock.now(), exclude={first.id}, batch=1) == 0
    await deliveries.record_outcomes(
        db, [Outcome(first.id, first.chat_id, "sent", message_id=5)], clock.now()
    )
    statuses = await _statuses(db)
    assert sorted(statuses.values()) == [
        "expired",
        "expired",
        "pending",
        "pending",
        "pending",
        "sent",
    ]
    assert statuses[first.id] == "sent"
    assert await deliveries.uncertain_counts(db) == (2, 0)
    assert (await deliveries.broadcast_counts(db, bc)).pending == 3


async def test_an_unknown_outcome_is_final_and_counted(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(1, "private", "")], clock.now())
    bc = await broadcasts.create_broadcast(db, 9, "усім", clock.now())
    await deliveries.enqueue_broadcast(db, bc, clock.now())
    (row,) = await deliveries.due_deliveries(db, clock.now(), 10)
    await deliveries.record_outcomes(
        db, [Outcome(row.id, 1, "unknown", error="TimedOut: Timed out")], clock.now()
    )
    assert await deliveries.due_deliveries(db, clock.now(), 10) == []
    counts = await deliveries.broadcast_counts(db, bc)
    assert (counts.unknown, counts.pending, counts.total) == (1, 0, 1)
    assert await deliveries.uncertain_counts(db) == (0, 1)


async def _plans(db: Database, statements: list[str]) -> list[str]:
    details = []
    for sql in statements:
        async with db.conn.execute(f"EXPLAIN QUERY PLAN {sql}") as cur:
            details += [str(r[3]) for r in await cur.fetchall()]
    return details


@pytest.mark.parametrize("kind", ["due_by_kind", "next_retry_at", "expire_due", "uncertain"])
async def test_queue_queries_search_an_index_never_scan_the_ledger(
    db: Database, clock: ManualClock, kind: str
) -> None:
    await chats.import_chats(db, [(c, "private", "") for c in range(1, 3001)], clock.now())
    brief = await numbered_story(db, clock)
    await deliveries.fan_out_story(
        db, brief, clock.now(), expires_at=clock.now() + timedelta(hours=6)
    )
    bc = await broadcasts.create_broadcast(db, 9, "усім", clock.now())
    await deliveries.enqueue_broadcast(db, bc, clock.now())
    later = clock.now() + timedelta(minutes=5)
    retries = await deliveries.due_deliveries(db, clock.now(), 100)
    await deliveries.record_outcomes(
        db, [Outcome(r.id, r.chat_id, "retry", not_before=later) for r in retries], clock.now()
    )
    await db.conn.execute("ANALYZE")  # the planner's worst case: it knows the table is big

    seen: list[str] = []
    await db.conn.set_trace_callback(seen.append)
    now = clock.now()
    if kind == "due_by_kind":
        await deliveries.due_by_kind(db, now, 32, exclude={1, 2}, exclude_chats={5, 6})
    elif kind == "next_retry_at":
        await deliveries.next_retry_at(db, after=now)
        await deliveries.next_retry_at(db)
    elif kind == "expire_due":
        await deliveries.expire_due(db, now, exclude={1})
    else:
        await deliveries.uncertain_counts(db)
    await db.conn.set_trace_callback(None)
    statements = [s for s in seen if "deliveries" in s and not s.startswith(("BEGIN", "COMMIT"))]
    assert statements
    plans = await _plans(db, statements)
    on_ledger = [p for p in plans if " d " in f" {p} " or "deliveries" in p]
    assert on_ledger and all(p.startswith("SEARCH") for p in on_ledger), plans
    expected = {
        "due_by_kind": {"deliveries_pending", "deliveries_retry"},
        "next_retry_at": {"deliveries_retry"},
        "expire_due": {"deliveries_expiry"},
        "uncertain": {"deliveries_uncertain"},
    }[kind]
    assert all(any(name in p for p in on_ledger) for name in expected), plans
