"""The russianwarship.rip API v2 client and its defensive payload parser.

Endpoints (relative to ``…/api/v2/statistics``): ``/latest``; ``/{YYYY-MM-DD}``; and
``?date_from=&date_to=`` whose records sit under ``data.records``.  Responses changed over the
years — older ones lack ``war_status`` and ``submarines``, new categories appear — so every key
may be missing or new.  What must hold: a date, a numeric personnel total, every value a whole
number.  Anything else raises :class:`~bot.losses.model.BadPayload`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bot.http_body import ACCEPT_ENCODING, BodyDecodeError, BodyTooLarge, read_body
from bot.losses.model import PERSONNEL, WAR_START, BadPayload, Snapshot, war_day

log = logging.getLogger(__name__)

SOURCE = "russianwarship"
MAX_BODY_BYTES = 5_000_000
MAX_PAGES = 10


class SourceUnavailable(Exception):
    """The source did not answer usefully (network error, HTTP error, oversized body).

    ``answered`` tells an HTTP answer (e.g. 404 for one missing day) from no answer at all.
    """

    def __init__(self, message: str, *, answered: bool = True) -> None:
        super().__init__(message)
        self.answered = answered


# -- parsing (pure) ---------------------------------------------------------------------------

_DIGITS = re.compile(r"[+-]?\d+")


def _whole(value: object, where: str) -> int | None:
    """A JSON value as a whole number; None means absent; anything non-numeric is refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadPayload(f"{where}: {value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip().replace(" ", "")):
        return int(value.strip().replace(" ", ""))
    raise BadPayload(f"{where}: {value!r} is not a whole number")


def _figures(raw: object, where: str, *, allow_negative: bool) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise BadPayload(f"{where}: expected an object, got {type(raw).__name__}")
    out: dict[str, int] = {}
    for key, value in raw.items():
        number = _whole(value, f"{where}.{key}")
        if number is None:
            continue
        if number < 0 and not allow_negative:
            raise BadPayload(f"{where}.{key}: negative total {number}")
        out[str(key)] = number
    return out


def parse_record(record: object, *, fetched_at: datetime, source: str = SOURCE) -> Snapshot:
    """One ``{date, day, stats, increase, …}`` record as a :class:`Snapshot`."""
    if not isinstance(record, Mapping):
        raise BadPayload("record: expected an object")
    raw_date = record.get("date")
    try:
        day = date.fromisoformat(str(raw_date)[:10])
    except ValueError:
        raise BadPayload(f"date: {raw_date!r} is not a date") from None
    latest_possible = fetched_at.date() + timedelta(days=1)
    if not WAR_START <= day <= latest_possible:
        raise BadPayload(f"date: {day.isoformat()} is outside the war's dates")
    stats = _figures(record.get("stats"), "stats", allow_negative=False)
    if PERSONNEL not in stats:
        raise BadPayload("stats: no personnel total")
    increase = _figures(record.get("increase"), "increase", allow_negative=True)
    increase = {key: value for key, value in increase.items() if key in stats}
    number = _whole(record.get("day"), "day")
    if number is not None and abs(number - war_day(day)) > 1:
        raise BadPayload(f"day: {number} does not match the date {day.isoformat()}")
    return Snapshot(
        day=day,
        stats=stats,
        increase=increase,
        source=source,
        fetched_at=fetched_at,
        war_day=number or war_day(day),
    )


def _envelope_data(body: bytes) -> Any:
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPayload(f"not JSON ({exc.__class__.__name__})") from None
    if not isinstance(doc, Mapping) or "data" not in doc:
        raise BadPayload("no 'data' in the response")
    return doc["data"]


def parse_latest(body: bytes, *, fetched_at: datetime) -> Snapshot:
    """A ``/statistics/latest`` or ``/statistics/{date}`` response."""
    return parse_record(_envelope_data(body), fetched_at=fetched_at)


def parse_list(body: bytes, *, fetched_at: datetime) -> tuple[list[Snapshot], str | None]:
    """A ``/statistics?date_from=&date_to=`` page: its good records and the next page's URL.

    A bad record is logged and skipped; the others are still usable.
    """
    data = _envelope_data(body)
    next_url: str | None = None
    if isinstance(data, Mapping):
        records = data.get("records")
        paginator = data.get("paginator")
        if isinstance(paginator, Mapping) and isinstance(paginator.get("next_page_url"), str):
            next_url = paginator["next_page_url"]
    else:
        records = data
    if not isinstance(records, list):
        raise BadPayload("no 'data.records' list in the response")
    good: list[Snapshot] = []
    for record in records:
        try:
            good.append(parse_record(record, fetched_at=fetched_at))
        except BadPayload as exc:
            log.warning("loss counter: skipping a bad history record: %s", exc)
    return good, next_url


# -- HTTP ---------------------------------------------------------------------------------------


DEADLINE_SECONDS = 30.0


async def fetch_body(
    http: httpx.AsyncClient, url: str, *, accept: str, deadline: float = DEADLINE_SECONDS
) -> bytes:
    """GET ``url`` and return its body within ``deadline`` seconds overall (connect, every
    read and the whole body: a server that drips one byte a second cannot hold a refresh
    for ever); any failure becomes :class:`SourceUnavailable`."""
    try:
        async with asyncio.timeout(deadline):
            return await _get(http, url, accept)
    except TimeoutError:
        reason = f"{_host(url)} did not answer in full within {deadline:g} s"
        raise SourceUnavailable(reason, answered=False) from None


async def _get(http: httpx.AsyncClient, url: str, accept: str) -> bytes:
    headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    try:
        async with http.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise SourceUnavailable(f"HTTP {response.status_code} from {_host(url)}")
            return await read_body(response, MAX_BODY_BYTES)
    except BodyTooLarge:
        raise SourceUnavailable(f"response from {_host(url)} is too large") from None
    except BodyDecodeError as exc:
        raise SourceUnavailable(f"response from {_host(url)} is unreadable ({exc})") from None
    except httpx.TimeoutException:
        raise SourceUnavailable(f"{_host(url)} did not answer in time", answered=False) from None
    except httpx.HTTPError as exc:
        reason = f"cannot reach {_host(url)} ({exc.__class__.__name__})"
        raise SourceUnavailable(reason, answered=False) from None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


class WarshipApi:
    """The primary source. ``latest_url`` is the configured ``…/statistics/latest``."""

    def __init__(
        self, http: httpx.AsyncClient, latest_url: str, *, deadline: float = DEADLINE_SECONDS
    ) -> None:
        self._http = http
        self._latest_url = latest_url
        self._deadline = deadline
        base = latest_url.split("?", 1)[0].rstrip("/")
        self._base = base.removesuffix("/latest")

    async def _json(self, url: str) -> bytes:
        return await fetch_body(self._http, url, accept="application/json", deadline=self._deadline)

    async def latest(self, now: datetime) -> Snapshot:
        return parse_latest(await self._json(self._latest_url), fetched_at=now)

    async def for_day(self, day: date, now: datetime) -> Snapshot:
        url = f"{self._base}/{day.isoformat()}"
        snapshot = parse_latest(await self._json(url), fetched_at=now)
        if snapshot.day != day:
            raise BadPayload(f"asked for {day.isoformat()}, got {snapshot.day.isoformat()}")
        return snapshot

    async def between(self, first: date, last: date, now: datetime) -> list[Snapshot]:
        """Every good record from ``first`` to ``last`` (inclusive), following pages."""
        url: str | None = f"{self._base}?date_from={first.isoformat()}&date_to={last.isoformat()}"
        out: list[Snapshot] = []
        seen: set[str] = set()
        while url is not None and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            records, next_url = parse_list(await self._json(url), fetched_at=now)
            out.extend(s for s in records if first <= s.day <= last)
            url = urljoin(url, next_url) if next_url else None
            if url is not None and urlsplit(url).netloc != urlsplit(self._base).netloc:
                url = None  # never follow a paginator off the API's host
        return out
