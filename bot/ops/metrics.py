"""Every Prometheus metric of the bot, in one object with its own registry.

One :class:`Metrics` per application, built by the composition root and handed to the parts
that count something (no module-level registry: two bots in one process, as in the tests,
never share a counter).  Events are counted where they happen through the ``observe_*``
methods; what lives in the database (pending ledger rows, the loss counter's age, the file
sizes) is read at scrape time — the ops server reads :class:`StorageGauges` and hands them to
:meth:`Metrics.set_storage` just before it renders the text.

Label values are bounded by the code: a source label is a configured or admin-added source
name; kinds and outcomes are the ledger's own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["PENDING_KINDS", "Metrics", "StorageGauges"]

# Ledger kinds always shown in newsbot_pending_deliveries (0 when none is pending), so a
# dashboard's series never disappears.
PENDING_KINDS = ("story", "digest", "broadcast")

_LAG_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)
_SUMMARY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True, slots=True)
class StorageGauges:
    """What the database says at scrape time."""

    pending_by_kind: Mapping[str, int] = field(default_factory=dict)
    database_bytes: int = 0
    wal_bytes: int = 0
    losses_age_seconds: float | None = None  # None: no loss report stored yet


class _StorageCollector(Collector):
    """Gauges from the latest :class:`StorageGauges` (nothing before the first scrape)."""

    def __init__(self) -> None:
        self.gauges: StorageGauges | None = None

    def describe(self) -> Iterable[Metric]:
        return self._families(StorageGauges(), with_samples=False)

    def collect(self) -> Iterable[Metric]:
        gauges = self.gauges
        return () if gauges is None else self._families(gauges, with_samples=True)

    @staticmethod
    def _families(g: StorageGauges, *, with_samples: bool) -> list[Metric]:
        pending = GaugeMetricFamily(
            "newsbot_pending_deliveries",
            "Ledger rows waiting to be sent, by kind.",
            labels=["kind"],
        )
        size = GaugeMetricFamily(
            "newsbot_database_bytes", "Size of the SQLite database (pages x page size)."
        )
        wal = GaugeMetricFamily(
            "newsbot_database_wal_bytes", "Size of the SQLite write-ahead log file."
        )
        age = GaugeMetricFamily(
            "newsbot_losses_age_seconds", "Seconds since the newest loss report was fetched."
        )
        if with_samples:
            counts = dict.fromkeys(PENDING_KINDS, 0) | dict(g.pending_by_kind)
            for kind, n in sorted(counts.items()):
                pending.add_metric([kind], n)
            size.add_metric([], g.database_bytes)
            wal.add_metric([], g.wal_bytes)
            if g.losses_age_seconds is not None:
                age.add_metric([], g.losses_age_seconds)
        return [pending, size, wal, age]


class Metrics:
    """The bot's metrics (names in README's operations section)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        ProcessCollector(registry=r)  # process_cpu_seconds_total, process_resident_memory_bytes
        # -- delivery (wired from bot/delivery/) ----------------------------------------------
        self.sends = Counter(
            "newsbot_sends",
            "Messages handed to Telegram, by ledger kind and outcome.",
            ["kind", "outcome"],
            registry=r,
        )
        self.telegram_429 = Counter(
            "newsbot_telegram_429", "Answers 429 Too Many Requests from Telegram.", registry=r
        )
        self.paused = Counter(
            "newsbot_paused_seconds", "Seconds all sending was paused after a 429.", registry=r
        )
        self.lag = Histogram(
            "newsbot_delivery_lag_seconds",
            "From a story's first sighting to its message being sent, per send.",
            ["kind"],
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        # -- sources, stories, briefs --------------------------------------------------------
        self.polls = Counter(
            "newsbot_polls",
            "Source polls, by source and outcome.",
            ["source", "outcome"],
            registry=r,
        )
        self.items = Counter(
            "newsbot_items", "New feed items recorded, by source.", ["source"], registry=r
        )
        self.stories = Counter("newsbot_stories", "Stories formed.", registry=r)
        self.top_stories = Counter(
            "newsbot_top_stories", "Stories that became top stories.", registry=r
        )
        self.summarise = Histogram(
            "newsbot_summarise_seconds",
            "Time to summarise one article, by summariser.",
            ["summariser"],
            buckets=_SUMMARY_BUCKETS,
            registry=r,
        )
        # -- Telegram webhook ----------------------------------------------------------------
        self.webhook_refused = Counter(
            "newsbot_webhook_refused",
            "Webhook requests refused (403) for a missing or wrong secret token.",
            ["reason"],
            registry=r,
        )
        self._storage = _StorageCollector()
        r.register(self._storage)

    # -- events ------------------------------------------------------------------------------

    def observe_send(self, kind: str, outcome: str) -> None:
        """One send finished: ``kind`` story/broadcast/…, ``outcome`` sent/retry/failed/…"""
        self.sends.labels(kind, outcome).inc()

    def observe_429(self) -> None:
        self.telegram_429.inc()

    def observe_pause(self, seconds: float) -> None:
        """Sending was held for ``seconds`` because of a 429's ``retry_after``."""
        if seconds > 0:
            self.paused.inc(seconds)

    def observe_lag(self, seconds: float, kind: str = "story") -> None:
        """A message went out ``seconds`` after its story was first seen."""
        self.lag.labels(kind).observe(max(0.0, seconds))

    def observe_poll(self, source: str, outcome: str, *, new_items: int = 0) -> None:
        """A source was polled: ``outcome`` not_modified/unchanged/parsed/error."""
        self.polls.labels(source, outcome).inc()
        items = self.items.labels(source)  # the series exists from the first poll on
        if new_items > 0:
            items.inc(new_items)

    def observe_story(self, *, top: bool = False) -> None:
        """A story was formed (``top``: and it is a top story from its first report)."""
        self.stories.inc()
        if top:
            self.top_stories.inc()

    def observe_top_story(self) -> None:
        """A story formed earlier became a top story."""
        self.top_stories.inc()

    def observe_summary(self, summariser: str, seconds: float) -> None:
        self.summarise.labels(summariser).observe(seconds)

    def observe_webhook_refused(self, reason: str) -> None:
        """``reason``: "missing" or "wrong" secret token."""
        self.webhook_refused.labels(reason).inc()

    # -- scrape --------------------------------------------------------------------------------

    def set_storage(self, gauges: StorageGauges | None) -> None:
        """The database figures the next render shows (None: the database could not be read)."""
        self._storage.gauges = gauges

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
