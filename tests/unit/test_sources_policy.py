"""The poller's pure decisions: new-item policy and backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sources.policy import MAX_BACKOFF, Candidate, backoff, decide, next_poll_at

NOW = datetime(2025, 3, 29, 9, 30, tzinfo=UTC)
DAY = timedelta(hours=24)


def cand(pos: int, minutes_ago: float | None = None, digest: str | None = None) -> Candidate:
    published = None if minutes_ago is None else NOW - timedelta(minutes=minutes_ago)
    return Candidate(pos, f"guid:{pos}", digest, published)


def actions(decisions: list) -> list[tuple[int, str]]:  # type: ignore[type-arg]
    return [(d.candidate.position, d.action) for d in decisions]


def run(new: list[Candidate], *, first: bool = False, known: set[str] | None = None,
        pushes: int = 10, briefs: int = 3) -> list[tuple[int, str]]:  # fmt: skip
    return actions(
        decide(
            new,
            first_poll=first,
            now=NOW,
            known_hashes=known or set(),
            max_age=DAY,
            max_pushes=pushes,
            first_poll_briefs=briefs,
        )
    )


def test_later_poll_pushes_new_items_oldest_first() -> None:
    assert run([cand(0, 5), cand(1, 10), cand(2, 20)]) == [(2, "push"), (1, "push"), (0, "push")]


def test_first_poll_briefs_the_newest_few_and_pushes_nothing() -> None:
    got = run([cand(i, i * 10) for i in range(6)], first=True, briefs=2)
    assert dict(got) == {0: "first_poll", 1: "first_poll", 2: "baseline", 3: "baseline",
                         4: "baseline", 5: "baseline"}  # fmt: skip
    assert "push" not in dict(got).values()


def test_items_older_than_max_age_are_recorded_not_pushed() -> None:
    got = dict(run([cand(0, 30), cand(1, 25 * 60)]))
    assert got == {0: "push", 1: "too_old"}


def test_push_cap_keeps_the_newest_and_skips_the_rest() -> None:
    got = dict(run([cand(i, i) for i in range(15)], pushes=10))
    assert sorted(p for p, a in got.items() if a == "push") == list(range(10))
    assert sorted(p for p, a in got.items() if a == "skipped") == list(range(10, 15))


def test_undated_items_follow_feed_order() -> None:
    got = run([cand(0), cand(1), cand(2, 5)], pushes=2)
    assert got == [(2, "skipped"), (1, "push"), (0, "push")]


def test_republished_content_is_a_duplicate() -> None:
    got = dict(run([cand(0, 1, "h1"), cand(1, 2, "h2"), cand(2, 3, "h2")], known={"h1"}))
    assert got == {0: "duplicate", 1: "push", 2: "duplicate"}


def test_backoff_doubles_and_caps() -> None:
    assert backoff(0, 300) == timedelta(0)
    assert backoff(1, 300) == timedelta(seconds=300)
    assert backoff(2, 300) == timedelta(seconds=600)
    assert backoff(4, 300) == timedelta(seconds=2400)
    assert backoff(20, 300) == MAX_BACKOFF == timedelta(hours=6)
    assert backoff(10_000, 300) == MAX_BACKOFF


def test_next_poll_is_due_on_the_matching_cycle() -> None:
    # first failure: due again on the next cycle (jitter may bring it a bit early)
    assert next_poll_at(NOW, 1, 300) == NOW + timedelta(seconds=150)
    assert next_poll_at(NOW, 3, 300) == NOW + timedelta(seconds=1050)
