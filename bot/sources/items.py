"""A fetched feed's items with their identities: what the poll compares with the stored ones.

Parsing and identifying run together off the event loop (``asyncio.to_thread``); an item whose
identity repeats one earlier in the same feed is dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.sources.feeds import FeedItem, ParsedFeed, parse_feed
from bot.sources.identity import content_hash, item_identity
from bot.sources.policy import Candidate


@dataclass(frozen=True, slots=True)
class IdentifiedItem:
    feed: FeedItem
    candidate: Candidate


def identify(parsed: ParsedFeed) -> list[IdentifiedItem]:
    """Identity and content hash for each item; later duplicates of an identity dropped."""
    out: list[IdentifiedItem] = []
    seen: set[str] = set()
    for position, item in enumerate(parsed.items):
        identity = item_identity(item.guid, item.link, item.title)
        if identity in seen:
            continue
        seen.add(identity)
        digest = content_hash(item.title, item.summary or item.full_text)
        out.append(IdentifiedItem(item, Candidate(position, identity, digest, item.published)))
    return out


def parse_and_identify(
    body: bytes, content_type: str | None, base_url: str, now: datetime
) -> tuple[ParsedFeed, list[IdentifiedItem]]:
    parsed = parse_feed(body, content_type=content_type, base_url=base_url, now=now)
    return parsed, identify(parsed)


def body_sha(body: bytes) -> str:
    """What recognises a body identical to the last parsed one."""
    return hashlib.sha256(body).hexdigest()
