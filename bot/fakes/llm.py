"""A fake OpenAI-compatible chat-completions endpoint on loopback, for tests and the demo.

    async with FakeLLM(api_key="sk-test") as llm:
        config = BriefsConfig(summariser="llm", llm_base_url=llm.base_url, llm_model="fake",
                              llm_api_key="sk-test")
        llm.reply('{"title": "…", "summary": "…"}')   # queue answers (content strings)
        llm.fail_next(503)                              # or an HTTP error
        llm.hang_next()                                 # or no answer at all

``POST {base_url}/chat/completions`` answers with the next queued item; with nothing queued
it answers with :meth:`FakeLLM.default_answer` — the article's first two sentences and its
title as JSON, which is a valid Ukrainian summary for a Ukrainian article.  A wrong bearer
token gets 401.  Requests are recorded (:attr:`FakeLLM.requests`, the parsed JSON bodies);
:attr:`FakeLLM.in_flight` and :attr:`FakeLLM.peak_in_flight` show concurrency, and
:meth:`FakeLLM.hold` / :meth:`FakeLLM.release` keep answers back until the test lets them go.
Nothing is started at import.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.fakes._http import LoopbackFake, LoopbackServer, Request, Response

__all__ = ["FakeLLM"]

_JSON = [("Content-Type", "application/json")]
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[А-ЯІЇЄҐA-Z0-9«\"])")


@dataclass(frozen=True, slots=True)
class _Item:
    kind: str  # "reply", "status" or "hang"
    content: str = ""
    status: int = 200


class FakeLLM(LoopbackFake):
    """A chat-completions server on 127.0.0.1 (a free port)."""

    def __init__(self, *, api_key: str = "") -> None:
        self._server = LoopbackServer(self._handle)
        self._queue: deque[_Item] = deque()
        self._gate = asyncio.Event()
        self._gate.set()
        self._changed = asyncio.Condition()
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.peak_in_flight = 0

    async def close(self) -> None:
        self._gate.set()  # release held answers so their connections can end
        await super().close()

    @property
    def base_url(self) -> str:
        """The API root to configure (``…/v1``); requests go to ``{base_url}/chat/completions``."""
        return f"{self._server.url}/v1"

    def reply(self, *contents: str) -> None:
        """Queue answers: each is the assistant message content of one response."""
        self._queue.extend(_Item("reply", c) for c in contents)

    def reply_json(self, title: str, summary: str) -> None:
        self.reply(json.dumps({"title": title, "summary": summary}, ensure_ascii=False))

    def fail_next(self, status: int = 500) -> None:
        self._queue.append(_Item("status", status=status))

    def hang_next(self) -> None:
        """The next request gets no answer until the server closes."""
        self._queue.append(_Item("hang"))

    def hold(self) -> None:
        """Keep every answer back until :meth:`release`."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    async def wait_in_flight(self, count: int) -> None:
        """Wait until ``count`` requests are being served at once."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight >= count)

    @staticmethod
    def default_answer(body: dict[str, Any]) -> str:
        """The article's title and first two sentences, as the JSON the prompt asks for."""
        user = next(
            (m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"),
            "",
        )
        title = re.search(r"^Заголовок: (.*)$", user, re.M)
        _, _, text = user.partition("Текст статті:\n")
        sentences = _SENTENCE_END.split(" ".join(text.split()))
        summary = " ".join(sentences[:2])
        return json.dumps(
            {"title": title.group(1) if title else "", "summary": summary}, ensure_ascii=False
        )

    async def _count(self, delta: int) -> None:
        async with self._changed:
            self.in_flight += delta
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._changed.notify_all()

    async def _handle(self, request: Request) -> Response:
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return Response(404, _JSON, b'{"error": {"message": "not found"}}')
        if self.api_key and request.header("authorization") != f"Bearer {self.api_key}":
            return Response(401, _JSON, b'{"error": {"message": "invalid api key"}}')
        try:
            body = json.loads(request.body)
        except json.JSONDecodeError:
            return Response(400, _JSON, b'{"error": {"message": "invalid json"}}')
        self.requests.append(body)
        item = self._queue.popleft() if self._queue else None
        await self._count(+1)
        try:
            await self._gate.wait()
            if item is not None and item.kind == "hang":
                await asyncio.Event().wait()
            if item is not None and item.kind == "status":
                message = json.dumps({"error": {"message": f"status {item.status}"}})
                return Response(item.status, _JSON, message.encode())
            content = item.content if item is not None else self.default_answer(body)
            answer = {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "model": body.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
            return Response(200, _JSON, json.dumps(answer, ensure_ascii=False).encode())
        finally:
            await self._count(-1)
