"""Webhook mode end to end: the real ``newsbot run`` serving python-telegram-bot's webhook,
with FakeTelegram posting updates to it as Telegram does."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
from e2e_harness import ConfigWriter, StartBot
from prometheus_client.parser import text_string_to_metric_families

from bot.fakes import FakeTelegram

SECRET = "hook-Secret_0123456789"
USER, STRANGER = 5551, 5552


def _free_port() -> int:
    """A loopback port free right now (the webhook URL must name its port before start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _webhook_config(bot_config: ConfigWriter, *, name: str = "webhook.toml") -> tuple[Path, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    telegram = {
        "mode": "webhook",
        "webhook_url": url,
        "listen": f"127.0.0.1:{port}",
        "secret_token": SECRET,
    }
    return bot_config(name=name, telegram=telegram), url


async def _refused(ops_url: str) -> dict[str, float]:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{ops_url}/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "newsbot_webhook_refused":
            return {
                s.labels["reason"]: s.value for s in family.samples if s.name.endswith("_total")
            }
    return {}


async def test_webhook_answers_telegram_and_refuses_a_missing_or_wrong_secret(
    telegram: FakeTelegram, bot_config: ConfigWriter, start_bot: StartBot
) -> None:
    config, url = _webhook_config(bot_config)
    bot = await start_bot(config, ready_method="setWebhook")

    set_call = telegram.calls_of("setWebhook")[-1]
    assert set_call.params["url"] == url
    assert set_call.params["secret_token"] == SECRET
    assert set_call.params.get("drop_pending_updates") in (None, False)
    assert not telegram.calls_of("getUpdates")

    telegram.user_message(USER, "/help")
    reply = await telegram.wait_for_message(USER, timeout=20)
    assert "/latest" in reply.visible_text
    # The bot may answer before the fake has read the webhook's 200: wait for the record.
    await telegram.wait_until(lambda: bool(telegram.webhook_posts), timeout=20)
    assert [(p.status, p.secret) for p in telegram.webhook_posts] == [(200, SECRET)]

    assert await telegram.post_to_webhook(STRANGER, "/help", secret="not-the-secret") == 403
    assert await telegram.post_to_webhook(STRANGER, "/help", secret=None) == 403
    telegram.user_message(STRANGER, "/start")  # Telegram's own post, after the forged ones
    await telegram.wait_for_message(STRANGER, "Вітаю", timeout=20)
    assert len(telegram.messages_to(STRANGER)) == 1  # the forged /help got no answer

    assert await _refused(bot.ops_url) == {"wrong": 1.0, "missing": 1.0}
    assert await bot.stop() == 0
    assert "refused a request with a wrong secret token" in bot.log
    assert SECRET not in bot.log


async def test_switching_polling_webhook_polling_loses_no_update(
    telegram: FakeTelegram, bot_config: ConfigWriter, start_bot: StartBot
) -> None:
    polling = bot_config(name="polling.toml")
    webhook, url = _webhook_config(bot_config)
    users = [6001, 6002, 6003, 6004, 6005]

    first = await start_bot(polling)
    telegram.user_message(users[0], "/start")
    await telegram.wait_for_message(users[0], timeout=20)
    assert await first.stop() == 0

    telegram.user_message(users[1], "/start")  # no bot runs: Telegram keeps it
    second = await start_bot(webhook, ready_method="setWebhook")
    await telegram.wait_for_message(users[1], timeout=20)  # delivered through the webhook
    telegram.user_message(users[2], "/start")
    await telegram.wait_for_message(users[2], timeout=20)
    assert await second.stop() == 0

    # The webhook stays set while the bot is down: Telegram's posts fail and it keeps trying.
    queued = [telegram.user_message(u, "/start") for u in users[3:]]
    await telegram.wait_until(
        lambda: any(p.update_id == queued[0] and p.status is None for p in telegram.webhook_posts),
        timeout=20,
    )
    assert telegram.webhook_url == url
    third = await start_bot(polling)
    for user in users[3:]:
        await telegram.wait_for_message(user, timeout=20)
    assert telegram.webhook_url == ""
    delete = telegram.calls_of("deleteWebhook")[-1]
    assert delete.params.get("drop_pending_updates") in (None, False)
    assert await third.stop() == 0

    assert telegram.pending_updates == 0
    for user in users:
        assert len(telegram.messages_to(user)) == 1, user
