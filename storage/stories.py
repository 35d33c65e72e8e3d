"""Stories: one event as reported by one or more sources, and the briefs that belong to them.

A brief is stored together with its story (:func:`file_brief`, one transaction): a new story is
created, or the story it joins gets its new message, source count and importance.  So a brief
never exists without its story, and a crash between the two cannot happen.  The matcher's
features are stored with the brief (:func:`window_members` gives them back at start).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db, to_db

__all__ = [
    "FiledBrief",
    "NewBrief",
    "Story",
    "StoryCounts",
    "StoryMember",
    "StoryState",
    "add_story",
    "file_brief",
    "get_story",
    "latest_stories",
    "set_features",
    "story_counts_since",
    "story_members",
    "window_members",
]


@dataclass(frozen=True, slots=True)
class Story:
    id: int
    first_seen_at: datetime
    updated_at: datetime
    best_brief_id: int | None
    title: str
    html: str
    source_count: int
    importance: float
    is_top: bool
    top_at: datetime | None
    pushed_at: datetime | None
    explain: str
    lemmas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One brief of a story, with what the message and the importance need."""

    story_id: int
    brief_id: int
    article_id: int
    title: str  # the brief's (typeset)
    summary: str
    html: str  # the brief's own message
    feed_title: str  # the article's title as its feed gave it (breaking markers live here)
    url: str
    source: str
    at: datetime  # when the brief was made
    features: str | None  # JSON (ArticleFeatures.to_json), None for briefs from before stories


@dataclass(frozen=True, slots=True)
class NewBrief:
    article_id: int
    title: str
    summary: str
    html: str
    summariser: str
    features: str | None  # JSON


@dataclass(frozen=True, slots=True)
class StoryState:
    """What the story looks like once the new brief has joined (or opened) it."""

    title: str
    html: str
    source_count: int
    importance: float
    is_top: bool
    explain: str
    best_is_new: bool  # the new brief is the story's best one
    best_brief_id: int | None = None  # otherwise: which one is
    lemmas: Sequence[str] | None = None  # None: keep the stored ones


@dataclass(frozen=True, slots=True)
class FiledBrief:
    story_id: int
    brief_id: int
    created: bool  # the brief opened a new story
    is_top: bool  # the story is top (once top, a story stays top)
    became_top: bool  # the story is top now and was not before
    pushed_before: bool  # the story had been handed to delivery already


@dataclass(frozen=True, slots=True)
class StoryCounts:
    stories: int
    top: int  # stories that became top


def _story(r: sqlite3.Row) -> Story:
    return Story(
        id=r["id"],
        first_seen_at=from_db(r["first_seen_at"]),  # type: ignore[arg-type]
        updated_at=from_db(r["updated_at"]),  # type: ignore[arg-type]
        best_brief_id=r["best_brief_id"],
        title=r["title"],
        html=r["html"],
        source_count=r["source_count"],
        importance=r["importance"],
        is_top=bool(r["is_top"]),
        top_at=from_db(r["top_at"]),
        pushed_at=from_db(r["pushed_at"]),
        explain=r["explain"],
        lemmas=tuple(json.loads(r["lemmas"] or "[]")),
    )


_MEMBER = (
    "SELECT b.story_id, b.id AS brief_id, b.article_id, b.title, b.summary, b.html,"
    " b.created_at, b.features, a.title AS feed_title, a.url, s.name AS source"
    " FROM briefs b JOIN articles a ON a.id = b.article_id JOIN sources s ON s.id = a.source_id"
)


def _member(r: sqlite3.Row) -> StoryMember:
    return StoryMember(
        story_id=r["story_id"],
        brief_id=r["brief_id"],
        article_id=r["article_id"],
        title=r["title"],
        summary=r["summary"],
        html=r["html"],
        feed_title=r["feed_title"],
        url=r["url"],
        source=r["source"],
        at=from_db(r["created_at"]),  # type: ignore[arg-type]
        features=r["features"],
    )


async def file_brief(
    db: Database, brief: NewBrief, story_id: int | None, state: StoryState, now: datetime
) -> FiledBrief:
    """Store ``brief`` as part of ``story_id`` (None: it opens a new story) and the story's
    new ``state``, in one transaction."""
    stamp = to_db(now)
    lemmas = None if state.lemmas is None else json.dumps(list(state.lemmas), ensure_ascii=False)
    created = story_id is None
    async with db.transaction() as conn:
        was_top, pushed = False, False
        if story_id is None:
            cur = await conn.execute(
                "INSERT INTO stories (first_seen_at, updated_at, title, html) VALUES (?, ?, ?, ?)",
                (stamp, stamp, state.title, state.html),
            )
            assert cur.lastrowid is not None
            story_id = cur.lastrowid
        else:
            async with conn.execute(
                "SELECT is_top, pushed_at FROM stories WHERE id = ?", (story_id,)
            ) as found:
                row = await found.fetchone()
            if row is None:
                raise LookupError(f"story {story_id} does not exist")
            was_top, pushed = bool(row["is_top"]), row["pushed_at"] is not None
        cur = await conn.execute(
            "INSERT INTO briefs (article_id, title, summary, html, summariser, created_at,"
            " story_id, features) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                brief.article_id,
                brief.title,
                brief.summary,
                brief.html,
                brief.summariser,
                stamp,
                story_id,
                brief.features,
            ),
        )
        assert cur.lastrowid is not None
        brief_id = cur.lastrowid
        best = brief_id if state.best_is_new else state.best_brief_id
        await conn.execute(
            "UPDATE stories SET updated_at = ?, best_brief_id = ?, title = ?, html = ?,"
            " source_count = ?, importance = ?, is_top = MAX(is_top, ?), explain = ?,"
            " top_at = CASE WHEN ? AND top_at IS NULL THEN ? ELSE top_at END,"
            " lemmas = COALESCE(?, lemmas) WHERE id = ?",
            (
                stamp,
                best,
                state.title,
                state.html,
                state.source_count,
                state.importance,
                int(state.is_top),
                state.explain,
                int(state.is_top),
                stamp,
                lemmas,
                story_id,
            ),
        )
    is_top = was_top or state.is_top
    return FiledBrief(story_id, brief_id, created, is_top, is_top and not was_top, pushed)


async def add_story(
    db: Database,
    article_id: int,
    *,
    title: str,
    summary: str,
    html: str,
    summariser: str,
    now: datetime,
    is_top: bool = False,
) -> int:
    """A brief that is a story of its own (its one report); returns the story's id.

    For imports, tools and tests: the bot files briefs with :func:`file_brief`.
    """
    brief = NewBrief(article_id, title, summary, html, summariser, None)
    state = StoryState(title, html, 1, 0.0, is_top, "one report", best_is_new=True)
    return (await file_brief(db, brief, None, state, now)).story_id


async def get_story(db: Database, story_id: int) -> Story | None:
    async with db.conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)) as cur:
        row = await cur.fetchone()
    return _story(row) if row else None


async def story_members(db: Database, story_id: int) -> list[StoryMember]:
    """The story's briefs in the order they joined."""
    async with db.conn.execute(
        f"{_MEMBER} WHERE b.story_id = ? ORDER BY b.created_at, b.id", (story_id,)
    ) as cur:
        return [_member(r) for r in await cur.fetchall()]


async def window_members(db: Database, since: datetime) -> list[StoryMember]:
    """The briefs of every story first seen at ``since`` or later, in the order they joined
    (what the story index is rebuilt from at start)."""
    async with db.conn.execute(
        f"{_MEMBER} JOIN stories st ON st.id = b.story_id WHERE st.first_seen_at >= ?"
        " ORDER BY b.created_at, b.id",
        (to_db(since),),
    ) as cur:
        return [_member(r) for r in await cur.fetchall()]


async def set_features(db: Database, features: Sequence[tuple[int, str]]) -> None:
    """Store recomputed features ``(brief id, JSON)`` (briefs from before stories)."""
    if not features:
        return
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE briefs SET features = ? WHERE id = ?", [(f, b) for b, f in features]
        )


async def latest_stories(db: Database, limit: int) -> list[Story]:
    """The ``limit`` newest stories (by first sighting), newest first."""
    async with db.conn.execute(
        "SELECT * FROM stories ORDER BY first_seen_at DESC, id DESC LIMIT ?", (limit,)
    ) as cur:
        return [_story(r) for r in await cur.fetchall()]


async def story_counts_since(db: Database, since: datetime) -> StoryCounts:
    """Stories first seen since ``since``, and stories that became top since then."""
    stamp = to_db(since)
    async with db.conn.execute(
        "SELECT (SELECT COUNT(*) FROM stories WHERE first_seen_at >= ?),"
        " (SELECT COUNT(*) FROM stories WHERE top_at >= ?)",
        (stamp, stamp),
    ) as cur:
        row = await cur.fetchone()
    return StoryCounts(int(row[0]), int(row[1])) if row else StoryCounts(0, 0)
