"""One chat's choices in storage: mode, quiet hours, words (by lemma, at most 20, followed or
muted but not both), sources switched off; a new subscriber's mode; an upgrade keeps 'all'."""

from __future__ import annotations

from bot.clock import ManualClock
from storage import Database, chats, settings, sources
from storage.settings import WordKind, WordResult
from tests.integration.subscribers_support import source_id


async def test_a_new_subscriber_starts_in_the_given_mode_and_a_returning_one_keeps_hers(
    db: Database, clock: ManualClock
) -> None:
    assert await chats.subscribe(db, 1, "private", "", clock.now(), mode="top")
    found = await settings.get_settings(db, 1)
    assert found is not None and found.mode == "top" and found.active and not found.quiet
    assert await chats.set_mode(db, 1, "digest", clock.now())
    await chats.set_status(db, 1, "stopped", clock.now())
    assert await chats.subscribe(db, 1, "private", "", clock.now(), mode="top")
    again = await settings.get_settings(db, 1)
    assert again is not None and again.mode == "digest" and again.active
    assert await settings.get_settings(db, 2) is None
    assert not await chats.set_mode(db, 2, "top", clock.now())


async def test_quiet_hours_on_and_off(db: Database, clock: ManualClock) -> None:
    await chats.subscribe(db, 1, "private", "", clock.now())
    assert await settings.set_quiet(db, 1, True, clock.now())
    assert (await settings.get_settings(db, 1)).quiet  # type: ignore[union-attr]
    assert await settings.set_quiet(db, 1, False, clock.now())
    assert not (await settings.get_settings(db, 1)).quiet  # type: ignore[union-attr]
    assert not await settings.set_quiet(db, 9, True, clock.now())


async def test_words_by_lemma_at_most_the_limit_and_never_both_ways(
    db: Database, clock: ManualClock
) -> None:
    await chats.subscribe(db, 1, "private", "", clock.now())

    async def add(kind: WordKind, word: str, lemma: str) -> WordResult:
        clock.advance(1)  # listed in the order they were added
        return await settings.add_word(db, 1, kind, word, lemma, clock.now(), 3)

    assert await add("follow", "Харків", "харків") is WordResult.ADDED
    assert await add("follow", "Харкова", "харків") is WordResult.ALREADY
    assert await add("follow", "дрони", "дрон") is WordResult.ADDED
    assert await add("mute", "спорт", "спорт") is WordResult.ADDED
    assert await add("follow", "Київ", "київ") is WordResult.ADDED
    assert await add("follow", "Одеса", "одеса") is WordResult.FULL
    found = await settings.get_settings(db, 1)
    assert found is not None
    assert found.follow == ("Харків", "дрони", "Київ") and found.mute == ("спорт",)
    # muting a followed word moves it
    assert await add("mute", "дронів", "дрон") is WordResult.MOVED
    found = await settings.get_settings(db, 1)
    assert found is not None
    assert found.follow == ("Харків", "Київ") and found.mute == ("спорт", "дронів")
    assert await settings.remove_word(db, 1, "follow", "харків") == "Харків"
    assert await settings.remove_word(db, 1, "follow", "харків") is None
    assert await settings.add_word(db, 7, "mute", "x", "x", clock.now(), 3) is WordResult.NO_CHAT


async def test_sources_switched_off_and_on(db: Database, clock: ManualClock) -> None:
    await chats.subscribe(db, 1, "private", "", clock.now())
    a, b = await source_id(db, "A", clock.now()), await source_id(db, "B", clock.now())
    assert await settings.set_source(db, 1, a, False)
    assert await settings.set_source(db, 1, a, False)  # again: no harm
    assert await settings.set_source(db, 1, b, False)
    assert (await settings.get_settings(db, 1)).sources_off == {a, b}  # type: ignore[union-attr]
    assert await settings.set_source(db, 1, a, True)
    assert (await settings.get_settings(db, 1)).sources_off == {b}  # type: ignore[union-attr]
    await sources.delete_source(db, b, clock.now())
    assert not await settings.set_source(db, 1, b, True)  # removed: nothing changes
    assert not await settings.set_source(db, 1, 999, False)
    assert not await settings.set_source(db, 5, a, False)


async def test_a_group_that_became_a_supergroup_keeps_its_settings(
    db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    await chats.subscribe(db, -1, "group", "Група", now, mode="digest")
    await settings.add_word(db, -1, "follow", "Харків", "харків", now, 20)
    await settings.set_source(db, -1, await source_id(db, "A", now), False)
    assert await chats.migrate_chat(db, -1, -1001, now)
    moved = await settings.get_settings(db, -1001)
    assert moved is not None and moved.mode == "digest" and moved.follow == ("Харків",)
    assert len(moved.sources_off) == 1
