"""Helpers for the full-pipeline end-to-end tests: sample news sites, the loss counter, and
the user-side steps (subscribe, broadcast) driven through the fake Telegram server.
Importable from other test folders too (``tests.e2e.pipeline_support``) for the sample data.

The articles are written for these tests (``tests/data/e2e/articles.json``); a :class:`Site`
serves them on a :class:`~bot.fakes.FakeNews` as an RSS feed whose items carry only a short
description, so the bot has to fetch each article page to brief it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

from bot.briefs.typography import typeset
from bot.clock import KYIV
from bot.fakes import FakeNews, FakeTelegram, SentMessage
from storage import Database, chats

DATA = Path(__file__).resolve().parent.parent / "data" / "e2e"
LOSSES_PATH = "/api/v2/statistics/latest"
BOT_USERNAME = "newsbot_test_bot"
PERSONNEL = 1_013_570
COUNTER_PREFIX = "Втрати ворога"
COUNTER_TEXT = "1\u00a0013\u00a0570 осіб"
WAIT = 30.0  # generous upper bound for any single awaited event on a loaded 2-core machine


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime


def sample_articles() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(base, fresh): raw sample articles; base ones are on the site from the start."""
    raw = json.loads((DATA / "articles.json").read_text("utf-8"))
    return list(raw["base"]), list(raw["fresh"])


def article_page(title: str, paragraphs: tuple[str, ...], site_name: str) -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="uk"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><header>{escape(site_name)}</header>"
        f"<nav><a href='/'>Головна</a></nav>"
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        f"<footer>© {escape(site_name)}. Тестові матеріали.</footer></body></html>"
    )


@dataclass
class Site:
    """One news site on ``news``: ``/{prefix}/rss.xml`` plus one page per article."""

    news: FakeNews
    prefix: str = "site"
    name: str = "Тестові новини"
    articles: list[Article] = field(default_factory=list)

    @property
    def feed_path(self) -> str:
        return f"/{self.prefix}/rss.xml"

    @property
    def feed_url(self) -> str:
        return self.news.url_for(self.feed_path)

    def page_path(self, slug: str) -> str:
        return f"/{self.prefix}/{slug}.html"

    def add(
        self,
        slug: str,
        title: str,
        paragraphs: list[str] | tuple[str, ...],
        *,
        minutes_ago: float = 0,
        publish: bool = True,
    ) -> Article:
        """Put an article on the site (and, by default, in the feed at once)."""
        published = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        article = Article(slug, title, tuple(paragraphs), published.replace(microsecond=0))
        self.articles.append(article)
        if publish:
            self.publish()
        return article

    def add_sample(self, raw: dict[str, Any], *, minutes_ago: float = 0) -> Article:
        return self.add(raw["slug"], raw["title"], raw["paragraphs"], minutes_ago=minutes_ago)

    def publish(self) -> None:
        for a in self.articles:
            self.news.set(
                self.page_path(a.slug),
                article_page(a.title, a.paragraphs, self.name),
                content_type="text/html; charset=utf-8",
            )
        self.news.set(self.feed_path, self.feed())

    def feed(self) -> str:
        items = []
        for a in sorted(self.articles, key=lambda a: a.published, reverse=True):
            link = self.news.url_for(self.page_path(a.slug))
            items.append(
                f"<item><title>{escape(a.title, quote=False)}</title><link>{link}</link>"
                f'<guid isPermaLink="false">{self.prefix}-{a.slug}</guid>'
                f"<pubDate>{format_datetime(a.published)}</pubDate>"
                f"<description>{escape(a.paragraphs[0][:120], quote=False)}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.name)}</title><link>{self.news.url}/{self.prefix}/</link>"
            f"<description>Тестова стрічка</description>{''.join(items)}</channel></rss>"
        )


def losses_payload(today: date, personnel: int = PERSONNEL) -> dict[str, Any]:
    """A russianwarship.rip v2 ``/statistics/latest`` answer for ``today`` (sample figures)."""
    return {
        "message": "Sample data written for newsbot tests (not an API capture)",
        "data": {
            "date": today.isoformat(),
            "day": (today - date(2022, 2, 24)).days + 1,
            "resource": None,
            "war_status": {"code": 1, "alias": "in_progress"},
            "stats": {
                "personnel_units": personnel,
                "tanks": 11186,
                "armoured_fighting_vehicles": 23222,
                "artillery_systems": 30102,
                "mlrs": 1480,
                "aa_warfare_systems": 1213,
                "planes": 428,
                "helicopters": 341,
                "uav_systems": 52180,
                "cruise_missiles": 3589,
                "warships_cutters": 28,
                "submarines": 1,
                "vehicles_fuel_tanks": 56702,
                "special_military_equip": 3966,
            },
            "increase": {
                "personnel_units": 1120,
                "tanks": 3,
                "armoured_fighting_vehicles": 5,
                "artillery_systems": 41,
                "mlrs": 1,
                "aa_warfare_systems": 0,
                "planes": 0,
                "helicopters": 0,
                "uav_systems": 186,
                "cruise_missiles": 0,
                "warships_cutters": 0,
                "submarines": 0,
                "vehicles_fuel_tanks": 77,
                "special_military_equip": 2,
            },
        },
    }


def serve_losses(news: FakeNews) -> None:
    """Today's (Kyiv) loss counter at the harness's losses URL."""
    news.set_json(LOSSES_PATH, losses_payload(datetime.now(KYIV).date()))


# -- the user side --------------------------------------------------------------------------


def command(text: str, chat_type: str) -> str:
    """In a group, commands must name the bot (``/start@bot``) to be for it."""
    if chat_type == "private":
        return text
    name, _, rest = text.partition(" ")
    return f"{name}@{BOT_USERNAME}" + (f" {rest}" if rest else "")


async def say(
    telegram: FakeTelegram,
    chat_id: int,
    text: str,
    *,
    chat_type: str = "private",
    user_id: int | None = None,
    expect: str | None = None,
    timeout: float = WAIT,  # noqa: ASYNC109
) -> SentMessage:
    """Send ``text`` from ``chat_id`` and return the bot's first reply (containing ``expect``)."""
    start = len(telegram.sent)
    telegram.user_message(
        chat_id,
        command(text, chat_type),
        chat_type=chat_type,  # type: ignore[arg-type]
        user_id=user_id,
        chat_title=None if chat_type == "private" else f"Група {chat_id}",
    )
    return await telegram.wait_for(
        lambda m: m.chat_id == chat_id and (expect is None or expect in m.visible_text),
        start=start,
        timeout=timeout,
    )


async def subscribe(
    telegram: FakeTelegram, chat_id: int, chat_type: str = "private"
) -> SentMessage:
    reply = await say(telegram, chat_id, "/start", chat_type=chat_type)
    assert "Вітаю" in reply.visible_text or "вже підписані" in reply.visible_text, reply
    return reply


async def wait_for_losses(telegram: FakeTelegram, news: FakeNews, chat_id: int) -> None:
    """Wait until the bot has fetched the counter, then prove it is loaded with /losses."""
    await news.wait_for_hits(LOSSES_PATH, 1, timeout=WAIT)
    # The hit is counted when the request arrives; storing the answer follows a moment later.
    # Each /losses round trip is paced by the per-chat limit (about 1 s), so a few suffice.
    for _ in range(10):
        reply = await say(telegram, chat_id, "/losses")
        if "1\u00a0013\u00a0570" in reply.visible_text:
            return
    raise AssertionError(f"the loss counter never loaded: {reply.visible_text}")


async def wait_first_poll(news: FakeNews, site: Site) -> None:
    """The first poll of ``site`` (a source since the bot started) has finished once a second
    one has started: cycles never overlap, and a cycle that finds the previous one still
    running fetches nothing."""
    await news.wait_for_hits(site.feed_path, 2, timeout=WAIT)


def briefs_for(telegram: FakeTelegram, title: str) -> Counter[int]:
    """How many messages starting with ``title`` each chat got (a brief starts with it,
    typeset: «…» for "…", ’ for ')."""
    shown = typeset(title) + "\n"
    return Counter(m.chat_id for m in telegram.sent if m.visible_text.startswith(shown))


async def import_subscribers(database: Path, chat_ids: Iterable[int]) -> None:
    """Put private-chat subscribers straight into the bot's database (before it starts)."""
    db = await Database.open(database)
    try:
        now = datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
        await chats.import_chats(db, ((c, "private", f"reader{c}") for c in chat_ids), now)
    finally:
        await db.close()


async def preview_broadcast(telegram: FakeTelegram, text: str) -> SentMessage:
    """The admin asks to broadcast ``text``; returns the preview with its buttons."""
    from e2e_harness import ADMIN_ID  # only the e2e suite has the harness on its path

    return await say(telegram, ADMIN_ID, f"/broadcast {text}", expect="Попередній перегляд")


def press_send(telegram: FakeTelegram, preview: SentMessage) -> None:
    """Press the preview's "Надіслати всім" (the broadcast starts; nothing is awaited)."""
    assert preview.reply_markup is not None
    send = preview.reply_markup["inline_keyboard"][0][0]
    assert send["text"] == "Надіслати всім"
    telegram.callback(preview.chat_id, preview.chat_id, preview.message_id, send["callback_data"])


async def start_broadcast(telegram: FakeTelegram, text: str) -> SentMessage:
    """The admin broadcasts ``text``: preview, press "Надіслати всім" (and return at once).

    Returns the preview message (edited in place into the progress, then the summary)."""
    preview = await preview_broadcast(telegram, text)
    press_send(telegram, preview)
    return preview


async def broadcast(telegram: FakeTelegram, text: str) -> SentMessage:
    """:func:`start_broadcast`, then wait for its summary."""
    preview = await start_broadcast(telegram, text)
    await telegram.wait_until(lambda: "Розсилку завершено" in preview.visible_text, WAIT)
    return preview


# -- a bot process with extra command-line options ------------------------------------------
