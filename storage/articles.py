"""Articles: every feed item the bot has seen, keyed by its persisted identity.

An item is recognised by ``(source_id, identity)`` — never by its date — and a re-publication
under a new identity is recognised by ``content_hash`` (across all sources).

An article to be briefed is recorded as ``pending`` together with the policy's ``decision``
(push or not) and the feed text it will be briefed from (``resume_text``), *before* the brief is
made: if the process dies before the final disposition is written, the next poll cycle finds
it with :func:`pending_articles` and finishes the job with the decision taken at the time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db, to_db

# How the bot dealt with an article (stored as text; the list is for readers, not a constraint).
DISPOSITIONS = (
    "pending",  # recorded; its brief is being made
    "baseline",  # seen on a source's first poll; recorded only
    "first_poll",  # seen on a source's first poll; briefed (visible in /latest), not pushed
    "too_old",  # published more than max_age_hours before it was first seen
    "skipped",  # over the per-poll push cap
    "duplicate",  # same content as an article already recorded
    "not_briefed",  # the brief maker declined it (e.g. not Ukrainian)
    "no_text",  # no article text could be obtained
    "failed",  # briefing raised; see the log
    "briefed",  # briefed, not pushed (e.g. admin test fetches)
    "pushed",  # briefed and handed to delivery
    "abandoned",  # left pending (crash) and found only after the max_age window: not resumed
)


@dataclass(frozen=True, slots=True)
class NewArticle:
    identity: str
    url: str
    title: str
    published_at: datetime | None
    content_hash: str | None
    disposition: str
    language: str | None = None
    decision: str | None = None  # for 'pending' ones: the policy's action (push | first_poll)
    resume_text: str | None = None  # for 'pending' ones: what the brief is to be made from


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """An article recorded as ``pending`` whose final disposition was never written."""

    id: int
    source_id: int
    url: str
    title: str
    published_at: datetime | None
    decision: str | None  # None for rows written before migration 3: treat as "don't push"
    resume_text: str | None
    fetched_at: datetime
    brief_id: int | None  # the brief, when it was stored before the process stopped
    story_id: int | None = None  # and the story it was filed in (stored with the brief)


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    source_id: int
    identity: str
    url: str
    title: str
    published_at: datetime | None
    content_hash: str | None
    language: str | None
    disposition: str
    fetched_at: datetime
    decision: str | None = None


def _article(r: sqlite3.Row) -> Article:
    fetched = from_db(r["fetched_at"])
    assert fetched is not None
    return Article(
        id=r["id"],
        source_id=r["source_id"],
        identity=r["identity"],
        url=r["url"],
        title=r["title"],
        published_at=from_db(r["published_at"]),
        content_hash=r["content_hash"],
        language=r["language"],
        disposition=r["disposition"],
        fetched_at=fetched,
        decision=r["decision"],
    )


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


async def known_identities(db: Database, source_id: int, identities: Iterable[str]) -> set[str]:
    """The subset of ``identities`` already recorded for this source."""
    wanted = list(dict.fromkeys(identities))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        async with db.conn.execute(
            f"SELECT identity FROM articles WHERE source_id = ? AND identity IN ({marks})",
            (source_id, *chunk),
        ) as cur:
            found.update(str(r[0]) for r in await cur.fetchall())
    return found


async def known_content_hashes(db: Database, hashes: Iterable[str]) -> set[str]:
    """The subset of ``hashes`` already recorded (any source)."""
    wanted = list(dict.fromkeys(hashes))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        async with db.conn.execute(
            f"SELECT DISTINCT content_hash FROM articles WHERE content_hash IN ({marks})", chunk
        ) as cur:
            found.update(str(r[0]) for r in await cur.fetchall())
    return found


async def add_articles(
    db: Database, source_id: int, articles: Sequence[NewArticle], now: datetime
) -> list[int]:
    """Record new articles in one transaction; returns their ids in order.

    An identity already present for the source (a concurrent poll, say) is left as it was and
    gets id 0 in the result, so callers never brief it twice.
    """
    ids: list[int] = []
    async with db.transaction() as conn:
        for a in articles:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO articles (source_id, identity, url, title, published_at,"
                " content_hash, language, disposition, fetched_at, decision, resume_text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source_id,
                    a.identity,
                    a.url,
                    a.title,
                    to_db(a.published_at) if a.published_at else None,
                    a.content_hash,
                    a.language,
                    a.disposition,
                    to_db(now),
                    a.decision,
                    a.resume_text,
                ),
            )
            ids.append((cur.lastrowid or 0) if cur.rowcount > 0 else 0)
    return ids


async def set_disposition(
    db: Database, article_id: int, disposition: str, *, language: str | None = None
) -> None:
    """The article's final disposition (the resume text is dropped once it is not pending)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE articles SET disposition = ?, language = COALESCE(?, language),"
            " resume_text = CASE WHEN ? = 'pending' THEN resume_text END WHERE id = ?",
            (disposition, language, disposition, article_id),
        )


async def abandon_stale_pending(db: Database, before: datetime) -> int:
    """Mark ``abandoned`` the pending articles recorded or published before ``before``; those
    are past the window in which the bot pushes news.  Returns how many."""
    cutoff = to_db(before)
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE articles SET disposition = 'abandoned', resume_text = NULL"
            " WHERE disposition = 'pending' AND (fetched_at < ? OR published_at < ?)",
            (cutoff, cutoff),
        )
        return cur.rowcount


async def pending_articles(db: Database, limit: int = 500) -> list[PendingArticle]:
    """Articles still ``pending``, oldest first, with the id of their brief if one was stored."""
    async with db.conn.execute(
        "SELECT a.id, a.source_id, a.url, a.title, a.published_at, a.decision, a.resume_text,"
        " a.fetched_at, b.id AS brief_id, b.story_id"
        " FROM articles a LEFT JOIN briefs b ON b.article_id = a.id"
        " WHERE a.disposition = 'pending' ORDER BY a.fetched_at, a.id LIMIT ?",
        (limit,),
    ) as cur:
        rows = await cur.fetchall()
    return [
        PendingArticle(
            id=r["id"],
            source_id=r["source_id"],
            url=r["url"],
            title=r["title"],
            published_at=from_db(r["published_at"]),
            decision=r["decision"],
            resume_text=r["resume_text"],
            fetched_at=from_db(r["fetched_at"]),  # type: ignore[arg-type]
            brief_id=r["brief_id"],
            story_id=r["story_id"],
        )
        for r in rows
    ]


async def get_article(db: Database, article_id: int) -> Article | None:
    async with db.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)) as cur:
        row = await cur.fetchone()
    return _article(row) if row else None


async def source_articles(db: Database, source_id: int, limit: int = 100) -> list[Article]:
    """The source's most recently recorded articles, newest first."""
    async with db.conn.execute(
        "SELECT * FROM articles WHERE source_id = ? ORDER BY id DESC LIMIT ?", (source_id, limit)
    ) as cur:
        return [_article(r) for r in await cur.fetchall()]


async def count_by_disposition(db: Database, source_id: int | None = None) -> dict[str, int]:
    query = "SELECT disposition, COUNT(*) FROM articles"
    params: tuple[int, ...] = ()
    if source_id is not None:
        query += " WHERE source_id = ?"
        params = (source_id,)
    async with db.conn.execute(query + " GROUP BY disposition", params) as cur:
        return {str(d): int(n) for d, n in await cur.fetchall()}


async def count_items_since(db: Database, since: datetime) -> int:
    """New feed items recorded since ``since`` (a source's first-poll backlog not counted)."""
    async with db.conn.execute(
        "SELECT COUNT(*) FROM articles WHERE fetched_at >= ? AND disposition <> 'baseline'",
        (to_db(since),),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
