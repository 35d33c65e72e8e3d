"""Retention in storage: what :func:`storage.retention.prune` deletes and what it keeps, and
that no transaction changes more rows than a batch."""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import ManualClock
from storage import Database, articles, sources, stories
from storage.articles import NewArticle
from storage.retention import prune
from tests.integration.retention_support import (
    CountingDatabase,
    count,
    delivered_story,
    finished_broadcast,
    make_chats,
    make_story,
    sent_digest,
    snapshot,
)
from tests.integration.subscribers_support import source_id

DAYS = 40  # the old things are this old; the cutoff is 30 days back


async def _parsed_without_them(db: Database, clock: ManualClock, *names: str) -> None:
    """The sources' feeds were parsed now, and no longer contain the old items."""
    for name in names:
        sid = await source_id(db, name, clock.now())
        await sources.record_success(
            db, sid, clock.now(), etag=None, last_modified=None, body_sha="x", item_count=0,
            warning=None, parsed=True,
        )  # fmt: skip


async def _ids(db: Database, table: str) -> set[int]:
    async with db.conn.execute(f"SELECT id FROM {table}") as cur:
        return {int(r[0]) for r in await cur.fetchall()}


async def test_old_finished_things_go_and_what_is_still_needed_stays(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "all", 3: "digest"})
    old = await delivered_story(db, clock.now(), "Стара подія", by=("A", "B"))
    waiting = await delivered_story(db, clock.now(), "Ще не надіслана", send=False)
    done = await finished_broadcast(db, clock.now())
    sending = await finished_broadcast(db, clock.now(), finish=False)
    old_digest = await sent_digest(db, clock.now(), [old])
    await snapshot(db, date(2025, 3, 29), clock.now())
    clock.advance(timedelta(days=DAYS))
    await _parsed_without_them(db, clock, "A", "B")
    fresh = [await delivered_story(db, clock.now(), f"Свіжа {n}") for n in range(11)]
    new_digest = await sent_digest(db, clock.now(), fresh)
    last_broadcast = await finished_broadcast(db, clock.now())
    before = {t: await count(db, t) for t in ("deliveries", "briefs", "articles")}

    pruned = await prune(db, clock.now() - timedelta(days=30), keep_latest=10)

    # the old story, both its briefs and articles, its two sent rows and its digest's row
    assert (pruned.stories, pruned.briefs, pruned.articles) == (1, 2, 2)
    assert pruned.ledger == 2 + 3 + 1  # story rows, the done broadcast's rows, the digest row
    assert (pruned.broadcasts, pruned.digests, pruned.digest_messages) == (1, 1, 1)
    assert await stories.get_story(db, old) is None
    assert await count(db, "deliveries") == before["deliveries"] - pruned.ledger
    assert await count(db, "briefs") == before["briefs"] - 2
    assert await count(db, "articles") == before["articles"] - 2
    # kept: a pending row and its story, the broadcast still sending, everything recent
    assert await count(db, "deliveries", f"kind = 'story' AND ref = {waiting}") == 2
    assert await stories.get_story(db, waiting) is not None
    assert await _ids(db, "broadcasts") == {sending, last_broadcast}
    assert done not in await _ids(db, "broadcasts")
    assert await _ids(db, "digests") == {new_digest} and old_digest != new_digest
    assert {s.id for s in await stories.latest_stories(db, 10)} == set(fresh[1:])
    assert await count(db, "loss_snapshots") == 1 and await count(db, "chats") == 3
    async with db.conn.execute("PRAGMA foreign_key_check") as cur:
        assert await cur.fetchall() == []
    # a second run finds nothing more
    again = await prune(db, clock.now() - timedelta(days=30), keep_latest=10)
    assert again.rows == 0


async def test_the_newest_stories_stay_whatever_their_age(db: Database, clock: ManualClock) -> None:
    made = []
    for n in range(13):
        made.append(await make_story(db, clock.now(), f"Подія {n}"))
        clock.advance(60)
    clock.advance(timedelta(days=DAYS))
    await _parsed_without_them(db, clock, "A")

    pruned = await prune(db, clock.now() - timedelta(days=30), keep_latest=10)

    assert pruned.stories == 3
    assert {s.id for s in await stories.latest_stories(db, 20)} == set(made[3:])
    assert await count(db, "articles") == 10  # the kept stories' own articles


async def test_an_item_still_in_its_feed_keeps_its_identity(
    db: Database, clock: ManualClock
) -> None:
    in_feed, gone, other = [await source_id(db, n, clock.now()) for n in ("A", "B", "C")]
    item = NewArticle("guid:kept", "https://a.example/1", "Досі у стрічці", None, None, "baseline")
    await articles.add_articles(db, in_feed, [item], clock.now())
    left = NewArticle("guid:left", "https://b.example/1", "Зникла", None, None, "baseline")
    await articles.add_articles(db, gone, [left], clock.now())
    never = NewArticle("guid:never", "https://c.example/1", "Не розібрана", None, None, "baseline")
    await articles.add_articles(db, other, [never], clock.now())
    clock.advance(timedelta(days=DAYS))
    # A's feed still lists its item (and a new one); B's no longer has its item; C was not
    # parsed since (its feed answers 304)
    assert await articles.mark_seen(db, in_feed, ["guid:kept"], clock.now()) == {"guid:kept"}
    fresh = NewArticle("guid:fresh", "https://a.example/2", "Нова", None, None, "pushed")
    await articles.add_articles(db, in_feed, [fresh], clock.now())
    await _parsed_without_them(db, clock, "A", "B")

    pruned = await prune(db, clock.now() - timedelta(days=30), keep_latest=10)

    assert pruned.articles == 1
    remaining = {a.identity for s in (in_feed, gone, other) for a in await _articles(db, s)}
    assert remaining == {"guid:kept", "guid:fresh", "guid:never"}


async def _articles(db: Database, source: int) -> list[articles.Article]:
    return await articles.source_articles(db, source)


async def test_a_pending_article_is_never_pruned(db: Database, clock: ManualClock) -> None:
    sid = await source_id(db, "A", clock.now())
    waiting = NewArticle("guid:p", "https://a.example/p", "Чекає", None, None, "pending")
    await articles.add_articles(db, sid, [waiting], clock.now())
    clock.advance(timedelta(days=DAYS))
    await _parsed_without_them(db, clock, "A")
    fresh = NewArticle("guid:n", "https://a.example/n", "Нова", None, None, "pushed")
    await articles.add_articles(db, sid, [fresh], clock.now())
    assert (await prune(db, clock.now() - timedelta(days=30), keep_latest=10)).articles == 0


async def test_no_transaction_changes_more_rows_than_a_batch(clock: ManualClock) -> None:
    db = await CountingDatabase.open(":memory:")
    try:
        await make_chats(db, clock.now(), dict.fromkeys(range(1, 8), "all") | {9: "digest"})
        old = [
            await delivered_story(db, clock.now(), f"Стара {n}", by=("A", "B")) for n in range(12)
        ]
        big = await make_story(db, clock.now(), "Велика", by=tuple("ABCDEFGHIJKLMNOPQRSTUVWX"))
        for _ in range(3):
            await finished_broadcast(db, clock.now())
        for n in range(3):
            await sent_digest(db, clock.now() + timedelta(minutes=n), old)
        clock.advance(timedelta(days=DAYS))
        await _parsed_without_them(db, clock, *"ABCDEFGHIJKLMNOPQRSTUVWX")
        for n in range(10):
            await make_story(db, clock.now(), f"Свіжа {n}")
        await finished_broadcast(db, clock.now())
        await sent_digest(db, clock.now(), [])
        db.changes = []

        pruned = await prune(db, clock.now() - timedelta(days=30), keep_latest=10, batch=10)

        assert max(db.changes) <= 10
        assert pruned.transactions == len(db.changes) >= (111 + 13 * 2 + 48 + 48) // 10
        assert await stories.get_story(db, big) is None  # 24 briefs: over two batches
        assert (pruned.stories, pruned.briefs, pruned.articles) == (13, 12 * 2 + 24, 48)
        assert pruned.ledger == 12 * 7 + 3 * 8 + 3
        assert (pruned.broadcasts, pruned.digests) == (3, 3)
    finally:
        await db.close()
