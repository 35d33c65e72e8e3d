"""The ``newsbot`` command: ``run``, ``demo``, ``preview`` and ``cluster``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from signal import SIGINT, SIGTERM

from bot.config import ConfigError, load_config
from bot.logging_setup import setup_logging

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Telegram bot: short Ukrainian news briefs with the counter of Russian losses.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (long polling)", description="Run the bot.")
    run.add_argument("--config", required=True, metavar="PATH", help="TOML config file")

    demo = sub.add_parser(
        "demo",
        help="the whole pipeline offline, no token needed",
        description="Run the real bot against a local fake Telegram and local sample sources, "
        "and show what a subscriber receives.",
    )
    demo.add_argument("--script", metavar="FILE", help="commands to send, one per line")

    preview = sub.add_parser(
        "preview",
        help="print the brief for articles (URL or FILE)",
        description="Print the brief for each article: a URL, an HTML page, or plain text "
        "(first line = title, the rest = text).",
    )
    preview.add_argument("inputs", nargs="+", metavar="URL|FILE")
    preview.add_argument("--summariser", choices=("extractive", "llm"), default="extractive")
    preview.add_argument("--config", metavar="PATH", help="config for the LLM summariser")
    preview.add_argument("--json", action="store_true", help="one JSON object per line")

    cluster = sub.add_parser(
        "cluster",
        help="group news items into stories (JSONL in, one {id, story} line out per item)",
        description="Assign each item of FILE (one JSON object per line: id, title, text, "
        "source, optional published ISO time) to a story, in the order given, as the bot does.",
    )
    cluster.add_argument("file", metavar="FILE.jsonl")
    cluster.add_argument("--window-hours", type=float, default=12.0, metavar="H")
    cluster.add_argument("--explain", action="store_true", help="why, one line per item on stderr")
    return parser


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"newsbot: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(
        [config.telegram.token, config.briefs.llm_api_key],
        level=logging.DEBUG if args.verbose else logging.INFO,
    )
    from bot.app import build_application  # imported late: PTB import is not free

    app = build_application(config)
    app.run_polling(stop_signals=(SIGINT, SIGTERM), drop_pending_updates=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to PTB 22's timedelta values (RetryAfter.retry_after ...) instead of a
    # deprecation warning on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(args)
    if args.command == "cluster":
        from bot.stories.cluster import run_cluster

        return run_cluster(args)
    from bot.briefs.preview import run_preview

    return run_preview(args, os.environ)
