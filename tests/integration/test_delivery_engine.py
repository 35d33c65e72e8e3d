"""The delivery engine against the fake Telegram server: fan-out, error policy, resume."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from bot.config import DeliveryConfig
from storage import Database, broadcasts, chats, deliveries
from tests.integration.delivery_support import (
    BRIEF_HTML,
    FAST,
    Harness,
    h,
    make_bot,
    make_brief,
    subscribe,
    tg,
)

__all__ = ["h", "tg"]  # fixtures


async def _status(db: Database) -> dict[int, str]:
    async with db.conn.execute("SELECT chat_id, status FROM deliveries") as cur:
        return {int(r[0]): str(r[1]) for r in await cur.fetchall()}


async def test_brief_reaches_every_active_subscriber_once(h: Harness) -> None:
    await subscribe(h.db, h.clock, [*range(1, 41), -5, -6])
    await chats.set_status(h.db, 7, "stopped", h.clock.now())
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()

    assert await engine.enqueue_story(brief_id) == 41
    assert await engine.enqueue_story(brief_id) == 0  # idempotent: nothing twice
    await engine.idle()

    received = sorted(m.chat_id for m in h.tg.sent)
    assert received == sorted([*(i for i in range(1, 41) if i != 7), -5, -6])
    assert all(m.text == BRIEF_HTML and m.parse_mode == "HTML" for m in h.tg.sent)
    async with h.db.conn.execute(
        "SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND message_id IS NOT NULL"
    ) as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 41


async def test_blocked_gone_and_migrated_chats(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1, 2, 3, 4, -100])
    h.tg.block(1)
    h.tg.deactivate(2)
    h.tg.forget(3)
    h.tg.migrate(-100, -1001234567890)
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()

    await engine.enqueue_story(brief_id)
    await engine.idle()

    statuses = {c: (await chats.get_chat(h.db, c)) for c in (1, 2, 3, 4, -100, -1001234567890)}
    assert statuses[1] is not None and statuses[1].status == "blocked"
    assert statuses[2] is not None and statuses[2].status == "blocked"
    assert statuses[3] is not None and statuses[3].status == "gone"
    assert statuses[4] is not None and statuses[4].status == "active"
    assert statuses[-100] is None  # the chat moved to its new id
    moved = statuses[-1001234567890]
    assert moved is not None and moved.status == "active" and moved.type == "supergroup"
    assert sorted(m.chat_id for m in h.tg.sent) == [-1001234567890, 4]
    assert await _status(h.db) == {
        1: "skipped",
        2: "skipped",
        3: "skipped",
        4: "sent",
        -1001234567890: "sent",
    }
    # A blocked chat's later deliveries are not even created.
    await subscribe(h.db, h.clock, [])
    assert await deliveries.count_pending(h.db) == 0


async def test_429_is_retried_and_never_dropped(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1, 2, 3])
    h.tg.fail_next("sendMessage", 429, count=2)  # retry_after = 1 s
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()

    await engine.enqueue_story(brief_id)
    await engine.idle()

    assert sorted(m.chat_id for m in h.tg.sent) == [1, 2, 3]
    assert h.tg.count_429 == 2
    assert set((await _status(h.db)).values()) == {"sent"}
    async with h.db.conn.execute("SELECT MAX(attempts) FROM deliveries") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 1  # a 429 is not an attempt


async def test_server_errors_back_off_then_fail_with_the_reason(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1])
    config = replace(FAST, max_attempts=3)
    h.tg.fail_next("sendMessage", 502, count=3)
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine(config)

    await engine.enqueue_story(brief_id)
    await engine.idle()
    rows = await deliveries.deliveries_for_chat(h.db, 1)
    assert rows[0]["status"] == "pending" and rows[0]["attempts"] == 1
    assert "Bad Gateway" in rows[0]["last_error"]
    first_retry = await deliveries.next_retry_at(h.db)
    assert first_retry == h.clock.now() + timedelta(seconds=2)

    for _ in range(2):  # the clock moves past each backoff; the engine is told to look again
        h.clock.advance(timedelta(minutes=10))
        engine.wake()
        await engine.idle()

    rows = await deliveries.deliveries_for_chat(h.db, 1)
    assert rows[0]["status"] == "failed" and rows[0]["attempts"] == 3
    assert "after 3 attempts" in rows[0]["last_error"]
    assert h.tg.sent == []


async def test_transient_error_then_success(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1])
    h.tg.fail_next("sendMessage", 500)
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()
    await engine.enqueue_story(brief_id)
    await engine.idle()
    h.clock.advance(timedelta(seconds=3))
    engine.wake()
    await engine.idle()
    rows = await deliveries.deliveries_for_chat(h.db, 1)
    assert rows[0]["status"] == "sent" and rows[0]["attempts"] == 2
    assert len(h.tg.messages_to(1)) == 1


async def test_bad_message_fails_at_once(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1])
    h.tg.fail_next("sendMessage", 400, description="Bad Request: message is too long")
    brief_id = await make_brief(h.db, h.clock)
    engine = await h.engine()
    await engine.enqueue_story(brief_id)
    await engine.idle()
    rows = await deliveries.deliveries_for_chat(h.db, 1)
    assert rows[0]["status"] == "failed" and "too long" in rows[0]["last_error"]


async def test_broadcast_is_escaped_and_reports_progress(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1, 2, 3, 4])
    h.tg.block(4)
    admin_chat = 1001
    # The admin's confirmation message, which the engine edits.
    bot = await make_bot(h.tg, FAST)
    h.bots.append(bot)
    shown = await bot.send_message(admin_chat, "Попередній перегляд")
    text = "Увага: <оновлення> & перезапуск о 10:00"
    engine = await h.engine()
    bc = await broadcasts.create_broadcast(h.db, admin_chat, text, h.clock.now())

    assert await engine.start_broadcast(bc, admin_chat, shown.message_id) == 4
    assert await engine.start_broadcast(bc, admin_chat, shown.message_id) is None  # twice
    await engine.idle()
    await engine.report_progress()

    sent = [m for m in h.tg.sent if m.chat_id in (1, 2, 3)]
    assert len(sent) == 3
    assert all(m.visible_text == text for m in sent)
    final = h.tg.messages_to(admin_chat)[0]
    assert "Розсилку завершено" in final.visible_text
    assert "Надіслано: 3 з 4" in final.visible_text.replace("\u00a0", " ")
    assert "Заблокували бота або недоступні: 1" in final.visible_text
    done = await broadcasts.get_broadcast(h.db, bc)
    assert done is not None and done.status == "done" and done.finished_at is not None


async def test_progress_is_shown_while_sending_then_replaced_by_the_summary(h: Harness) -> None:
    await subscribe(h.db, h.clock, [1, 2, 3, 4])
    bot = await make_bot(h.tg, FAST)
    h.bots.append(bot)
    shown = await bot.send_message(1001, "Попередній перегляд")
    slow = DeliveryConfig(overall_per_second=4, per_chat_per_second=50, progress_seconds=0.1)
    engine = await h.engine(slow)  # 4 messages and the edits at 4/s: a second or so
    bc = await broadcasts.create_broadcast(h.db, 1001, "текст", h.clock.now())
    await engine.start_broadcast(bc, 1001, shown.message_id)
    message = h.tg.messages_to(1001)[0]
    await h.tg.wait_until(lambda: message.visible_text.startswith("Розсилку завершено."))
    texts = [*message.edits, message.visible_text]
    progress = [t for t in texts if t.startswith("Розсилка триває…")]
    assert progress and all(p.endswith(" з 4") for p in progress)
    assert all(a != b for a, b in itertools.pairwise(texts))  # an edit only when it changed
    assert "Надіслано: 4 з 4" in texts[-1]


async def test_briefs_share_the_sends_with_a_running_broadcast(h: Harness) -> None:
    """Briefs and a broadcast waiting together share the sends: the briefs do not wait for
    the broadcast's end, nor stop it; two brief messages go out for each broadcast message.

    (Strict priority before issue 10: the briefs overtook the broadcast's whole rest.)
    """
    await subscribe(h.db, h.clock, list(range(1, 7)))
    brief_id = await make_brief(h.db, h.clock)
    bc = await broadcasts.create_broadcast(h.db, 1, "розсилка", h.clock.now())
    await deliveries.enqueue_broadcast(h.db, bc, h.clock.now())
    await deliveries.fan_out_story(h.db, brief_id, h.clock.now())
    # One send at a time, and chats that are never busy: the order is the dispatcher's alone.
    engine = await h.engine(replace(FAST, concurrency=1, per_chat_per_second=10_000))
    await engine.idle()
    order = ["brief" if m.text == BRIEF_HTML else "bc" for m in h.tg.sent]
    assert sorted(order) == ["bc"] * 6 + ["brief"] * 6
    # Two briefs for each broadcast message while both wait; then the broadcast's rest.
    assert (
        order
        == ["brief", "bc", "brief", "brief", "bc", "brief", "brief", "bc", "brief"] + ["bc"] * 3
    )


async def test_restart_resumes_pending_rows(h: Harness) -> None:
    await subscribe(h.db, h.clock, list(range(1, 21)))
    brief_id = await make_brief(h.db, h.clock)
    # Rows written, but the process "died" before sending: nothing in flight.
    assert await deliveries.fan_out_story(h.db, brief_id, h.clock.now()) == 20
    engine = await h.engine()
    await engine.idle()
    assert sorted(m.chat_id for m in h.tg.sent) == list(range(1, 21))
