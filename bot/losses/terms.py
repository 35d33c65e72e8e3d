"""Ukrainian titles for loss categories we have no built-in wording for.

The API publishes its category names at ``/api/v2/terms/{lang}`` as ``{key: {title, icon}}``.
Known categories keep the General Staff's wording from :mod:`bot.losses.format`; only a key
that wording does not cover (a category added later, e.g. ``ground_robotic_systems``) needs a
title from here.  The titles are kept in memory: they are asked for only while the newest
snapshot has such a key, refreshed once a day, and after a failure tried again no sooner than
an hour later.  Every failure leaves the previous titles (or none, and then the readable label
derived from the key) in place.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

import httpx

from bot.losses.api import DEADLINE_SECONDS, SourceUnavailable, fetch_body
from bot.losses.format import CATEGORIES
from bot.losses.model import BadPayload

log = logging.getLogger(__name__)

REFRESH_AFTER = timedelta(hours=24)  # titles hardly ever change
RETRY_AFTER = timedelta(hours=1)  # the least time between two requests, failed or not
MAX_TITLE_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EMPTY: Mapping[str, str] = MappingProxyType({})


def terms_url(latest_url: str, lang: str = "uk") -> str:
    """``…/api/v2/statistics/latest`` → ``…/api/v2/terms/uk`` (the configured API's host)."""
    base = latest_url.split("?", 1)[0].rstrip("/").removesuffix("/latest")
    base = base.removesuffix("/statistics")
    return f"{base}/terms/{lang}"


def parse_terms(body: bytes) -> dict[str, str]:
    """A terms response as ``{key: title}``; entries without a usable title are left out."""
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPayload(f"terms: not JSON ({exc.__class__.__name__})") from None
    data = doc.get("data") if isinstance(doc, Mapping) else None
    if not isinstance(data, Mapping):
        raise BadPayload("terms: no 'data' object in the response")
    titles: dict[str, str] = {}
    for key, entry in data.items():
        title = entry.get("title") if isinstance(entry, Mapping) else None
        if not isinstance(title, str):
            continue
        title = " ".join(_CONTROL.sub(" ", title).split())
        if title and len(title) <= MAX_TITLE_CHARS:
            titles[str(key)] = title[:1].upper() + title[1:]
    return titles


def unknown_keys(keys: Iterable[str]) -> list[str]:
    """The keys without built-in General Staff wording."""
    return [key for key in keys if key not in CATEGORIES]


class CategoryTitles:
    """An in-memory cache of the API's Ukrainian category titles (see the module docstring)."""

    def __init__(
        self, http: httpx.AsyncClient, url: str, *, deadline: float = DEADLINE_SECONDS
    ) -> None:
        self._http = http
        self.url = url
        self._deadline = deadline
        self._titles: Mapping[str, str] = EMPTY
        self._fetched_at: datetime | None = None  # the last successful answer
        self._tried_at: datetime | None = None  # the last request, whatever came of it
        self._lock = asyncio.Lock()

    @property
    def titles(self) -> Mapping[str, str]:
        return self._titles

    def _due(self, keys: Iterable[str], now: datetime) -> bool:
        unknown = unknown_keys(keys)
        if not unknown:
            return False
        if self._tried_at is not None and now - self._tried_at < RETRY_AFTER:
            return False
        expired = self._fetched_at is None or now - self._fetched_at >= REFRESH_AFTER
        return expired or any(key not in self._titles for key in unknown)

    async def for_keys(self, keys: Iterable[str], now: datetime) -> Mapping[str, str]:
        """The titles, first asked of the API if ``keys`` need them and a request is due.

        Never raises: a failure is logged and the titles known so far are returned.
        """
        keys = list(keys)
        if not self._due(keys, now):
            return self._titles
        async with self._lock:
            if not self._due(keys, now):  # another caller has just asked
                return self._titles
            self._tried_at = now
            try:
                titles = parse_terms(
                    await fetch_body(
                        self._http, self.url, accept="application/json", deadline=self._deadline
                    )
                )
            except (SourceUnavailable, BadPayload) as exc:
                log.warning("loss counter: category titles unavailable: %s", exc)
                return self._titles
            self._titles = MappingProxyType(titles)
            self._fetched_at = now
            missing = [key for key in unknown_keys(keys) if key not in titles]
            if missing:
                log.info("loss counter: no Ukrainian title for %s", ", ".join(missing))
            return self._titles
