"""Each subscriber's choices from outside, through /settings' buttons and /follow, /mute: the
real ``newsbot run`` against the fake Telegram and two fake news sites.

One run: a chat in «Головне» gets the top story (a breaking one) and not the others; a digest
chat gets only the story it follows, at once; quiet hours send without a sound; a muted word
and a switched-off source keep stories away.  Then the bot restarts with a digest time a
minute ago (one missed while it was down) and sends the digest chat one «Головне за …» with
the stories it did not get yet; a second restart sends nothing again.

The articles are written for this test.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from e2e_harness import ConfigWriter, StartBot
from pipeline_support import WAIT, Site, say, serve_losses, subscribe, wait_first_poll

from bot.clock import KYIV
from bot.fakes import FakeNews, FakeTelegram, Limits, SentMessage

FAST = {"poll_seconds": 1, "losses_seconds": 3600, "jitter_seconds": 0}
QUICK = {"per_chat_per_second": 20}
TOP, DIGEST, QUIET, MUTER, NO_B = 7001, 7002, 7003, 7004, 7005

BREAKING = (
    "Терміново: над Полтавщиною збили крилату ракету",
    "Сили протиповітряної оборони збили крилату ракету над Полтавщиною близько полудня.",
    "Уламки впали в полі, ніхто не постраждав, повідомила обласна військова адміністрація.",
)
KHARKIV = (
    "У Харкові відкрили новий підземний шкільний клас",
    "У Харкові почав працювати ще один підземний клас для учнів молодших класів.",
    "Міська рада каже, що до кінця року таких класів стане вдвічі більше.",
)
FOOTBALL = (
    "Збірна з футболу провела перше тренування перед матчем",
    "Національна збірна з футболу провела перше тренування на базі у передмісті Києва.",
    "Головний тренер назвав склад на найближчий матч відбору до чемпіонату.",
)


def _kyiv(moment: datetime) -> str:
    return f"{moment.astimezone(KYIV):%H:%M}"


def _got(telegram: FakeTelegram, title: str) -> set[int]:
    return {m.chat_id for m in telegram.sent if m.visible_text.startswith(title + "\n")}


async def _press(telegram: FakeTelegram, message: SentMessage, label: str) -> None:
    assert message.reply_markup is not None
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    (data,) = [b["callback_data"] for b in buttons if b["text"] == label]
    answered = len(telegram.answered_callbacks)
    telegram.callback(message.chat_id, message.chat_id, message.message_id, data)
    await telegram.wait_until(lambda: len(telegram.answered_callbacks) > answered, WAIT)


async def _settings(telegram: FakeTelegram, chat: int, *labels: str) -> None:
    shown = await say(telegram, chat, "/settings", expect="Налаштування")
    for label in labels:
        await _press(telegram, shown, label)


def _digests(telegram: FakeTelegram) -> list[SentMessage]:
    return [m for m in telegram.sent if m.visible_text.startswith("Головне за ")]


async def test_modes_words_sources_quiet_hours_and_the_digest(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
) -> None:
    telegram.limits = Limits(per_chat_per_s=20)
    first = Site(news, prefix="a", name="Перше джерело")
    second = Site(news, prefix="b", name="Друге джерело")
    first.add("old-a", "Давня новина першого джерела", ["Текст давньої новини."], minutes_ago=90)
    second.add("old-b", "Давня новина другого джерела", ["Текст давньої новини."], minutes_ago=90)
    serve_losses(news)
    now = datetime.now(KYIV)
    quiet = f"{_kyiv(now - timedelta(hours=2))}-{_kyiv(now + timedelta(hours=2))}"
    sources = [(first.name, first.feed_url), (second.name, second.feed_url)]

    def config(digest_at: datetime) -> Path:
        return bot_config(
            sources=sources,
            schedule=FAST,
            delivery=QUICK,
            subscribers={"default_mode": "all", "quiet_hours": quiet},
            digest={"times": [_kyiv(digest_at)]},
        )

    bot = await start_bot(config(now + timedelta(hours=12)))  # no digest due in this run
    for chat in (TOP, DIGEST, QUIET, MUTER, NO_B):
        welcome = await subscribe(telegram, chat)
        assert "Режим «Усі новини»" in welcome.visible_text and "/settings" in welcome.visible_text
    await _settings(telegram, TOP, "Головне")
    await _settings(telegram, DIGEST, "Дайджест")
    await _settings(telegram, QUIET, "Увімкнути тихі години")
    await _settings(telegram, NO_B, "Джерела", f"✓ {second.name}")
    follow = await say(telegram, DIGEST, "/follow Харків")
    assert follow.visible_text.startswith("Стежу за словом «Харків»")
    mute = await say(telegram, MUTER, "/mute футбол")
    assert mute.visible_text.startswith("Приховую новини зі словом «футбол»")
    await wait_first_poll(news, first)
    await wait_first_poll(news, second)

    for site, slug, (title, *paragraphs) in (
        (first, "breaking", BREAKING),
        (first, "kharkiv", KHARKIV),
        (second, "football", FOOTBALL),
    ):
        site.add(slug, title, paragraphs)
    expected = {
        BREAKING[0]: {TOP, QUIET, MUTER, NO_B},  # top: 'all' and 'top'; not the digest chat
        KHARKIV[0]: {DIGEST, QUIET, MUTER, NO_B},  # the digest chat follows «Харків»
        FOOTBALL[0]: {QUIET},  # muted by one, its source switched off by another
    }
    await telegram.wait_until(
        lambda: all(_got(telegram, t) >= chats for t, chats in expected.items()), WAIT
    )
    for site in (first, second):  # two more polls of each: nothing else arrives
        await news.wait_for_hits(site.feed_path, news.hits(site.feed_path) + 2, timeout=WAIT)
    assert {t: _got(telegram, t) for t in expected} == expected
    silent = {
        int(c.params["chat_id"]): c.params.get("disable_notification") in (True, "true", "True")
        for c in telegram.calls_of("sendMessage")
        if any(str(c.params.get("text", "")).startswith(f"<b>{t}") for t in expected)
    }
    assert silent == {TOP: False, DIGEST: False, QUIET: True, MUTER: False, NO_B: False}
    assert _digests(telegram) == []
    assert await bot.stop() == 0

    # Down over a digest time: back within three hours, the bot sends the missed digest.
    missed = config(datetime.now(KYIV) - timedelta(minutes=1))
    bot = await start_bot(missed)
    await telegram.wait_until(lambda: bool(_digests(telegram)), WAIT)
    (digest,) = _digests(telegram)
    assert digest.chat_id == DIGEST
    lines = digest.visible_text.split("\n")
    assert re.fullmatch(r"Головне за \d.* \d\d:\d\d–\d\d:\d\d", lines[0])
    assert lines[2:4] == [f"1. {BREAKING[0]} — 1 джерело", f"2. {FOOTBALL[0]} — 1 джерело"]
    assert KHARKIV[0] not in digest.visible_text  # it came at once
    assert "Втрати ворога" in digest.visible_text
    assert [e["url"] for e in digest.entities if e["type"] == "text_link"] == [
        news.url_for(first.page_path("breaking")),
        news.url_for(second.page_path("football")),
    ]
    assert await bot.stop() == 0

    # Started again: the digest of that time exists, nothing is sent twice.
    bot = await start_bot(missed, "-v")
    await telegram.wait_until(lambda: "was built already" in bot.log, WAIT)
    assert len(_digests(telegram)) == 1
    assert await bot.stop() == 0
