"""storage.losses: one row per report date, replaced only when its figures change."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage import Database
from storage import losses as store

NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)


def rec(day: date, personnel: int, source: str = "russianwarship") -> store.LossRecord:
    return store.LossRecord(
        day=day,
        war_day=(day - date(2022, 2, 24)).days + 1,
        stats={"personnel_units": personnel, "Нова категорія": 3},
        increase={"personnel_units": 10},
        source=source,
        fetched_at=NOW,
    )


async def test_save_is_idempotent_and_replaces_changed_figures(db: Database) -> None:
    d = date(2025, 3, 29)
    assert await store.save_record(db, rec(d, 100))
    assert not await store.save_record(db, rec(d, 100))
    assert await store.count_records(db) == 1
    assert await store.save_record(db, rec(d, 101, "minfin"))
    got = await store.get_record(db, d)
    assert got is not None and got.stats["personnel_units"] == 101 and got.source == "minfin"
    assert dict(got.stats) == {"personnel_units": 101, "Нова категорія": 3}
    assert got.fetched_at == NOW and got.war_day == 1130
    assert await store.count_records(db) == 1


async def test_neighbours_ranges_and_newest(db: Database) -> None:
    days = [date(2025, 3, d) for d in (20, 22, 25)]
    for i, d in enumerate(days):
        await store.save_record(db, rec(d, 100 + i))
    before, after = await store.neighbours(db, date(2025, 3, 22))
    assert before is not None and before.day == days[0]
    assert after is not None and after.day == days[2]
    assert await store.neighbours(db, date(2025, 3, 1)) == (
        None,
        (await store.get_record(db, days[0])),
    )
    newest = await store.newest_record(db)
    assert newest is not None and newest.day == days[2]
    between = await store.records_between(db, date(2025, 3, 21), date(2025, 3, 25))
    assert [r.day for r in between] == days[1:]
    assert await store.stored_days(db, date(2025, 3, 1), date(2025, 3, 22)) == set(days[:2])
    assert await store.get_record(db, date(2025, 3, 21)) is None
