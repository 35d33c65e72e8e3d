"""Packaging facts that no Docker engine here can check: entry point and Python version."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_dockerfile_runs_the_installed_console_script() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    entry = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", dockerfile, re.M)
    assert entry, "Dockerfile needs an exec-form ENTRYPOINT"
    argv = json.loads(entry.group(1))
    scripts = _pyproject()["project"]["scripts"]
    assert argv[0] in scripts and scripts[argv[0]] == "bot.cli:main"
    assert argv[1:3] == ["run", "--config"]
    assert re.search(r"^USER\s+(?!root)\S+", dockerfile, re.M), "must not run as root"
    assert re.search(r"^VOLUME\s", dockerfile, re.M), "the SQLite file needs a volume"


def test_dockerfile_python_satisfies_requires_python() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    base = re.search(r"^FROM\s+python:(\d+\.\d+)(?:\.\d+)?-slim", dockerfile, re.M)
    assert base, "expected a slim python base image"
    assert SpecifierSet(_pyproject()["project"]["requires-python"]).contains(base.group(1) + ".0")


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    command = "pip install -e '.[test]' && pytest"
    assert command in readme
    assert command in ci
