"""Digests in storage: built once per digest time, the stories of the window most important
first, one common message and per-chat variants only where a chat's choices leave stories
out, a ledger row per digest chat, nothing for a chat left with nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

from bot.clock import ManualClock
from storage import Database, deliveries, digests, settings
from storage.digests import DigestStory
from tests.integration.subscribers_support import make_chats, make_story, source_id


def render(shown: Sequence[DigestStory]) -> str:
    return " | ".join(s.title for s in shown)


async def _pushed(db: Database, clock: ManualClock, title: str, **kw: object) -> int:
    clock.advance(60)
    story = await make_story(db, clock.now(), title, **kw)  # type: ignore[arg-type]
    await deliveries.fan_out_story(db, story, clock.now(), top=bool(kw.get("top")))
    return story


async def _digest_rows(db: Database) -> dict[int, str]:
    """chat → the html of the digest message its row points at."""
    async with db.conn.execute(
        "SELECT d.chat_id, m.html FROM deliveries d JOIN digest_messages m ON m.id = d.ref"
        " WHERE d.kind = 'digest'"
    ) as cur:
        return {int(c): str(h) for c, h in await cur.fetchall()}


async def test_candidates_are_the_window_most_important_first(
    db: Database, clock: ManualClock
) -> None:
    start = clock.now()
    await make_story(db, clock.now(), "Не передана")  # a first poll's story: never pushed
    one = await _pushed(db, clock, "Одне джерело")
    three = await _pushed(db, clock, "Три джерела", by=["A", "B", "C"])
    top = await _pushed(db, clock, "Головна", top=True)
    two = await _pushed(db, clock, "Два джерела", by=["A", "B"])
    found = await digests.digest_candidates(db, start, clock.now(), 10)
    assert [s.id for s in found] == [top, three, two, one]
    assert found[0].is_top and found[1].source_count == 3
    assert found[0].url == "https://a.example/Головна-0"
    assert [s.id for s in await digests.digest_candidates(db, start, clock.now(), 2)] == [
        top,
        three,
    ]
    later = await digests.digest_candidates(db, clock.now(), clock.now() + timedelta(hours=1), 10)
    assert later == []


async def test_built_once_per_digest_time_with_one_row_per_digest_chat(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "digest", 2: "digest", 3: "all", 4: "top"})
    since = clock.now()
    stories = [await _pushed(db, clock, f"Новина {n}") for n in range(3)]
    found = await digests.digest_candidates(db, since, clock.now(), 30)
    slot = clock.now()
    built = await digests.build_digest(db, slot, since, clock.now(), found, render, per_message=2)
    assert built is not None and (built.stories, built.recipients, built.variants) == (3, 2, 0)
    assert await _digest_rows(db) == {1: "Новина 2 | Новина 1", 2: "Новина 2 | Новина 1"}
    again = await digests.build_digest(db, slot, since, clock.now(), found, render, per_message=2)
    assert again is None
    record = await digests.get_digest(db, slot)
    assert record is not None and record.stories == tuple(reversed(stories))
    assert record.recipients == 2
    assert (await digests.previous_digest(db, slot + timedelta(hours=1))) == record


async def test_an_empty_window_records_the_digest_and_sends_nothing(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "digest"})
    built = await digests.build_digest(db, clock.now(), clock.now(), clock.now(), [], render,
                                       per_message=10)  # fmt: skip
    assert built is not None and built.recipients == 0
    assert await _digest_rows(db) == {}


async def test_variants_only_where_a_chat_leaves_stories_out(
    db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    await make_chats(db, now, dict.fromkeys(range(1, 8), "digest"))
    await settings.add_word(db, 2, "mute", "футбол", "футбол", now, 20)
    await settings.add_word(db, 3, "mute", "футболу", "футбол", now, 20)  # same variant as 2
    await settings.set_source(db, 4, await source_id(db, "B", now), False)
    await settings.add_word(db, 5, "follow", "Харків", "харків", now, 20)  # gets it at once
    await settings.add_word(db, 6, "mute", "погода", "погода", now, 20)  # mutes nothing here
    for word, lemma in (("футбол", "футбол"), ("Харків", "харків"), ("тиша", "тиша")):
        await settings.add_word(db, 7, "mute", word, lemma, now, 20)
    since = clock.now()
    sport = await _pushed(db, clock, "Футбол", lemmas=["футбол"], top=True)
    kharkiv = await _pushed(db, clock, "Харків", lemmas=["харків"], by=["A", "C"])
    b_only = await _pushed(db, clock, "Від Б", by=["B"])
    quiet = await _pushed(db, clock, "Тиша", lemmas=["тиша"])
    found = await digests.digest_candidates(db, since, clock.now(), 30)
    assert [s.id for s in found] == [sport, kharkiv, quiet, b_only]
    built = await digests.build_digest(
        db, clock.now(), since, clock.now(), found, render, per_message=2
    )
    assert built is not None and built.variants == 3 and built.recipients == 7
    rows = await _digest_rows(db)
    assert rows == {
        1: "Футбол | Харків",
        2: "Харків | Тиша",
        3: "Харків | Тиша",
        4: "Футбол | Харків",  # B is off, but «Від Б» was not among its first two anyway
        5: "Футбол | Тиша",  # «Харків» came at once
        6: "Футбол | Харків",
        7: "Від Б",  # it muted the rest
    }
    messages = await digests.digest_messages(db, built.digest_id)
    assert len(messages) == 4 and json.dumps(messages[0][1]) == json.dumps([sport, kharkiv])


async def test_a_chat_left_with_nothing_gets_no_digest(db: Database, clock: ManualClock) -> None:
    now = clock.now()
    await make_chats(db, now, {1: "digest", 2: "digest"})
    await settings.add_word(db, 2, "mute", "футбол", "футбол", now, 20)
    since = clock.now()
    await _pushed(db, clock, "Футбол", lemmas=["футбол"])
    found = await digests.digest_candidates(db, since, clock.now(), 30)
    built = await digests.build_digest(db, clock.now(), since, clock.now(), found, render,
                                       per_message=10)  # fmt: skip
    assert built is not None and built.recipients == 1
    assert set(await _digest_rows(db)) == {1}


async def test_a_story_in_the_previous_digest_is_not_listed_again(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "digest"})
    since = clock.now()
    story = await _pushed(db, clock, "Спершу звичайна")
    first = await digests.digest_candidates(db, since, clock.now(), 30)
    built = await digests.build_digest(db, clock.now(), since, clock.now(), first, render,
                                       per_message=10)  # fmt: skip
    assert built is not None
    middle = clock.now()
    clock.advance(3600)
    # it becomes top after the digest listed it: not again in the next one
    await db.conn.execute("UPDATE stories SET is_top = 1, top_at = ? WHERE id = ?",
                          (clock.now().isoformat(), story))  # fmt: skip
    later = await digests.digest_candidates(db, middle, clock.now(), 30, after=built.digest_id)
    assert later == []
    assert await digests.digest_candidates(db, middle, clock.now(), 30) != []
