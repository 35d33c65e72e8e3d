"""FakeTelegram's webhook: what Telegram does between setWebhook and deleteWebhook, checked
against a loopback receiver standing in for the bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.fakes._http import LoopbackServer, Request, Response
from bot.fakes.telegram import FakeTelegram
from bot.fakes.webhook import SECRET_HEADER

SECRET = "receiver-secret"


class Receiver:
    """A webhook endpoint answering ``status``; records what it was sent."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.server = LoopbackServer(self._handle)

    async def _handle(self, request: Request) -> Response:
        secret = request.headers.get(SECRET_HEADER.lower())
        if self.status == 200:
            self.received.append((json.loads(request.body), secret))
        return Response(self.status)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.webhook_retry_seconds = 0.05
        yield fake


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.server.start()
    try:
        yield r
    finally:
        await r.server.close()


async def _call(tg: FakeTelegram, method: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{tg.base_url}{tg.token}/{method}", json=params)


async def test_pending_updates_are_posted_in_order_with_the_secret(
    tg: FakeTelegram, receiver: Receiver
) -> None:
    first = tg.user_message(101, "/start")  # queued before the webhook exists
    url = f"{receiver.server.url}/hook"
    assert (await _call(tg, "setWebhook", url=url, secret_token=SECRET)).json()["result"] is True
    second = tg.user_message(102, "/help")
    await tg.wait_until(lambda: len(receiver.received) == 2)
    assert [u["update_id"] for u, _ in receiver.received] == [first, second]
    assert {secret for _, secret in receiver.received} == {SECRET}
    assert tg.pending_updates == 0
    info = (await _call(tg, "getWebhookInfo")).json()["result"]
    assert (info["url"], info["pending_update_count"]) == (url, 0)


async def test_a_refused_post_stays_pending_and_is_retried(
    tg: FakeTelegram, receiver: Receiver
) -> None:
    receiver.status = 403
    await _call(tg, "setWebhook", url=f"{receiver.server.url}/hook", secret_token=SECRET)
    update = tg.user_message(101, "/start")
    await tg.wait_until(lambda: sum(p.status == 403 for p in tg.webhook_posts) >= 2)
    assert tg.pending_updates == 1
    info = (await _call(tg, "getWebhookInfo")).json()["result"]
    assert info["last_error_message"] == "Wrong response from the webhook: 403"
    receiver.status = 200
    await tg.wait_until(lambda: tg.pending_updates == 0)
    assert [u["update_id"] for u, _ in receiver.received] == [update]


async def test_get_updates_conflicts_until_delete_webhook_which_keeps_pending(
    tg: FakeTelegram,
) -> None:
    await _call(tg, "setWebhook", url="http://127.0.0.1:9/hook")  # nothing listens there
    update = tg.user_message(101, "/start")
    conflict = await _call(tg, "getUpdates")
    assert conflict.status_code == 409
    assert "use deleteWebhook" in conflict.json()["description"]
    await tg.wait_until(lambda: any(p.error for p in tg.webhook_posts))
    assert (await _call(tg, "deleteWebhook", drop_pending_updates=False)).status_code == 200
    assert tg.webhook_url == ""
    got = (await _call(tg, "getUpdates")).json()["result"]
    assert [u["update_id"] for u in got] == [update]


async def test_drop_pending_updates_drops_them(tg: FakeTelegram, receiver: Receiver) -> None:
    tg.user_message(101, "/start")
    await _call(tg, "setWebhook", url=f"{receiver.server.url}/h", drop_pending_updates=True)
    assert tg.pending_updates == 0
    await _call(tg, "setWebhook", url="")  # an empty URL removes the webhook
    assert tg.webhook_url == ""


async def test_bad_webhook_parameters_are_refused(tg: FakeTelegram) -> None:
    bad_url = await _call(tg, "setWebhook", url="ftp://x")
    bad_secret = await _call(tg, "setWebhook", url="https://x.example/h", secret_token="a b")
    assert (bad_url.status_code, bad_secret.status_code) == (400, 400)
    assert "bad webhook" in bad_secret.json()["description"]
    assert tg.webhook_url == ""


async def test_post_to_webhook_sends_what_the_test_chooses(
    tg: FakeTelegram, receiver: Receiver
) -> None:
    await _call(tg, "setWebhook", url=f"{receiver.server.url}/hook", secret_token=SECRET)
    assert await tg.post_to_webhook(5, "/help", secret="forged") == 200
    assert await tg.post_to_webhook(5, "/help", secret=None) == 200
    assert [s for _, s in receiver.received] == ["forged", None]
    assert not tg.updates  # not a queued update of the fake's own
