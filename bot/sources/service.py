"""The sources service: one poll cycle over every due source, and source management.

A cycle: for each due source (concurrently; the :class:`~bot.sources.fetch.Fetcher` bounds
the requests) fetch with the stored validators → 304 costs nothing more → a body identical to
the last parsed one costs a hash → otherwise parse off the loop, identify the items, keep the
unseen ones, let :func:`~bot.sources.policy.decide` say what happens to each, record them all,
then hand the chosen ones, oldest first, to the pipeline (an
:class:`~bot.sources.handoff.ArticleSink`: brief, story, delivery — none of it done here).

Fault isolation: every source runs in its own task and its own ``try``; an error becomes that
source's stored ``last_error`` (plain words) and backoff, and is logged once when the source's
state changes, not on every poll.  Cycles never overlap: a cycle that finds the previous one
still running returns at once.

First poll of a source: all its items are recorded, the newest ``first_poll_briefs`` (default
3) of those published within ``max_age_hours`` are briefed (so /latest has something) and
nothing is pushed.  Briefing all ~50 items would mean ~50 page fetches and summaries per source
at every fresh start, for briefs nobody will be sent.

Crash safety: an article to be briefed is recorded ``pending`` with the policy's decision and
its feed text before the pipeline gets it.  Each cycle first lets the pipeline resume the
pending articles this process is not working on (the service is the pipeline's
:class:`~bot.sources.handoff.SourceDirectory`: it knows which sources are busy or removed).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.clock import Clock
from bot.config import Config
from bot.ops.metrics import Metrics
from bot.sources.feeds import FeedError, FeedItem, ParsedFeed, parse_feed
from bot.sources.fetch import (
    BlockedAddressError,
    Fetcher,
    FetchError,
    FetchResult,
    InvalidUrlError,
)
from bot.sources.handoff import ArticleJob, ArticleSink, SourceRef, resume_text
from bot.sources.identity import canonical_url, content_hash, item_identity
from bot.sources.policy import BRIEFED_ACTIONS, Candidate, decide, next_poll_at
from bot.sources.trust import ConfigTrust
from storage import Database, articles, sources
from storage.articles import NewArticle
from storage.sources import SourceRecord

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SourceOutcome:
    """What one source's poll did (for logs, tests and the benchmark)."""

    source_id: int
    status: str  # not_modified | unchanged | parsed | error
    items: int = 0
    new: int = 0
    pushed: int = 0
    briefed: int = 0
    error: str | None = None
    dispositions: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class CycleReport:
    started_at: datetime
    skipped: bool = False  # the previous cycle was still running
    resumed: dict[str, int] = field(default_factory=dict)  # left pending: final dispositions
    outcomes: list[SourceOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def pushed(self) -> int:
        return sum(o.pushed for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class TestFetch:
    """The result of /addsource's trial fetch."""

    ok: bool
    url: str
    items: int = 0
    title: str = ""
    error: str | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class _Item:
    feed: FeedItem
    candidate: Candidate


def _identify(parsed: ParsedFeed) -> list[_Item]:
    """Identity and content hash for each item; later duplicates of an identity dropped."""
    out: list[_Item] = []
    seen: set[str] = set()
    for position, item in enumerate(parsed.items):
        identity = item_identity(item.guid, item.link, item.title)
        if identity in seen:
            continue
        seen.add(identity)
        digest = content_hash(item.title, item.summary or item.full_text)
        out.append(_Item(item, Candidate(position, identity, digest, item.published)))
    return out


def _parse_and_identify(
    body: bytes, content_type: str | None, base_url: str, now: datetime
) -> tuple[ParsedFeed, list[_Item]]:
    parsed = parse_feed(body, content_type=content_type, base_url=base_url, now=now)
    return parsed, _identify(parsed)


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class SourceService:
    def __init__(
        self,
        db: Database,
        fetcher: Fetcher,
        clock: Clock,
        config: Config,
        pipeline: ArticleSink,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self._db, self._clock, self._config = db, clock, config
        self._metrics = metrics
        self._pipeline = pipeline
        self._fetch_config = config.fetch
        self.fetcher = fetcher
        self._trust = ConfigTrust(config.sources)
        self._cycle_lock = asyncio.Lock()
        # Sources this process is polling right now: their pending articles are its own work.
        self._busy_sources: dict[int, int] = {}

    # -- configuration and management ----------------------------------------------------------

    async def sync_config_sources(self) -> None:
        """Make the stored sources match the config's (admin-added ones are kept)."""
        wanted = [(s.name, s.url) for s in self._config.sources]
        result = await sources.sync_config_sources(self._db, wanted, self._clock.now())
        if result.added or result.renamed or result.disabled:
            log.info(
                "sources from config: added %s, renamed %s, disabled %s",
                list(result.added),
                list(result.renamed),
                list(result.disabled),
            )
        for name in result.kept_deleted:
            log.info("source %r is in the config but was removed by an admin; kept removed", name)
        await self._trust.check_at_start(self.fetcher)

    async def list_sources(self) -> list[SourceRecord]:
        return await sources.list_sources(self._db)

    async def test_fetch(self, url: str) -> TestFetch:
        """Fetch and parse ``url`` once (address rules applied), recording nothing."""
        try:
            result = await self.fetcher.fetch(url)
            parsed = await asyncio.to_thread(
                parse_feed,
                result.body,
                content_type=result.content_type,
                base_url=result.url,
                now=self._clock.now(),
            )
        except (FetchError, FeedError) as exc:
            return TestFetch(ok=False, url=url, error=str(exc))
        return TestFetch(
            ok=True, url=url, items=len(parsed.items), title=parsed.title, warning=parsed.warning
        )

    async def add_source(self, url: str, name: str | None = None) -> tuple[TestFetch, int | None]:
        """Trial-fetch ``url`` and, if it is a usable feed, add it (first poll: next cycle)."""
        canonical = canonical_url(url)
        if canonical is None:
            return TestFetch(ok=False, url=url, error="потрібна адреса http:// або https://"), None
        trial = await self.test_fetch(url)
        if not trial.ok:
            return trial, None
        label = (name or "").strip() or trial.title or (urlsplit(url).hostname or url)
        source_id = await sources.add_source(self._db, label[:100], url, "admin", self._clock.now())
        log.info("source %r added by an admin: %s (%d items)", label, url, trial.items)
        return trial, source_id

    async def delete_source(self, source_id: int) -> SourceRecord | None:
        removed = await sources.delete_source(self._db, source_id, self._clock.now())
        if removed is not None:
            log.info("source %r (#%d) removed by an admin", removed.name, source_id)
        return removed

    # -- polling -------------------------------------------------------------------------------

    async def poll_all(self) -> CycleReport:
        """One poll cycle over every due source; never raises for one source's failure."""
        report = CycleReport(started_at=self._clock.now())
        if self._cycle_lock.locked():
            log.info("poll cycle skipped: the previous one is still running")
            report.skipped = True
            return report
        async with self._cycle_lock:
            try:
                report.resumed = await self.resume_pending()
            except Exception:  # never let it stop the polls
                log.exception("resuming articles left pending failed")
            due = await sources.due_sources(self._db, report.started_at)
            results = await asyncio.gather(
                *(self._poll_guarded(s) for s in due), return_exceptions=True
            )
            for source, result in zip(due, results, strict=True):
                if isinstance(result, BaseException):
                    if isinstance(result, asyncio.CancelledError):
                        raise result
                    log.error("poll of source #%d crashed: %r", source.id, result)
                    continue
                report.outcomes.append(result)
        return report

    async def poll_source(self, source_id: int) -> SourceOutcome | None:
        """Poll one source now (ignoring its backoff); None if there is no such source."""
        source = await sources.get_source(self._db, source_id)
        return None if source is None else await self._poll_guarded(source)

    async def _poll_guarded(self, source: SourceRecord) -> SourceOutcome:
        outcome = await self._poll_isolated(source)
        if self._metrics is not None:
            self._metrics.observe_poll(source.name, outcome.status, new_items=outcome.new)
        return outcome

    async def _poll_isolated(self, source: SourceRecord) -> SourceOutcome:
        self._busy_sources[source.id] = self._busy_sources.get(source.id, 0) + 1
        try:
            return await self._poll(source)
        except (InvalidUrlError, BlockedAddressError) as exc:
            config_source = self._trust.trusted_host(source.url) is not None
            if config_source:  # reported once per run, then quiet
                self._trust.report_refusal(source.name, source.url, str(exc))
            return await self._failed(source, str(exc), quiet=config_source)
        except (FetchError, FeedError) as exc:
            return await self._failed(source, str(exc))
        except Exception as exc:  # a bug must not take the other sources down
            log.exception("unexpected error while polling %r (%s)", source.name, source.url)
            return await self._failed(source, f"внутрішня помилка ({type(exc).__name__})")
        finally:
            self._busy_sources[source.id] -= 1
            if not self._busy_sources[source.id]:
                del self._busy_sources[source.id]

    async def _failed(
        self, source: SourceRecord, error: str, *, quiet: bool = False
    ) -> SourceOutcome:
        now = self._clock.now()
        failures = source.consecutive_failures + 1
        retry = next_poll_at(now, failures, self._config.schedule.poll_seconds)
        await sources.record_failure(self._db, source.id, now, error=error, next_poll_at=retry)
        if error != source.last_error and not quiet:  # log state changes, not every failure
            log.warning(
                "source %r (%s) failing: %s; retry after %s",
                source.name,
                source.url,
                error,
                retry.isoformat(timespec="seconds"),
            )
        return SourceOutcome(source.id, "error", error=error)

    async def _recovered(self, source: SourceRecord) -> None:
        if source.last_error is not None:
            log.info(
                "source %r (%s) recovered after: %s", source.name, source.url, source.last_error
            )

    async def _poll(self, source: SourceRecord) -> SourceOutcome:
        trusted_host = self._trust.trusted_host(source.url)
        result = await self.fetcher.fetch(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            trusted_host=trusted_host,
        )
        now = self._clock.now()
        if result.not_modified:
            await sources.record_not_modified(self._db, source.id, now)
            await self._recovered(source)
            return SourceOutcome(source.id, "not_modified", items=source.last_item_count or 0)
        body_sha = _sha(result.body)
        if body_sha == source.body_sha and source.first_success_at is not None:
            await self._record_success(source, result, body_sha, source.last_item_count or 0, now)
            return SourceOutcome(source.id, "unchanged", items=source.last_item_count or 0)

        parsed, items = await asyncio.to_thread(
            _parse_and_identify, result.body, result.content_type, result.url, now
        )
        known = await articles.known_identities(
            self._db, source.id, (i.candidate.identity for i in items)
        )
        new = [i for i in items if i.candidate.identity not in known]
        outcome = SourceOutcome(source.id, "parsed", items=len(parsed.items), new=len(new))
        if not new:
            await self._record_success(source, result, body_sha, len(parsed.items), now, parsed)
            return outcome

        hashes = [i.candidate.content_hash for i in new if i.candidate.content_hash]
        known_hashes = await articles.known_content_hashes(self._db, hashes)
        first_poll = source.first_success_at is None
        decisions = decide(
            [i.candidate for i in new],
            first_poll=first_poll,
            now=now,
            known_hashes=known_hashes,
            max_age=timedelta(hours=self._fetch_config.max_age_hours),
            max_pushes=self._fetch_config.max_pushes_per_poll,
            first_poll_briefs=self._fetch_config.first_poll_briefs,
        )
        by_position = {i.candidate.position: i for i in new}
        records = [
            NewArticle(
                identity=d.candidate.identity,
                url=by_position[d.candidate.position].feed.link,
                title=by_position[d.candidate.position].feed.title,
                published_at=d.candidate.published,
                content_hash=d.candidate.content_hash,
                disposition="pending" if d.action in BRIEFED_ACTIONS else d.action,
                decision=d.action if d.action in BRIEFED_ACTIONS else None,
                resume_text=(
                    resume_text(by_position[d.candidate.position].feed)
                    if d.action in BRIEFED_ACTIONS
                    else None
                ),
            )
            for d in decisions
        ]
        ids = await articles.add_articles(self._db, source.id, records, now)
        # The feed is recorded: from here on the source is healthy whatever the briefing does.
        await self._record_success(source, result, body_sha, len(parsed.items), now, parsed)
        for decision, article_id in zip(decisions, ids, strict=True):
            outcome.dispositions[decision.action] = outcome.dispositions.get(decision.action, 0) + 1
            if article_id and decision.action in BRIEFED_ACTIONS:
                item = by_position[decision.candidate.position].feed
                ref = SourceRef(source.id, source.name, trusted_host)
                job = ArticleJob(article_id, ref, item, push=decision.action == "push")
                final = await self._pipeline.process(job)
                if final == "pushed":
                    outcome.pushed += 1
                if final in ("pushed", "first_poll", "briefed"):
                    outcome.briefed += 1
        return outcome

    async def _record_success(
        self,
        source: SourceRecord,
        result: FetchResult,
        body_sha: str,
        item_count: int,
        now: datetime,
        parsed: ParsedFeed | None = None,
    ) -> None:
        warning = parsed.warning if parsed is not None else source.last_warning
        await sources.record_success(
            self._db,
            source.id,
            now,
            etag=result.etag,
            last_modified=result.last_modified,
            body_sha=body_sha,
            item_count=item_count,
            warning=warning,
        )
        await self._recovered(source)
        if warning and warning != source.last_warning:
            log.warning("source %r (%s): %s", source.name, source.url, warning)

    # -- what the pipeline asks of the sources (SourceDirectory) ------------------------------

    async def resume_pending(self) -> dict[str, int]:
        """Let the pipeline finish the articles a stopped process left ``pending``."""
        return await self._pipeline.resume_pending(self)

    async def source_for_article(self, source_id: int) -> SourceRef | None:
        source = await sources.get_source(self._db, source_id)
        if source is None or source.deleted_at is not None:
            return None
        return SourceRef(source.id, source.name, self._trust.trusted_host(source.url))

    def busy_sources(self) -> Collection[int]:
        return self._busy_sources.keys()

    @staticmethod
    def outcomes_summary(outcomes: Sequence[SourceOutcome]) -> dict[str, int]:
        totals: dict[str, int] = {}
        for o in outcomes:
            totals[o.status] = totals.get(o.status, 0) + 1
        return totals
