"""One user floods the bot with 100 commands: the bot stays within Telegram's limits, does not
crash, and another user's /latest is still answered at once.

The flood is injected as one burst (harsher than 100 commands spread over 10 s).  Nothing is
timed: "at once" means the other user's answer comes before the flooder has had more than a
handful of theirs (the flooder's replies are paced at about one a second, Telegram's per-chat
limit).  This test found the starvation (every one of PTB's 64 update slots held by the
flooder's replies, each waiting for that chat's 1 message/s); bot/updates.py fixed it.
"""

from __future__ import annotations

from e2e_harness import ConfigWriter, StartBot
from pipeline_support import LOSSES_PATH, WAIT, say, serve_losses

from bot.fakes import FakeNews, FakeTelegram, check_telegram_html

FLOODER = 6660
OTHER = 6661
FLOOD = 100
PATIENCE = 5  # flooder replies (about one a second) another user may wait behind


async def test_a_flood_from_one_user_does_not_starve_another(
    telegram: FakeTelegram,
    news: FakeNews,
    bot_config: ConfigWriter,
    start_bot: StartBot,
) -> None:
    serve_losses(news)
    bot = await start_bot(bot_config(losses={"backfill_days": 1}))
    await news.wait_for_hits(LOSSES_PATH, 1, timeout=WAIT)  # the flood's /losses have data

    commands = ["/latest", "/losses", "/help", "/latest 3", "/start", "/nonsense", "привіт"]
    for i in range(FLOOD):
        telegram.user_message(FLOODER, commands[i % len(commands)])
    before = len(telegram.sent)
    telegram.user_message(OTHER, "/latest 1")

    def other_answered() -> bool:
        return any(m.chat_id == OTHER for m in telegram.sent[before:])

    await telegram.wait_until(
        lambda: other_answered() or len(telegram.messages_to(FLOODER)) > PATIENCE, WAIT
    )
    # Whatever else happens: no crash, every reply valid, and never over Telegram's limits.
    assert bot.proc.returncode is None
    assert telegram.count_429 == 0, telegram.rate_limited[:5]
    for message in telegram.messages_to(FLOODER):
        check_telegram_html(message.text or message.caption or "")
    flooder_replies = len(telegram.messages_to(FLOODER))
    assert other_answered(), f"another user's /latest waited behind {flooder_replies} replies"
    other = next(m for m in telegram.sent[before:] if m.chat_id == OTHER)
    assert "Новин ще немає" in other.visible_text  # no sources in this run
    help_reply = await say(telegram, OTHER, "/help")
    assert "/latest" in help_reply.visible_text
    # The flooder is still being answered, paced at its chat's limit, all within the limits.
    await telegram.wait_until(lambda: len(telegram.messages_to(FLOODER)) >= 3, WAIT)
    assert telegram.count_429 == 0, telegram.rate_limited[:5]
    assert await bot.stop() == 0
    assert "Traceback" not in bot.log
