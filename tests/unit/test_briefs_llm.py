"""Checks on what an LLM answered: nothing unchecked reaches a subscriber."""

from __future__ import annotations

import pytest

from bot.briefs.llm import LlmError, _parse_answer, numbers_in, validate_summary, validate_title

ARTICLE = (
    "У Черкасах відкрили центр для операторів дронів. Перші 40 курсантів почнуть навчання "
    "наступного тижня. Центр коштував 12,5 млн грн, ще 1 200 000 грн дали благодійники."
)


def test_numbers_are_normalised() -> None:
    assert numbers_in("12,5 млн і 1 200 000 грн, 40 осіб, 2.50") >= {"12.5", "1200000", "40"}
    assert "2.5" in numbers_in("2.50")


def test_valid_summary_is_split_into_sentences() -> None:
    summary = "У Черкасах відкрили центр для операторів дронів. Він коштував 12.5 млн грн."
    assert validate_summary(summary, ARTICLE, 450) == (
        "У Черкасах відкрили центр для операторів дронів.",
        "Він коштував 12.5 млн грн.",
    )


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("Коротко.", "too short"),
        ("У Черкасах навчатимуть 45 курсантів-операторів дронів.", "numbers absent"),
        ("В Черкассах открыли центр для операторов дронов.", "not in Ukrainian"),
        ("In Cherkasy a drone operator centre opened with 40 cadets.", "not in Ukrainian"),
        ("У Черкасах відкрили <b>центр</b> для операторів дронів.", "markup"),
        ("У Черкасах відкрили центр для операторів дронів 🚁.", "emoji"),
        ("У Черкасах відкрили центр. Перше. Друге речення. Третє речення тут.", "4 sentences"),
        ("У Черкасах відкрили центр для операторів дронів і", "whole sentence"),
        (
            "«Центр відкрили. Курсанти вчаться. Інструктори досвідчені», — сказав мер. "
            "Центр коштував 12,5 млн грн.",
            "4 sentences",
        ),
        ("«У Черкасах відкрили центр для операторів дронів, — сказав мер.", "unbalanced"),
    ],
)
def test_rejected_summaries(summary: str, reason: str) -> None:
    with pytest.raises(LlmError, match=reason):
        validate_summary(summary, ARTICLE, 450)


def test_budget() -> None:
    with pytest.raises(LlmError, match="longer than 30"):
        validate_summary("У Черкасах відкрили центр для операторів дронів.", ARTICLE, 30)


def test_title_checks() -> None:
    assert validate_title(" «Черкаси: центр для операторів дронів» ", ARTICLE) == (
        "Черкаси: центр для операторів дронів"
    )
    for bad in ("", "Drone centre opens", "Центр на 99 місць", "x" * 300):
        with pytest.raises(LlmError):
            validate_title(bad, ARTICLE)


@pytest.mark.parametrize(
    "content",
    [
        '{"title": "Т", "summary": "С"}',
        '```json\n{"title": "Т", "summary": "С"}\n```',
        'Ось відповідь: {"title": "Т", "summary": "С"} — готово',
    ],
)
def test_answer_parsing_tolerates_fences_and_chatter(content: str) -> None:
    assert _parse_answer(content) == ("Т", "С")


@pytest.mark.parametrize("content", ["", "просто текст", '{"title": "Т"}', '["summary"]'])
def test_answer_without_a_summary(content: str) -> None:
    with pytest.raises(LlmError, match="not a JSON object"):
        _parse_answer(content)
