"""Every config key is a contract: each one is in config.example.toml and in README's table."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

import bot.config
from bot.config import Config

ROOT = Path(__file__).parents[2]


def _keys() -> list[tuple[str, str]]:
    hints = typing.get_type_hints(Config, vars(bot.config))
    keys = []
    for section in dataclasses.fields(Config):
        kind = hints[section.name]
        if typing.get_origin(kind) is tuple:  # [[sources]], [[channels]]
            kind = typing.get_args(kind)[0]
        keys += [(section.name, key.name) for key in dataclasses.fields(kind)]
    return keys


@pytest.mark.parametrize(("section", "key"), _keys(), ids=str)
def test_each_key_is_in_the_example_and_the_readme(section: str, key: str) -> None:
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert re.search(rf"^#?\s*{key}\s*=", example, re.M), f"{section}.{key} not in the example"
    rows = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| `[{section}]` ") or line.startswith(f"| `[[{section}]]` ")
    ]
    assert any(f"`{key}`" in row for row in rows), f"{section}.{key} not in README's table"
