"""Who gets a story: the chats' choices as SQL, written once and used by every fan-out.

A chat gets a story (``story_audience``) when it is active and

* its mode wants the story — every story for 'all', top stories for 'top' as well, none for
  'digest' (those read it in the digest) — **or** the story mentions a word the chat follows
  (by lemma: the word's lemma is among ``stories.lemmas``), whatever the mode;
* and the story mentions no word the chat mutes;
* and not every source known to have reported the story is switched off by the chat (a
  story some of whose sources the chat keeps is delivered; the message lists them all).

The stories are given as a JSON array of ``{"id", "lemmas", "sources"}`` in the named
parameter ``:candidates`` (:func:`candidates_json`), read by the ``cand`` table expression
(:data:`CANDIDATES`).  Each rule below is a set of (chat, story) pairs found from the small
side — the words' and switches' indexes — and computed once per statement, so a fan-out
to 100 000 chats stays one ``INSERT … SELECT`` over the chats whatever share of them has
words.  The digest
uses the same pairs to leave stories out of a chat's digest (:data:`DIGEST_EXCLUDED`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite

__all__ = [
    "CANDIDATES",
    "DIGEST_EXCLUDED",
    "FOLLOWED",
    "MUTED",
    "SOURCES_OFF",
    "candidates_json",
    "story_audience",
    "story_facts",
]

CANDIDATES = (
    "cand (story, lemmas, sources) AS (SELECT json_extract(value, '$.id'),"
    " json_extract(value, '$.lemmas'), json_extract(value, '$.sources')"
    " FROM json_each(:candidates))"
)
# (chat, story): the story mentions a word the chat follows / mutes.
# CROSS JOIN fixes the order (SQLite never reorders it): from each story's lemmas to the
# words index, never the other way round (a scan of every word held, per lemma).
FOLLOWED = (
    "SELECT w.chat_id, cand.story FROM cand CROSS JOIN json_each(cand.lemmas) AS l"
    " CROSS JOIN chat_words w ON w.kind = 'follow' AND w.lemma = l.value"
)
MUTED = (
    "SELECT w.chat_id, cand.story FROM cand CROSS JOIN json_each(cand.lemmas) AS l"
    " CROSS JOIN chat_words w ON w.kind = 'mute' AND w.lemma = l.value"
)
# (chat, story): the chat switched off every source known to have reported the story.
SOURCES_OFF = (
    "SELECT o.chat_id, cand.story FROM cand CROSS JOIN json_each(cand.sources) AS s"
    " CROSS JOIN chat_sources_off o ON o.source_id = s.value"
    " GROUP BY o.chat_id, cand.story HAVING COUNT(*) = json_array_length(cand.sources)"
)
# (chat, story) pairs a digest leaves out for that chat: muted, every source off, or already
# delivered to it at once because it follows a word of the story.
DIGEST_EXCLUDED = (
    f"{MUTED} UNION {SOURCES_OFF} UNION SELECT f.chat_id, f.story FROM ({FOLLOWED}) AS f"
    " WHERE EXISTS (SELECT 1 FROM deliveries d"
    " WHERE d.kind = 'story' AND d.ref = f.story AND d.chat_id = f.chat_id)"
)


def story_audience(modes: Sequence[str]) -> str:
    """The WHERE clause (over ``chats c``) of the chats that get the one story in ``cand``,
    by mode (``modes``: the modes that want it) and by the chat's words and sources."""
    for mode in modes:
        if mode not in ("all", "top", "digest"):
            raise ValueError(f"unknown mode {mode!r}")
    wanted = ", ".join(f"'{m}'" for m in modes) or "NULL"
    return (
        f"c.status = 'active' AND (c.mode IN ({wanted})"
        f" OR c.id IN (SELECT chat_id FROM ({FOLLOWED})))"
        f" AND c.id NOT IN (SELECT chat_id FROM ({MUTED}))"
        f" AND c.id NOT IN (SELECT chat_id FROM ({SOURCES_OFF}))"
    )


def candidates_json(rows: Sequence[tuple[int, str, str]]) -> str:
    """``(story id, lemmas JSON, source ids JSON)`` rows as the ``:candidates`` parameter."""
    return json.dumps(
        [{"id": s, "lemmas": json.loads(lem), "sources": json.loads(src)} for s, lem, src in rows],
        ensure_ascii=False,
    )


STORY_FACTS = (
    "SELECT st.id, st.lemmas, (SELECT json_group_array(DISTINCT a.source_id)"
    " FROM briefs b JOIN articles a ON a.id = b.article_id WHERE b.story_id = st.id) AS sources"
    " FROM stories st"
)


async def story_facts(
    conn: aiosqlite.Connection, story_ids: Sequence[int]
) -> list[tuple[int, str, str]]:
    """``(id, lemmas JSON, source ids JSON)`` of each story, in the order given."""
    if not story_ids:
        return []
    async with conn.execute(
        f"{STORY_FACTS} WHERE st.id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(story_ids)),),
    ) as cur:
        found = {int(r[0]): (int(r[0]), str(r[1]), str(r[2])) for r in await cur.fetchall()}
    return [found[s] for s in story_ids if s in found]
