"""``newsbot preview``: files (HTML and plain text), URLs, --json, the LLM option."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.briefs.preview import run_preview
from bot.cli import _parser
from bot.clock import KYIV
from bot.fakes.llm import FakeLLM
from bot.fakes.news import FakeNews
from bot.fakes.telegram import check_telegram_html

DATA = Path(__file__).resolve().parent.parent / "data" / "briefs"
PAGE = DATA / "page_drones.html"
PLAIN = DATA / "article_court.txt"
DRONES_TITLE = "У Черкасах відкрили навчальний центр для операторів дронів"


def args(*inputs: str, summariser: str = "extractive", config: str | None = None,
         as_json: bool = True, counter: str | None = None,
         source: str | None = None) -> argparse.Namespace:  # fmt: skip
    return argparse.Namespace(
        inputs=list(inputs), summariser=summariser, config=config, json=as_json,
        counter=counter, source=source,
    )  # fmt: skip


def records(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_for_html_and_plain_text_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_preview(args(str(PAGE), str(PLAIN)), {}) == 0
    first, second = records(capsys.readouterr().out)
    assert set(first) == {"input", "title", "summary", "brief"}
    assert first["input"] == str(PAGE)
    assert first["title"] == DRONES_TITLE
    assert str(first["summary"]).startswith("У Черкасах у понеділок, 3 березня, відкрили")
    brief = str(first["brief"])
    check_telegram_html(brief)
    link = '<a href="https://example.com/news/drones-centre">Читати повністю</a>'
    assert brief.endswith(f"Черкаські новини · {link}")
    assert second["title"] == "Суд зобов’язав забудовника відновити сквер у центрі Полтави"
    assert "Суд Полтавської" in str(second["summary"]) or "суд Полтавської" in str(
        second["summary"]
    )


def test_plain_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_preview(args(str(PLAIN), as_json=False), {}) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"=== {PLAIN}\n<b>Суд зобов’язав забудовника")


def test_missing_file_is_reported_and_others_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    status = run_preview(args(str(tmp_path / "nope.txt"), str(empty), str(PLAIN)), {})
    captured = capsys.readouterr()
    assert status == 1
    assert "nope.txt: No such file or directory" in captured.err
    assert "empty.txt: the file is empty" in captured.err
    assert len(records(captured.out)) == 1


def test_llm_without_config_says_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_preview(args(str(PLAIN), summariser="llm"), {}) == 2
    err = capsys.readouterr().err
    assert "briefs.llm_base_url and briefs.llm_model" in err
    assert "--config" in err


def test_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[briefs]\nbudget_chars = -1\n", encoding="utf-8")
    assert run_preview(args(str(PLAIN), config=str(config)), {}) == 2
    assert "briefs.budget_chars" in capsys.readouterr().err


async def test_llm_from_config_without_a_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeLLM(api_key="sk-preview") as llm:
        config = tmp_path / "c.toml"
        config.write_text(
            f'[briefs]\nllm_base_url = "{llm.base_url}"\nllm_model = "m"\n'
            'llm_api_key = "sk-preview"\n',
            encoding="utf-8",
        )
        status = await asyncio.to_thread(
            run_preview, args(str(PLAIN), summariser="llm", config=str(config)), {}
        )
    assert status == 0
    (record,) = records(capsys.readouterr().out)
    # the fake answers with the article's first two sentences: a valid Ukrainian summary
    assert str(record["summary"]).startswith("Господарський суд Полтавської області")
    assert len(llm.requests) == 1


async def test_url_is_fetched_and_extracted(capsys: pytest.CaptureFixture[str]) -> None:
    async with FakeNews() as news:
        news.set("/news/drones", PAGE.read_bytes(), content_type="text/html; charset=utf-8")
        news.set("/gone", b"", status=404)
        status = await asyncio.to_thread(
            run_preview, args(f"{news.url}/news/drones", f"{news.url}/gone"), {}
        )
    captured = capsys.readouterr()
    assert status == 1
    (record,) = records(captured.out)
    assert record["title"] == DRONES_TITLE
    assert "/gone" in captured.err and "404" in captured.err


@pytest.mark.shared_data
def test_shared_samples(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = shared_data / "seed" / "gordonua_article_page_2025.txt"
    pages = sorted((shared_data / "html").glob("*.html"))
    assert run_preview(args(str(seed), *map(str, pages)), {}) == 0
    by_input = {r["input"]: r for r in records(capsys.readouterr().out)}
    gordon = by_input[str(seed)]
    assert str(gordon["title"]).startswith("Росія й далі демонструє поглиблення відносин")
    assert "ISW" in str(gordon["summary"])
    assert "912" not in str(gordon["summary"])  # the loss widget is not the article
    for record in by_input.values():
        if record["brief"] is not None:
            check_telegram_html(str(record["brief"]))
    russian = [r for k, r in by_input.items() if "pravda_rus" in k]
    assert russian and all(r["brief"] is None for r in russian)


LOSSES = Path(__file__).resolve().parent.parent / "data" / "losses"
NBSP = "\u00a0"
TODAYS_LINE = (
    f"Втрати ворога: 912{NBSP}490 осіб (+1{NBSP}740) · 10{NBSP}478 танків · 370 літаків · "
    "335 гелікоптерів"
)


def _todays_answer() -> dict[str, object]:
    """The 29 March 2025 report, dated today (Kyiv): no «станом на» in the line."""
    answer = json.loads((LOSSES / "api_latest_2025-03-29.json").read_text("utf-8"))
    answer["data"]["date"] = datetime.now(KYIV).date().isoformat()
    answer["data"].pop("day", None)
    return answer


def _paragraphs(brief: object) -> list[str]:
    return str(brief).split("\n\n")


def test_the_cli_takes_counter_and_source() -> None:
    parsed = _parser().parse_args(
        ["preview", "a.txt", "--counter", "live", "--source", "Суспільне"]
    )
    assert (parsed.counter, parsed.source, parsed.inputs) == ("live", "Суспільне", ["a.txt"])
    assert _parser().parse_args(["preview", "a.txt"]).counter is None


def test_source_name_for_a_text_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_preview(args(str(PLAIN), source="Суспільне"), {}) == 0
    (record,) = records(capsys.readouterr().out)
    assert _paragraphs(record["brief"])[-1] == "Суспільне"  # not "article_court.txt"
    assert run_preview(args(str(PLAIN)), {}) == 0
    (record,) = records(capsys.readouterr().out)
    assert _paragraphs(record["brief"])[-1] == "article_court.txt"


def test_counter_from_a_snapshot_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = tmp_path / "today.json"
    today.write_text(json.dumps(_todays_answer(), ensure_ascii=False), "utf-8")
    assert run_preview(args(str(PAGE), counter=str(today)), {}) == 0
    (record,) = records(capsys.readouterr().out)
    brief = str(record["brief"])
    check_telegram_html(brief)
    assert _paragraphs(brief)[-2] == TODAYS_LINE  # between the summary and the source line
    assert _paragraphs(brief)[-1].startswith("Черкаські новини · ")

    # A report of another day reads as subscribers would get it now: dated.
    old = LOSSES / "api_latest_2025-03-29.json"
    assert run_preview(args(str(PAGE), counter=str(old), as_json=False), {}) == 0
    out = capsys.readouterr().out
    assert f"Втрати ворога станом на 29 березня 2025: 912{NBSP}490 осіб (+1{NBSP}740)" in out


def test_a_bad_counter_file_stops_before_any_brief(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": {"date": "2025-03-29"}}', "utf-8")
    assert run_preview(args(str(PLAIN), counter=str(bad)), {}) == 1
    captured = capsys.readouterr()
    assert "bad.json: not a loss-counter answer (stats: " in captured.err
    assert captured.out == ""
    assert run_preview(args(str(PLAIN), counter=str(tmp_path / "none.json")), {}) == 1
    assert "none.json: No such file or directory" in capsys.readouterr().err


async def test_live_counter_from_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeNews() as news:
        url = news.set_json("/api/v2/statistics/latest", _todays_answer())
        config = tmp_path / "c.toml"
        config.write_text(f'[losses]\nurl = "{url}"\n', encoding="utf-8")
        status = await asyncio.to_thread(
            run_preview, args(str(PLAIN), counter="live", config=str(config)), {}
        )
        assert news.hits("/api/v2/statistics/latest") == 1
    assert status == 0
    (record,) = records(capsys.readouterr().out)
    assert _paragraphs(record["brief"])[-2] == TODAYS_LINE


async def test_live_counter_from_the_environment_and_when_it_is_down(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with FakeNews() as news:
        url = news.set_json("/v2/latest", _todays_answer())
        env = {"NEWSBOT_LOSSES_URL": url}
        status = await asyncio.to_thread(run_preview, args(str(PLAIN), counter="live"), env)
        assert status == 0
        assert TODAYS_LINE in capsys.readouterr().out
        news.fault("/v2/latest", "status", status=503)
        status = await asyncio.to_thread(run_preview, args(str(PLAIN), counter="live"), env)
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    assert f"loss counter {url}: HTTP 503" in captured.err
