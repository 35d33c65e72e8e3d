"""The ledger keyed by story: a chat never gets the same story twice (a database fact), and a
story fans out by the chats' modes — every story to 'all', a top story to 'top' as well."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from storage import Database, articles, chats, deliveries, sources, stories
from storage.articles import NewArticle
from storage.chats import ChatMode
from storage.deliveries import Outcome


async def _story(db: Database, clock: ManualClock, n: int = 1) -> int:
    """A one-report story (its source, article and brief written through storage)."""
    found = await sources.find_source_by_url(db, "https://e.ua/rss")
    source = (
        found.id
        if found
        else await sources.add_source(db, "E", "https://e.ua/rss", "config", clock.now())
    )
    record = NewArticle(f"guid:{n}", f"https://e.ua/{n}", f"Новина {n}", None, None, "pushed")
    (article_id,) = await articles.add_articles(db, source, [record], clock.now())
    return await stories.add_story(
        db, article_id, title="t", summary="s", html=f"<b>{n}</b>", summariser="x", now=clock.now()
    )


async def _chats(db: Database, clock: ManualClock, modes: dict[int, ChatMode]) -> None:
    await chats.import_chats(db, [(c, "private", "") for c in modes], clock.now())
    for chat_id, mode in modes.items():
        assert await chats.set_mode(db, chat_id, mode, clock.now())


async def _rows(db: Database, story_id: int) -> dict[int, str]:
    async with db.conn.execute(
        "SELECT chat_id, status FROM deliveries WHERE kind = 'story' AND ref = ?", (story_id,)
    ) as cur:
        return {int(c): str(s) for c, s in await cur.fetchall()}


async def test_a_story_goes_to_chats_by_their_mode(db: Database, clock: ManualClock) -> None:
    assert not await chats.set_mode(db, 77, "top", clock.now())  # an unknown chat
    await _chats(db, clock, {1: "all", 2: "top", 3: "digest", 4: "all"})
    await chats.set_status(db, 4, "stopped", clock.now())
    story = await _story(db, clock)
    assert await deliveries.fan_out_story(db, story, clock.now()) == 1
    assert await _rows(db, story) == {1: "pending"}
    # it becomes top: the 'top' chat gets it now; the 'all' chat has it already
    assert await deliveries.fan_out_story(db, story, clock.now(), top=True) == 1
    assert await _rows(db, story) == {1: "pending", 2: "pending"}
    assert (
        await deliveries.fan_out_story(db, await _story(db, clock, 2), clock.now(), top=True) == 2
    )


async def test_no_chat_gets_a_story_twice_whatever_became_of_its_first_row(
    db: Database, clock: ManualClock
) -> None:
    await _chats(db, clock, {1: "all", 2: "all", 3: "all"})
    story = await _story(db, clock)
    assert await deliveries.fan_out_story(db, story, clock.now()) == 3
    due = {r.chat_id: r.id for r in await deliveries.due_deliveries(db, clock.now(), 10)}
    await deliveries.record_outcomes(
        db, [Outcome(due[1], 1, "sent", message_id=5), Outcome(due[3], 3, "failed")], clock.now()
    )
    await chats.set_status(db, 2, "stopped", clock.now())  # its pending row is skipped
    await chats.subscribe(db, 2, "private", "", clock.now())  # … and it comes back
    await chats.subscribe(db, 9, "private", "", clock.now())  # a new subscriber
    clock.advance(timedelta(minutes=10))
    # a later report of the story hands it over again: only the new subscriber gets a row
    assert await deliveries.fan_out_story(db, story, clock.now(), top=True) == 1
    assert await _rows(db, story) == {1: "sent", 2: "skipped", 3: "failed", 9: "pending"}
    assert await deliveries.fan_out_story(db, story, clock.now(), top=True) == 0


async def test_the_unique_index_refuses_a_second_row_for_the_same_story_and_chat(
    db: Database, clock: ManualClock
) -> None:
    await _chats(db, clock, {1: "all"})
    story = await _story(db, clock)
    await deliveries.fan_out_story(db, story, clock.now())
    with pytest.raises(sqlite3.IntegrityError):
        await db.conn.execute(
            "INSERT INTO deliveries (kind, ref, chat_id, priority, created_at)"
            " VALUES ('story', ?, 1, 1, '2025-01-01')",
            (story,),
        )


async def test_a_group_that_became_a_supergroup_with_the_story_gets_it_once(
    db: Database, clock: ManualClock
) -> None:
    await _chats(db, clock, {-5: "all"})
    await chats.subscribe(db, -1005, "supergroup", "g", clock.now())
    story = await _story(db, clock)
    assert await deliveries.fan_out_story(db, story, clock.now()) == 2
    assert await chats.migrate_chat(db, -5, -1005, clock.now())
    assert await _rows(db, story) == {-5: "skipped", -1005: "pending"}


async def test_the_first_hand_over_is_remembered(db: Database, clock: ManualClock) -> None:
    story = await _story(db, clock)
    first = clock.now()
    await deliveries.fan_out_story(db, story, first)  # no subscribers yet: still handed over
    clock.advance(timedelta(hours=1))
    await deliveries.fan_out_story(db, story, clock.now(), top=True)
    stored = await stories.get_story(db, story)
    assert stored is not None and stored.pushed_at == first
