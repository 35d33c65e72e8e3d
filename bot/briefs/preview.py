"""``newsbot preview URL|FILE... [--summariser extractive|llm] [--config PATH] [--json]
[--counter live|FILE.json] [--source NAME]``.

Prints the brief each article would get.  A URL is fetched with httpx; a FILE is an HTML page
(extracted exactly like a fetched page) or plain text (first line = title, the rest = text).
``--json`` prints one object per line: ``{"input", "title", "summary", "brief"}`` (``brief`` is
the rendered HTML, or null when the article would not be briefed).

``--counter`` puts the loss-counter line in, so the brief reads exactly as subscribers get it
now: ``live`` asks the counter API (``losses.url`` of ``--config``, else of the environment,
else the default), a path reads a saved answer in the russianwarship.rip v2 shape
(``{"data": {"date", "stats", "increase", …}}``).  ``--source NAME`` is the source name the
brief shows (by default the page's site name, or the file's name for plain text).

Exit status: 0 when every input was read, 1 when some input could not be read or extracted
(or the counter asked for is unavailable), 2 for a configuration problem (e.g. ``--summariser
llm`` without an endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import html as html_lib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.briefs.maker import ArticleText, Brief, BriefMaker
from bot.clock import SystemClock
from bot.config import Config, ConfigError, FetchConfig, load_config, parse_config
from bot.losses.api import SourceUnavailable, WarshipApi, parse_latest
from bot.losses.format import counter_line
from bot.losses.model import BadPayload
from bot.sources.extract import extract_article, strip_boilerplate
from bot.uk import detect_language

__all__ = ["run_preview"]

EXIT_OK, EXIT_INPUT, EXIT_CONFIG = 0, 1, 2
_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<html|<head|<meta)", re.I)
_CANONICAL = re.compile(
    r"""<link\b[^>]*\brel=["']canonical["'][^>]*\bhref=["']([^"']+)["']"""
    r"""|<meta\b[^>]*\bproperty=["']og:url["'][^>]*\bcontent=["']([^"']+)["']""",
    re.I,
)
_SITE_NAME = re.compile(
    r"""<meta\b[^>]*\bproperty=["']og:site_name["'][^>]*\bcontent=["']([^"']+)["']""", re.I
)
_PLACEHOLDER_TOKEN = "preview-needs-no-token"


class InputError(Exception):
    """An input that cannot be read, fetched or extracted (one-line reason)."""


@dataclass(frozen=True, slots=True)
class Loaded:
    title: str
    text: str
    url: str
    source_name: str


def _preview_config(args: argparse.Namespace, env: Mapping[str, str]) -> Config:
    """The config: from --config if given (else environment); --summariser wins."""
    with_token = dict(env)
    with_token.setdefault("NEWSBOT_TELEGRAM_TOKEN", _PLACEHOLDER_TOKEN)  # preview never uses it
    config: Config = (
        load_config(args.config, with_token) if args.config else parse_config({}, with_token)
    )
    briefs = replace(config.briefs, summariser=args.summariser)
    if args.summariser == "llm" and not (briefs.llm_base_url and briefs.llm_model):
        missing = [k for k in ("llm_base_url", "llm_model") if not getattr(briefs, k)]
        where = f"in {args.config}" if args.config else "(no --config given)"
        raise ConfigError(
            f"--summariser llm needs briefs.{' and briefs.'.join(missing)} {where}: "
            "pass --config PATH with a [briefs] section, or set "
            "NEWSBOT_BRIEFS_LLM_BASE_URL and NEWSBOT_BRIEFS_LLM_MODEL"
        )
    return replace(config, briefs=briefs)


async def _counter(choice: str, http: httpx.AsyncClient, config: Config) -> str:
    """The counter line subscribers would get now: ``live`` from the API, else from a file."""
    now = SystemClock().now()
    if choice == "live":
        url = config.losses.url
        api = WarshipApi(http, url, deadline=config.losses.timeout_seconds)
        try:
            snapshot = await api.latest(now)
        except (SourceUnavailable, BadPayload) as exc:
            raise InputError(f"loss counter {url}: {exc}") from None
    else:
        try:
            body = await asyncio.to_thread(Path(choice).read_bytes)
            snapshot = parse_latest(body, fetched_at=now)
        except OSError as exc:
            raise InputError(f"{choice}: {exc.strerror or exc}") from None
        except BadPayload as exc:
            raise InputError(f"{choice}: not a loss-counter answer ({exc})") from None
    line = counter_line(snapshot, now)
    assert line is not None  # a snapshot always makes a line
    return line


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _from_html(body: bytes, url: str, label: str) -> Loaded:
    head = body[:200_000].decode("utf-8", "replace")
    found = _CANONICAL.search(head)
    page_url = url or (html_lib.unescape(found.group(1) or found.group(2)) if found else "")
    site = _SITE_NAME.search(head)
    extracted = extract_article(body, page_url or None)
    if extracted is None:
        raise InputError(f"{label}: no article text found in the page")
    name = html_lib.unescape(site.group(1)) if site else (urlsplit(page_url).hostname or label)
    return Loaded(extracted.title, extracted.text, page_url, name)


def _from_plain(body: bytes, label: str) -> Loaded:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{label}: plain text must be UTF-8") from None
    text = strip_boilerplate(text)
    title, _, rest = text.strip().partition("\n")
    if not title.strip():
        raise InputError(f"{label}: the file is empty")
    return Loaded(title.strip(), rest.strip(), "", Path(label).name)


async def _load(item: str, http: httpx.AsyncClient) -> Loaded:
    if _is_url(item):
        try:
            response = await http.get(item)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise InputError(f"{item}: {exc}") from None
        return _from_html(response.content, str(response.url), item)
    path = Path(item)
    try:
        body = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise InputError(f"{item}: {exc.strerror or exc}") from None
    if _HTML_START.match(body[:2000]):
        return await asyncio.to_thread(_from_html, body, "", item)
    return _from_plain(body, item)


def _print(args: argparse.Namespace, item: str, loaded: Loaded, brief: Brief | None) -> None:
    if args.json:
        record = {
            "input": item,
            "title": brief.title if brief else loaded.title,
            "summary": brief.summary if brief else "",
            "brief": brief.html if brief else None,
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)
        return
    print(f"=== {item}")
    if brief is None:
        print("(not briefed: not in Ukrainian, and no LLM summariser to write a Ukrainian brief)")
    else:
        print(brief.html)
    print(flush=True)


async def _preview(args: argparse.Namespace, config: Config) -> int:
    status = EXIT_OK
    fetch = FetchConfig()
    source = getattr(args, "source", None)
    counter_choice = getattr(args, "counter", None)
    async with httpx.AsyncClient(
        headers={"User-Agent": fetch.user_agent},
        timeout=httpx.Timeout(20.0, connect=5.0),
        follow_redirects=True,
        max_redirects=5,
    ) as http:
        counter = None
        if counter_choice:
            try:
                counter = await _counter(counter_choice, http, config)
            except InputError as exc:
                print(f"newsbot preview: {exc}", file=sys.stderr)
                return EXIT_INPUT
        maker = BriefMaker(config.briefs, http)
        for item in args.inputs:
            try:
                loaded = await _load(item, http)
            except InputError as exc:
                print(f"newsbot preview: {exc}", file=sys.stderr)
                status = EXIT_INPUT
                continue
            if source:
                loaded = replace(loaded, source_name=source)
            language = detect_language(f"{loaded.title}\n{loaded.text}")
            article = ArticleText(
                loaded.title, loaded.text, loaded.url, loaded.source_name, language
            )
            brief = await maker.make(article, counter)
            _print(args, item, loaded, brief)
    return status


def run_preview(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Entry point of ``newsbot preview`` (bot/cli.py parses the arguments)."""
    try:
        config = _preview_config(args, env)
    except ConfigError as exc:
        print(f"newsbot preview: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(_preview(args, config))
