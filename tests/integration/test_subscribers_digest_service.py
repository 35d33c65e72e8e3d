"""Digests at their times: built once per digest time whatever runs it, caught up after a
restart within three hours, never reaching back past the previous digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import KYIV, ManualClock
from bot.subscribers.digest_service import DigestService
from bot.subscribers.times import DigestTimes
from storage import Database, deliveries, from_db
from tests.integration.subscribers_support import make_chats, make_story

COUNTER = "Втрати ворога: 912\u00a0490 осіб"


class Losses:
    def counter_line(self, now: datetime) -> str | None:
        return COUNTER


def kyiv(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2025, 3, d, h, m, tzinfo=KYIV).astimezone(UTC)


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def _service(db: Database, clock: ManualClock, wakes: Wakes) -> DigestService:
    return DigestService(db, clock, DigestTimes.parse(["09:00", "19:00"]), Losses(), wakes)


async def _digests(db: Database) -> list[tuple[int, str]]:
    async with db.conn.execute(
        "SELECT d.chat_id, m.html FROM deliveries d JOIN digest_messages m ON m.id = d.ref"
        " WHERE d.kind = 'digest' ORDER BY d.id"
    ) as cur:
        return [(int(c), str(h)) for c, h in await cur.fetchall()]


async def _news(db: Database, clock: ManualClock, title: str) -> None:
    story = await make_story(db, clock.now(), title)
    await deliveries.fan_out_story(db, story, clock.now())


async def test_one_digest_per_time_whatever_runs_it(db: Database) -> None:
    clock, wakes = ManualClock(kyiv(29, 8)), Wakes()
    await make_chats(db, clock.now(), {1: "digest", 2: "all"})
    await _news(db, clock, "Ранкова новина")
    service = _service(db, clock, wakes)
    # 08:00: the last digest time is yesterday 19:00 — over three hours ago: not caught up
    assert await service.run_due() is None
    clock.set(kyiv(29, 9, 0))
    built = await service.run_due()
    assert built is not None and built.recipients == 1 and wakes.count == 1
    assert await service.run_due() is None  # the job and the catch-up, or a second run
    assert await _service(db, clock, wakes).run_due() is None  # after a restart
    rows = await _digests(db)
    assert len(rows) == 1 and rows[0][0] == 1
    assert rows[0][1].startswith("<b>Головне за 28–29 березня, 19:00–09:00</b>")
    assert "1. <a href=" in rows[0][1] and "Ранкова новина" in rows[0][1]
    assert rows[0][1].endswith(COUNTER)
    async with db.conn.execute("SELECT expires_at FROM deliveries WHERE kind = 'digest'") as cur:
        (expiry,) = [from_db(r[0]) for r in await cur.fetchall()]
    assert expiry == kyiv(29, 19)  # unsent by the next digest's time: never sent


async def test_nothing_new_means_no_message(db: Database) -> None:
    clock, wakes = ManualClock(kyiv(29, 9)), Wakes()
    await make_chats(db, clock.now(), {1: "digest"})
    built = await _service(db, clock, wakes).run_due()
    assert built is not None and built.recipients == 0 and wakes.count == 0
    assert await _digests(db) == []


async def test_a_digest_missed_while_down_is_caught_up_then_the_next_covers_the_rest(
    db: Database,
) -> None:
    clock, wakes = ManualClock(kyiv(29, 8)), Wakes()
    await make_chats(db, clock.now(), {1: "digest"})
    await _news(db, clock, "Перша")
    clock.set(kyiv(29, 11, 30))  # the bot comes back two and a half hours late
    late = await _service(db, clock, wakes).run_due()
    assert late is not None and late.recipients == 1
    clock.advance(timedelta(minutes=30))
    await _news(db, clock, "Друга")
    clock.set(kyiv(29, 19))
    evening = await _service(db, clock, wakes).run_due()
    assert evening is not None and evening.recipients == 1
    texts = [html for _, html in await _digests(db)]
    assert "Перша" in texts[0] and "Друга" not in texts[0]
    assert "Друга" in texts[1] and "Перша" not in texts[1]
    assert texts[1].startswith("<b>Головне за 29 березня, 11:30–19:00</b>")


async def test_a_digest_missed_for_long_goes_into_the_next_one(db: Database) -> None:
    clock, wakes = ManualClock(kyiv(28, 19)), Wakes()
    await make_chats(db, clock.now(), {1: "digest"})
    assert await _service(db, clock, wakes).run_due() is not None  # yesterday's evening one
    clock.set(kyiv(29, 8))
    await _news(db, clock, "Уранці")
    clock.set(kyiv(29, 13))  # four hours after 09:00: too late for it
    assert await _service(db, clock, wakes).run_due() is None
    clock.set(kyiv(29, 19))
    evening = await _service(db, clock, wakes).run_due()
    assert evening is not None and evening.recipients == 1
    (text,) = [html for _, html in await _digests(db)]
    assert "Уранці" in text and text.startswith("<b>Головне за 28–29 березня, 19:00–19:00</b>")
