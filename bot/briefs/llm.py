"""The optional LLM summariser: an OpenAI-compatible chat-completions endpoint over httpx.

The model is asked, in Ukrainian, for a JSON object ``{"title": …, "summary": …}`` with 1–3
factual sentences.  Its answer is never trusted: :func:`validate_summary` checks length,
Ukrainian Cyrillic, absence of markup and links, whole sentences, and that every number in it
occurs in the article.  Any failure — network, timeout, HTTP status, malformed JSON, a failed
check — raises :class:`LlmError` with a one-line reason; the caller falls back to the
extractive summary (or skips a non-Ukrainian article).  The API key is sent only in the
Authorization header and never appears in a message.
"""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import httpx

from bot.briefs.extractive import MAX_SENTENCES
from bot.briefs.quotes import balanced
from bot.briefs.sentences import clean_text, is_complete, split_sentences
from bot.config import BriefsConfig
from bot.uk import detect_language

__all__ = [
    "LlmError",
    "LlmSummariser",
    "LlmSummary",
    "numbers_in",
    "validate_summary",
    "validate_title",
]

_MAX_ARTICLE_CHARS = 6000  # what the prompt carries of the article
_MAX_RESPONSE_BYTES = 64 * 1024
_MIN_SUMMARY = 20
_MAX_TITLE = 200

SYSTEM_PROMPT = (
    "Ти — редактор стрічки новин українською мовою. Перекажи новину одним–трьома короткими "
    "реченнями українською мовою: лише факти зі статті, без оцінок і власних доповнень. "
    "Числа бери тільки зі статті. Без розмітки, посилань і емодзі. "
    'Відповідай лише об\'єктом JSON: {"title": "заголовок українською", "summary": "переказ"}.'
)

_NUMBER = re.compile(r"\d+(?:[  \u202f]\d{3})*(?:[.,]\d+)?")
_MARKUP = re.compile(r"[<>*_`#\[\]{}|]|https?://|www\.|&[a-z]+;|&#\d+;")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class LlmError(Exception):
    """The LLM gave no usable summary; the message says why (one line, no secrets)."""


@dataclass(frozen=True, slots=True)
class LlmSummary:
    title: str  # a Ukrainian title (the model's; used only when the article's is not Ukrainian)
    sentences: tuple[str, ...]


def numbers_in(text: str) -> set[str]:
    """The numbers of ``text``, normalised: group separators dropped, decimal comma → point."""
    out = set()
    for raw in _NUMBER.findall(text):
        number = re.sub(r"[  \u202f]", "", raw).replace(",", ".")
        out.add(number)
        if "." in number:  # "2.5" in the summary may be "2,5" or "2.5" in the article
            out.add(number.rstrip("0").rstrip("."))
    return out


def validate_summary(summary: str, article_text: str, budget: int) -> tuple[str, ...]:
    """The summary's sentences if it is fit for a Ukrainian brief, else raise :class:`LlmError`."""
    text = " ".join(summary.split())
    if len(text) < _MIN_SUMMARY:
        raise LlmError("summary empty or too short")
    if len(text) > budget:
        raise LlmError(f"summary longer than {budget} characters ({len(text)})")
    if _MARKUP.search(text):
        raise LlmError("summary contains markup or a link")
    if any(unicodedata.category(c) in ("So", "Cs", "Co") for c in text):
        raise LlmError("summary contains emoji or symbols")
    if detect_language(text) != "uk":
        raise LlmError("summary is not in Ukrainian")
    letters = len(_LETTER.findall(text))
    if letters and len(_LATIN.findall(text)) > letters * 0.2:
        raise LlmError("summary is mostly Latin script")
    invented = numbers_in(text) - numbers_in(article_text)
    if invented:
        raise LlmError(f"summary has numbers absent from the article: {sorted(invented)[:3]}")
    if not balanced(text):
        raise LlmError("summary has an unbalanced quotation")
    split = split_sentences(text)
    count = sum(s.parts for s in split)  # as a reader counts them, quoted sentences included
    if not 1 <= count <= MAX_SENTENCES:
        raise LlmError(f"summary has {count} sentences")
    sentences = tuple(s.text for s in split)
    if not all(is_complete(s) for s in sentences):
        raise LlmError("summary does not end with a whole sentence")
    return sentences


def validate_title(title: str, article_text: str) -> str:
    text = " ".join(title.split()).strip(' "«»')
    if not text or len(text) > _MAX_TITLE or _MARKUP.search(text):
        raise LlmError("title missing, too long or with markup")
    if detect_language(text) not in ("uk", "unknown") or not any(
        "\u0400" <= c <= "\u04ff" for c in text
    ):
        raise LlmError("title is not in Ukrainian")
    if numbers_in(text) - numbers_in(article_text):
        raise LlmError("title has numbers absent from the article")
    return text


def _content(payload: Any) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmError("response has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise LlmError("message content is not text")
    return content


def _parse_answer(content: str) -> tuple[str, str]:
    """(title, summary) from the model's JSON answer (code fences tolerated)."""
    raw = _FENCE.sub("", content.strip())
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        start, end = raw.find("{"), raw.rfind("}")
        try:
            data = json.loads(raw[start : end + 1]) if 0 <= start < end else None
        except json.JSONDecodeError:
            data = None
    if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
        raise LlmError("answer is not a JSON object with a summary")
    title = data.get("title")
    return (title if isinstance(title, str) else ""), data["summary"]


class LlmSummariser:
    """Summaries from a chat-completions endpoint, at most ``llm_concurrency`` at a time."""

    name = "llm"

    def __init__(self, config: BriefsConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._slots = asyncio.Semaphore(config.llm_concurrency)

    @property
    def configured(self) -> bool:
        return bool(self._config.llm_base_url and self._config.llm_model)

    def _request(self, title: str, text: str, budget: int) -> dict[str, Any]:
        body = clean_text(text)[:_MAX_ARTICLE_CHARS]
        user = (
            f"Переказ — не довше ніж {budget} символів.\n\n"
            f"Заголовок: {clean_text(title)}\n\nТекст статті:\n{body}"
        )
        return {
            "model": self._config.llm_model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user},
            ],
            "temperature": 0.2,
            "max_tokens": 600,
        }

    async def _post(
        self,
        url: str,
        title: str,
        text: str,
        budget: int,
        headers: dict[str, str],
    ) -> tuple[int, bytes]:
        """(status, body) of one request; a body over the size cap raises LlmError."""
        request = self._request(title, text, budget)
        async with self._http.stream(
            "POST", url, json=request, headers=headers, timeout=self._config.llm_timeout_seconds
        ) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > _MAX_RESPONSE_BYTES:
                    raise LlmError("answer too large")
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)

    async def summarise(
        self, title: str, text: str, budget: int, *, need_title: bool
    ) -> LlmSummary:
        """A validated summary (and, if ``need_title``, a Ukrainian title); else LlmError."""
        if not self.configured:
            raise LlmError("LLM not configured (briefs.llm_base_url and briefs.llm_model)")
        url = self._config.llm_base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self._config.llm_api_key:
            headers["Authorization"] = f"Bearer {self._config.llm_api_key}"
        timeout = self._config.llm_timeout_seconds
        async with self._slots:
            try:
                async with asyncio.timeout(timeout):
                    status, body = await self._post(url, title, text, budget, headers)
            except TimeoutError:
                raise LlmError(f"no answer within {timeout:g} s") from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise LlmError(f"request failed: {type(exc).__name__}") from None
        if status != 200:
            raise LlmError(f"HTTP {status}")
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise LlmError("answer is not JSON") from None
        new_title, summary = _parse_answer(_content(payload))
        source = f"{title}\n{text}"
        sentences = validate_summary(summary, source, budget)
        return LlmSummary(validate_title(new_title, source) if need_title else "", sentences)
