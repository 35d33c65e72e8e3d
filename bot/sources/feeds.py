"""Feed parsing: RSS 2.0, RSS 1.0/RDF and Atom bytes into plain items (feedparser; pure, CPU-bound).

feedparser is given the *bytes* and the HTTP Content-Type, never a URL, so it never fetches and
it can honour the HTTP charset and the XML declaration (windows-1251 feeds decode correctly only
from bytes).  Items come out as plain text: CDATA padding trimmed, entities decoded, HTML bodies
(``content:encoded``, the twice-escaped ``yandex:full-text``) turned into paragraphs.

Problems with the whole feed raise :class:`FeedError` with a message in plain Ukrainian (it is
shown to admins in /sources); problems with single items are repaired or the item is dropped,
and a warning says so.
"""

from __future__ import annotations

import calendar
import html as html_lib
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from bot.sources.extract import html_to_text
from bot.sources.identity import canonical_url
from bot.texts import RECORD
from bot.uk import counted

__all__ = ["FeedError", "FeedItem", "ParsedFeed", "parse_feed"]

FUTURE_TOLERANCE = timedelta(hours=1)  # clocks and time zones are often a little off
_TITLE_FROM_TEXT = 120


class FeedError(Exception):
    """The body is not a usable feed; ``str(error)`` is a plain-words reason."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    guid: str | None
    link: str  # canonical absolute http(s) URL (resolved against the feed URL, no tracking)
    title: str
    summary: str  # plain text of <description>/<summary>
    full_text: str  # plain text of content:encoded / yandex:full-text / Atom content, or ""
    published: datetime | None  # aware UTC; None when absent, unreadable or in the future


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    version: str  # feedparser's: rss20, rss10, atom10 ...
    items: tuple[FeedItem, ...]
    warnings: tuple[str, ...] = ()

    @property
    def warning(self) -> str | None:
        return "; ".join(self.warnings) or None


_SPACES = re.compile(r"\s+")
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


def _clean_line(text: str) -> str:
    """One-line plain text: tags dropped, entities decoded (twice-escaped too), spaces folded."""
    if _MARKUP.search(text):
        text = html_to_text(text)
    return _SPACES.sub(" ", html_lib.unescape(text) if "&" in text else text).strip()


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # `key in entry` first: feedparser maps a missing updated_parsed to published_parsed
        # with a DeprecationWarning (its issue 310).
        parsed = entry.get(key) if key in entry else None
        if isinstance(parsed, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _full_text(entry: Any) -> str:
    bodies: list[str] = []
    for content in entry.get("content") or ():
        value = content.get("value") if hasattr(content, "get") else None
        if isinstance(value, str) and value.strip():
            bodies.append(value)
    for key in ("yandex_full-text", "yandex_fulltext", "full-text", "fulltext"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            bodies.append(value)
    if not bodies:
        return ""
    return html_to_text(max(bodies, key=len))


def parse_feed(
    body: bytes,
    *,
    content_type: str | None = None,
    base_url: str | None = None,
    now: datetime,
) -> ParsedFeed:
    """Parse a feed document; raise :class:`FeedError` when it is not a usable feed."""
    import feedparser

    if not body.strip():
        raise FeedError("сервер повернув порожню відповідь замість стрічки")
    # No content-location: feedparser would resolve even a bare token against it; links are
    # resolved here instead (xml:base inside the document is still honoured by feedparser).
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (UnicodeError, ValueError) as exc:  # e.g. a character reference to a surrogate
        reason = _SPACES.sub(" ", str(exc)).strip()[:120]
        raise FeedError(f"пошкоджений XML, записів не прочитано ({reason})") from None
    version = str(parsed.get("version") or "")
    entries = list(parsed.get("entries") or ())
    warnings: list[str] = []
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if bozo is not None and type(bozo).__name__ not in _BENIGN_BOZO:
        reason = _SPACES.sub(" ", str(bozo)).strip()[:120]
        if not entries:
            if _HTML_START.match(body[:2048]) or (not version and b"<html" in body[:4096].lower()):
                raise FeedError("за адресою HTML-сторінка, а не стрічка RSS/Atom")
            raise FeedError(f"пошкоджений XML, записів не прочитано ({reason})")
        warnings.append(f"пошкоджений XML, прочитано лише {counted(len(entries), RECORD)}")
    if not version and not entries:
        if _HTML_START.match(body[:2048]) or b"<html" in body[:4096].lower():
            raise FeedError("за адресою HTML-сторінка, а не стрічка RSS/Atom")
        raise FeedError("відповідь не схожа на стрічку RSS/Atom")
    if not entries:
        raise FeedError("стрічка не містить жодного запису")

    items: list[FeedItem] = []
    seen_guids: set[str] = set()
    duplicates = no_link = future = 0
    for entry in entries:
        guid = str(entry.get("id") or "").strip() or None
        if guid is not None and guid in seen_guids:
            duplicates += 1
            continue
        link = _entry_link(entry, base_url)
        if link is None and guid:
            link = canonical_url(guid)
        summary = _clean_line(str(entry.get("summary") or ""))
        full_text = _full_text(entry)
        title = _clean_line(str(entry.get("title") or ""))
        if link is None:
            no_link += 1
            continue
        if not title:
            title = _title_from_text(summary or full_text)
        if not title:
            no_link += 1
            continue
        published = _entry_date(entry)
        if published is not None and published > now + FUTURE_TOLERANCE:
            future += 1
            published = None
        if guid is not None:
            seen_guids.add(guid)
        items.append(FeedItem(guid, link, title, summary, full_text, published))
    if duplicates:
        warnings.append(f"{counted(duplicates, RECORD)} з повторюваним guid пропущено")
    if no_link:
        warnings.append(f"{counted(no_link, RECORD)} без посилання чи заголовка пропущено")
    if future:
        warnings.append(f"{counted(future, RECORD)} з датою в майбутньому (дату відкинуто)")
    if not items:
        raise FeedError("жоден запис стрічки не має посилання й заголовка")
    feed = parsed.get("feed") or {}
    return ParsedFeed(
        title=_clean_line(str(feed.get("title") or "")),
        version=version or "unknown",
        items=tuple(items),
        warnings=tuple(warnings),
    )


def _entry_link(entry: Any, base_url: str | None) -> str | None:
    candidates: list[str] = []
    link = entry.get("link")
    if isinstance(link, str):
        candidates.append(link)
    for item in entry.get("links") or ():
        href = item.get("href") if hasattr(item, "get") else None
        if isinstance(href, str) and item.get("rel", "alternate") == "alternate":
            candidates.append(href)
    for raw in candidates:
        value = raw.strip()
        if not value:
            continue
        # Only a scheme-less path is relative ("http://" alone would resolve to the feed URL)
        # and a bare token ("b2VjML1MLnE", a video id in a real feed) is no link at all.
        try:
            if base_url and "/" in value and not urlsplit(value).scheme:
                value = urljoin(base_url, value)
            absolute = canonical_url(value)
        except ValueError:  # e.g. "https://[::1" — an unusable link for this item only
            continue
        if absolute:
            return absolute
    return None


def _title_from_text(text: str) -> str:
    text = text.strip()
    if len(text) <= _TITLE_FROM_TEXT:
        return text
    cut = text[:_TITLE_FROM_TEXT].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—–-") + "…"
