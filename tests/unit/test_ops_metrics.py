"""Metrics: every name in Prometheus text that parses, methods that move the right series,
and no state shared between two instances."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from bot.ops.metrics import Metrics, StorageGauges

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(metrics: Metrics) -> Samples:
    text = metrics.render().decode("utf-8")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _get(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def test_every_event_method_moves_its_series() -> None:
    m = Metrics()
    m.observe_send("story", "sent")
    m.observe_send("story", "sent")
    m.observe_send("broadcast", "blocked")
    m.observe_429()
    m.observe_pause(2.5)
    m.observe_pause(0)  # nothing paused: nothing counted
    m.observe_lag(42.0)
    m.observe_lag(-1.0, kind="digest")  # a clock step back never gives a negative lag
    m.observe_poll("УНІАН", "parsed", new_items=4)
    m.observe_poll("УНІАН", "not_modified")
    m.observe_poll("NV", "error")
    m.observe_story()
    m.observe_story(top=True)
    m.observe_summary("extractive", 0.2)
    m.observe_webhook_refused("wrong")
    s = _samples(m)
    assert _get(s, "newsbot_sends_total", kind="story", outcome="sent") == 2
    assert _get(s, "newsbot_sends_total", kind="broadcast", outcome="blocked") == 1
    assert _get(s, "newsbot_telegram_429_total") == 1
    assert _get(s, "newsbot_paused_seconds_total") == 2.5
    assert _get(s, "newsbot_delivery_lag_seconds_count", kind="story") == 1
    assert _get(s, "newsbot_delivery_lag_seconds_sum", kind="story") == 42.0
    assert _get(s, "newsbot_delivery_lag_seconds_bucket", kind="story", le="60.0") == 1
    assert _get(s, "newsbot_delivery_lag_seconds_bucket", kind="story", le="30.0") == 0
    assert _get(s, "newsbot_delivery_lag_seconds_sum", kind="digest") == 0
    assert _get(s, "newsbot_polls_total", source="УНІАН", outcome="parsed") == 1
    assert _get(s, "newsbot_polls_total", source="УНІАН", outcome="not_modified") == 1
    assert _get(s, "newsbot_polls_total", source="NV", outcome="error") == 1
    assert _get(s, "newsbot_items_total", source="УНІАН") == 4
    assert _get(s, "newsbot_items_total", source="NV") == 0
    assert _get(s, "newsbot_stories_total") == 2
    assert _get(s, "newsbot_top_stories_total") == 1
    assert _get(s, "newsbot_summarise_seconds_count", summariser="extractive") == 1
    assert _get(s, "newsbot_webhook_refused_total", reason="wrong") == 1


def test_storage_gauges_appear_once_read_and_keep_known_kinds() -> None:
    m = Metrics()
    before = {name for name, _ in _samples(m)}
    assert "newsbot_database_bytes" not in before  # nothing read yet: nothing claimed
    m.set_storage(
        StorageGauges(
            pending_by_kind={"broadcast": 7},
            database_bytes=4096,
            wal_bytes=0,
            losses_age_seconds=3600.0,
        )
    )
    s = _samples(m)
    assert _get(s, "newsbot_pending_deliveries", kind="broadcast") == 7
    assert _get(s, "newsbot_pending_deliveries", kind="story") == 0
    assert _get(s, "newsbot_pending_deliveries", kind="digest") == 0  # shown while none waits
    assert _get(s, "newsbot_database_bytes") == 4096
    assert _get(s, "newsbot_database_wal_bytes") == 0
    assert _get(s, "newsbot_losses_age_seconds") == 3600
    m.set_storage(StorageGauges(losses_age_seconds=None))
    assert _get(_samples(m), "newsbot_losses_age_seconds") is None  # no report: no sample
    m.set_storage(None)
    assert _get(_samples(m), "newsbot_database_bytes") is None


def test_two_instances_share_nothing() -> None:
    a, b = Metrics(), Metrics()
    a.observe_429()
    assert _get(_samples(a), "newsbot_telegram_429_total") == 1
    assert _get(_samples(b), "newsbot_telegram_429_total") == 0


def test_every_metric_is_documented_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    m = Metrics()
    m.set_storage(StorageGauges())
    names = {
        family.name
        for family in text_string_to_metric_families(m.render().decode())
        if family.name.startswith("newsbot_") and not family.name.endswith("_created")
    }
    assert len(names) >= 14
    missing = sorted(n for n in names if f"`{n}" not in readme)
    assert not missing, f"not in README: {missing}"
