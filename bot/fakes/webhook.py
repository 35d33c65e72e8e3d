"""Telegram's side of a webhook, for :class:`~bot.fakes.telegram.FakeTelegram`.

Between ``setWebhook`` and ``deleteWebhook`` Telegram posts every pending update to the URL,
as JSON with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set, and
forgets an update only when the bot answered 2xx.  :class:`WebhookPusher` does the same, one
update at a time and in order; a refused or failed post leaves the update pending and is
retried after ``retry_seconds`` (Telegram backs off longer; the tests want it quick).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["SECRET_HEADER", "WebhookPost", "WebhookPusher", "post_update"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WebhookPost:
    """One post of an update to the webhook: the answer's status, or the connection error."""

    update_id: int
    status: int | None
    error: str | None
    secret: str | None  # the header as sent (None: no header)
    at: float


async def post_update(
    client: httpx.AsyncClient, url: str, update: JSONDict, secret: str | None
) -> tuple[int | None, str | None]:
    """POST ``update`` to ``url`` as Telegram does; (status, None) or (None, error words)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    try:
        response = await client.post(url, content=json.dumps(update), headers=headers)
    except httpx.HTTPError as exc:
        return None, f"Connection failed: {type(exc).__name__}"
    return response.status_code, None


class WebhookPusher:
    """Posts ``next_update()`` to ``url`` until stopped; ``confirm(update_id)`` on a 2xx."""

    def __init__(
        self,
        url: str,
        secret: str | None,
        *,
        next_update: Callable[[], JSONDict | None],
        confirm: Callable[[int], None],
        wait_for_update: Callable[[float], Awaitable[None]],
        record: Callable[[WebhookPost], None],
        retry_seconds: float,
    ) -> None:
        self.url, self.secret = url, secret
        self._next_update, self._confirm = next_update, confirm
        self._wait_for_update, self._record = wait_for_update, record
        self._retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self.last_error: tuple[int, str] | None = None  # (unix time, message)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="fake-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            while True:
                update = self._next_update()
                if update is None:
                    await self._wait_for_update(60.0)
                    continue
                status, error = await post_update(client, self.url, update, self.secret)
                self._record(
                    WebhookPost(update["update_id"], status, error, self.secret, time.monotonic())
                )
                if status is not None and 200 <= status < 300:
                    self._confirm(update["update_id"] + 1)
                    continue
                message = error or f"Wrong response from the webhook: {status}"
                self.last_error = (int(time.time()), message)
                await asyncio.sleep(self._retry_seconds)
