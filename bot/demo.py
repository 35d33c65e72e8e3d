"""``newsbot demo``: the real bot, offline, with no token.

It starts the in-process fake of the Telegram Bot API and a local server of sample sources (a
feed and article pages written for this project, and the loss counter with its daily history
from 25 February 2022 — see :mod:`bot.demo_losses` — all shipped in ``bot/demo_data``), runs
the real application against them, subscribes a demo user, and prints what that user
receives.  Interactive by default (type commands as the user); ``--script FILE``
sends the file's lines instead and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from bot.app import build_application, running
from bot.clock import KYIV, SystemClock
from bot.config import parse_config
from bot.context import NewsApplication
from bot.demo_losses import Day, continued, load_history, v2_answer, v2_record
from bot.fakes import FakeNews, FakeTelegram, Limits, SentMessage, parse_telegram_html
from bot.logging_setup import setup_logging
from bot.services import Services

DEMO_TOKEN = "100000:DEMO-not-a-real-token"
DEMO_USER = 777000
SOURCE_NAME = "Демо-новини"
FEED_PATH = "/demo/rss.xml"
LOSSES_PATH = "/api/v2/statistics/latest"
HISTORY_PATH = "/api/v2/statistics"  # ?date_from=&date_to= (the query is ignored here)
TERMS_PATH = "/api/v2/terms/uk"
HISTORY_SERVED = 46  # days the range query answers with: enough for the 30-day backfill
FIRST_BRIEF_TIMEOUT = 30.0
REPLY_TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class SampleArticle:
    slug: str
    title: str
    published: datetime
    paragraphs: tuple[str, ...]

    def page(self) -> str:
        body = "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)
        return (
            '<!doctype html><html lang="uk"><head><meta charset="utf-8">'
            f"<title>{escape(self.title)}</title></head><body><header>{SOURCE_NAME}</header>"
            f"<article><h1>{escape(self.title)}</h1>{body}</article>"
            "<footer>© Демо-новини. Усі права захищено.</footer></body></html>"
        )


def _load_json(name: str) -> Any:
    return json.loads(resources.files("bot.demo_data").joinpath(name).read_text("utf-8"))


def _article(raw: dict[str, Any], now: datetime) -> SampleArticle:
    published = now + timedelta(minutes=int(raw["published_offset_minutes"]))
    return SampleArticle(raw["slug"], raw["title"], published, tuple(raw["paragraphs"]))


class DemoSite:
    """The sample sources: one RSS feed with article pages, and the loss-counter API."""

    def __init__(self, news: FakeNews, now: datetime) -> None:
        self._news = news
        self._now = now
        self.articles = [_article(a, now) for a in _load_json("articles.json")]
        self.fresh = _article(_load_json("new_article.json"), now)

    def publish(self) -> None:
        self._publish_articles()
        self._publish_losses()

    def _publish_articles(self) -> None:
        for article in self.articles:
            self._news.set(
                f"/demo/{article.slug}.html",
                article.page(),
                content_type="text/html; charset=utf-8",
            )
        self._news.set(FEED_PATH, self._feed())

    def _publish_losses(self) -> None:
        """The counter: today's report, every day's report, the latest days as a range, and
        the Ukrainian titles of categories the bot has no wording for."""
        today = self._now.astimezone(KYIV).date()
        days = continued(load_history(), today)
        if not days:
            return
        previous: Day | None = None
        for day in days:
            self._news.set_json(f"{HISTORY_PATH}/{day.day.isoformat()}", v2_answer(day, previous))
            previous = day
        self._news.set_json(LOSSES_PATH, v2_answer(days[-1], days[-2] if len(days) > 1 else None))
        recent = days[-HISTORY_SERVED - 1 :]
        records = [v2_record(d, p) for p, d in itertools.pairwise(recent)]
        self._news.set_json(
            HISTORY_PATH, {"message": "newsbot demo", "data": {"records": records[::-1]}}
        )
        self._news.set_json(TERMS_PATH, _load_json("losses_terms_uk.json"))

    def publish_fresh(self) -> None:
        """A new article appears in the feed (and its page on the site)."""
        self.articles.append(self.fresh)
        self._publish_articles()

    def _feed(self) -> str:
        items = []
        for a in sorted(self.articles, key=lambda a: a.published, reverse=True):
            link = self._news.url_for(f"/demo/{a.slug}.html")
            items.append(
                f"<item><title>{escape(a.title)}</title><link>{link}</link>"
                f'<guid isPermaLink="false">demo-{a.slug}</guid>'
                f"<pubDate>{format_datetime(a.published)}</pubDate>"
                f"<description>{escape(a.paragraphs[0])}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{SOURCE_NAME}</title><link>{self._news.url}</link>"
            f"<description>Зразкові новини для newsbot demo</description>{''.join(items)}"
            "</channel></rss>"
        )


def render_for_terminal(message: SentMessage) -> str:
    """What the user sees: visible text, links spelled out, buttons numbered."""
    raw = message.text if message.text is not None else (message.caption or "")
    try:
        visible, entities = parse_telegram_html(raw) if message.parse_mode == "HTML" else (raw, [])
    except ValueError:
        visible, entities = raw, []
    links = [e["url"] for e in entities if e.get("type") == "text_link"]
    lines = []
    if message.photo:
        lines.append(f"[зображення, {message.photo_size // 1024} КБ]")
    lines.append(visible)
    lines += [f"  ↳ {url}" for url in links]
    buttons = _buttons(message)
    if buttons:
        lines.append("  " + "  ".join(f"[#{i} {label}]" for i, (label, _) in enumerate(buttons, 1)))
    return "\n".join(lines)


def _buttons(message: SentMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class Screen:
    """Prints every message and edit sent to the demo user, in order, as it happens."""

    def __init__(self, tg: FakeTelegram, out: TextIO) -> None:
        self._tg, self._out = tg, out
        self._shown: dict[int, int] = {}  # message_id -> number of edits shown
        self.last_with_buttons: SentMessage | None = None

    def refresh(self) -> None:
        for message in self._tg.messages_to(DEMO_USER):
            edits = len(message.edits)
            seen = self._shown.get(message.message_id)
            if seen == edits:
                continue
            prefix = "бот" if seen is None else "бот (змінено)"
            self._shown[message.message_id] = edits
            body = render_for_terminal(message).replace("\n", "\n   ")
            print(f"\n── {prefix} ──\n   {body}", file=self._out, flush=True)
            if _buttons(message):
                self.last_with_buttons = message

    async def follow(self) -> None:
        while True:
            self.refresh()
            with contextlib.suppress(TimeoutError):
                await self._tg.wait_until(self._has_news, timeout=3600)

    def _has_news(self) -> bool:
        return any(
            self._shown.get(m.message_id) != len(m.edits) for m in self._tg.messages_to(DEMO_USER)
        )


class Demo:
    def __init__(self, tg: FakeTelegram, app: NewsApplication, site: DemoSite, out: TextIO):
        self.tg, self.app, self.site, self.out = tg, app, site, out
        self.screen = Screen(tg, out)

    def say(self, text: str) -> None:
        print(f"\n{text}", file=self.out, flush=True)

    async def send(self, line: str, *, echo: bool = True) -> None:
        """Send one line as the demo user; ``#N`` presses button N of the last keyboard."""
        if echo:  # typed lines are already on the screen
            print(f"\n» {line}", file=self.out, flush=True)
        start = len(self.tg.sent)
        if line.startswith("#") and line[1:].isdigit():
            target = self.screen.last_with_buttons
            buttons = _buttons(target) if target else []
            index = int(line[1:]) - 1
            if target is None or not 0 <= index < len(buttons):
                self.say("(немає такої кнопки)")
                return
            self.tg.callback(DEMO_USER, DEMO_USER, target.message_id, buttons[index][1])
            await self._settle(lambda: len(self.tg.calls_of("answerCallbackQuery")) > 0)
        else:
            self.tg.user_message(DEMO_USER, line, first_name="Демо")
            await self._settle(lambda: len(self.tg.sent) > start)
        self.screen.refresh()

    async def _settle(self, condition: Callable[[], bool]) -> None:
        try:
            await self.tg.wait_until(condition, timeout=REPLY_TIMEOUT)
        except TimeoutError:
            self.say("(бот нічого не відповів)")
            return
        # replies may come in several messages; give the bot a moment to finish
        with contextlib.suppress(TimeoutError):
            count = len(self.tg.sent)
            await self.tg.wait_until(lambda: len(self.tg.sent) > count, timeout=0.5)

    async def poll_now(self) -> None:
        services = self.app.bot_data.services
        assert services is not None
        for source in await services.sources.list_sources():
            await services.sources.poll_source(source.id)

    async def first_push(self) -> bool:
        """Publish a fresh article, poll, and wait for its brief to reach the demo user."""
        self.say(f"(на сайті «{SOURCE_NAME}» з’являється нова стаття: «{self.site.fresh.title}»)")
        start = len(self.tg.sent)
        self.site.publish_fresh()
        await self.poll_now()
        try:
            await self.tg.wait_for(
                lambda m: m.chat_id == DEMO_USER and self.site.fresh.title[:30] in (m.text or ""),
                timeout=FIRST_BRIEF_TIMEOUT,
                start=start,
            )
        except TimeoutError:
            self.say("(новина з нової статті не надійшла за 30 с — дивіться журнал вище)")
            return False
        self.screen.refresh()
        return True


async def _interactive(demo: Demo) -> None:
    demo.say(
        "Пишіть команди від імені користувача: /latest, /losses, /losses 29.03.2025, "
        "/losses графік, /help, /stop, "
        "/start, /stats, /broadcast ТЕКСТ; #N натискає кнопку N. Вихід — Ctrl+D або quit."
    )
    while True:
        print("\n» ", end="", file=demo.out, flush=True)
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line or line.strip() in ("quit", "exit", "вихід"):
            return
        if line.strip():
            await demo.send(line.strip(), echo=not sys.stdin.isatty())


async def demo_main(script: list[str] | None, out: TextIO, workdir: Path) -> int:
    now = SystemClock().now()
    async with (
        FakeTelegram(
            token=DEMO_TOKEN, username="newsbot_demo_bot", limits=Limits(enabled=False)
        ) as tg,
        FakeNews() as news,
    ):
        site = DemoSite(news, now)
        site.publish()
        config = parse_config(
            {
                "telegram": {"token": DEMO_TOKEN, "api_url": tg.api_url, "admins": [DEMO_USER]},
                "storage": {"database": str(workdir / "demo.db")},
                "schedule": {"poll_seconds": 3600, "losses_seconds": 3600, "jitter_seconds": 0},
                "losses": {"url": news.url_for(LOSSES_PATH), "backfill_days": 30},
                "fetch": {"allow_private_sources": True},
                "ops": {"listen": ""},  # a demo beside a running bot must not take its port
                "sources": [{"name": SOURCE_NAME, "url": news.url_for(FEED_PATH)}],
            },
            env={},
        )
        app = build_application(config)
        async with running(app) as services:
            return await _session(Demo(tg, app, site, out), services, script)


async def _session(demo: Demo, services: Services, script: list[str] | None) -> int:
    """Welcome, first push, then the user's commands; the screen follows along meanwhile."""
    follower = asyncio.create_task(demo.screen.follow())
    try:
        demo.say("newsbot demo: справжній бот, фейковий Telegram і зразкові джерела")
        await services.losses.refresh()
        await services.losses.backfill()  # the last 30 days, for /losses графік
        await demo.poll_now()  # the first poll records the sample articles, pushes nothing
        await demo.send("/start")
        pushed = await demo.first_push()
        if script is None:
            await _interactive(demo)
        else:
            for line in script:
                if line.strip() and not line.lstrip().startswith("#!"):
                    await demo.send(line.strip())
        return 0 if pushed else 1
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower


def run_demo(args: argparse.Namespace) -> int:
    script: list[str] | None = None
    if args.script:
        try:
            script = Path(args.script).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"newsbot demo: cannot read script {args.script!r}: {exc}", file=sys.stderr)
            return 2
    setup_logging([DEMO_TOKEN], level=logging.DEBUG if args.verbose else logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="newsbot-demo-") as workdir:
        try:
            return asyncio.run(demo_main(script, sys.stdout, Path(workdir)))
        except KeyboardInterrupt:
            return 130
