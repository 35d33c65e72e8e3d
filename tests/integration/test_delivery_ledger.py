"""The ledger, chats and broadcasts storage functions on a real (in-memory) database."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from storage import Database, broadcasts, chats, deliveries
from storage.deliveries import Outcome
from tests.integration.delivery_support import numbered_story


async def _statuses(db: Database) -> dict[int, str]:
    async with db.conn.execute("SELECT chat_id, status FROM deliveries ORDER BY chat_id") as cur:
        return {int(r[0]): str(r[1]) for r in await cur.fetchall()}


async def test_import_and_enqueue_only_active_chats_once(db: Database, clock: ManualClock) -> None:
    rows = [(i, "private", f"u{i}") for i in range(1, 2501)]
    assert await chats.import_chats(db, rows, clock.now(), batch=1000) == 2500
    assert await chats.import_chats(db, rows[:10], clock.now()) == 0
    await chats.set_status(db, 5, "stopped", clock.now())
    brief = await numbered_story(db, clock)
    assert await deliveries.fan_out_story(db, brief, clock.now()) == 2499
    assert await deliveries.fan_out_story(db, brief, clock.now()) == 0
    assert await deliveries.count_pending(db) == 2499


async def test_due_rows_come_by_priority_then_age_and_respect_backoff(
    db: Database, clock: ManualClock
) -> None:
    await chats.import_chats(db, [(1, "private", ""), (2, "private", "")], clock.now())
    bc = await broadcasts.create_broadcast(db, 9, "<текст>", clock.now())
    await deliveries.enqueue_broadcast(db, bc, clock.now())
    brief = await numbered_story(db, clock)
    await deliveries.fan_out_story(db, brief, clock.now())

    due = await deliveries.due_deliveries(db, clock.now(), 10)
    assert [(d.priority, d.chat_id) for d in due] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert due[0].story_html == "<b>1</b>" and due[0].broadcast_text is None
    assert due[2].broadcast_text == "<текст>" and due[2].story_html is None
    assert [d.id for d in await deliveries.due_deliveries(db, clock.now(), 2, {due[0].id})] == [
        due[1].id,
        due[2].id,
    ]

    # Rows of busy chats are left for later, whatever their priority.
    assert [
        (d.priority, d.chat_id)
        for d in await deliveries.due_deliveries(db, clock.now(), 10, exclude_chats={1})
    ] == [(1, 2), (2, 2)]
    assert await deliveries.due_deliveries(db, clock.now(), 10, exclude_chats=[1, 2]) == []

    later = clock.now() + timedelta(seconds=30)
    await deliveries.record_outcomes(
        db, [Outcome(due[0].id, 1, "retry", error="502", not_before=later)], clock.now()
    )
    assert due[0].id not in [d.id for d in await deliveries.due_deliveries(db, clock.now(), 10)]
    assert await deliveries.next_retry_at(db) == later
    clock.advance(timedelta(seconds=31))
    assert due[0].id in [d.id for d in await deliveries.due_deliveries(db, clock.now(), 10)]


async def test_outcomes(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(i, "private", "") for i in (1, 2, 3, 4)], clock.now())
    b1, b2 = await numbered_story(db, clock, 1), await numbered_story(db, clock, 2)
    await deliveries.fan_out_story(db, b1, clock.now())
    await deliveries.fan_out_story(db, b2, clock.now())
    due = {(d.ref, d.chat_id): d.id for d in await deliveries.due_deliveries(db, clock.now(), 99)}
    await deliveries.record_outcomes(
        db,
        [
            Outcome(due[(b1, 1)], 1, "sent", message_id=77),
            Outcome(due[(b1, 2)], 2, "blocked", error="Forbidden: bot was blocked by the user"),
            Outcome(due[(b1, 3)], 3, "gone", error="chat not found"),
            Outcome(due[(b1, 4)], 4, "failed", error="message is too long"),
        ],
        clock.now(),
    )
    rows = {(r["ref"], r["chat_id"]): r for r in await _all(db)}
    assert rows[(b1, 1)]["status"] == "sent" and rows[(b1, 1)]["message_id"] == 77
    assert rows[(b1, 1)]["sent_at"] is not None
    # The blocked and vanished chats' other pending rows are skipped too.
    assert rows[(b2, 2)]["status"] == "skipped" and rows[(b2, 3)]["status"] == "skipped"
    assert rows[(b1, 4)]["status"] == "failed" and rows[(b2, 4)]["status"] == "pending"
    assert await chats.count_by_status(db) == {"active": 2, "stopped": 0, "blocked": 1, "gone": 1}
    # Recording "sent" twice (a replay) changes nothing.
    await deliveries.record_outcomes(
        db, [Outcome(due[(b1, 1)], 1, "sent", message_id=99)], clock.now()
    )
    assert (await deliveries.deliveries_for_chat(db, 1))[0]["message_id"] == 77


async def _all(db: Database) -> list:  # type: ignore[type-arg]
    async with db.conn.execute("SELECT * FROM deliveries") as cur:
        return list(await cur.fetchall())


async def test_stop_block_and_reactivate(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(1, "private", ""), (2, "private", "")], clock.now())
    await deliveries.fan_out_story(db, await numbered_story(db, clock), clock.now())
    assert await chats.set_status(db, 1, "stopped", clock.now())
    assert await chats.mark_blocked(db, 2, clock.now())
    assert await _statuses(db) == {1: "skipped", 2: "skipped"}
    assert not await chats.mark_blocked(db, 1, clock.now())  # stopped stays stopped
    assert not await chats.reactivate(db, 1, clock.now())
    assert await chats.reactivate(db, 2, clock.now())
    chat = await chats.get_chat(db, 2)
    assert chat is not None and chat.status == "active"


async def test_migrate_moves_the_chat_and_its_rows(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(-5, "group", "g")], clock.now())
    await deliveries.fan_out_story(db, await numbered_story(db, clock), clock.now())
    assert await chats.migrate_chat(db, -5, -1005, clock.now())
    assert await chats.get_chat(db, -5) is None
    assert await _statuses(db) == {-1005: "pending"}


async def test_migrate_into_a_known_supergroup(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(-5, "group", ""), (-1005, "supergroup", "")], clock.now())
    b1 = await numbered_story(db, clock, 1)
    await deliveries.fan_out_story(db, b1, clock.now())  # both chats have a row for b1
    assert await chats.migrate_chat(db, -5, -1005, clock.now())
    old = await chats.get_chat(db, -5)
    assert old is not None and old.status == "gone"
    assert await _statuses(db) == {-1005: "pending", -5: "skipped"}


async def test_migrate_says_whether_the_row_in_flight_goes_to_the_new_chat(
    db: Database, clock: ManualClock
) -> None:
    """The row being sent when Telegram said "migrated" is sent on only if it moved: a
    supergroup that already has the same brief gets it once."""
    await chats.import_chats(
        db, [(-5, "group", ""), (-6, "group", ""), (-1005, "supergroup", "")], clock.now()
    )
    b1 = await numbered_story(db, clock, 1)
    await deliveries.fan_out_story(db, b1, clock.now())
    await chats.import_chats(db, [(-1006, "supergroup", "")], clock.now())  # no row for b1
    rows = {r.chat_id: r.id for r in await deliveries.due_deliveries(db, clock.now(), 10)}
    assert not await chats.migrate_chat(db, -5, -1005, clock.now(), delivery_id=rows[-5])
    assert await chats.migrate_chat(db, -6, -1006, clock.now(), delivery_id=rows[-6])
    statuses = await _statuses(db)
    assert statuses == {-5: "skipped", -1005: "pending", -1006: "pending"}


async def test_migrate_into_a_supergroup_that_unsubscribed(
    db: Database, clock: ManualClock
) -> None:
    """The supergroup's own, newer choice wins: the old group's rows are not sent to it."""
    await chats.import_chats(db, [(-5, "group", ""), (-1005, "supergroup", "")], clock.now())
    await chats.set_status(db, -1005, "stopped", clock.now())
    await deliveries.fan_out_story(db, await numbered_story(db, clock), clock.now())
    (row,) = await deliveries.due_deliveries(db, clock.now(), 10)
    assert not await chats.migrate_chat(db, -5, -1005, clock.now(), delivery_id=row.id)
    assert await _statuses(db) == {-5: "skipped"}


async def test_broadcast_lifecycle(db: Database, clock: ManualClock) -> None:
    await chats.import_chats(db, [(1, "private", ""), (2, "private", "")], clock.now())
    bc = await broadcasts.create_broadcast(db, 9, "текст", clock.now())
    assert await deliveries.start_broadcast(db, bc, 9, 100, clock.now()) == 2
    assert await deliveries.start_broadcast(db, bc, 9, 100, clock.now()) is None
    assert not await broadcasts.cancel_broadcast(db, bc, clock.now())
    started = await broadcasts.get_broadcast(db, bc)
    assert started is not None and started.status == "sending"
    assert (started.progress_chat_id, started.progress_message_id) == (9, 100)
    assert [b.id for b in await broadcasts.sending_broadcasts(db)] == [bc]
    counts = await deliveries.broadcast_counts(db, bc)
    assert (counts.pending, counts.total) == (2, 2)
    assert await broadcasts.finish_broadcast(db, bc, clock.now())

    other = await broadcasts.create_broadcast(db, 9, "ні", clock.now())
    assert await broadcasts.cancel_broadcast(db, other, clock.now())
    assert await deliveries.start_broadcast(db, other, 9, 101, clock.now()) is None
    assert (await deliveries.broadcast_counts(db, other)).total == 0
