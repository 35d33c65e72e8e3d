"""Stories and chats written straight through storage, for the tests of the subscribers'
choices: a story with the sources that reported it and the lemmas of its text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import Database, articles, chats, sources, stories
from storage.articles import NewArticle
from storage.stories import NewBrief, StoryState


async def source_id(db: Database, name: str, now: datetime) -> int:
    url = f"https://{name.lower()}.example/rss"
    found = await sources.find_source_by_url(db, url)
    return found.id if found else await sources.add_source(db, name, url, "config", now)


async def make_story(
    db: Database,
    now: datetime,
    title: str,
    *,
    by: Sequence[str] = ("A",),
    lemmas: Sequence[str] = (),
    top: bool = False,
) -> int:
    """A story reported by the sources named in ``by`` (one brief each), whose text has
    ``lemmas``; top if ``top``.  Returns its id (not handed to delivery)."""
    story_id: int | None = None
    best: int | None = None
    for n, name in enumerate(by):
        src = await source_id(db, name, now)
        slug = f"{title}-{n}".replace(" ", "-")
        url = f"https://{name.lower()}.example/{slug}"
        record = NewArticle(f"guid:{slug}", url, title, None, None, "pushed")
        (article_id,) = await articles.add_articles(db, src, [record], now)
        brief = NewBrief(article_id, title, "Підсумок.", f"<b>{title}</b>", "test", None)
        first = story_id is None
        state = StoryState(
            title,
            f"<b>{title}</b>",
            source_count=n + 1,
            importance=float(n + 1),
            is_top=top,
            explain="test",
            best_is_new=first,
            best_brief_id=best,
            lemmas=list(lemmas) if first else None,
        )
        filed = await stories.file_brief(db, brief, story_id, state, now)
        story_id = filed.story_id
        best = best or filed.brief_id
    assert story_id is not None
    return story_id


async def make_chats(db: Database, now: datetime, modes: dict[int, str]) -> None:
    """Active private chats ``{chat id: mode}``."""
    await chats.import_chats(db, [(c, "private", "") for c in modes], now)
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE chats SET mode = ? WHERE id = ?", [(m, c) for c, m in modes.items()]
        )


async def story_rows(db: Database, story_id: int) -> set[int]:
    """The chats with a ledger row for the story."""
    async with db.conn.execute(
        "SELECT chat_id FROM deliveries WHERE kind = 'story' AND ref = ?", (story_id,)
    ) as cur:
        return {int(r[0]) for r in await cur.fetchall()}


async def add_report(db: Database, now: datetime, story_id: int, source: str) -> None:
    """Another source reports the story (its best brief stays)."""
    story = await stories.get_story(db, story_id)
    assert story is not None
    src = await source_id(db, source, now)
    slug = f"{story_id}-{source}"
    url = f"https://{source.lower()}.example/{slug}"
    record = NewArticle(f"guid:{slug}", url, story.title, None, None, "pushed")
    (article_id,) = await articles.add_articles(db, src, [record], now)
    brief = NewBrief(article_id, story.title, "Підсумок.", story.html, "test", None)
    state = StoryState(
        story.title,
        story.html,
        source_count=story.source_count + 1,
        importance=story.importance + 1,
        is_top=story.is_top,
        explain="test",
        best_is_new=False,
        best_brief_id=story.best_brief_id,
    )
    await stories.file_brief(db, brief, story_id, state, now)
