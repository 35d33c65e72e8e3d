"""Text that tends to break bots, end to end: <, & and " in titles (escaped exactly once), a
4 000-character title (still a valid message within Telegram's limits), and emoji, combining
marks and right-to-left text in command arguments (sane replies, no crash).

Driven only through the fake Telegram server and the fake news site; the bot is the real
``newsbot run`` subprocess.
"""

from __future__ import annotations

from e2e_harness import ConfigWriter, StartBot
from pipeline_support import (
    COUNTER_TEXT,
    WAIT,
    Site,
    briefs_for,
    sample_articles,
    say,
    serve_losses,
    subscribe,
    wait_first_poll,
    wait_for_losses,
)

from bot.briefs.typography import typeset
from bot.fakes import FakeNews, FakeTelegram, Limits, SentMessage, check_telegram_html

FAST = {"poll_seconds": 1, "losses_seconds": 3600, "jitter_seconds": 0}
USER = 9001
GROUP = -9002

ESCAPED_TITLES = [
    'AT&T та R&D: "<ціна>" зросла на 5 %',
    'Курс < 42 грн & "прогноз" > очікувань',
]
LONG_TITLE = " ".join(["Дуже довгий заголовок новини про відновлення енергетики"] * 72)[:4000]


def _sane(reply: SentMessage) -> str:
    raw = reply.text if reply.text is not None else reply.caption or ""
    visible = check_telegram_html(raw) if reply.parse_mode == "HTML" else raw
    assert visible.strip() and len(visible) <= 4096
    assert any("а" <= ch <= "я" or ch in "іїєґ" for ch in visible.lower()), visible
    return visible


async def test_escaping_long_titles_and_unusual_command_arguments(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
) -> None:
    # Replies in quick succession to one chat are not under test here.
    telegram.limits = Limits(per_chat_per_s=20)
    serve_losses(news)
    site = Site(news)
    base, fresh = sample_articles()
    for i, raw in enumerate(base):
        site.add_sample(raw, minutes_ago=30 + 10 * i)
    config = bot_config(
        sources=[(site.name, site.feed_url)],
        schedule=FAST,
        losses={"backfill_days": 1},
        delivery={"per_chat_per_second": 20},
    )
    bot = await start_bot(config)
    await subscribe(telegram, USER)
    await subscribe(telegram, GROUP, "group")
    await wait_first_poll(news, site)
    await wait_for_losses(telegram, news, USER)

    paragraphs = fresh[3]["paragraphs"]
    for i, title in enumerate([*ESCAPED_TITLES, LONG_TITLE]):
        site.add(f"text-{i}", title, paragraphs, minutes_ago=i, publish=False)
    site.publish()

    def pushed(title: str) -> list[SentMessage]:
        shown = typeset(title)[:60]
        return [m for m in telegram.messages_to(USER) if m.visible_text.startswith(shown)]

    await telegram.wait_until(
        lambda: (
            all(pushed(t) for t in [*ESCAPED_TITLES, LONG_TITLE])
            and all(GROUP in briefs_for(telegram, t) for t in ESCAPED_TITLES)
        ),
        WAIT,
    )
    for title in ESCAPED_TITLES:
        (brief,) = pushed(title)
        # what the reader sees: the original, typeset («…» for "…"), never escaped twice
        assert brief.visible_text.split("\n")[0] == typeset(title)
        raw = brief.text or ""
        assert "&amp;amp;" not in raw and "&amp;lt;" not in raw and "&amp;quot;" not in raw
        assert check_telegram_html(raw) == brief.visible_text
    (long_brief,) = pushed(LONG_TITLE)
    shown_title = long_brief.visible_text.split("\n")[0]
    assert shown_title.endswith("…") and LONG_TITLE.startswith(shown_title[:-1].rstrip())
    assert len(long_brief.visible_text) <= 1024  # fits even a photo caption
    assert COUNTER_TEXT in long_brief.visible_text

    # Emoji, combining marks, right-to-left text, other scripts' digits in arguments.
    unclear = ["🔥🇺🇦", "е́", "שלום", "\u202e29.03.2025", "👩🏽‍💻 مرحبا"]
    for arg in unclear:
        visible = _sane(await say(telegram, USER, f"/losses {arg}"))
        assert f"«{arg}»" in visible  # echoed back exactly, inside the example
    for arg in ["🔥", "5️⃣", "שלום", "е́"]:
        visible = _sane(await say(telegram, USER, f"/latest {arg}"))
        assert "від 1 до 10" in visible
    for arg in ["٣", "²", "①", "３"]:  # other scripts' digits: a number, or the usage hint
        latest = _sane(await say(telegram, USER, f"/latest {arg}"))
        first_line = latest.split("\n")[0]
        assert (
            "від 1 до 10" in latest
            or first_line in ESCAPED_TITLES
            or LONG_TITLE.startswith(first_line.rstrip("…"))
        ), latest
    for text in ["/start 👩🏽‍💻", "/help \u202eпривіт", "/weather 🌧", "привіт 👋 שלום"]:
        _sane(await say(telegram, USER, text))
    group_reply = await say(telegram, GROUP, "/losses 🔥", chat_type="group")
    assert "«🔥»" in _sane(group_reply)

    assert await bot.stop() == 0
    assert "Traceback" not in bot.log
    assert "No error handlers are registered" not in bot.log
