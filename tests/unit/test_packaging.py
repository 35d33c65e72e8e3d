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


def _healthcheck_argv() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    check = re.search(r"^HEALTHCHECK\s.*?CMD\s+(\[.*?\])\s*$", dockerfile, re.M | re.S)
    assert check, "Dockerfile needs an exec-form HEALTHCHECK"
    argv = json.loads(check.group(1))
    assert isinstance(argv, list) and argv[0] == "python"
    return [str(a) for a in argv]


def test_image_serves_ops_on_all_container_interfaces_and_exposes_the_port() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    listen = re.search(r"NEWSBOT_OPS_LISTEN=(\S+)", dockerfile)
    assert listen and listen.group(1) == "0.0.0.0:9108"
    assert re.search(r"^EXPOSE\s+9108\b", dockerfile, re.M)


async def test_healthcheck_command_follows_healthz() -> None:
    """Run the Dockerfile's HEALTHCHECK command against a loopback /healthz."""
    import asyncio
    import sys

    from bot.fakes._http import LoopbackServer, Request, Response

    status = {"code": 200}

    async def healthz(request: Request) -> Response:
        assert request.path == "/healthz"
        body = json.dumps({"status": "ok" if status["code"] == 200 else "failing"}).encode()
        return Response(status["code"], [("Content-Type", "application/json")], body)

    server = LoopbackServer(healthz)
    await server.start()
    argv = [sys.executable, *_healthcheck_argv()[1:]]

    async def run(listen: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            env={"NEWSBOT_OPS_LISTEN": listen, "PATH": "/usr/bin:/bin"},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        assert proc.returncode is not None
        return proc.returncode, out.decode()

    try:
        healthy = await run(f"0.0.0.0:{server.port}")
        status["code"] = 503
        failing = await run(f"0.0.0.0:{server.port}")
    finally:
        await server.close()
    nobody = await run(f"0.0.0.0:{server.port}")
    assert healthy == (0, '{"status": "ok"}\n')
    assert failing == (1, '{"status": "failing"}\n')
    assert nobody[0] == 1 and "no answer from the ops server" in nobody[1]
