"""``newsbot cluster FILE.jsonl``: one {id, story} line per item; one-line errors, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

DRONES = {
    "title": "Харків уночі атакували «шахеди»: постраждали троє людей",
    "text": "Росіяни вночі вдарили безпілотниками по Київському району Харкова. Унаслідок "
    "атаки загорілася багатоповерхівка, поранено трьох мешканців. Про це повідомив мер "
    "Харкова Ігор Терещенко.",
}
DRONES_RU = {
    "title": "Харьков ночью атаковали «шахеды»: пострадали три человека",
    "text": "Россияне ночью ударили беспилотниками по Киевскому району Харькова. В результате "
    "атаки загорелась многоэтажка, ранены трое жителей. Об этом сообщил мэр Харькова Игорь "
    "Терещенко.",
}
RATE = {
    "title": "НБУ зберіг облікову ставку на рівні 15,5%",
    "text": "Правління Національного банку ухвалило рішення зберегти облікову ставку на рівні "
    "15,5% річних.",
}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _item(item_id: str | int, body: dict[str, str], **extra: str) -> str:
    return json.dumps({"id": item_id, **body, "source": "УНІАН", **extra}, ensure_ascii=False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["cluster", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_prints_one_story_line_per_item_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path,
        [
            _item("a", DRONES, published="2025-06-10T02:25:00+03:00"),
            _item(7, RATE, published="2025-06-10T14:05:00+03:00"),
            "",
            _item("b", DRONES_RU),  # no time: takes the time of the item before
        ],
    )
    code, lines, err = _run(capsys, str(path))
    assert code == 0 and err == ""
    assert [json.loads(line) for line in lines] == [
        {"id": "a", "story": "a"},
        {"id": 7, "story": 7},
        {"id": "b", "story": "a"},
    ]


def test_the_window_splits_a_late_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path,
        [
            _item("a", DRONES, published="2025-06-10T02:00:00"),
            _item("b", DRONES_RU, published="2025-06-10T15:00:00"),
        ],
    )
    _, lines, _ = _run(capsys, str(path))
    assert json.loads(lines[1]) == {"id": "b", "story": "b"}
    _, lines, _ = _run(capsys, str(path), "--window-hours", "24")
    assert json.loads(lines[1]) == {"id": "b", "story": "a"}


def test_explain_says_why_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, [_item("a", DRONES), _item("b", DRONES_RU)])
    _, lines, err = _run(capsys, str(path), "--explain")
    assert len(lines) == 2
    assert err.splitlines()[0] == "a: opens a new story"
    assert err.splitlines()[1].startswith("b: joins story a (like article a: score ")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": "a", "title": "x"'], "line 1: not valid JSON"),
        ([_item("a", RATE), "[1, 2]"], "line 2: expected a JSON object"),
        (
            [_item("a", RATE), "", '{"id": "b", "text": "t", "source": "s"}'],
            "line 3: missing field 'title'",
        ),
        (['{"id": "a", "title": "t", "source": "s"}'], "line 1: missing field 'text'"),
        (['{"id": true, "title": "t", "text": "", "source": "s"}'], "line 1: field 'id' must be"),
        (
            ['{"id": "a", "title": 5, "text": "", "source": "s"}'],
            "line 1: field 'title' must be a string",
        ),
        ([_item("a", RATE, published="вчора")], "line 1: field 'published' is not an ISO time"),
        ([_item("a", RATE), _item("a", DRONES)], "line 2: duplicate id 'a'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    path = _write(tmp_path, lines)
    code, out, err = _run(capsys, str(path))
    assert code == 2 and out == []
    assert err.count("\n") == 1
    assert err.startswith(f"newsbot cluster: {path} ") and message in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(tmp_path / "none.jsonl"))
    assert (code, out) == (2, [])
    assert err == f"newsbot cluster: {tmp_path / 'none.jsonl'}: not found\n"


def test_console_command_needs_no_config(tmp_path: Path) -> None:
    path = _write(tmp_path, [_item("a", DRONES), _item("b", RATE)])
    done = subprocess.run(
        [sys.executable, "-m", "bot", "cluster", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['{"id": "a", "story": "a"}', '{"id": "b", "story": "b"}']
