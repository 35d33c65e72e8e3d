"""BriefMaker end to end: extractive by default, the LLM against a fake endpoint on loopback,
non-Ukrainian articles, and bad input that must never raise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.briefs.maker import ArticleText, BriefMaker
from bot.briefs.render import CAPTION_LIMIT, visible_length
from bot.briefs.sentences import clean_text, split_sentences
from bot.config import BriefsConfig
from bot.fakes.llm import FakeLLM
from bot.fakes.telegram import check_telegram_html

DATA = Path(__file__).resolve().parent.parent / "data" / "briefs"
COUNTER = "Втрати ворога: 912\u00a0490 осіб (+1\u00a0530)"
KEY = "sk-test-key"

ENGLISH = ArticleText(
    "Russia deepens ties with China and North Korea, ISW says",
    "Russia continues to deepen its relations with China and North Korea, the Institute for "
    "the Study of War said in its report of February 28. Sergei Shoigu met Xi Jinping in "
    "Beijing on February 28. The analysts said 3 agreements were signed.",
    "https://example.com/isw",
    "ISW",
    "en",
)
UK_SUMMARY = (
    "Росія поглиблює зв'язки з Китаєм і Північною Кореєю, йдеться у звіті ISW від 28 лютого. "
    "Сергій Шойгу зустрівся із Сі Цзіньпіном у Пекіні."
)


def drones() -> ArticleText:
    title, _, text = (DATA / "article_drones.txt").read_text(encoding="utf-8").partition("\n")
    return ArticleText(title, text, "https://example.com/drones", "Черкаські новини")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM(api_key=KEY) as fake:
        yield fake


def llm_config(llm: FakeLLM, **overrides: object) -> BriefsConfig:
    settings: dict[str, object] = {
        "summariser": "llm",
        "llm_base_url": llm.base_url,
        "llm_model": "fake-model",
        "llm_api_key": KEY,
        "llm_timeout_seconds": 5.0,
    }
    settings.update(overrides)
    return BriefsConfig(**settings)  # type: ignore[arg-type]


def assert_valid(html: str) -> None:
    assert visible_length(check_telegram_html(html)) <= CAPTION_LIMIT


async def test_extractive_brief(http: httpx.AsyncClient) -> None:
    brief = await BriefMaker(BriefsConfig(), http).make(drones(), COUNTER)
    assert brief is not None
    assert brief.summariser == "extractive"
    assert brief.title == "У Черкасах відкрили навчальний центр для операторів дронів"
    expected = (DATA / "article_drones.summary.txt").read_text(encoding="utf-8").split("\n")
    assert brief.summary == " ".join(s for s in expected if s)
    assert brief.html.startswith(f"<b>{brief.title}</b>\n\n")
    assert COUNTER in brief.html
    assert brief.html.endswith(
        'Черкаські новини · <a href="https://example.com/drones">Читати повністю</a>'
    )
    assert_valid(brief.html)


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_non_ukrainian_is_skipped_without_llm(
    http: httpx.AsyncClient, language: str, caplog: pytest.LogCaptureFixture
) -> None:
    article = ArticleText("Заголовок", "Текст", "https://example.com/x", "X", language)
    with caplog.at_level(logging.INFO, logger="bot.briefs.maker"):
        assert await BriefMaker(BriefsConfig(), http).make(article, COUNTER) is None
    assert f"not briefed ({language}, no LLM configured)" in caplog.text


async def test_unknown_language_is_looked_at_again(http: httpx.AsyncClient) -> None:
    maker = BriefMaker(BriefsConfig(), http)
    russian = ArticleText("Объявлена эвакуация", "", "", "X", "unknown")
    assert await maker.make(russian, None) is None
    ukrainian = ArticleText("Оголосили евакуацію", "", "", "X", "unknown")
    brief = await maker.make(ukrainian, None)
    assert brief is not None and brief.summariser == "none"


async def test_llm_summary_is_used(http: httpx.AsyncClient, llm: FakeLLM) -> None:
    summary = (
        "У Черкасах 3 березня відкрили навчальний центр для операторів безпілотників. "
        "Перші 40 курсантів почнуть навчання наступного тижня."
    )
    llm.reply_json("Не використовується", summary)
    brief = await BriefMaker(llm_config(llm), http).make(drones(), COUNTER)
    assert brief is not None
    assert brief.summariser == "llm"
    assert brief.summary == summary
    assert brief.title == drones().title  # a Ukrainian article keeps its own title
    assert_valid(brief.html)
    request = llm.requests[0]
    assert request["model"] == "fake-model"
    assert request["messages"][0]["role"] == "system"
    assert "українською" in request["messages"][0]["content"]
    assert "Черкасах" in request["messages"][1]["content"]


async def test_the_stored_title_summary_and_html_are_typeset(http: httpx.AsyncClient) -> None:
    title, _, text = (DATA / "article_typography.txt").read_text(encoding="utf-8").partition("\n")
    article = ArticleText(title, text, "https://example.com/a?b=1&c=2", "Полтавщина")
    brief = await BriefMaker(BriefsConfig(), http).make(article, COUNTER)
    assert brief is not None
    assert brief.title == "Суд зобов’язав ТОВ «Мегабуд» відновити сквер — рішення набуло чинності"
    assert brief.summary.startswith(
        "Господарський суд Полтавської області зобов’язав ТОВ «Мегабуд»"
    )
    assert '"' not in brief.summary and "'" not in brief.summary and " - " not in brief.summary
    assert brief.html.startswith(f"<b>{brief.title}</b>\n\n{brief.summary}\n\n")
    assert "&amp;amp;" not in brief.html
    assert_valid(brief.html)


async def test_english_article_becomes_a_ukrainian_brief(
    http: httpx.AsyncClient, llm: FakeLLM
) -> None:
    llm.reply_json("Росія поглиблює зв'язки з Китаєм і КНДР — ISW", UK_SUMMARY)
    brief = await BriefMaker(llm_config(llm), http).make(ENGLISH, COUNTER)
    assert brief is not None
    assert brief.summariser == "llm"
    assert brief.title == "Росія поглиблює зв’язки з Китаєм і КНДР — ISW"  # typeset
    assert brief.summary == UK_SUMMARY.replace("'", "’")  # typeset
    assert_valid(brief.html)


async def test_english_article_is_skipped_when_the_llm_answers_in_english(
    http: httpx.AsyncClient, llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    llm.reply_json("Russia deepens ties", "Russia deepens ties with China, ISW says.")
    with caplog.at_level(logging.WARNING, logger="bot.briefs.maker"):
        assert await BriefMaker(llm_config(llm), http).make(ENGLISH, COUNTER) is None
    assert "summary is not in Ukrainian" in caplog.text


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ('{"title": "", "summary": "У Черкасах відкрили 7 центрів для операторів дронів."}',
         "numbers absent from the article"),
        ('{"title": "", "summary": "В Черкассах открыли центр для операторов дронов."}',
         "not in Ukrainian"),
        ('{"title": "", "summary": "У Черкасах відкрили **центр** для операторів дронів."}',
         "markup"),
        ('{"title": "", "summary": "У Черкасах відкрили центр, див. https://x.ua/a тут."}',
         "markup or a link"),
        ('{"title": "", "summary": "' + "У Черкасах відкрили центр для дронів. " * 20 + '"}',
         "longer than 450"),
        ('{"title": "", "summary": "У Черкасах відкрили центр для операторів дронів"}',
         "whole sentence"),
        ("У Черкасах відкрили центр для операторів дронів.", "not a JSON object"),
        ('{"title": "", "summary": ""}', "too short"),
    ],
)  # fmt: skip
async def test_bad_llm_answer_falls_back_to_extractive(
    http: httpx.AsyncClient,
    llm: FakeLLM,
    caplog: pytest.LogCaptureFixture,
    answer: str,
    reason: str,
) -> None:
    llm.reply(answer)
    with caplog.at_level(logging.WARNING, logger="bot.briefs.maker"):
        brief = await BriefMaker(llm_config(llm), http).make(drones(), COUNTER)
    assert brief is not None
    assert brief.summariser == "extractive"
    assert reason in caplog.text


async def test_http_error_wrong_key_and_timeout_fall_back(
    http: httpx.AsyncClient, llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    maker = BriefMaker(llm_config(llm, llm_timeout_seconds=0.5), http)
    llm.fail_next(503)
    llm.hang_next()
    with caplog.at_level(logging.WARNING, logger="bot.briefs.maker"):
        first = await maker.make(drones(), COUNTER)
        second = await maker.make(drones(), COUNTER)
        wrong_key = BriefMaker(llm_config(llm, llm_api_key="sk-wrong"), http)
        third = await wrong_key.make(drones(), COUNTER)
    assert [b.summariser if b else None for b in (first, second, third)] == ["extractive"] * 3
    assert "HTTP 503" in caplog.text
    assert "no answer within 0.5 s" in caplog.text
    assert "HTTP 401" in caplog.text
    assert KEY not in caplog.text and "sk-wrong" not in caplog.text


async def test_unreachable_endpoint_falls_back(http: httpx.AsyncClient) -> None:
    async with FakeLLM() as gone:
        url = gone.base_url
    config = BriefsConfig(summariser="llm", llm_base_url=url, llm_model="m")
    brief = await BriefMaker(config, http).make(drones(), COUNTER)
    assert brief is not None and brief.summariser == "extractive"


async def test_llm_concurrency_is_capped(http: httpx.AsyncClient, llm: FakeLLM) -> None:
    maker = BriefMaker(llm_config(llm, llm_concurrency=2), http)
    llm.hold()
    tasks = [asyncio.create_task(maker.make(drones(), COUNTER)) for _ in range(5)]
    await llm.wait_in_flight(2)
    assert len(llm.requests) == 2
    llm.release()
    briefs = await asyncio.gather(*tasks)
    assert all(b is not None and b.summariser == "llm" for b in briefs)
    assert llm.peak_in_flight == 2
    assert len(llm.requests) == 5


async def test_llm_configured_but_incomplete_uses_extractive(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.briefs.maker"):
        maker = BriefMaker(BriefsConfig(summariser="llm"), http)
    assert "llm_base_url or briefs.llm_model is missing" in caplog.text
    brief = await maker.make(drones(), COUNTER)
    assert brief is not None and brief.summariser == "extractive"


BAD_INPUTS = {
    "empty": "",
    "one sentence": "У Черкасах відкрили навчальний центр для операторів дронів.",
    "200 kB": (
        "У Черкасах відкрили навчальний центр для операторів дронів, кажуть у міськраді. "
        "Перші курсанти почнуть навчання наступного тижня, а курс триватиме шість тижнів.\n"
    )
    * 1250,
    "no punctuation": "у черкасах відкрили центр для операторів дронів " * 40,
    "all caps": (
        "У ЧЕРКАСАХ ВІДКРИЛИ НАВЧАЛЬНИЙ ЦЕНТР ДЛЯ ОПЕРАТОРІВ ДРОНІВ. "
        "ПЕРШІ 40 КУРСАНТІВ ПОЧНУТЬ НАВЧАННЯ НАСТУПНОГО ТИЖНЯ."
    ),
    "mixed scripts": (
        "У Cherкасах вiдкрили центр для операторiв дронiв DJI Mavic. "
        "Перші 40 курсантів почнуть навчання наступного тижня, кажуть у місті."
    ),
    "emoji": "🔥🔥 У Черкасах відкрили центр для операторів дронів 🇺🇦! Долучайтеся 👉 зараз.",
    "stray html": (
        "<p>У Черкасах відкрили <b>навчальний центр</b> для операторів дронів.</p>"
        "<script>alert(1)</script><div class='x'>Перші 40 курсантів почнуть навчання &amp; "
        "практику наступного тижня.</div><img src=x onerror=1> &nbsp; </p"
    ),
    "control characters": "У Черкасах\x00 відкрили\x07 центр для операторів дронів.\x1b[0m",
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
async def test_bad_input_gives_a_sane_brief(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    text = BAD_INPUTS[name]
    article = ArticleText("Заголовок <новини> & «лапки»", text, "https://x.ua/1", "X", "uk")
    with caplog.at_level(logging.INFO, logger="bot.briefs.maker"):
        brief = await BriefMaker(BriefsConfig(), http).make(article, COUNTER)
    assert brief is not None
    assert_valid(brief.html)
    assert brief.title == "Заголовок <новини> & «лапки»"
    if brief.summary:
        source = {s.text for s in split_sentences(clean_text(text))}
        rendered = brief.summary
        assert any(rendered.startswith(s) for s in source)
        assert len(brief.summary) <= 450
    else:
        assert brief.summariser == "none"
        assert "title-only brief (" in caplog.text


async def test_title_only_when_there_is_no_title_uses_the_first_words(
    http: httpx.AsyncClient,
) -> None:
    maker = BriefMaker(BriefsConfig(), http)
    assert await maker.make(ArticleText("", "", "", "X"), None) is None
    brief = await maker.make(ArticleText(" ", "Коротко: новина без заголовка", "", "X"), None)
    assert brief is not None and brief.title == "Коротко: новина без заголовка"


async def test_malformed_llm_url_falls_back(http: httpx.AsyncClient) -> None:
    config = BriefsConfig(summariser="llm", llm_base_url="http://[::1", llm_model="m")
    brief = await BriefMaker(config, http).make(drones(), COUNTER)
    assert brief is not None and brief.summariser == "extractive"


async def test_untitled_article_takes_its_first_sentence_as_title(
    http: httpx.AsyncClient,
) -> None:
    article = drones()
    brief = await BriefMaker(BriefsConfig(), http).make(
        ArticleText("", article.text, article.url, article.source_name), None
    )
    assert brief is not None
    first = (
        "У Черкасах у понеділок, 3 березня, відкрили навчальний центр для операторів безпілотників."
    )
    assert brief.title == first
    assert first not in brief.summary


async def test_oversized_llm_answer_falls_back(
    http: httpx.AsyncClient, llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    llm.reply("{" + " " * 100_000 + "}")
    with caplog.at_level(logging.WARNING, logger="bot.briefs.maker"):
        brief = await BriefMaker(llm_config(llm), http).make(drones(), COUNTER)
    assert brief is not None and brief.summariser == "extractive"
    assert "answer too large" in caplog.text
