"""Health decisions: the sources rule, the delivery worker's liveness, the JSON body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ops.health import Check, HealthReport, delivery_alive, sources_check
from storage.ops import PollState

START = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
POLL = 300  # seconds: three intervals are 15 minutes


def _check(state: PollState, minutes_after_start: float) -> Check:
    now = START + timedelta(minutes=minutes_after_start)
    return sources_check(state, started_at=START, now=now, poll_seconds=POLL)


def test_no_enabled_source_is_nothing_to_check() -> None:
    assert _check(PollState(0, None), 600).ok


def test_a_fresh_start_has_three_intervals_for_its_first_success() -> None:
    assert _check(PollState(3, None), 14).ok
    assert "no successful poll yet" in _check(PollState(3, None), 14).detail
    failing = _check(PollState(3, None), 16)
    assert not failing.ok
    assert "last success: never" in failing.detail


def test_a_success_before_the_start_counts_from_the_start() -> None:
    old = PollState(3, START - timedelta(days=2))
    assert _check(old, 10).ok
    assert not _check(old, 16).ok


def test_the_newest_success_must_be_within_three_intervals() -> None:
    state = PollState(2, START + timedelta(minutes=30))
    assert _check(state, 44).ok
    assert "last successful poll 840 s ago" in _check(state, 44).detail
    late = _check(state, 46)
    assert not late.ok
    assert "2025-03-29T09:30:00+00:00" in late.detail


class _Engine:
    def __init__(self, alive: bool) -> None:
        self.alive = alive


def test_delivery_alive_is_the_engines_own_word() -> None:
    assert delivery_alive(_Engine(True)) is True
    assert delivery_alive(_Engine(False)) is False
    assert delivery_alive(None) is False


def test_report_names_what_fails() -> None:
    report = HealthReport(
        (
            Check("delivery", True, "running"),
            Check("database", False, "a test write failed: database or disk is full"),
            Check("sources", True, "fine"),
        )
    )
    assert not report.ok
    assert report.as_json() == {
        "status": "failing",
        "failing": ["database"],
        "checks": {
            "delivery": {"ok": True, "detail": "running"},
            "database": {"ok": False, "detail": "a test write failed: database or disk is full"},
            "sources": {"ok": True, "detail": "fine"},
        },
    }
