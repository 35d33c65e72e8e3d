"""The story fan-out by each chat's choices, in one statement: modes, followed words (instant
whatever the mode), muted words, switched-off sources (every known source off: not sent)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from storage import Database, deliveries, settings
from tests.integration.subscribers_support import (
    add_report,
    make_chats,
    make_story,
    source_id,
    story_rows,
)


async def test_modes_decide_when_nothing_else_does(db: Database, clock: ManualClock) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "top", 3: "digest"})
    plain = await make_story(db, clock.now(), "Звичайна новина", lemmas=["новина"])
    await deliveries.fan_out_story(db, plain, clock.now())
    assert await story_rows(db, plain) == {1}
    big = await make_story(db, clock.now(), "Головна новина", lemmas=["новина"], top=True)
    await deliveries.fan_out_story(db, big, clock.now(), top=True)
    assert await story_rows(db, big) == {1, 2}


async def test_a_followed_word_delivers_at_once_whatever_the_mode(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "top", 3: "digest", 4: "digest"})
    for chat in (2, 3):
        await settings.add_word(db, chat, "follow", "Харків", "харків", clock.now(), 20)
    await settings.add_word(db, 4, "follow", "Одеса", "одеса", clock.now(), 20)
    story = await make_story(db, clock.now(), "Вибухи у Харкові", lemmas=["вибух", "харків"])
    assert await deliveries.fan_out_story(db, story, clock.now()) == 3
    assert await story_rows(db, story) == {1, 2, 3}


async def test_a_muted_word_keeps_a_story_away_even_from_a_follower(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "all", 3: "top", 4: "digest"})
    await settings.add_word(db, 1, "mute", "футбол", "футбол", clock.now(), 20)
    await settings.add_word(db, 3, "mute", "футболу", "футбол", clock.now(), 20)
    await settings.add_word(db, 4, "follow", "Динамо", "динамо", clock.now(), 20)
    await settings.add_word(db, 4, "mute", "футбол", "футбол", clock.now(), 20)
    story = await make_story(
        db, clock.now(), "Динамо виграло", lemmas=["динамо", "футбол"], top=True
    )
    await deliveries.fan_out_story(db, story, clock.now(), top=True)
    assert await story_rows(db, story) == {2}


async def test_a_story_whose_every_source_is_switched_off_is_not_delivered(
    db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    await make_chats(db, now, {1: "all", 2: "all", 3: "all"})
    a, b = await source_id(db, "A", now), await source_id(db, "B", now)
    await settings.set_source(db, 1, a, False)
    await settings.set_source(db, 2, b, False)
    await settings.set_source(db, 3, a, False)
    await settings.set_source(db, 3, b, False)
    only_a = await make_story(db, now, "Тільки А", by=["A"])
    await deliveries.fan_out_story(db, only_a, now)
    assert await story_rows(db, only_a) == {2}
    both = await make_story(db, now, "А і Б", by=["A", "B"])
    await deliveries.fan_out_story(db, both, now)
    assert await story_rows(db, both) == {1, 2}  # each keeps one of its sources
    # a later report from a source chat 1 keeps: the story reaches it then
    clock.advance(timedelta(minutes=5))
    await add_report(db, clock.now(), only_a, "B")
    await deliveries.fan_out_story(db, only_a, clock.now())
    assert await story_rows(db, only_a) == {1, 2}


async def test_a_story_with_no_lemmas_or_sources_goes_by_mode_alone(
    db: Database, clock: ManualClock
) -> None:
    await make_chats(db, clock.now(), {1: "all", 2: "top"})
    await settings.add_word(db, 1, "mute", "x", "x", clock.now(), 20)
    await settings.add_word(db, 2, "follow", "x", "x", clock.now(), 20)
    story = await make_story(db, clock.now(), "Без слів", lemmas=[])
    await deliveries.fan_out_story(db, story, clock.now())
    assert await story_rows(db, story) == {1}
